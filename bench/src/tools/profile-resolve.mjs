/**
 * CPU profile of the cached-resolve hot path (B2's inner loop) with the in-memory provider:
 *   node --cpu-prof --cpu-prof-dir /tmp/prof bench/src/tools/profile-resolve.mjs [calls]
 */
import { cleanupHomes, createMemoryVault, makeHome } from "../lib/fixtures.mjs";

const calls = Number(process.argv[2]) || 300_000;
const values = {};
for (let i = 0; i < 100; i++) values[`p/${i}`] = `value-${i}-0123456789abcdef`;
const { vault, names } = await createMemoryVault(await makeHome("profile"), values);
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
