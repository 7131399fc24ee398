import "reflect-metadata";
import { type DependencyContainer, container as rootContainer } from "tsyringe";

/**
 * A fresh child container for one vault instance. The global container is never written to,
 * so two vaults in one process share nothing.
 */
export function createChildContainer(): DependencyContainer {
  return rootContainer.createChildContainer();
}

export type { DependencyContainer };
