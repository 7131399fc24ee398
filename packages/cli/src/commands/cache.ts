import type { Command } from "commander";
import { duration, err, out, printJson, table } from "../io/term.js";
import { type Opts, withVault } from "./common.js";

export async function status(opts: Opts, cmd: Command): Promise<void> {
  await withVault(cmd, async (o) => {
    const s = await o.vault.cache.status();
    if (opts.json === true) return printJson(s);
    out(`cache time: ${s.ttlMinutes === 0 ? "off (0 minutes)" : `${s.ttlMinutes} minutes`}`);
    out(
      `stale-if-error: ${s.staleIfErrorMinutes === 0 ? "off" : `${s.staleIfErrorMinutes} minutes past the cache time, on a provider outage`}`,
    );
    if (s.entries.length === 0) return out("no cached values");
    out(
      table(
        s.entries.map((e) => [
          e.names.join(",") || "(no secret)",
          e.integration,
          e.reference +
            (e.jsonKey ? ` key=${e.jsonKey}` : "") +
            (e.version ? ` version=${e.version}` : ""),
          `${duration(e.ageMs)} ago`,
          e.expired
            ? e.staleIfErrorForMs !== undefined
              ? `expired; stale-if-error ${duration(e.staleIfErrorForMs)} more${e.servedStaleAt ? " (served stale)" : ""}`
              : `expired${e.servedStaleAt ? " (served stale)" : ""}`
            : `in ${duration(e.expiresInMs)}`,
        ]),
        ["SECRETS", "INTEGRATION", "REFERENCE", "FETCHED", "EXPIRES"],
      ),
    );
  });
}

export async function reset(opts: Opts, cmd: Command): Promise<void> {
  await withVault(cmd, async (o) => {
    const { entries } = await o.vault.cache.reset();
    if (opts.json === true) return printJson({ dropped: entries });
    err(`Dropped ${entries} cached value${entries === 1 ? "" : "s"}.`);
  });
}

export async function settingsGet(
  name: string | undefined,
  opts: Opts,
  cmd: Command,
): Promise<void> {
  const { SETTING_NAMES, vaultlinkError } = await import("@vaultlink/core");
  if (name !== undefined && !Object.hasOwn(SETTING_NAMES, name)) {
    throw vaultlinkError("INVALID_SETTING", `There is no setting named "${name}".`, {
      hint: `Settings: ${Object.keys(SETTING_NAMES).join(", ")}.`,
    });
  }
  await withVault(cmd, async (o) => {
    const s = await o.vault.settings.get();
    const all: Record<string, unknown> = {
      "cache-ttl": s.cacheTtlMinutes,
      "stale-if-error": s.staleIfErrorMinutes ?? 0,
      "sign-ins": s.signIns ?? "vault",
    };
    const shown = name === undefined ? all : { [name]: all[name] };
    if (opts.json === true) return printJson(shown);
    if (name !== undefined) return out(String(shown[name]));
    for (const [k, v] of Object.entries(shown))
      out(
        k === "sign-ins"
          ? `${k} = ${String(v)}`
          : `${k} = ${String(v)} (minutes${k === "stale-if-error" && v === 0 ? ", off" : ""})`,
      );
  });
}

export async function settingsSet(
  name: string,
  value: string,
  opts: Opts,
  cmd: Command,
): Promise<void> {
  const { parseCacheTtlMinutes, parseStaleIfErrorMinutes, SETTING_NAMES, vaultlinkError } =
    await import("@vaultlink/core");
  if (!Object.hasOwn(SETTING_NAMES, name)) {
    throw vaultlinkError("INVALID_SETTING", `There is no setting named "${name}".`, {
      hint: `Settings: ${Object.keys(SETTING_NAMES).join(", ")}.`,
    });
  }
  if (cmd.args.length > 2)
    throw vaultlinkError("INVALID_SETTING", `Give one value for ${name}.`, {
      hint: `For example: vaultlink settings set ${name} 60`,
    });
  if (name === "sign-ins") {
    const { parseSignIns } = await import("@vaultlink/core");
    const where = parseSignIns(value);
    await withVault(cmd, async (o) => {
      const s = await o.vault.settings.set(name, where);
      if (opts.json === true) return printJson({ "sign-ins": s.signIns ?? "vault" });
      err(
        where === "memory"
          ? "sign-ins = memory: credentials are kept only in the running agent's memory and are gone when it stops. The vault file no longer holds any; sign in again through the agent: vaultlink agent start, then vaultlink integration reauth <id>."
          : "sign-ins = vault: credentials are kept, encrypted, in the vault file.",
      );
    });
    return;
  }
  if (name === "stale-if-error") {
    parseStaleIfErrorMinutes(value);
    await withVault(cmd, async (o) => {
      const s = await o.vault.settings.set(name, value);
      const minutes = s.staleIfErrorMinutes ?? 0;
      if (opts.json === true) return printJson({ "stale-if-error": minutes });
      err(`stale-if-error = ${minutes} minutes${minutes === 0 ? " (off)" : ""}.`);
    });
    return;
  }
  parseCacheTtlMinutes(value);
  await withVault(cmd, async (o) => {
    const s = await o.vault.settings.set(name, value);
    if (opts.json === true) return printJson({ "cache-ttl": s.cacheTtlMinutes });
    err(
      `cache-ttl = ${s.cacheTtlMinutes} minutes${s.cacheTtlMinutes === 0 ? " (caching off)" : ""}.`,
    );
  });
}
