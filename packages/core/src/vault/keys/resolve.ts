import { vaultlinkError } from "../../errors/index.js";
import { parseVaultKey } from "../key.js";
import type { KeySource } from "../types.js";

export interface SkippedKeySource {
  source: string;
  reason: string;
}

export interface ResolvedVaultKey {
  vaultKey: string;
  /** Id of the source that gave the key. */
  source: string;
  /** Sources tried before it, and why each gave nothing. */
  skipped: SkippedKeySource[];
}

/** What one key source gave when asked for the vault key. */
export interface KeySourceOutcome {
  source: string;
  /** The key it holds (not checked for form: `resolveVaultKey` does that). */
  vaultKey?: string;
  /** Why it gave no key: unavailable here, failed, or holds none. */
  reason?: string;
  /** Whether the source could be used here (false: unavailable or failed). */
  available: boolean;
}

/** Which key source supplies the vault key, and why each one tried before it (or all) did not. */
export interface KeySourceReport {
  /** The first source that gave a key, with the key. */
  found?: { vaultKey: string; source: string };
  /** Every source asked, in order, with what it gave. */
  outcomes: KeySourceOutcome[];
}

/** Ask one key source for the key. A prompt the user cancelled (code CANCELLED) throws. */
export async function askKeySource(source: KeySource): Promise<KeySourceOutcome> {
  try {
    const availability = await source.availability();
    if (!availability.available)
      return { source: source.id, available: false, reason: availability.reason };
    const vaultKey = (await source.load())?.trim();
    if (vaultKey === undefined || vaultKey === "")
      return { source: source.id, available: true, reason: "it holds no vault key" };
    return { source: source.id, available: true, vaultKey };
  } catch (error) {
    if ((error as { code?: unknown }).code === "CANCELLED") throw error;
    return { source: source.id, available: false, reason: reasonOf(error) };
  }
}

/**
 * Ask `sources` in order for the vault key and report what each gave: stops at the first key,
 * or asks every one with `all` (a diagnosis: which sources hold a key, and why the others do
 * not). Hosts print the report; the decision of which source wins is made here.
 */
export async function reportKeySources(
  sources: readonly KeySource[],
  options: { all?: boolean } = {},
): Promise<KeySourceReport> {
  const report: KeySourceReport = { outcomes: [] };
  for (const source of sources) {
    const outcome = await askKeySource(source);
    report.outcomes.push(outcome);
    if (outcome.vaultKey !== undefined) {
      report.found ??= { vaultKey: outcome.vaultKey, source: outcome.source };
      if (options.all !== true) break;
    }
  }
  return report;
}

/**
 * The vault key from the first source that has one, trying `sources` in order (by default
 * env, keychain, prompt). Unavailable sources are skipped with their reason. A malformed key
 * throws INVALID_KEY naming the source; no key anywhere throws VAULT_LOCKED listing every
 * source and why it gave nothing.
 */
export async function resolveVaultKey(sources: readonly KeySource[]): Promise<ResolvedVaultKey> {
  const { found, outcomes } = await reportKeySources(sources);
  const skipped: SkippedKeySource[] = outcomes
    .filter((o) => o.vaultKey === undefined)
    .map((o) => ({ source: o.source, reason: o.reason ?? "it holds no vault key" }));
  if (found === undefined) throw lockedVaultError(skipped);
  try {
    parseVaultKey(found.vaultKey);
  } catch (error) {
    const e = error as { message?: string; hint?: string };
    throw vaultlinkError(
      "INVALID_KEY",
      `The vault key from the ${found.source} key source is malformed: ${e.message ?? "invalid"}`,
      { hint: e.hint, details: { source: found.source } },
    );
  }
  return { vaultKey: found.vaultKey, source: found.source, skipped };
}

/** VAULT_LOCKED: no source gave a key; lists each source and why (`dir`: the vault's). */
export function lockedVaultError(skipped: readonly SkippedKeySource[], dir?: string) {
  const list =
    skipped.length === 0
      ? "no key sources were configured"
      : skipped.map((s) => `${s.source}: ${s.reason}`).join("; ");
  const where = dir === undefined ? "The vault" : `The vault in ${dir}`;
  return vaultlinkError("VAULT_LOCKED", `${where} is locked: no vault key was found (${list}).`, {
    hint: "Set VAULTLINK_VAULT_KEY to the vault key, or run `vaultlink vault key store` to keep it in the OS keychain.",
    details: { sources: skipped },
  });
}

function reasonOf(error: unknown): string {
  if (error instanceof Error) return error.message.split("\n")[0] ?? "failed";
  return "failed";
}
