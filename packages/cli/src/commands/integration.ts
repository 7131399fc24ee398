import { existsSync, readFileSync } from "node:fs";
import type { AgentClient, IntegrationInfo, ProviderDefinition } from "@vaultlink/core";
import type { Command } from "commander";
import { Command as Cmd, Option } from "commander";
import { askAgent, runningAgent } from "../agent-link.js";
import { CliError, ExitCode, usage } from "../errors.js";
import { askSecret, askText, readStdin, signInQuestions, withSpinner } from "../io/input.js";
import { duration, err, interactive, out, printJson, table } from "../io/term.js";
import type { OpenedVault } from "../vault-access.js";
import { givenArgs, type Opts, withVault } from "./common.js";
import { linkOptionsHelp } from "./link-options.js";

type Spec = ProviderDefinition["authMethods"][number]["options"][number];

function specsFor(p: ProviderDefinition, methodId: string | undefined) {
  const method = methodId ? p.authMethods.find((m) => m.id === methodId) : p.authMethods[0];
  if (!method)
    throw usage(
      `${p.title} has no auth method "${methodId}".`,
      `Methods: ${p.authMethods.map((m) => m.id).join(", ")}.`,
    );
  return { method, specs: [...(p.settings ?? []), ...method.options] };
}

/**
 * Parse provider options with a commander command built from the plugin's OptionSpecs:
 * non-secret options become flags; a secret one given as a flag is refused.
 */
function parseProviderOptions(
  name: string,
  base: (c: Cmd) => void,
  p: ProviderDefinition,
  specs: readonly Spec[],
  raw: string[],
): { opts: Opts; args: string[] } {
  const c = new Cmd(name).exitOverride().configureOutput({ outputError: () => {} });
  base(c);
  for (const s of specs) {
    const flag = `--${s.name} <value>`;
    const o = new Option(
      flag,
      `${s.title}${s.description ? ` — ${s.description}` : ""}${s.env ? ` (env ${s.env})` : ""}`,
    );
    if (s.choices) o.choices([...s.choices]);
    if (s.secret) o.hideHelp();
    c.addOption(o);
  }
  c.addHelpText("after", () => {
    const secret = specs.filter((s) => s.secret);
    const lines = [`\n${p.title} auth methods: ${p.authMethods.map((m) => m.id).join(", ")}`];
    if (secret.length)
      lines.push(
        `Secret options (prompted masked, or from env / --secrets-stdin JSON): ${secret.map((s) => `${s.name}${s.env ? ` [${s.env}]` : ""}`).join(", ")}`,
      );
    lines.push(`Reference examples: ${p.referenceExamples.join("  ")}`);
    const linkHelp = linkOptionsHelp(p);
    if (linkHelp.length)
      lines.push(`Link options (vaultlink secret link … ${p.id} …):`, ...linkHelp);
    return lines.join("\n");
  });
  c.parse(raw, { from: "user" });
  const opts = c.opts() as Opts;
  for (const s of specs) {
    if (s.secret && opts[s.name] !== undefined) {
      throw usage(
        `--${s.name} is secret and never taken from the command line: it would be saved in your shell history and be visible to other processes.`,
        `Type it at the prompt, set ${s.env ?? "its environment variable"}, or pass it in --secrets-stdin JSON.`,
      );
    }
  }
  return { opts, args: c.args };
}

