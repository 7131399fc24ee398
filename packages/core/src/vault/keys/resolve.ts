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

/**
 * The vault key from the first source that has one, trying `sources` in order (by default
 * env, keychain, prompt). Unavailable sources are skipped with their reason. A malformed key
 * throws INVALID_KEY naming the source; no key anywhere throws VAULT_LOCKED listing every
 * source and why it gave nothing.
 */
export async function resolveVaultKey(sources: readonly KeySource[]): Promise<ResolvedVaultKey> {
  const skipped: SkippedKeySource[] = [];
  for (const source of sources) {
    let vaultKey: string | undefined;
    try {
      const availability = await source.availability();
      if (!availability.available) {
        skipped.push({ source: source.id, reason: availability.reason });
        continue;
      }
      vaultKey = await source.load();
    } catch (error) {
      skipped.push({ source: source.id, reason: reasonOf(error) });
      continue;
    }
    if (vaultKey === undefined || vaultKey.trim() === "") {
      skipped.push({ source: source.id, reason: "it holds no vault key" });
      continue;
    }
    try {
      parseVaultKey(vaultKey);
    } catch (error) {
      const e = error as { message?: string; hint?: string };
      throw vaultlinkError(
        "INVALID_KEY",
        `The vault key from the ${source.id} key source is malformed: ${e.message ?? "invalid"}`,
        { hint: e.hint, details: { source: source.id } },
      );
    }
    return { vaultKey: vaultKey.trim(), source: source.id, skipped };
  }
  const list =
    skipped.length === 0
      ? "no key sources were configured"
      : skipped.map((s) => `${s.source}: ${s.reason}`).join("; ");
  throw vaultlinkError("VAULT_LOCKED", `The vault is locked: no vault key was found (${list}).`, {
    hint: "Set VAULTLINK_VAULT_KEY to the vault key, or run `vaultlink vault key store` to keep it in the OS keychain.",
    details: { sources: skipped },
  });
}

function reasonOf(error: unknown): string {
  if (error instanceof Error) return error.message.split("\n")[0] ?? "failed";
  return "failed";
}
