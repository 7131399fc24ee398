import { vaultlinkError } from "../../errors/index.js";
import type { KeySource } from "../types.js";

/**
 * Try each key source in order; the first that yields a key wins. When none does, the error
 * lists every source and why it gave nothing.
 */
export async function resolveVaultKey(
  sources: readonly KeySource[],
): Promise<{ vaultKey: string; source: string }> {
  const reasons: string[] = [];
  for (const source of sources) {
    const availability = await source.availability();
    if (!availability.available) {
      reasons.push(`${source.id}: ${availability.reason}`);
      continue;
    }
    const key = await source.load();
    if (key) return { vaultKey: key, source: source.id };
    reasons.push(`${source.id}: holds no vault key`);
  }
  throw vaultlinkError(
    "VAULT_LOCKED",
    `The vault is locked: no vault key was found (${reasons.join("; ") || "no key sources configured"}).`,
    {
      hint: "Set VAULTLINK_VAULT_KEY to your vault key, or run vaultlink vault key store.",
      details: { sources: reasons },
    },
  );
}
