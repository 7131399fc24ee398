import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createVault } from "@vaultlink/core";
import awsProvider from "@vaultlink/provider-aws";
import { createMemoryProvider, MEMORY_AUTH_METHOD } from "@vaultlink/testkit";

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
  await linkAll(vault, "aws", "aws", links);
  return { vault, vaultKey };
}

/**
 * Link many secrets in one write (an import), instead of one locked write per link.
 * `links` are `{ name, reference }`, the reference in the provider's canonical form.
 */
export async function linkAll(vault, integration, provider, links) {
  await vault.importSecrets(
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

/**
 * A new vault in `home` connected to the testkit's in-memory provider holding `values`
 * (`{ "tpl/0001": value }`), with one linked secret per value named by `vaultName`. Returns
 * the vault (unlocked), the provider (its `calls` count fetches) and the secret names.
 */
export async function createMemoryVault(home, values) {
  const memory = createMemoryProvider({ secrets: values, sessionTtlMs: null });
  const vault = createVault({ home, providers: [memory.provider], keySources: [] });
  await vault.create();
  await vault.integrations.connect({
    provider: "memory",
    method: MEMORY_AUTH_METHOD,
    options: { token: "memory-token" },
  });
  const links = Object.keys(values).map((n) => ({ name: vaultName(n), reference: `mem://${n}` }));
  await linkAll(vault, "memory", "memory", links);
  return { vault, memory, names: links.map((l) => l.name) };
}
