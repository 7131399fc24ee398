import type { ValueCache } from "../cache/value-cache.js";
import type { EventBus } from "../events/index.js";
import type { Clock } from "../plugin/contract.js";
import type { DocumentAccess } from "./document.js";
import type { ProviderRegistry } from "./provider-registry.js";

/** What the parts of one vault share: its document, providers, value cache, events and clock. */
export interface EngineServices {
  docs: DocumentAccess;
  registry: ProviderRegistry;
  cache: ValueCache;
  events: EventBus;
  clock: Clock;
}