/** Gather option values: flags, env, --secrets-stdin, then prompts on a terminal. */
async function gatherOptions(
  p: ProviderDefinition,
  specs: readonly Spec[],
  flags: Opts,
  opts: { secretsStdin: boolean; skipRequired?: boolean },
): Promise<Record<string, unknown>> {
  const values: Record<string, unknown> = {};
  for (const s of specs)
    if (!s.secret && flags[s.name] !== undefined) values[s.name] = flags[s.name];
  let fromStdin: Record<string, unknown> = {};
  if (opts.secretsStdin) {
    try {
      const parsed = JSON.parse(await readStdin()) as unknown;
      if (!parsed || typeof parsed !== "object" || Array.isArray(parsed))
        throw new Error("not an object");
      fromStdin = parsed as Record<string, unknown>;
    } catch {
      throw usage(
        "--secrets-stdin expects a JSON object on stdin.",
        'For example: {"secretAccessKey": "…"}',
      );
    }
    for (const k of Object.keys(fromStdin)) {
      const spec = specs.find((s) => s.name === k);
      if (!spec)
        throw usage(
          `--secrets-stdin has "${k}", which ${p.title} does not take.`,
          `Options: ${specs.map((s) => s.name).join(", ")}.`,
        );
    }
  }
  for (const s of specs) {
    if (values[s.name] !== undefined) continue;
    if (fromStdin[s.name] !== undefined) values[s.name] = fromStdin[s.name];
    else if (s.env && process.env[s.env]) values[s.name] = process.env[s.env];
  }
  if (opts.skipRequired) return values;
  for (const s of specs) {
    if (values[s.name] !== undefined || !s.required || s.default !== undefined) continue;
    if (!interactive()) {
      throw usage(
        `${p.title} needs ${s.secret ? "the secret option" : `--${s.name}`} "${s.name}" (${s.title}).`,
        s.secret
          ? `Set ${s.env ?? "it"} in the environment, or pass {"${s.name}": …} with --secrets-stdin.`
          : `Pass --${s.name} <value>.`,
      );
    }
    values[s.name] = s.secret
      ? await askSecret(s.title)
      : await askText(s.title, s.choices ? { placeholder: s.choices.join(" | ") } : {});
  }
  return values;
}

function showInfo(i: IntegrationInfo): void {
  out(`id:        ${i.id}`);
  out(`provider:  ${i.provider}`);
  out(`scope:     ${i.scope}`);
  out(`method:    ${i.authMethod}`);
  out(`status:    ${i.status}${i.statusReason ? ` (${i.statusReason})` : ""}`);
  out(`expires:   ${expiry(i)}`);
  for (const [k, v] of Object.entries(i.settings)) out(`setting:   ${k} = ${String(v)}`);
}

function expiry(i: IntegrationInfo): string {
  if (!i.expiresAt) return "never";
  const left = Date.parse(i.expiresAt) - Date.now();
  return left > 0
    ? `${i.expiresAt} (in ${duration(left)})`
    : `${i.expiresAt} (expired ${duration(left)} ago)`;
}

async function providerFor(o: OpenedVault, id: string): Promise<ProviderDefinition> {
  await o.ensureProviders([id]);
  // Only a plugin that really loaded; a failed one is reported with its own reason and fix.
  if (!o.registry.loaded().some((p) => p.id === id)) throw await o.registry.missingProvider(id);
  return o.vault.providers.get(id);
}

export async function connect(
  providerId: string | undefined,
  opts: Opts,
  cmd: Command,
): Promise<void> {
  const raw = givenArgs(cmd);
  if (providerId === undefined) {
    if (opts.help === true) {
      cmd.outputHelp();
      return;
    }
    throw usage(
      "missing required argument 'provider'",
      "Name a provider: aws, azure, hashicorp, 1password (see vaultlink plugins list).",
    );
  }
  // Showing a provider's options needs its plugin, not an unlocked (or existing) vault.
  const wantsHelp = raw.includes("--help") || raw.includes("-h");
  await withVault(
    cmd,
    async (o) => {
      const p = await providerFor(o, providerId);
      const { specs } = specsFor(p, opts.method as string | undefined);
      const parsed = parseProviderOptions(
        "vaultlink integration connect",
        (c) =>
          c
            .argument("<provider>")
            .option("--id <id>", "integration id (default: the provider id)")
            .option(
              "--method <method>",
              `auth method: ${p.authMethods.map((m) => m.id).join(", ")}`,
            )
            .option("--secrets-stdin", "read secret options as JSON from stdin")
            .option("--json", "print JSON")
            .option("--debug"),
        p,
        specs,
        raw,
      );
      const values = await gatherOptions(p, specs, parsed.opts, {
        secretsStdin: parsed.opts.secretsStdin === true,
      });
      const agent = await memoryOnlyAgent(o);
      const info = await withSpinner(`Connecting ${p.title}`, (hold) => {
        if (agent)
          return askAgent(agent, (a) =>
            a.connect({
              provider: providerId,
              ...(typeof opts.id === "string" ? { id: opts.id } : {}),
              ...(typeof opts.method === "string" ? { method: opts.method } : {}),
              options: values,
            }),
          );
        const ask = signInQuestions(hold);
        return o.vault.integrations.connect({
          provider: providerId,
          ...(typeof opts.id === "string" ? { id: opts.id } : {}),
          ...(typeof opts.method === "string" ? { method: opts.method } : {}),
          options: values,
          notify: (m) => err(m),
          ...(ask ? { ask } : {}),
        });
      });
      if (parsed.opts.json === true) return printJson(info);
      err(`Connected ${info.id} (${p.title}); expires ${expiry(info)}.`);
      if (info.scope === "team")
        await printJoin(o, info.id, "Published the team setup. Members join with:");
      err(
        `Link a secret: vaultlink secret link <name> ${info.id} ${p.referenceExamples[0] ?? "<reference>"}`,
      );
    },
    wantsHelp ? { unlock: false } : {},
  );
}

