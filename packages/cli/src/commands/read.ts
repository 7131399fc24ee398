import type { Command } from "commander";
import { CliError } from "../errors.js";
import { unresolvedExitCode } from "../unresolved.js";
import { providersNeeded } from "../vault-access.js";
import { type Opts, withVault } from "./common.js";

/** Print one value. The hot path: a cached or local secret imports no provider. */
export async function read(name: string, opts: Opts, cmd: Command): Promise<void> {
  await withVault(cmd, async (o) => {
    const needed = await providersNeeded(o, [name]);
    if (needed.length > 0) await o.ensureProviders(needed);
    const r = await o.vault.resolve(name, typeof opts.url === "string" ? { url: opts.url } : {});
    if (!r.ok) {
      throw new CliError(`{{vault:${name}}} is unresolved (${r.reason}): ${r.message}`, {
        hint: r.fix,
        exitCode: unresolvedExitCode([r]),
        code: "UNRESOLVED",
      });
    }
    if (opts.json === true)
      process.stdout.write(`${JSON.stringify({ name, value: r.value, source: r.source })}\n`);
    else process.stdout.write(opts.newline === false ? r.value : `${r.value}\n`);
  });
}
