/**
 * One B5 measurement in its own process (so peak RSS is this work's alone):
 * open the vault, add one secret, list. Prints one JSON line of timings (ms) and peak RSS.
 * argv: <home> <secret name to add>; the vault key comes in VAULTLINK_BENCH_KEY.
 */
import { createVault } from "@vaultlink/core";

const [home, name] = process.argv.slice(2);
const key = process.env.VAULTLINK_BENCH_KEY;
const t0 = performance.now();
const vault = createVault({ home, keySources: [] });
await vault.unlock(key);
const t1 = performance.now();
await vault.secrets.add(name, { value: "b5-added-value-0123456789abcdef" });
const t2 = performance.now();
const listed = await vault.secrets.list();
const t3 = performance.now();
await vault.dispose();
process.stdout.write(
  `${JSON.stringify({
    openMs: t1 - t0,
    addMs: t2 - t1,
    listMs: t3 - t2,
    listed: listed.length,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
  })}\n`,
);
