import { readFileSync } from "node:fs";
import { Argument, Command, Option } from "commander";

/**
 * Every command, option and help text of `vaultlink`. Actions import their module on first
 * use, so parsing `--help` or `--version` loads no command code, prompt library or provider.
 * docs/cli.md is generated from this definition (scripts: `docs`).
 */
type Loader = () => Promise<Record<string, unknown>>;

const load = {
  vault: () => import("./commands/vault.js"),
  secret: () => import("./commands/secret.js"),
  read: () => import("./commands/read.js"),
  resolve: () => import("./commands/resolve.js"),
  run: () => import("./commands/run.js"),
  cache: () => import("./commands/cache.js"),
  integration: () => import("./commands/integration.js"),
  transfer: () => import("./commands/transfer.js"),
  doctor: () => import("./commands/doctor.js"),
  ui: () => import("./commands/ui.js"),
  plugins: () => import("./commands/plugins.js"),
  completion: () => import("./completion.js"),
  agent: () => import("./commands/agent.js"),
} satisfies Record<string, Loader>;

function act(loader: Loader, name: string) {
  return async (...args: unknown[]) => {
    const mod = await loader();
    const fn = mod[name] as (...a: unknown[]) => Promise<void>;
    await fn(...args);
  };
}

export function cliVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
    version: string;
  };
  return pkg.version;
}

const json = () => new Option("--json", "print JSON for scripts");

type DefineGroup = (group: Command) => void;
const pendingGroups = new WeakMap<Command, DefineGroup>();

/**
 * A command group (vault, secret, …) whose subcommands are defined only when a command line
 * reaches it: `vaultlink read` never builds the forty-odd subcommands it does not use, which
 * keeps start-up short. Help and suggestions are unchanged, since the group is defined before
 * commander looks inside it.
 */
function lazyGroup(
  parent: Command,
  name: string,
  description: string,
  define: DefineGroup,
): Command {
  const group = parent.command(name).description(description);
  pendingGroups.set(group, define);
  return group;
}

function defineGroup(group: Command): void {
  const define = pendingGroups.get(group);
  if (!define) return;
  pendingGroups.delete(group);
  define(group);
  addGlobalOptions(group);
}

/** Every group defined now: for the generated reference and anything that walks all commands. */
export function defineAllGroups(program: Command): Command {
  for (const c of program.commands) defineGroup(c);
  return program;
}

/** Subcommands people use: not the hidden callback of the completion script. */
export function listedCommands(cmd: Command): Command[] {
  return cmd.commands.filter((c) => !(c as Command & { _hidden?: boolean })._hidden);
}

/**
 * Program options are positional (before the command), so a command's own --version is its
 * own; the global flags are accepted after the command as well.
 */
function addGlobalOptions(root: Command): void {
  const leaves = (c: Command): Command[] =>
    c.commands.length === 0 ? [c] : c.commands.flatMap(leaves);
  for (const leaf of root.commands.flatMap(leaves)) {
    if (pendingGroups.has(leaf) || leaf.name() === "help") continue;
    if (leaf.options.some((o) => o.long === "--debug")) continue;
    leaf.addOption(new Option("--debug", "show stack traces of unexpected errors").hideHelp());
  }
}

/**
 * `vaultlink daemon --help` must fail as an unknown command, not print the parent's help:
 * commander answers --help before it looks at the command name. When a command name on the
 * line is unknown, the help flags are dropped so that commander reports it (with its
 * suggestion). Any other line is returned unchanged.
 */
export function withoutHelpForUnknownCommand(program: Command, argv: string[]): string[] {
  const args = argv.slice(2);
  const isHelp = (a: string) => a === "-h" || a === "--help";
  if (!args.some(isHelp)) return argv;
  let cmd = program;
  for (let i = 0; i < args.length; i++) {
    const a = args[i] ?? "";
    if (a === "--") break;
    if (a.startsWith("-")) {
      if (a === "--team-file") i++;
      continue;
    }
    if (cmd.commands.length === 0) break;
    const sub = cmd.commands.find((c) => c.name() === a || c.aliases().includes(a));
    if (!sub) return [...argv.slice(0, 2), ...args.filter((x) => !isHelp(x))];
    defineGroup(sub);
    cmd = sub;
  }
  return argv;
}

