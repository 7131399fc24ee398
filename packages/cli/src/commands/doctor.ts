import { stat } from "node:fs/promises";
import type { Command } from "commander";
import { SilentExit } from "../errors.js";
import { withSpinner } from "../io/input.js";
import { duration, out, paint, printJson } from "../io/term.js";
import { loadConfig } from "../plugins/config.js";
import { keySources, openVault } from "../vault-access.js";
import { globals, type Opts } from "./common.js";

interface Check {
  area: "vault" | "key" | "plugin" | "integration" | "secret";
  subject: string;
  ok: boolean;
  /** A problem makes doctor exit non-zero; a note does not. */
  severity?: "problem" | "note";
  detail: string;
  fix?: string;
}

/** A URL that matches a secret's first allowed domain, to resolve it as a request would. */
function urlFor(domains: readonly string[]): string | undefined {
  const d = domains[0];
  if (!d) return undefined;
  const m = /^(https?:\/\/)?(\*\.)?(.*)$/i.exec(d.trim());
  return `${m?.[1] ?? "https://"}${m?.[3] ?? d}`;
}

export async function doctor(opts: Opts, cmd: Command): Promise<void> {
  const checks: Check[] = [];
  const add = (c: Check) => checks.push({ severity: c.ok ? undefined : "problem", ...c } as Check);
  const o = await openVault({ global: globals(cmd), unlock: false });
  try {
    const paths = o.vault.paths;
    // 1. The vault file.
    if (!(await o.vault.exists())) {
      add({
        area: "vault",
        subject: paths.vaultFile,
        ok: false,
        detail: "there is no vault here",
        fix: "vaultlink vault create (or set VAULTLINK_HOME to the right directory)",
      });
    } else {
      add({ area: "vault", subject: paths.vaultFile, ok: true, detail: "vault file present" });
      if (process.platform !== "win32") {
        const [d, f] = await Promise.all([stat(paths.dir), stat(paths.vaultFile)]);
        if ((d.mode & 0o077) !== 0 || (f.mode & 0o077) !== 0) {
          add({
            area: "vault",
            subject: paths.dir,
            ok: false,
            detail: "the vault directory or file is readable by other users",
            fix: `chmod 700 ${paths.dir} && chmod 600 ${paths.vaultFile}`,
          });
        }
      }
      // 2. Key sources: which one works, and why the others do not.
      const { reportKeySources } = await import("@vaultlink/core");
      const sources = (await keySources(paths.dir)).filter((s) => s.id !== "prompt");
      const report = await reportKeySources(sources, { all: true });
      let working: string | undefined;
      for (const s of report.outcomes) {
        if (s.vaultKey === undefined) {
          add({
            area: "key",
            subject: s.source,
            ok: true,
            severity: "note",
            detail: `not used: ${s.reason ?? "no key"}`,
          });
          continue;
        }
        try {
          const probe = await openVault({ global: globals(cmd), unlock: false });
          await probe.vault.unlock(s.vaultKey);
          await probe.close();
          add({
            area: "key",
            subject: s.source,
            ok: true,
            detail: "holds a key that opens the vault",
          });
          working ??= s.vaultKey;
        } catch (error) {
          const e = error as { code?: string; message: string; hint?: string };
          add({
            area: "key",
            subject: s.source,
            ok: false,
            detail: e.message,
            fix:
              e.code === "VAULT_CORRUPT"
                ? (e.hint ?? "restore the vault from vault.vlt.bak or an export")
                : s.source === "env"
                  ? "set VAULTLINK_VAULT_KEY to this vault's key"
                  : "store the right key: vaultlink vault key store",
          });
        }
      }
      if (!working) {
        add({
          area: "key",
          subject: "unlock",
          ok: false,
          detail: "no key source opens the vault (the vault is locked)",
          fix: "set VAULTLINK_VAULT_KEY, or run vaultlink vault key store; lost the key? vaultlink vault reset",
        });
      } else {
        await o.vault.unlock(working);
        await checkContents(o, checks, add);
      }
    }
    // 3. Plugins.
    const problems = o.registry.problems;
    for (const p of problems)
      add({
        area: "plugin",
        subject: p.spec,
        ok: false,
        detail: `${p.kind}: ${p.reason}`,
        ...(p.hint ? { fix: p.hint } : { fix: `check ${loadConfig().file}` }),
      });
  } finally {
    await o.close();
  }
  const failed = checks.filter((c) => c.severity === "problem");
  if (opts.json === true) printJson({ ok: failed.length === 0, checks });
  else {
    for (const c of checks) {
      const mark =
        c.severity === "problem"
          ? paint.red(process.stdout, "✗")
          : c.severity === "note"
            ? paint.dim(process.stdout, "·")
            : paint.green(process.stdout, "✓");
      out(`${mark} ${c.area} ${c.subject}: ${c.detail}`);
      if (c.fix && c.severity === "problem") out(`    fix: ${c.fix}`);
    }
    out(
      failed.length === 0
        ? "No problems found."
        : `${failed.length} problem${failed.length === 1 ? "" : "s"} found.`,
    );
  }
  if (failed.length > 0) throw new SilentExit(1);
}

