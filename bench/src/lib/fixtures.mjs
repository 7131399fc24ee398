import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createVault, importVault, openTransferSession } from "@vaultlink/core";
import awsProvider from "@vaultlink/provider-aws";

const homes = [];

/** A fresh, empty directory for one vault; removed by `cleanupHomes`. */
export async function makeHome(tag) {
  const dir = await mkdtemp(join(tmpdir(), `vaultlink-bench-${tag}-`));
  homes.push(dir);
  return dir;
}

export async function cleanupHomes() {
  for (const dir of homes.splice(0)) await rm(dir, { recursive: true, force: true });
}

/** `count` secrets `<prefix>/NNNN` with distinct values of `size` characters. */
export function numberedSecrets(prefix, count, size = 32) {
  return Array.from({ length: count }, (_, i) => {
    const n = String(i).padStart(4, "0");
    const base = `${prefix}-value-${n}-`;
    return { name: `${prefix}/${n}`, value: base.padEnd(Math.max(size, base.length), "x") };
  });
}

/** Vault secret name for a provider secret name ("b3/0001" → "b3-0001"). */
export const vaultName = (providerName) => providerName.replaceAll("/", "-");

/** Open a vault of `home` with the AWS provider (keys from the argument, never a keychain). */
export function openAwsVault(home) {
  return createVault({ home, providers: [awsProvider], keySources: [] });
}

/**
 * A new vault in `home`, connected to the emulator with a fresh access key, with one linked
 * secret per seeded secret. Returns the vault (unlocked) and its key.
 */
export async function createAwsVault(emulator, home, secrets) {
  const vault = openAwsVault(home);
  const { vaultKey } = await vault.create();
  await vault.integrations.connect({
    provider: "aws",
    method: "access-key",
    options: { region: emulator.region, endpoint: emulator.url, ...emulator.issueCredentials() },
  });
  const links = secrets.map((s) => ({ name: vaultName(s.name), reference: s.name }));
  await linkAll(vault, vaultKey, "aws", "aws", links);
  await vault.dispose();
  // A new instance sees the imported links at once (the old one trusts its snapshot ~1 s).
  const reopened = openAwsVault(home);
  await reopened.unlock(vaultKey);
  return { vault: reopened, vaultKey };
}

/**
 * Link many secrets in one write (the transfer import), instead of one locked write per link.
 * `links` are `{ name, reference }`, the reference in the provider's canonical form.
 */
export async function linkAll(vault, vaultKey, integration, provider, links) {
  const session = await openTransferSession(vault, vaultKey);
  await importVault(
    session,
    {
      secrets: links.map(({ name, reference }) => ({
        name,
        link: { integration, provider, reference },
        allowedDomains: [],
        enabled: true,
      })),
    },
    { onConflict: "replace" },
  );
}