/** The environment variables the CLI reads: --help and the man page list them. */
export const ENVIRONMENT: ReadonlyArray<readonly [name: string, text: string]> = [
  ["VAULTLINK_HOME", "vault directory (default: the per-user data directory)"],
  ["VAULTLINK_VAULT_KEY", "vault key; unlock order: this, the OS keychain, a masked prompt"],
  ["VAULTLINK_CONFIG", "config file (default: config.json in VAULTLINK_HOME)"],
  ["NO_COLOR", "turn colours off"],
];

export function buildProgram(): Command {
  const program = new Command("vaultlink");
  program
    .description(
      "Keep API keys and passwords in a local encrypted vault, reference them as {{vault:name}}, and link them to AWS Secrets Manager, Azure Key Vault, HashiCorp Vault and 1Password.",
    )
    .version(
      cliVersion(),
      "-V, --version",
      "print the version (with --json: also Node's and each loaded plugin's)",
    )
    .helpOption("-h, --help", "show help for a command")
    .option("--debug", "show stack traces of unexpected errors")
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({ outputError: () => {} })
    .showSuggestionAfterError(true)
    .addHelpText(
      "after",
      `
Environment:
${ENVIRONMENT.map(([name, text]) => `  ${name.padEnd(22)}${text}`).join("\n")}`,
    );

  // vault
  lazyGroup(program, "vault", "create, unlock, reset and restore the vault", (vault) => {
    vault
      .command("create")
      .description(
        "create a vault and show its vault key once; offers to keep the key in the OS keychain",
      )
      .option("--no-keychain", "do not store the vault key in the OS keychain")
      .addOption(json())
      .action(act(load.vault, "create"));
    const key = vault.command("key").description("show, store or forget the vault key");
    key
      .command("show")
      .description("print the vault key (the vault must unlock)")
      .addOption(json())
      .action(act(load.vault, "keyShow"));
    key
      .command("store")
      .description(
        "store the vault key in the OS keychain (typed at a masked prompt, or read from stdin); checks that it opens the vault first",
      )
      .addOption(json())
      .action(act(load.vault, "keyStore"));
    key
      .command("forget")
      .description("remove the vault key from the OS keychain")
      .addOption(json())
      .action(act(load.vault, "keyForget"));
    vault
      .command("reset")
      .description(
        "destroy every secret, integration and cached value, and issue a new vault key (shown once)",
      )
      .option("-y, --yes", "do not ask for confirmation (scripts)")
      .option("--no-keychain", "do not store the new key in the OS keychain")
      .addOption(json())
      .action(act(load.vault, "reset"));
    vault
      .command("restore")
      .description(
        "replace the vault with its backup (the previous generation), after checking the backup opens with the vault key; the replaced file becomes the backup",
      )
      .option("-y, --yes", "do not ask for confirmation (scripts)")
      .addOption(json())
      .action(act(load.vault, "restore"));
    vault
      .command("status")
      .description("where the vault is, whether it unlocks and with which key source")
      .addOption(json())
      .action(act(load.vault, "status"));
  });

  // secrets
  lazyGroup(
    program,
    "secret",
    "add, inspect, change, link and delete vault secrets (values never on the command line)",
    (secret) => {
      secret
        .command("add")
        .description(
          "add a secret; the value comes from a masked prompt on a terminal or from stdin, never from the command line",
        )
        .argument("<name>", "secret name: letters, digits, '-', '_' and '.'")
        .option(
          "--domains <list>",
          "comma-separated allowed domains (api.example.com, *.example.com, http://host)",
        )
        .option("--disabled", "add it disabled")
        .addOption(
          new Option(
            "--value <value>",
            "refused: values never come from the command line",
          ).hideHelp(),
        )
        .allowExcessArguments()
        .addOption(json())
        .action(act(load.secret, "add"));
      secret
        .command("list")
        .description("list secrets (names, kind, domains, state; never values)")
        .addOption(json())
        .action(act(load.secret, "list"));
      secret
        .command("get")
        .description("show one secret's details (never its value)")
        .argument("<name>")
        .addOption(json())
        .action(act(load.secret, "get"));
      secret
        .command("edit")
        .description("give a local secret a new value (masked prompt or stdin)")
        .argument("<name>")
        .addOption(new Option("--value <value>", "refused").hideHelp())
        .allowExcessArguments()
        .addOption(json())
        .action(act(load.secret, "edit"));
      secret
        .command("rename")
        .description("rename a secret (references to the old name stop resolving)")
        .argument("<old>")
        .argument("<new>")
        .addOption(json())
        .action(act(load.secret, "rename"));
      secret
        .command("domains")
        .description("change a secret's allowed domains")
        .argument("<name>")
        .option("--set <list>", "replace the list (comma-separated)")
        .option("--add <list>", "add domains")
        .option("--remove <list>", "remove domains")
        .option("--clear", "allow every domain")
        .addOption(json())
        .action(act(load.secret, "domains"));
      secret
        .command("enable")
        .description("enable a secret")
        .argument("<name>")
        .addOption(json())
        .action(act(load.secret, "enable"));
      secret
        .command("disable")
        .description("disable a secret: its references stop resolving")
        .argument("<name>")
        .addOption(json())
        .action(act(load.secret, "disable"));
      secret
        .command("delete")
        .description("delete a secret (asks on a terminal)")
        .argument("<name>")
        .option("-y, --yes", "do not ask for confirmation")
        .addOption(json())
        .action(act(load.secret, "remove"));
      secret
        .command("link")
        .description(
          "link a secret (created when missing) to a secret in an external vault; the provider checks the reference first",
        )
        .argument("<name>")
        .argument("<integration>", "integration id (see vaultlink integration list)")
        .argument(
          "<reference>",
          "provider reference: ARN or name, Azure secret identifier, engine/path#key, op://vault/item/field",
        )
        .option("--json-key <key>", "use one key of a JSON value")
        .option(
          "--version <version>",
          "a provider version (AWS VersionId or stage, Azure version, Vault KV v2 version)",
        )
        .option("--domains <list>", "allowed domains for a new secret (comma-separated)")
        .option(
          "--no-check",
          "save the link without fetching it first (offline; otherwise a reference that does not exist, a missing JSON key or version is refused)",
        )
        .addOption(json())
        // A provider's own link options (AWS: --role-arn) come from its plugin, parsed in the action.
        .allowUnknownOption()
        .allowExcessArguments()
        .addHelpText(
          "after",
          "\nA provider may take link options of its own (AWS: --role-arn <arn>); `vaultlink integration connect <provider> --help` lists them.",
        )
        .action(act(load.secret, "link"));
      secret
        .command("unlink")
        .description("remove a secret's link; it stays as an empty local secret")
        .argument("<name>")
        .addOption(json())
        .action(act(load.secret, "unlink"));
    },
  );

  // use
  program
    .command("read")
    .description("print one secret's value (for scripts, like `op read`)")
    .argument("<name>")
    .option("--url <url>", "the request URL (needed by domain-restricted secrets)")
    .option("-n, --no-newline", "do not print a trailing newline")
    .addOption(json())
    .action(act(load.read, "read"));
  for (const name of ["resolve", "inject"]) {
    program
      .command(name)
      .description(
        name === "resolve"
          ? "replace every {{vault:name}} in a template (argument, --file or stdin); fails listing each unresolved reference"
          : "same as resolve",
      )
      .argument("[template]", "the template text (else --file, else stdin)")
      .option("-f, --file <file>", "read the template from a file")
      .option("--url <url>", "the request URL (for domain-restricted secrets)")
      .option(
        "--allow-unresolved",
        "leave unresolved references as written (the way request tools show them) and exit 0",
      )
      .option(
        "-o, --out <file>",
        "write the result to a file (mode 0600, atomically); never a file in the vault directory",
      )
      .addOption(json())
      .action(act(load.resolve, "resolve"));
  }
  program
    .command("run")
    .description(
      "run a command with {{vault:…}} references in its environment resolved, masking secret values in its output",
    )
    .argument("<command...>", "the command and its arguments, after --")
    .option(
      "--dotenv <file>",
      "also read variables from a .env file, for the command only (Node's own --env-file is refused: Node would read the file into vaultlink itself)",
    )
    .option("--no-masking", "do not mask secret values in the command's output")
    .option("--url <url>", "the request URL (for domain-restricted secrets)")
    .option("--allow-unresolved", "run even when references cannot be resolved (left as written)")
    .option(
      "--keep-env <name>",
      "pass this variable although it holds vaultlink key material (removed by default: VAULTLINK_VAULT_KEY, VAULTLINK_EXPORT_PASSWORD, and any variable holding their values); repeatable",
      (name: string, names: string[] = []) => [...names, name],
    )
    .passThroughOptions()
    .addHelpText(
      "after",
      "\nExits with the command's exit code (128 + the signal number when a signal ended it; 127 when it cannot be found).\n\nExample:\n  API_KEY='{{vault:stripe-key}}' vaultlink run -- node deploy.js\n  vaultlink run --dotenv .env -- npm start",
    )
    .action(act(load.run, "run"));

  // cache & settings
  lazyGroup(program, "cache", "the cache of values fetched from providers", (cache) => {
    cache
      .command("status")
      .description("cached entries with age and expiry (never values)")
      .addOption(json())
      .action(act(load.cache, "status"));
    cache
      .command("reset")
      .description("drop every cached value now")
      .addOption(json())
      .action(act(load.cache, "reset"));
  });

  lazyGroup(program, "settings", "vault settings", (settings) => {
    settings
      .command("get")
      .description("show settings")
      .argument("[name]", "cache-ttl, stale-if-error or sign-ins")
      .addOption(json())
      .action(act(load.cache, "settingsGet"));
    settings
      .command("set")
      .description(
        "change a setting: cache-ttl <minutes> (0 turns caching off, at most 10080); stale-if-error <minutes> (serve an expired value this long past its cache time while its provider has an outage; 0, the default, turns it off; at most 1440); sign-ins vault|memory (memory: credentials only in the running agent, gone when it stops)",
      )
      .argument("<name>", "cache-ttl, stale-if-error or sign-ins")
      .argument("<value>")
      .allowUnknownOption()
      .addOption(json())
      .action(act(load.cache, "settingsSet"));
  });

  // agent
  lazyGroup(
    program,
    "agent",
    "a background process holding the unlocked vault: read, resolve and run use it when it runs",
    (agent) => {
      agent
        .command("start")
        .description(
          "unlock the vault here (env, keychain or prompt) and start the agent in the background; a running agent is reported, not replaced",
        )
        .addOption(json())
        .action(act(load.agent, "start"));
      agent
        .command("stop")
        .description("stop the agent: it clears its memory and removes its socket")
        .addOption(json())
        .action(act(load.agent, "stop"));
      agent
        .command("status")
        .description(
          "whether the agent runs, its pid, socket and vault (exit 1 when it does not run)",
        )
        .addOption(json())
        .action(act(load.agent, "status"));
      agent
        .command("run")
        .description(
          "run the agent in the foreground until SIGTERM or agent stop (for systemd and launchd units; see docs/agent.md)",
        )
        .addOption(new Option("--key-stdin", "read the vault key from stdin").hideHelp())
        .action(act(load.agent, "run"));
    },
  );

  // integrations
  lazyGroup(program, "integration", "connect and manage external vaults", (integration) => {
    integration
      .command("connect")
      .description(
        "connect a provider; its options become flags (see `vaultlink integration connect <provider> --help`); secret options are prompted masked, or read from their environment variable or --secrets-stdin",
      )
      .argument("[provider]", "provider id: aws, azure, hashicorp, 1password, or a plugin's")
      .option("--id <id>", "integration id (default: the provider id)")
      .option("--method <method>", "auth method (default: the provider's first)")
      .option("--secrets-stdin", "read secret options as a JSON object from stdin")
      .addOption(json())
      .allowUnknownOption()
      .allowExcessArguments()
      .helpOption(false)
      .addOption(new Option("-h, --help", "show this provider's options"))
      .action(act(load.integration, "connect"));
    integration
      .command("list")
      .description("list integrations with status and expiry")
      .addOption(json())
      .action(act(load.integration, "list"));
    integration
      .command("status")
      .description(
        "one integration's status, expiry and settings (team integrations: checks the team's published setup first)",
      )
      .argument("<id>")
      .addOption(json())
      .action(act(load.integration, "status"));
    integration
      .command("reauth")
      .description("sign in again (expired or revoked credentials)")
      .argument("<id>")
      .option("--method <method>", "auth method (default: the current one)")
      .option("--secrets-stdin", "read secret options as a JSON object from stdin")
      .addOption(json())
      .allowUnknownOption()
      .allowExcessArguments()
      .action(act(load.integration, "reauth"));
    integration
      .command("configure")
      .description(
        "change non-secret settings, as --<setting> <value> (team integrations: admins only)",
      )
      .argument("<id>")
      .allowUnknownOption()
      .allowExcessArguments()
      .addOption(json())
      .action(act(load.integration, "configure"));
    integration
      .command("disconnect")
      .description(
        "forget the credentials and cached values; prints the secrets left unresolved (team integrations: admins only, and it removes the team setup for everyone)",
      )
      .argument("<id>")
      .addOption(json())
      .action(act(load.integration, "disconnect"));
    integration
      .command("remove")
      .description(
        "delete a disconnected integration (a team integration: once you signed out; the team setup stays); refused while secrets still link to it (they are named)",
      )
      .argument("<id>")
      .addOption(json())
      .action(act(load.integration, "remove"));
    integration
      .command("join")
      .description(
        "join a team integration: from a join code or file (committable, nothing secret), or the address; signs you in and follows the setup the team published",
      )
      .argument("<provider>", "provider id: hashicorp")
      .argument("[code]", "join code (vlj1.…) or the path of a join file")
      .option("--id <id>", "integration id (default: the provider id)")
      .option("--method <method>", "how to sign in (default: the join code's method)")
      .option("--secrets-stdin", "read secret options as a JSON object from stdin")
      .addOption(json())
      .allowUnknownOption()
      .allowExcessArguments()
      .action(act(load.integration, "join"));
    integration
      .command("signout")
      .description(
        "sign out personally: forget your credentials and cached values; the integration and its links stay (anyone may)",
      )
      .argument("<id>")
      .addOption(json())
      .action(act(load.integration, "signout"));
    integration
      .command("join-code")
      .description(
        "print the join code of a team integration (nothing secret), or write a join file",
      )
      .argument("<id>")
      .option("-o, --out <file>", "write a join file (JSON) to commit to a repository")
      .addOption(json())
      .action(act(load.integration, "joinCode"));
    integration
      .command("setup")
      .description(
        "prepare the provider for a team: HashiCorp Vault gets an OIDC client, a JWT auth method, a role and a members' policy, configured from VAULT_ADDR, VAULT_TOKEN, VAULT_NAMESPACE, OIDC_CLIENT_NAME, JWT_AUTH_PATH, OIDC_ROLE, POLICY_NAME and POLICY_CONTENT; prints the values members need and the join code",
      )
      .argument("<provider>", "provider id: hashicorp")
      .argument("[url]", "the Vault cluster URL (issuer; default VAULT_ADDR)")
      .option("-d, --dry-run", "print every request that would change something; change nothing")
      .option("-y, --yes", "apply without asking")
      .addOption(json())
      .allowUnknownOption()
      .allowExcessArguments()
      .action(act(load.integration, "setup"));
  });

  // transfer
  program
    .command("export")
    .description(
      "export secrets, links, domains and states (never credentials), encrypted with a password of 12+ characters (prompted twice, VAULTLINK_EXPORT_PASSWORD, or stdin)",
    )
    .option(
      "-o, --out <file>",
      "write to a file (mode 0600) instead of stdout; never a file in the vault directory",
    )
    .option("--plaintext", "write values unencrypted")
    .addOption(json())
    .action(act(load.transfer, "exportCmd"));
  program
    .command("import")
    .description(
      "import an export file; links to integrations missing here are imported and reported",
    )
    .argument("<file>", "the export file")
    .addOption(
      new Option(
        "--on-conflict <policy>",
        "for names that exist: skip, replace, or rename (-imported); asks per name on a terminal",
      ).choices(["skip", "replace", "rename"]),
    )
    .addOption(json())
    .action(act(load.transfer, "importCmd"));

  program
    .command("doctor")
    .description(
      "check the vault, key sources, integrations and every linked secret; print each problem with its fix",
    )
    .addOption(json())
    .action(act(load.doctor, "doctor"));
  program
    .command("ui")
    .description(
      "open the vault screen: a local web page (127.0.0.1 only) for secrets, links, integrations, cache settings, problems and the vault key; prints its one-time address",
    )
    .option("--no-open", "print the address only; do not start a browser")
    .option(
      "--idle-minutes <minutes>",
      "lock and close the vault after this many minutes without a request (1-1440)",
      "15",
    )
    .addHelpText(
      "after",
      "\nThe address carries a token that signs one browser in once (a cookie for this launch only). Without VAULTLINK_VAULT_KEY or a key in the OS keychain, the page asks for the vault key (or offers to create a vault). When the agent runs, the screen runs inside it on the vault it holds, and this command exits after printing the address; otherwise Ctrl-C stops the screen and closes the vault. See docs/ui.md for the security model.",
    )
    .action(act(load.ui, "ui"));
  lazyGroup(program, "plugins", "provider plugins", (plugins) => {
    plugins
      .command("list")
      .description("loaded, installed, incompatible and broken plugins, with why")
      .addOption(json())
      .action(act(load.plugins, "list"));
    plugins
      .command("install")
      .description(
        "install a provider plugin with npm into the plugins folder, check it, then enable it",
      )
      .argument("<plugin>", "an npm package name (name@version), a .tgz tarball or a folder")
      .option(
        "--allow-scripts",
        "let npm run install scripts of the plugin and its dependencies (off: they would run with your rights before the plugin is checked)",
      )
      .addOption(json())
      .action(act(load.plugins, "install"));
    plugins
      .command("uninstall")
      .description("disable an installed plugin and remove it from the plugins folder")
      .argument("<plugin>", "its package name or provider id")
      .addOption(json())
      .action(act(load.plugins, "uninstall"));
    plugins
      .command("update")
      .description("update installed plugins within their ranges; undone if one stops loading")
      .argument("[plugins...]", "package names or provider ids (default: all installed)")
      .option("--allow-scripts", "let npm run install scripts (off by default, as for install)")
      .addOption(json())
      .action(act(load.plugins, "update"));
  });

  program
    .command("completion")
    .description(
      "print the shell completion script (commands, options, secret names and integration ids; never values)",
    )
    .addArgument(new Argument("<shell>", "bash, zsh or fish").choices(["bash", "zsh", "fish"]))
    .addHelpText(
      "after",
      `
Install it once, for example:
  bash: vaultlink completion bash > ~/.local/share/bash-completion/completions/vaultlink
  zsh:  vaultlink completion zsh > "\${fpath[1]}/_vaultlink"
  fish: vaultlink completion fish > ~/.config/fish/completions/vaultlink.fish
Secret names and integration ids are offered when the vault key is at hand without asking
(VAULTLINK_VAULT_KEY or the OS keychain); otherwise only commands and options are.`,
    )
    .action(act(load.completion, "printScript"));
  // What the completion script calls at each TAB (not for people).
  program
    .command("complete", { hidden: true })
    .description("answer a completion request from the shell script")
    .argument("[words...]")
    .action(act(load.completion, "complete"));

  // Groups define their subcommands only when a command line reaches them (or for docs),
  // including through `vaultlink help <group>`, which is ours for that reason.
  program.hook("preSubcommand", (_program, sub) => defineGroup(sub));
  program.helpCommand(false);
  program
    .command("help")
    .description("display help for command")
    .argument("[command]", "the command to explain")
    .action((name: string | undefined) => {
      if (name === undefined) return program.help();
      const sub = program.commands.find((c) => c.name() === name || c.aliases().includes(name));
      if (!sub) {
        return program.error(`unknown command '${name}'`, { code: "commander.unknownCommand" });
      }
      defineGroup(sub);
      return sub.help();
    });
  addGlobalOptions(program);
  return program;
}