async function checkContents(
  o: Awaited<ReturnType<typeof openVault>>,
  _checks: Check[],
  add: (c: Check) => void,
): Promise<void> {
  const { vault } = o;
  const integrations = await vault.integrations.list();
  const loadedIds = new Set<string>();
  await o.ensureProviders(integrations.map((i) => i.provider));
  for (const p of o.registry.loaded()) loadedIds.add(p.id);
  for (const i of integrations) {
    if (!loadedIds.has(i.provider)) {
      add({
        area: "integration",
        subject: i.id,
        ok: false,
        detail: `the ${i.provider} provider plugin is not loaded`,
        fix: "see vaultlink plugins list",
      });
      continue;
    }
    if (i.status === "disconnected") {
      add({
        area: "integration",
        subject: i.id,
        ok: false,
        detail: "disconnected",
        fix:
          i.scope === "team"
            ? `ask a team admin to set it up again, then join: vaultlink integration join ${i.provider} <join code>`
            : `vaultlink integration connect ${i.provider}${i.id !== i.provider ? ` --id ${i.id}` : ""}`,
      });
    } else if (i.status === "auth-expired") {
      add({
        area: "integration",
        subject: i.id,
        ok: false,
        detail: `sign-in expired${i.statusReason ? ` (${i.statusReason})` : ""}`,
        fix: `vaultlink integration reauth ${i.id}`,
      });
    } else if (i.expiresAt) {
      const left = Date.parse(i.expiresAt) - Date.now();
      add({
        area: "integration",
        subject: i.id,
        ok: true,
        detail: `connected; expires in ${duration(left)}`,
        ...(left < 15 * 60_000
          ? { severity: "note" as const, fix: `vaultlink integration reauth ${i.id}` }
          : {}),
      });
    } else add({ area: "integration", subject: i.id, ok: true, detail: "connected; no expiry" });
  }
  const secrets = await vault.secrets.list();
  const resolutions = await withSpinner("Checking secrets", () =>
    Promise.all(
      secrets.map(async (s) => {
        const url = urlFor(s.allowedDomains);
        return { s, r: await vault.resolve(s.name, url ? { url } : {}) };
      }),
    ),
  );
  for (const { s, r } of resolutions) {
    if (r.ok)
      add({
        area: "secret",
        subject: s.name,
        ok: true,
        detail: s.link ? `resolves through ${s.link.integration}` : "has a value",
      });
    else if (r.reason === "disabled")
      add({
        area: "secret",
        subject: s.name,
        ok: true,
        severity: "note",
        detail: "disabled (its references do not resolve)",
        fix: r.fix,
      });
    else
      add({
        area: "secret",
        subject: s.name,
        ok: false,
        detail: `${r.reason}: ${r.message}`,
        fix: r.fix,
      });
  }
  // References elsewhere (requests, config files) may still use a secret's old name.
  for (const { from, to } of await vault.secrets.renames()) {
    add({
      area: "secret",
      subject: to,
      ok: true,
      severity: "note",
      detail: `renamed from ${from}: references to {{vault:${from}}} no longer resolve`,
      fix: `update them to {{vault:${to}}}, or rename it back: vaultlink secret rename ${to} ${from}`,
    });
  }
}