export async function list(opts: Opts, cmd: Command): Promise<void> {
  await withVault(cmd, async (o) => {
    const all = await o.vault.integrations.list();
    if (opts.json === true) return printJson(all);
    if (all.length === 0)
      return err("No integrations. Connect one with vaultlink integration connect <provider>.");
    out(
      table(
        all.map((i) => [i.id, i.provider, i.scope, i.status, expiry(i)]),
        ["ID", "PROVIDER", "SCOPE", "STATUS", "EXPIRES"],
      ),
    );
  });
}

export async function status(id: string, opts: Opts, cmd: Command): Promise<void> {
  await withVault(cmd, async (o) => {
    let i = await o.vault.integrations.status(id);
    if (i.scope === "team" && i.status === "connected") {
      // Ask the team's setup now: a change or a disconnect by the team shows at once.
      await o.ensureProviders([i.provider]);
      const { problem, unchecked } = await o.vault.integrations.syncTeam(id, { force: true });
      i = await o.vault.integrations.status(id);
      // A setup the vault did not follow (malformed, or sign-in sent elsewhere): say so.
      if (problem) warnProblem(problem);
      // Not checked: what is shown is what this vault last knew.
      if (unchecked)
        warnProblem(
          Object.assign(
            new Error(
              `Could not check the team's setup, so this is what your vault last knew: ${unchecked.message}`,
            ),
            { hint: unchecked.hint },
          ),
        );
    }
    if (opts.json === true) return printJson(i);
    showInfo(i);
  });
}

export async function reauth(id: string, opts: Opts, cmd: Command): Promise<void> {
  const raw = givenArgs(cmd);
  await withVault(cmd, async (o) => {
    const current = await o.vault.integrations.status(id);
    const p = await providerFor(o, current.provider);
    const method = (opts.method as string | undefined) ?? current.authMethod;
    const { specs } = specsFor(p, method);
    const parsed = parseProviderOptions(
      "vaultlink integration reauth",
      (c) =>
        c
          .argument("<id>")
          .option("--method <method>")
          .option("--secrets-stdin")
          .option("--json")
          .option("--debug"),
      p,
      specs,
      raw,
    );
    // Stored settings are kept: only settings given as flags now are sent (an environment
    // variable must not silently change a team's shared setup). Secrets are asked again on a
    // terminal; without one, the plugin decides what it still needs.
    const values: Record<string, unknown> = {};
    for (const s of specs)
      if (!s.secret && parsed.opts[s.name] !== undefined) values[s.name] = parsed.opts[s.name];
    Object.assign(
      values,
      await gatherOptions(
        p,
        specs.filter((s) => s.secret),
        parsed.opts,
        { secretsStdin: parsed.opts.secretsStdin === true, skipRequired: !interactive() },
      ),
    );
    const agent = await memoryOnlyAgent(o);
    const info = await withSpinner(`Signing in to ${p.title}`, (hold) => {
      if (agent)
        return askAgent(agent, (a) =>
          a.reauthenticate(id, { ...(method !== undefined ? { method } : {}), options: values }),
        );
      const ask = signInQuestions(hold);
      return o.vault.integrations.reauthenticate(id, {
        method,
        options: values,
        notify: (m) => err(m),
        ...(ask ? { ask } : {}),
      });
    });
    if (parsed.opts.json === true) return printJson(info);
    err(`Signed in to ${info.id} again; expires ${expiry(info)}.`);
  });
}

