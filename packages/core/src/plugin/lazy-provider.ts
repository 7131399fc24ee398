import { vaultlinkError } from "../errors/index.js";
import type { ProviderDefinition } from "./contract.js";
import { ID_PATTERN, validateProvider } from "./validate.js";

export const LAZY_PROVIDER_BRAND = "vaultlink.lazy-provider" as const;

/**
 * A provider a host registers by its metadata and imports on first use: a vault that never
 * fetches from it never loads its module (nor its SDK). Build one with `lazyProvider`.
 */
export interface LazyProvider {
  readonly brand: typeof LAZY_PROVIDER_BRAND;
  /** The provider's id, known without importing it. */
  readonly id: string;
  /** Package name and version, when the host knows them; checked against the loaded plugin. */
  readonly meta?: { readonly name: string; readonly version?: string };
  /** Import the plugin: its module (default export or namespace) or its definition. */
  load(): Promise<unknown>;
}

export interface LazyProviderInput {
  id: string;
  meta?: { name: string; version?: string };
  load: () => Promise<unknown>;
}

/** A lazy provider descriptor: metadata now, the plugin's module on first use. */
export function lazyProvider(input: LazyProviderInput): LazyProvider {
  return Object.freeze({
    brand: LAZY_PROVIDER_BRAND,
    id: input.id,
    ...(input.meta ? { meta: Object.freeze({ ...input.meta }) } : {}),
    load: input.load,
  });
}

export function isLazyProvider(value: unknown): value is LazyProvider {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as { brand?: unknown }).brand === LAZY_PROVIDER_BRAND
  );
}

/** Check a lazy descriptor's shape (the plugin itself is validated when it loads). */
export function validateLazyProvider(candidate: LazyProvider, source: string): LazyProvider {
  const problems: string[] = [];
  if (typeof candidate.id !== "string" || !ID_PATTERN.test(candidate.id))
    problems.push("id must be lowercase letters, digits or '-'");
  if (typeof candidate.load !== "function") problems.push("load is not a function");
  const meta = candidate.meta as { name?: unknown; version?: unknown } | undefined;
  if (
    meta !== undefined &&
    (typeof meta.name !== "string" ||
      (meta.version !== undefined && typeof meta.version !== "string"))
  )
    problems.push("meta must be { name, version? } strings");
  if (problems.length > 0)
    throw vaultlinkError(
      "PLUGIN_INVALID",
      `${source} is not a valid lazy provider: ${problems.join("; ")}.`,
      {
        hint: "Build it with lazyProvider({ id, load }) from @vaultlink/core.",
      },
    );
  return candidate;
}

/**
 * Import a lazy provider and validate what it gave as any provider is: the same checks, plus
 * the id (and name, when declared) it was registered with.
 */
export async function loadLazyProvider(lazy: LazyProvider): Promise<ProviderDefinition> {
  const source = lazy.meta?.name ?? `the ${lazy.id} provider`;
  const definition = validateProvider(await lazy.load(), source);
  const mismatch =
    definition.id !== lazy.id
      ? `it was registered as "${lazy.id}" but its id is "${definition.id}"`
      : lazy.meta !== undefined && definition.meta.name !== lazy.meta.name
        ? `it was registered as ${lazy.meta.name} but its package is ${definition.meta.name}`
        : undefined;
  if (mismatch)
    throw vaultlinkError(
      "PLUGIN_INVALID",
      `${source} is not the provider it was registered as: ${mismatch}.`,
      {
        hint: "Register the plugin with the id and package name its definition has.",
      },
    );
  return definition;
}
