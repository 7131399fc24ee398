/**
 * CPU profile of the cached-resolve hot path (B2's inner loop) with the in-memory provider:
 *   node --cpu-prof --cpu-prof-dir /tmp/prof bench/src/tools/profile-resolve.mjs [calls]
 * Prints the top self-time functions when run with --summary instead.
 */
import { createVault } from "@vaultlink/core";
import { createMemoryProvider, MEMORY_AUTH_METHOD } from "@vaultlink/testkit";
import { cleanupHomes, linkAll, makeHome } from "../lib/fixtures.mjs";

const calls = Number(process.argv[2]) || 300_000;
const values = {};
for (let i = 0; i < 100; i++) values[`p/${i}`] = `value-${i}-0123456789abcdef`;
const memory = createMemoryProvider({ secrets: values, sessionTtlMs: null });
const home = await makeHome("profile");
const open = () => createVault({ home, providers: [memory.provider], keySources: [] });
const setup = open();
const { vaultKey } = await setup.create();
await setup.integrations.connect({
  provider: "memory",
  method: MEMORY_AUTH_METHOD,
  options: { token: "memory-token" },
});
const names = Object.keys(values).map((n) => n.replace("/", "-"));
await linkAll(
  setup,
  vaultKey,
  "memory",
  "memory",
  names.map((name, i) => ({ name, reference: `mem://p/${i}` })),
);
await setup.dispose();
const vault = open();
await vault.unlock(vaultKey);
await vault.resolveMany(names);
const t0 = performance.now();
for (let i = 0; i < calls; i++) {
  const r = await vault.resolve(names[i % 100]);
  if (!r.ok) throw new Error(r.message);
}
const elapsed = performance.now() - t0;
console.log(
  `${calls} cached resolves: ${elapsed.toFixed(0)} ms, ${((elapsed * 1e6) / calls).toFixed(0)} ns each`,
);
await vault.dispose();
await cleanupHomes();
