import type { SecretInfo } from "@vaultlink/core";
import type { Command } from "commander";
import { CliError, ExitCode, usage } from "../errors.js";
import { askConfirm, readSecretValue, refuseArgvSecret } from "../io/input.js";
import { err, interactive, out, paint, printJson, table } from "../io/term.js";
import { type Opts, splitList, withVault } from "./common.js";

function refuseValueArgs(opts: Opts, cmd: Command, what: string): void {
  if (opts.value !== undefined) throw refuseArgvSecret(`The value of ${what}`);
  if (cmd.args.length > 1) {
    throw refuseArgvSecret(`The value of ${what}`);
  }
}

function describe(s: SecretInfo): string {
  if (s.link) {
    const extra = [
      s.link.jsonKey ? `json key ${s.link.jsonKey}` : "",
      s.link.version ? `version ${s.link.version}` : "",
      ...Object.entries(s.link.options ?? {}).map(([k, v]) => `${k} ${v}`),
    ]
      .filter(Boolean)
      .join(", ");
    return `linked to ${s.link.integration}: ${s.link.reference}${extra ? ` (${extra})` : ""}`;
  }
  return s.hasValue ? "local value" : "local, empty";
}

export async function add(name: string, opts: Opts, cmd: Command): Promise<void> {
  refuseValueArgs(opts, cmd, name);
  const { assertSecretName } = await import("@vaultlink/core");
  assertSecretName(name);
  await withVault(cmd, async (o) => {
    if (await o.vault.secrets.has(name)) {
      throw new CliError(`A secret named "${name}" already exists.`, {
        hint: `Change its value with vaultlink secret edit ${name}.`,
        exitCode: ExitCode.other,
        code: "SECRET_EXISTS",
      });
    }
    const { splitDomainList } = await import("@vaultlink/core");
    const value = await readSecretValue(`the value of ${name}`);
    const info = await o.vault.secrets.add(name, {
      value,
      allowedDomains: opts.domains === undefined ? [] : splitDomainList(opts.domains as string),
      enabled: opts.disabled !== true,
    });
    if (opts.json === true) printJson(info);
    else err(`Added ${name}${info.enabled ? "" : " (disabled)"}. Use it as {{vault:${name}}}.`);
  });
}

export async function list(opts: Opts, cmd: Command): Promise<void> {
  await withVault(cmd, async (o) => {
    const secrets = await o.vault.secrets.list();
    if (opts.json === true) return printJson(secrets);
    if (secrets.length === 0)
      return err("No secrets yet. Add one with vaultlink secret add <name>.");
    out(
      table(
        secrets.map((s) => [
          s.name,
          s.enabled ? "enabled" : "disabled",
          s.allowedDomains.join(",") || "any",
          describe(s),
        ]),
        ["NAME", "STATE", "DOMAINS", "SOURCE"],
      ),
    );
  });
}

export async function get(name: string, opts: Opts, cmd: Command): Promise<void> {
  await withVault(cmd, async (o) => {
    const s = await o.vault.secrets.get(name);
    if (opts.json === true) return printJson(s);
    out(`name:      ${s.name}`);
    out(`state:     ${s.enabled ? "enabled" : paint.yellow(process.stdout, "disabled")}`);
    out(`domains:   ${s.allowedDomains.join(", ") || "any"}`);
    out(`source:    ${describe(s)}`);
    out(`reference: {{vault:${s.name}}}`);
    out(`updated:   ${s.updatedAt}`);
  });
}

export async function edit(name: string, opts: Opts, cmd: Command): Promise<void> {
  refuseValueArgs(opts, cmd, name);
  await withVault(cmd, async (o) => {
    const s = await o.vault.secrets.get(name);
    if (s.link) {
      throw usage(
        `"${name}" is linked to ${s.link.integration}; its value lives there.`,
        `Change it in the provider, or unlink it first: vaultlink secret unlink ${name}.`,
      );
    }
    const value = await readSecretValue(`the new value of ${name}`);
    const info = await o.vault.secrets.update(name, { value });
    if (opts.json === true) printJson(info);
    else err(`Updated the value of ${name}.`);
  });
}

export async function rename(from: string, to: string, opts: Opts, cmd: Command): Promise<void> {
  const { assertSecretName } = await import("@vaultlink/core");
  assertSecretName(to);
  await withVault(cmd, async (o) => {
    await o.vault.secrets.rename(from, to);
    if (opts.json === true) return printJson(await o.vault.secrets.get(to));
    err(
      `Renamed ${from} to ${to}. References to {{vault:${from}}} no longer resolve; update them to {{vault:${to}}}.`,
    );
  });
}