export async function configure(id: string, _opts: Opts, cmd: Command): Promise<void> {
  const raw = givenArgs(cmd);
  await withVault(cmd, async (o) => {
    const current = await o.vault.integrations.status(id);
    const p = await providerFor(o, current.provider);
    const { specs } = specsFor(p, current.authMethod);
    const nonSecret = specs.filter((s) => !s.secret);
    const parsed = parseProviderOptions(
      "vaultlink integration configure",
      (c) =>
        c
          .argument("<id>")
          .option("--method <method>", "the team's auth method (team integrations)")
          .option("--json")
          .option("--debug"),
      p,
      specs,
      raw,
    );
    const settings: Record<string, unknown> = {};
    for (const s of nonSecret)
      if (parsed.opts[s.name] !== undefined) settings[s.name] = parsed.opts[s.name];
    if (Object.keys(settings).length === 0 && typeof parsed.opts.method !== "string") {
      throw usage(
        "No setting given.",
        `Settings of ${p.title}: ${nonSecret.map((s) => `--${s.name}`).join(", ") || "none"}.`,
      );
    }
    // Only the changed settings: core merges them into the current ones and checks the result.
    const method = typeof parsed.opts.method === "string" ? parsed.opts.method : undefined;
    const info = await o.vault.integrations.configure(id, settings, method ? { method } : {});
    if (parsed.opts.json === true) return printJson(info);
    err(`Updated ${Object.keys(settings).join(", ")} of ${id}.`);
  });
}

export async function disconnect(id: string, opts: Opts, cmd: Command): Promise<void> {
  await withVault(cmd, async (o) => {
    const current = await o.vault.integrations.status(id);
    if (current.status === "disconnected") {
      throw new CliError(`Integration "${id}" is already disconnected.`, {
        hint: `Connect it again: vaultlink integration connect ${current.provider}.`,
        exitCode: ExitCode.other,
      });
    }
    const { unresolved, sessionEnded, sessionNote } = await o.vault.integrations.disconnect(id);
    if (opts.json === true)
      return printJson({ id, unresolved, sessionEnded, ...(sessionNote ? { sessionNote } : {}) });
    err(
      current.scope === "team"
        ? `Disconnected ${id} and removed the team setup for everyone; your credentials and cached values are gone.`
        : `Disconnected ${id}; its credentials and cached values are gone.`,
    );
    sessionReport(sessionEnded, sessionNote);
    if (unresolved.length > 0) {
      out(`These secrets no longer resolve until ${id} is connected again:`);
      for (const n of unresolved) out(`  ${n}`);
    }
  });
}

async function printJoin(o: OpenedVault, id: string, lead: string): Promise<void> {
  const core = await import("@vaultlink/core");
  const info = await o.vault.integrations.joinInfo(id);
  err(lead);
  out(`vaultlink integration join ${info.provider} ${core.encodeJoinCode(info)}`);
}

/** A join code, or the path of a join file holding one (or its JSON). */
function joinText(code: string): string {
  if (code.startsWith("vlj1.")) return code;
  if (existsSync(code)) {
    const text = readFileSync(code, "utf8");
    if (text.length > 65_536)
      throw usage(`The join file ${code} is too large.`, "A join file is a small JSON object.");
    return text;
  }
  if (code.trim().startsWith("{")) return code;
  throw usage(
    `"${code}" is neither a join code (vlj1.…) nor a file.`,
    "Paste the join code your admin printed, or give the path of the join file.",
  );
}