export async function domains(name: string, opts: Opts, cmd: Command): Promise<void> {
  const modes = ["set", "add", "remove", "clear"].filter((m) => opts[m] !== undefined);
  if (modes.length !== 1)
    throw usage(
      "Give exactly one of --set, --add, --remove or --clear.",
      `For example: vaultlink secret domains ${name} --add api.example.com`,
    );
  await withVault(cmd, async (o) => {
    const { splitDomainList } = await import("@vaultlink/core");
    const current = (await o.vault.secrets.get(name)).allowedDomains;
    let next: string[];
    if (opts.clear) next = [];
    else if (opts.set !== undefined) next = splitDomainList(opts.set as string);
    else if (opts.add !== undefined) next = [...current, ...splitDomainList(opts.add as string)];
    else {
      const { checkDomainEntry } = await import("@vaultlink/core");
      // An entry is removed whether it is typed as stored or in another spelling of it.
      const drop = new Set(
        splitList(opts.remove as string).map((typed) => {
          if (current.includes(typed)) return typed;
          const checked = checkDomainEntry(typed);
          return checked.ok ? checked.canonical : typed;
        }),
      );
      const unknown = [...drop].filter((d) => !current.includes(d));
      if (unknown.length > 0)
        throw usage(
          `${name} does not allow ${unknown.join(", ")}.`,
          `Its domains: ${current.join(", ") || "any"}.`,
        );
      next = current.filter((d) => !drop.has(d));
    }
    if (opts.set !== undefined && next.length === 0)
      throw usage("--set needs at least one domain.", "Use --clear to allow every domain.");
    const info = await o.vault.secrets.update(name, { allowedDomains: next });
    if (opts.json === true) printJson(info);
    else err(`${name} is allowed for: ${info.allowedDomains.join(", ") || "any domain"}.`);
  });
}

async function setEnabled(name: string, enabled: boolean, opts: Opts, cmd: Command) {
  await withVault(cmd, async (o) => {
    const info = await o.vault.secrets.update(name, { enabled });
    if (opts.json === true) return printJson(info);
    err(enabled ? `Enabled ${name}.` : `Disabled ${name}; {{vault:${name}}} no longer resolves.`);
  });
}

export const enable = (name: string, opts: Opts, cmd: Command) => setEnabled(name, true, opts, cmd);
export const disable = (name: string, opts: Opts, cmd: Command) =>
  setEnabled(name, false, opts, cmd);

export async function remove(name: string, opts: Opts, cmd: Command): Promise<void> {
  await withVault(cmd, async (o) => {
    await o.vault.secrets.get(name);
    if (opts.yes !== true) {
      if (!interactive())
        throw usage(`Deleting ${name} needs confirmation.`, "Pass --yes to confirm in a script.");
      const yes = await askConfirm(
        `Delete the secret ${name}? References to it stop resolving.`,
        false,
      );
      if (!yes) throw new CliError("Not deleted.", { exitCode: ExitCode.other, code: "CANCELLED" });
    }
    await o.vault.secrets.delete(name);
    if (opts.json === true) printJson({ deleted: name });
    else err(`Deleted ${name}.`);
  });
}

export async function link(
  name: string,
  integration: string,
  reference: string,
  opts: Opts,
  cmd: Command,
): Promise<void> {
  const { assertSecretName } = await import("@vaultlink/core");
  assertSecretName(name);
  await withVault(cmd, async (o) => {
    const integ = await o.vault.integrations.status(integration);
    await o.ensureProviders([integ.provider]);
    // The plugin's own link options (AWS: --role-arn) are flags only it knows.
    const { parseLinkFlags } = await import("./link-options.js");
    const linkOptions = parseLinkFlags(cmd, o.vault.providers.get(integ.provider));
    const existed = await o.vault.secrets.has(name);
    const before = existed ? await o.vault.secrets.get(name) : undefined;
    // Memory-only sign-ins live in the agent, not in this process: the check cannot run here.
    const memoryOnly = (await o.vault.settings.get()).signIns === "memory";
    const info = await o.vault.links.link(name, {
      integration,
      reference,
      ...(opts.jsonKey !== undefined ? { jsonKey: opts.jsonKey as string } : {}),
      ...(opts.version !== undefined ? { version: opts.version as string } : {}),
      ...(linkOptions ? { options: linkOptions } : {}),
      ...(opts.domains !== undefined
        ? {
            allowedDomains: (await import("@vaultlink/core")).splitDomainList(
              opts.domains as string,
            ),
          }
        : {}),
      check: opts.check !== false && !memoryOnly,
    });
    if (opts.json === true) return printJson(info);
    const verb = before?.link ? "Relinked" : existed ? "Linked" : "Created and linked";
    err(
      `${verb} ${name} → ${integration}: ${info.link?.reference}${info.checked ? " (checked: the provider returned a value)" : memoryOnly && opts.check !== false ? ` (not checked: sign-ins live in the agent's memory; check it with vaultlink read ${name})` : " (not checked)"}.${before?.link ? " The old cached value was dropped." : ""}`,
    );
  });
}

export async function unlink(name: string, opts: Opts, cmd: Command): Promise<void> {
  await withVault(cmd, async (o) => {
    const info = await o.vault.links.unlink(name);
    if (opts.json === true) return printJson(info);
    err(
      `Unlinked ${name}; it is now an empty local secret (give it a value with vaultlink secret edit ${name}).`,
    );
  });
}