export async function join(
  providerId: string,
  _code: string | undefined,
  _opts: Opts,
  cmd: Command,
): Promise<void> {
  const raw = givenArgs(cmd);
  const core = await import("@vaultlink/core");
  await withVault(cmd, async (o) => {
    const p = await providerFor(o, providerId);
    // Every option any method takes, so the code is told apart from option values.
    const every = new Map<string, Spec>();
    for (const s of [...(p.settings ?? []), ...p.authMethods.flatMap((m) => m.options)])
      if (!every.has(s.name)) every.set(s.name, s);
    const parsed = parseProviderOptions(
      "vaultlink integration join",
      (c) =>
        c
          .argument("<provider>")
          .argument("[code]")
          .option("--id <id>")
          .option("--method <method>")
          .option("--secrets-stdin")
          .option("--json")
          .option("--debug"),
      p,
      [...every.values()],
      raw,
    );
    const code = parsed.args[1];
    const info = code ? core.decodeJoinCode(joinText(code)) : undefined;
    if (info && info.provider !== providerId) {
      throw usage(
        `The join code is for ${info.provider}, not ${providerId}.`,
        `Run vaultlink integration join ${info.provider} <code>.`,
      );
    }
    const fromCode = info?.setup.settings ?? {};
    const methodId = (parsed.opts.method as string | undefined) ?? info?.setup.authMethod;
    if (!methodId) {
      throw usage(
        "Without a join code, say how to sign in to read the team setup: --method <id> (with --address, and --namespace if any).",
        `Methods: ${p.authMethods.map((m) => m.id).join(", ")}. Or ask your admin for the join code (vaultlink integration join-code ${providerId}).`,
      );
    }
    const { specs } = specsFor(p, methodId);
    for (const name of Object.keys(parsed.opts)) {
      if (every.has(name) && !specs.some((s) => s.name === name))
        throw usage(
          `--${name} is not an option of the ${methodId} sign-in.`,
          `Options: ${specs.map((s) => `--${s.name}`).join(", ")}.`,
        );
    }
    // What the join code says stands unless a flag says otherwise (no environment variable
    // silently points a member somewhere else).
    const values = await gatherOptions(
      p,
      specs.filter((s) => fromCode[s.name] === undefined || s.secret),
      parsed.opts,
      { secretsStdin: parsed.opts.secretsStdin === true },
    );
    for (const s of specs)
      if (!s.secret && fromCode[s.name] !== undefined && parsed.opts[s.name] !== undefined)
        values[s.name] = parsed.opts[s.name];
    const joined = await withSpinner(`Joining ${p.title}`, (hold) => {
      const ask = signInQuestions(hold);
      return o.vault.integrations.join({
        provider: providerId,
        ...(typeof parsed.opts.id === "string" ? { id: parsed.opts.id } : {}),
        method: methodId,
        ...(info ? { setup: info.setup } : {}),
        options: values,
        notify: (m) => err(m),
        ...(ask ? { ask } : {}),
      });
    });
    if (parsed.opts.json === true) return printJson(joined);
    err(
      `Joined ${joined.id} (${p.title}): signed in; expires ${expiry(joined)}. Your vault follows the team's setup from now on (sign-in method: ${joined.authMethod}).`,
    );
    err(
      `Link a secret: vaultlink secret link <name> ${joined.id} ${p.referenceExamples[0] ?? "<reference>"}`,
    );
  });
}

export async function signout(id: string, opts: Opts, cmd: Command): Promise<void> {
  await withVault(cmd, async (o) => {
    const info = await o.vault.integrations.signOut(id);
    if (opts.json === true) return printJson(info);
    err(
      `Signed out of ${id}: your credentials and cached values are gone. Sign in again with vaultlink integration reauth ${id}.`,
    );
    sessionReport(info.sessionEnded, info.sessionNote);
  });
}

/** What ending the session at the service did, after a sign-out or disconnect. */
function sessionReport(ended: boolean, note: string | undefined): void {
  if (ended) err("The session was also ended at the service (its token no longer works).");
  else if (note) err(`warning: ${note}`);
}

export async function joinCode(id: string, opts: Opts, cmd: Command): Promise<void> {
  await withVault(cmd, async (o) => {
    const core = await import("@vaultlink/core");
    const info = await o.vault.integrations.joinInfo(id);
    const code = core.encodeJoinCode(info);
    if (typeof opts.out === "string") {
      const { writeFileSync } = await import("node:fs");
      writeFileSync(opts.out, `${JSON.stringify(core.joinFileObject(info), null, 2)}\n`);
      err(`Wrote the join file ${opts.out} (nothing secret; commit it for your team).`);
      err(`Members run: vaultlink integration join ${info.provider} ${opts.out}`);
      return;
    }
    if (opts.json === true) return printJson({ ...core.joinFileObject(info), code });
    out(code);
  });
}

export async function setup(
  providerId: string,
  url: string | undefined,
  _opts: Opts,
  cmd: Command,
): Promise<void> {
  const raw = givenArgs(cmd);
  await withVault(
    cmd,
    async (o) => {
      const p = await providerFor(o, providerId);
      const admin = p.adminSetup;
      if (!admin) {
        throw usage(
          `${p.title} has no admin setup.`,
          `Connect it with vaultlink integration connect ${providerId}.`,
        );
      }
      const parsed = parseProviderOptions(
        "vaultlink integration setup",
        (c) =>
          c
            .argument("<provider>")
            .argument("[url]")
            .option("-d, --dry-run")
            .option("-y, --yes")
            .option("--json")
            .option("--debug"),
        p,
        admin.options,
        raw,
      );
      const flags = { ...parsed.opts };
      if (url !== undefined) {
        try {
          new URL(url);
        } catch {
          throw usage(
            `"${url}" is not a URL.`,
            "Give the Vault cluster URL, such as https://vault.example.com:8200.",
          );
        }
        flags.issuer ??= url;
        if (flags.address === undefined && !process.env.VAULT_ADDR) flags.address = url;
      }
      const values = await gatherOptions(p, admin.options, flags, { secretsStdin: false });
      const dryRun = parsed.opts.dryRun === true;
      const json = parsed.opts.json === true;
      const yes = parsed.opts.yes === true;
      const quiet = () => {};
      if (!dryRun && !yes) {
        const plan = await admin.run({ options: values, dryRun: true, notify: quiet });
        if (plan.changes.length > 0) {
          for (const c of plan.changes) err(`will: ${c}`);
          if (!interactive())
            throw usage(
              `The setup would make ${plan.changes.length} change(s) and asks first.`,
              "Pass -y to apply without asking, or -d to only print them.",
            );
          const { askConfirm } = await import("../io/input.js");
          if (!(await askConfirm(`Apply these ${plan.changes.length} change(s)?`, false))) {
            err("Nothing changed.");
            return;
          }
        }
      }
      const result = await admin.run({
        options: values,
        dryRun,
        notify: json ? quiet : dryRun ? (line) => out(line) : (line) => err(line),
      });
      const core = await import("@vaultlink/core");
      const code = core.encodeJoinCode({ provider: providerId, setup: result.join });
      if (json)
        return printJson({
          dryRun,
          changes: result.changes,
          values: result.values,
          joinCode: code,
        });
      err(
        dryRun
          ? `Dry run: ${result.changes.length} request(s) would change something; nothing was changed.`
          : result.changes.length === 0
            ? "Nothing to change: Vault is already set up."
            : `Done: ${result.changes.length} change(s).`,
      );
      out("");
      out(table(result.values.map((v) => [v.label, v.value || "(none)"])));
      out("");
      out(`Members join with: vaultlink integration join ${providerId} ${code}`);
    },
    { unlock: false },
  );
}

export async function remove(id: string, opts: Opts, cmd: Command): Promise<void> {
  await withVault(cmd, async (o) => {
    await o.vault.integrations.remove(id);
    if (opts.json === true) return printJson({ removed: id });
    err(`Removed integration ${id}.`);
  });
}

/**
 * With memory-only sign-ins (`settings set sign-ins memory`), a sign-in must happen inside the
 * running agent, which keeps the credentials in its memory: its client, or an error when no
 * agent runs. Undefined when sign-ins live in the vault file (signing in happens here).
 */
async function memoryOnlyAgent(o: OpenedVault): Promise<AgentClient | undefined> {
  if ((await o.vault.settings.get()).signIns !== "memory") return undefined;
  const agent = await runningAgent();
  if (agent) return agent;
  throw new CliError(
    "Sign-ins are kept in memory only (sign-ins: memory), in the agent, and no agent runs for this vault.",
    {
      hint: "Start it with vaultlink agent start, then sign in again (or: vaultlink settings set sign-ins vault).",
      exitCode: ExitCode.auth,
      code: "AGENT_NOT_RUNNING",
    },
  );
}

/** A warning that does not fail the command: "warning: <message>" and its hint, on stderr. */
function warnProblem(problem: Error & { hint?: string }): void {
  err(`warning: ${problem.message}`);
  if (problem.hint) err(`hint: ${problem.hint}`);
}
