#!/usr/bin/env node
/**
 * The vaultlink demo: the whole product, end to end, with the real CLI against local emulators
 * of AWS Secrets Manager, Azure Key Vault, HashiCorp Vault and 1Password Connect.
 *
 * Every step spawns `node packages/cli/dist/bin.cjs …` and prints the command as a user would
 * type it and the CLI's real output. Credentials (vault keys, provider keys and tokens, the
 * export password) are never printed: they go to the CLI through stdin or the environment and
 * any occurrence in output is replaced by ••••. Demo secret values are obviously fake and are
 * printed where the step's point is to show them.
 *
 * Exit code: 0 when every step passed (or was skipped because moto is missing), 1 otherwise.
 */
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  type AwsEmulator,
  browserStandInEnv,
  demoData,
  type HashicorpEmulator,
  type RunningAzureEmulator,
  type RunningOnePasswordConnect,
  startAwsEmulator,
  startAzureEmulator,
  startHashicorpEmulator,
  startOnePasswordConnectEmulator,
  writeVaultBrowserStandIn,
} from "@vaultlink/emulators";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const CLI = join(ROOT, "packages", "cli", "dist", "bin.cjs");
const NEWMAN_CLI = join(ROOT, "packages", "newman", "dist", "bin.js");
const MASK = "••••";
const started = Date.now();

// ---------------------------------------------------------------------------------------------
// Output

const tty = process.stdout.isTTY === true && !process.env.NO_COLOR;
const style = (code: string) => (s: string) => (tty ? `\x1b[${code}m${s}\x1b[0m` : s);
const bold = style("1");
const dim = style("2");
const green = style("32");
const red = style("31");
const yellow = style("33");
const cyan = style("36");

/** Set on Ctrl-C: the walk-through may still be unwinding, but prints nothing more. */
let quiet = false;
const say = (line = "") => {
  if (!quiet) process.stdout.write(`${line}\n`);
};

/** Credentials known to the demo: never printed, whatever prints them. */
const credentials = new Set<string>();
function secretive(value: string): string {
  if (value.length >= 6) credentials.add(value);
  return value;
}
function redact(text: string): string {
  let result = text;
  for (const c of credentials) result = result.split(c).join(MASK);
  return result;
}

// ---------------------------------------------------------------------------------------------
// Demo data: obviously fake values

const DEMO = {
  stripeKey: "sk_test_DEMO_not_a_real_key_0001",
  awsDbPassword: "demo-aws-db-password",
  awsApiKey: "demo-aws-api-key",
  azureApiKey: "demo-azure-api-key",
  azureDbPassword: "demo-azure-db-password",
  vaultApiKey: "demo-vault-api-key",
  vaultDbPassword: "demo-vault-db-password",
  opDbPassword: "demo-1password-db-password",
};

// ---------------------------------------------------------------------------------------------
// Running the CLI

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface CliCall {
  /** Arguments after the program's name. */
  args: string[];
  /** The program: `vaultlink` (default) or `vaultlink-newman`. */
  program?: "vaultlink" | "vaultlink-newman";
  /** Text piped to stdin. */
  input?: string;
  /** How stdin is shown before the command (`echo '••••' |`). Default: not shown. */
  shownInput?: string;
  /** Extra environment; keys in `shownEnv` are shown before the command (credentials masked). */
  env?: Record<string, string>;
  shownEnv?: string[];
  /** Another vault (export/import). */
  home?: Home;
  /** Do not print stdout (it holds something the demo prints itself). */
  hideStdout?: boolean;
}

interface Home {
  dir: string;
  key: string;
}

let currentChild: ReturnType<typeof spawn> | undefined;

function quote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

function baseEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined) continue;
    // Nothing of the user's own vault, AWS profile, Vault or 1Password session leaks in.
    if (/^(VAULTLINK_|AWS_|AZURE_|VAULT_|OP_|IDENTITY_|MSI_)/.test(k)) continue;
    if (k === "FORCE_COLOR") continue;
    env[k] = v;
  }
  env.NO_COLOR = "1";
  env.AWS_EC2_METADATA_DISABLED = "true";
  return env;
}

class Demo {
  readonly tmp = mkdtempSync(join(tmpdir(), "vaultlink-demo-"));
  readonly home: Home = { dir: join(this.tmp, "home"), key: "" };
  readonly secondHome: Home = { dir: join(this.tmp, "second-home"), key: "" };
  readonly results: { title: string; status: "ok" | "failed" | "skipped"; note?: string }[] = [];
  aws?: AwsEmulator;
  awsSkipReason?: string;
  azure?: RunningAzureEmulator;
  hashicorp?: HashicorpEmulator;
  op?: RunningOnePasswordConnect;

  /** Run the CLI, printing the command line and its output. */
  async cli(call: CliCall): Promise<CliResult> {
    const home = call.home ?? this.home;
    const shownEnv = (call.shownEnv ?? [])
      .map((k) => {
        const shown = redact(call.env?.[k] ?? "");
        return `${k}=${shown === MASK ? MASK : quote(shown)} `;
      })
      .join("");
    const pipe = call.shownInput !== undefined ? `${call.shownInput} | ` : "";
    const program = call.program ?? "vaultlink";
    say(cyan(`$ ${pipe}${shownEnv}${program} ${call.args.map(quote).join(" ")}`));
    const env: Record<string, string> = { ...baseEnv(), VAULTLINK_HOME: home.dir };
    if (home.key) env.VAULTLINK_VAULT_KEY = home.key;
    Object.assign(env, call.env ?? {});
    const result = await new Promise<CliResult>((res, rej) => {
      const entry = program === "vaultlink" ? CLI : NEWMAN_CLI;
      const child = spawn(process.execPath, [entry, ...call.args], {
        env,
        cwd: this.tmp,
        stdio: ["pipe", "pipe", "pipe"],
      });
      currentChild = child;
      let stdout = "";
      let stderr = "";
      const shownOut = lineEcho(call.hideStdout === true);
      const shownErr = lineEcho(false);
      child.stdout.setEncoding("utf8");
      child.stderr.setEncoding("utf8");
      child.stdout.on("data", (d: string) => {
        stdout += d;
        shownOut.push(d);
      });
      child.stderr.on("data", (d: string) => {
        stderr += d;
        shownErr.push(d);
      });
      child.on("error", rej);
      child.on("close", (code) => {
        currentChild = undefined;
        shownOut.end();
        shownErr.end();
        res({ code, stdout, stderr });
      });
      child.stdin.end(call.input ?? "");
    });
    say(dim(`  (exit ${result.code})`));
    return result;
  }

  /** Run the CLI; it must exit 0. */
  async ok(call: CliCall): Promise<CliResult> {
    const r = await this.cli(call);
    expectExit(r, 0);
    return r;
  }

  /**
   * `vaultlink integration connect <provider> …connect.args`, then
   * `vaultlink secret link <name> <provider> <reference> …`; both must succeed.
   */
  async connectAndLink(
    provider: string,
    connect: CliCall,
    [name, reference, ...linkOptions]: [string, string, ...string[]],
  ): Promise<void> {
    await this.ok({ ...connect, args: ["integration", "connect", provider, ...connect.args] });
    await this.ok({ args: ["secret", "link", name, provider, reference, ...linkOptions] });
  }

  async step(title: string, body: () => Promise<void>): Promise<void> {
    say();
    say(bold(`▶ ${title}`));
    try {
      await body();
      this.results.push({ title, status: "ok" });
    } catch (error) {
      if (error instanceof Skip) {
        say(yellow(`  – skipped: ${error.message}`));
        this.results.push({ title, status: "skipped", note: error.message });
        return;
      }
      const message = redact((error as Error).message);
      say(red(`  ✗ ${message}`));
      this.results.push({ title, status: "failed", note: message });
    }
  }

  note(text: string): void {
    say(dim(`  # ${redact(text)}`));
  }

  needAws(): AwsEmulator {
    if (!this.aws) throw new Skip(this.awsSkipReason ?? "the AWS emulator is not running");
    return this.aws;
  }

  async stop(): Promise<void> {
    currentChild?.kill("SIGTERM");
    const emulators = [this.aws, this.azure, this.hashicorp, this.op];
    this.aws = this.azure = this.hashicorp = this.op = undefined;
    await Promise.allSettled(emulators.map((e) => e?.stop()));
    rmSync(this.tmp, { recursive: true, force: true });
  }
}

class Skip extends Error {}

function indent(text: string): string {
  return text.replace(/^(?=.)/gm, "  ");
}

/**
 * Echoes a child's output stream indented and redacted, a whole line at a time: a chunk can
 * end mid-line (or mid-credential), and each piece would otherwise be indented and redacted
 * on its own.
 */
function lineEcho(hidden: boolean): { push(chunk: string): void; end(): void } {
  let partial = "";
  const write = (text: string) => {
    if (!hidden && !quiet && text !== "") process.stdout.write(indent(redact(text)));
  };
  return {
    push(chunk) {
      partial += chunk;
      const cut = partial.lastIndexOf("\n") + 1;
      write(partial.slice(0, cut));
      partial = partial.slice(cut);
    },
    end() {
      if (partial !== "") write(`${partial}\n`);
      partial = "";
    },
  };
}

function expectExit(r: CliResult, code: number | "non-zero"): void {
  const ok = code === "non-zero" ? r.code !== 0 && r.code !== null : r.code === code;
  if (!ok)
    throw new Error(`expected exit ${code}, got ${r.code}: ${(r.stderr || r.stdout).trim()}`);
}

function expectIn(text: string, wanted: string | RegExp, what = "output"): void {
  const found = typeof wanted === "string" ? text.includes(wanted) : wanted.test(text);
  if (!found) throw new Error(`expected ${what} to contain ${String(wanted)}`);
}

function expectNotIn(text: string, unwanted: string, what = "output"): void {
  if (text.includes(unwanted)) throw new Error(`${what} contains ${unwanted}`);
}

// ---------------------------------------------------------------------------------------------
// Emulators with demo data

async function startEmulators(demo: Demo): Promise<void> {
  // The same data `pnpm emulators` serves, with the demo's fixed, obviously fake values.
  const seed = demoData(DEMO);
  say(bold("Starting local emulators of the four services…"));
  if (process.env.VAULTLINK_DEMO_SKIP_AWS) {
    demo.awsSkipReason = "moto is not installed (python3 -m moto.server), so AWS is skipped";
  } else {
    try {
      const aws = await startAwsEmulator();
      demo.aws = aws;
      await aws.seed(seed.aws);
    } catch (error) {
      demo.awsSkipReason = `the AWS emulator did not start: ${(error as Error).message.split("\n")[0]}`;
    }
  }
  say(
    demo.aws
      ? `  AWS Secrets Manager   ${demo.aws.url}`
      : yellow(`  AWS Secrets Manager   skipped: ${demo.awsSkipReason}`),
  );

  demo.azure = await startAzureEmulator({
    ...seed.azure,
    servicePrincipals: [{ clientId: "vaultlink-demo", clientSecret: azureClientSecret }],
  });
  say(`  Azure Key Vault       ${demo.azure.vaultUrl}`);

  demo.hashicorp = await startHashicorpEmulator();
  for (const { mount, path, data } of seed.hashicorp) demo.hashicorp.writeKv(mount, path, data);
  secretive(demo.hashicorp.rootToken);
  say(`  HashiCorp Vault       ${demo.hashicorp.url}`);

  demo.op = await startOnePasswordConnectEmulator(seed.onepassword);
  secretive(demo.op.token);
  say(`  1Password Connect     ${demo.op.serverURL}`);
}

const azureClientSecret = secretive(`demo-client-secret-${process.pid}-${Date.now()}`);
const exportPassword = secretive(`demo-export-password-${process.pid}`);

// ---------------------------------------------------------------------------------------------
// The walk-through

async function walkThrough(demo: Demo): Promise<void> {
  const trim = (u: string) => u.replace(/\/+$/, "");

  await demo.step("Create the vault (the vault key is shown once)", async () => {
    const r = await demo.cli({ args: ["vault", "create", "--no-keychain"], hideStdout: true });
    expectExit(r, 0);
    const key = r.stdout.trim();
    expectIn(key, /^vlk_\S+$/, "the vault key");
    demo.home.key = secretive(key);
    say(`  ${key.slice(0, 8)}${MASK}   ${dim("(the vault key; the demo masks it)")}`);
    demo.note("From here on the demo unlocks the vault with VAULTLINK_VAULT_KEY (no keychain).");
  });

  await demo.step("Add a local secret with allowed domains (value from stdin)", async () => {
    let r = await demo.cli({
      args: ["secret", "add", "stripe-key", "--domains", "api.stripe.com"],
      input: `${DEMO.stripeKey}\n`,
      shownInput: `echo '${MASK}'`,
    });
    expectExit(r, 0);
    r = await demo.cli({ args: ["secret", "list"] });
    expectExit(r, 0);
    expectIn(r.stdout, "stripe-key");
    expectNotIn(r.stdout, DEMO.stripeKey, "secret list");
  });

  await demo.step("Connect AWS Secrets Manager and link a secret (with a JSON key)", async () => {
    const aws = demo.needAws();
    const keys = aws.issueCredentials();
    secretive(keys.accessKeyId);
    secretive(keys.secretAccessKey);
    await demo.connectAndLink(
      "aws",
      {
        args: [
          "--method",
          "access-key",
          "--region",
          aws.region,
          "--endpoint",
          aws.url,
          "--secrets-stdin",
        ],
        input: JSON.stringify(keys),
        shownInput: `echo '{"accessKeyId":"${MASK}","secretAccessKey":"${MASK}"}'`,
      },
      ["db-password", "demo/db", "--json-key", "password"],
    );
  });

  await demo.step("Connect Azure Key Vault and link a secret", async () => {
    const azure = demo.azure as RunningAzureEmulator;
    await demo.connectAndLink(
      "azure",
      {
        args: [
          "--method",
          "client-secret",
          "--tenantId",
          azure.tenantId,
          "--clientId",
          "vaultlink-demo",
          "--authorityHost",
          trim(azure.authorityHost),
          "--caFile",
          azure.caFile,
          "--allowCustomVaultHosts",
          "true",
        ],
        env: { AZURE_CLIENT_SECRET: azureClientSecret },
        shownEnv: ["AZURE_CLIENT_SECRET"],
      },
      ["azure-key", `${trim(azure.vaultUrl)}/secrets/api-key`],
    );
  });

  let joinCode = "";
  await demo.step(
    "HashiCorp Vault, once per team: the Vault operator prepares Vault as Postman's setup script does",
    async () => {
      const vault = demo.hashicorp as HashicorpEmulator;
      const r = await demo.ok({
        args: ["integration", "setup", "hashicorp", vault.url, "-y"],
        env: { VAULT_ADDR: vault.url, VAULT_TOKEN: vault.rootToken },
        shownEnv: ["VAULT_ADDR", "VAULT_TOKEN"],
      });
      for (const label of ["OIDC Provider URL", "JWT Auth Path", "Client Id", "Role"])
        expectIn(r.stdout, label);
      joinCode = /join hashicorp (vlj1\.[A-Za-z0-9_-]+)/.exec(r.stdout)?.[1] ?? "";
      if (!joinCode) throw new Error("the setup printed no join code");
      demo.note(
        "The team setup now lives in Vault (secret/vaultlink/team); Vault's policies decide who is an admin.",
      );
    },
  );

  await demo.step("The admin joins the team integration and links a secret", async () => {
    const vault = demo.hashicorp as HashicorpEmulator;
    await demo.ok({
      args: [
        "integration",
        "join",
        "hashicorp",
        "--method",
        "token",
        "--address",
        vault.url,
        "--secrets-stdin",
      ],
      input: JSON.stringify({ token: vault.rootToken }),
      shownInput: `echo '{"token":"${MASK}"}'`,
    });
    await demo.ok({
      args: ["secret", "link", "vault-api-key", "hashicorp", "secret/demo/api#key"],
    });
  });

  await demo.step("Connect 1Password (Connect server) and link a secret", async () => {
    const op = demo.op as RunningOnePasswordConnect;
    await demo.connectAndLink(
      "1password",
      {
        args: ["--method", "connect", "--host", op.serverURL],
        env: { OP_CONNECT_TOKEN: op.token },
        shownEnv: ["OP_CONNECT_TOKEN"],
      },
      ["op-db-password", "op://Demo/Database/password"],
    );
    await demo.ok({ args: ["integration", "list"] });
  });

  const linked = () => [
    ...(demo.aws ? [["db-password", DEMO.awsDbPassword]] : []),
    ["azure-key", DEMO.azureApiKey],
    ["vault-api-key", DEMO.vaultApiKey],
    ["op-db-password", DEMO.opDbPassword],
  ];

  await demo.step("Resolve a template using linked values", async () => {
    const template = [
      "Authorization: Bearer {{vault:stripe-key}}",
      ...linked().map(([name]) => `${name}: {{vault:${name}}}`),
    ].join("\n");
    writeFileSync(join(demo.tmp, "request.txt"), `${template}\n`);
    say(cyan("$ cat request.txt"));
    say(indent(`${template}\n`));
    const r = await demo.cli({
      args: ["resolve", "--file", "request.txt", "--url", "https://api.stripe.com/v1/charges"],
    });
    expectExit(r, 0);
    expectIn(r.stdout, DEMO.stripeKey);
    for (const [, value] of linked()) expectIn(r.stdout, value as string);
  });

  await demo.step(
    "Run a Postman collection with vault references (vaultlink-newman: Newman with vaultlink as the vault)",
    async () => {
      const arrivals: { url: string; authorization: string; dbPassword: string }[] = [];
      const server = createServer((req, res) => {
        arrivals.push({
          url: req.url ?? "",
          authorization: String(req.headers.authorization ?? ""),
          dbPassword: String(req.headers["x-db-password"] ?? ""),
        });
        res.setHeader("content-type", "application/json");
        res.end('{"ok":true}');
      });
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      try {
        const collection = {
          info: {
            name: "Orders API",
            schema: "https://schema.getpostman.com/json/collection/v2.1.0/collection.json",
          },
          item: ["list", "count"].map((what) => ({
            name: `${what} orders`,
            request: {
              method: "GET",
              url: `http://127.0.0.1:${port}/orders/${what}`,
              auth: {
                type: "bearer",
                bearer: [{ key: "token", value: "{{vault:vault-api-key}}", type: "string" }],
              },
              header: [{ key: "x-db-password", value: "{{vault:op-db-password}}" }],
            },
            event: [
              {
                listen: "test",
                script: {
                  exec: ["pm.test('answered 200', () => pm.response.to.have.status(200));"],
                },
              },
            ],
          })),
        };
        writeFileSync(join(demo.tmp, "orders.postman_collection.json"), JSON.stringify(collection));
        const r = await demo.cli({
          program: "vaultlink-newman",
          args: ["run", "orders.postman_collection.json", "-r", "cli"],
        });
        expectExit(r, 0);
        expectNotIn(r.stdout + r.stderr, DEMO.vaultApiKey, "vaultlink-newman output");
        if (arrivals.length !== 2) throw new Error(`${arrivals.length} requests arrived, not 2`);
        for (const a of arrivals) {
          if (
            a.authorization !== `Bearer ${DEMO.vaultApiKey}` ||
            a.dbPassword !== DEMO.opDbPassword
          )
            throw new Error(`${a.url} arrived without the vault values`);
        }
        say(
          "  The local server received both requests with the real values; the output above masks them.",
        );
      } finally {
        await new Promise<void>((r) => server.close(() => r()));
      }
    },
  );

  await demo.step("A domain the secret is not allowed on is refused", async () => {
    const r = await demo.cli({
      args: [
        "resolve",
        "Authorization: Bearer {{vault:stripe-key}}",
        "--url",
        "https://evil.example.com/steal",
      ],
    });
    expectExit(r, "non-zero");
    expectIn(`${r.stdout}${r.stderr}`, /domain/i);
    expectNotIn(r.stdout + r.stderr, DEMO.stripeKey);
  });

  await demo.step("A cached value is served without a provider request", async () => {
    const azure = demo.azure as RunningAzureEmulator;
    const before = azure.requests.count();
    say(`  Azure emulator requests before: ${before}`);
    let r = await demo.cli({ args: ["read", "azure-key"] });
    expectExit(r, 0);
    expectIn(r.stdout, DEMO.azureApiKey);
    const after = azure.requests.count();
    say(`  Azure emulator requests after:  ${after}`);
    if (after !== before) throw new Error(`the read reached the provider (${before} → ${after})`);
    r = await demo.cli({ args: ["cache", "status"] });
    expectExit(r, 0);
  });

  await demo.step("Change the cache expiry to 5 minutes", async () => {
    let r = await demo.cli({ args: ["settings", "set", "cache-ttl", "5"] });
    expectExit(r, 0);
    r = await demo.cli({ args: ["settings", "get"] });
    expectExit(r, 0);
    expectIn(r.stdout, "5");
  });

  await demo.step("Reset the cache: the next read goes to the provider", async () => {
    const vault = demo.hashicorp as HashicorpEmulator;
    let r = await demo.cli({ args: ["cache", "reset"] });
    expectExit(r, 0);
    const before = vault.requests.count();
    say(`  HashiCorp emulator requests before: ${before}`);
    r = await demo.cli({ args: ["read", "vault-api-key"] });
    expectExit(r, 0);
    expectIn(r.stdout, DEMO.vaultApiKey);
    const after = vault.requests.count();
    say(`  HashiCorp emulator requests after:  ${after}`);
    if (after <= before) throw new Error("the read after a cache reset did not reach the provider");
  });

  await demo.step("Link a different secret (relink) and resolve the new value", async () => {
    const azure = demo.azure as RunningAzureEmulator;
    let r = await demo.cli({ args: ["read", "azure-key"] });
    expectExit(r, 0);
    expectIn(r.stdout, DEMO.azureApiKey);
    r = await demo.cli({
      args: ["secret", "link", "azure-key", "azure", `${trim(azure.vaultUrl)}/secrets/db-password`],
    });
    expectExit(r, 0);
    r = await demo.cli({ args: ["read", "azure-key"] });
    expectExit(r, 0);
    expectIn(r.stdout, DEMO.azureDbPassword);
  });

  await demo.step(
    "Credentials expire → the read fails with a reauth hint → reauth → works",
    async () => {
      const op = demo.op as RunningOnePasswordConnect;
      op.expireCredentials();
      demo.note("The 1Password Connect emulator now rejects every token it issued.");
      let r = await demo.cli({ args: ["cache", "reset"] });
      expectExit(r, 0);
      r = await demo.cli({ args: ["read", "op-db-password"] });
      expectExit(r, "non-zero");
      expectIn(r.stderr, /reauth/, "the error");
      const fresh = secretive(op.createToken());
      demo.note("An admin issues a new Connect token.");
      r = await demo.cli({
        args: ["integration", "reauth", "1password"],
        env: { OP_CONNECT_TOKEN: fresh },
        shownEnv: ["OP_CONNECT_TOKEN"],
      });
      expectExit(r, 0);
      r = await demo.cli({ args: ["read", "op-db-password"] });
      expectExit(r, 0);
      expectIn(r.stdout, DEMO.opDbPassword);
    },
  );

  await demo.step("Disconnect an integration: the references it leaves unresolved", async () => {
    let r = await demo.cli({ args: ["integration", "disconnect", "azure"] });
    expectExit(r, 0);
    expectIn(r.stdout, "azure-key");
    r = await demo.cli({ args: ["resolve", "key={{vault:azure-key}}"] });
    expectExit(r, "non-zero");
    expectIn(r.stdout + r.stderr, "azure-key");
  });

  await demo.step(
    "A second person joins with the join code, signs in the Postman way and reads; Vault refuses their disconnect; the admin's disconnect reaches them",
    async () => {
      const vault = demo.hashicorp as HashicorpEmulator;
      const dana = { username: "dana", password: secretive(`dana-${randomUUID()}`) };
      vault.addUser({ ...dana, policies: [] });
      const browser = await writeVaultBrowserStandIn(demo.tmp, dana);
      demo.note(
        "Dana has her own vault. A stand-in browser signs her in at the Vault UI (userpass) when vaultlink opens it.",
      );
      const member = { dir: join(demo.tmp, "member-home"), key: "" };
      let r = await demo.cli({
        args: ["vault", "create", "--no-keychain"],
        home: member,
        hideStdout: true,
      });
      expectExit(r, 0);
      member.key = secretive(r.stdout.trim());
      await demo.ok({
        args: ["integration", "join", "hashicorp", joinCode],
        home: member,
        env: Object.fromEntries(
          Object.entries(browserStandInEnv(browser)).filter(
            (e): e is [string, string] => e[1] !== undefined,
          ),
        ),
      });
      await demo.ok({
        args: ["secret", "link", "vault-api-key", "hashicorp", "secret/demo/api#key"],
        home: member,
      });
      r = await demo.ok({ args: ["read", "vault-api-key"], home: member });
      expectIn(r.stdout, DEMO.vaultApiKey);
      r = await demo.cli({ args: ["integration", "disconnect", "hashicorp"], home: member });
      expectExit(r, "non-zero");
      expectIn(r.stderr, /Only a team Admin or Super Admin/);
      demo.note(
        "Vault's policies say Dana is a member: nothing changed, in her vault or in Vault.",
      );
      r = await demo.ok({ args: ["integration", "disconnect", "hashicorp"] });
      expectIn(r.stdout, "vault-api-key");
      demo.note(
        "Dana's vault asks the team's setup on her next use (at most a minute later), or now:",
      );
      r = await demo.ok({ args: ["integration", "status", "hashicorp"], home: member });
      expectIn(r.stdout, "disconnected by the team");
      r = await demo.cli({ args: ["read", "vault-api-key"], home: member });
      expectExit(r, "non-zero");
      expectIn(r.stderr, "disconnected by the team");
    },
  );

  await demo.step(
    "vaultlink run: secrets in a child's environment, masked in its output",
    async () => {
      const r = await demo.cli({
        args: [
          "run",
          "--url",
          "https://api.stripe.com/",
          "--",
          "node",
          "-e",
          'console.log("child process sees STRIPE_KEY=" + process.env.STRIPE_KEY)',
        ],
        env: { STRIPE_KEY: "{{vault:stripe-key}}" },
        shownEnv: ["STRIPE_KEY"],
      });
      expectExit(r, 0);
      expectIn(r.stdout, "child process sees STRIPE_KEY=");
      expectNotIn(r.stdout, DEMO.stripeKey, "the child's output");
    },
  );

  await demo.step("Export (encrypted) and import into a second, fresh vault", async () => {
    const file = join(demo.tmp, "vaultlink-export.json");
    let r = await demo.cli({
      args: ["export", "--out", file],
      env: { VAULTLINK_EXPORT_PASSWORD: exportPassword },
      shownEnv: ["VAULTLINK_EXPORT_PASSWORD"],
    });
    expectExit(r, 0);
    const text = await readFile(file, "utf8");
    expectNotIn(text, DEMO.stripeKey, "the export file");
    say(dim(`  # the export file starts: ${text.slice(0, 100).replace(/\s+/g, " ")}…`));

    r = await demo.cli({
      args: ["vault", "create", "--no-keychain"],
      home: demo.secondHome,
      hideStdout: true,
    });
    expectExit(r, 0);
    demo.secondHome.key = secretive(r.stdout.trim());
    say(`  ${demo.secondHome.key.slice(0, 8)}${MASK}   ${dim("(the second vault's key)")}`);
    r = await demo.cli({
      args: ["import", file],
      home: demo.secondHome,
      env: { VAULTLINK_EXPORT_PASSWORD: exportPassword },
      shownEnv: ["VAULTLINK_EXPORT_PASSWORD"],
    });
    expectExit(r, 0);
    r = await demo.cli({ args: ["secret", "list"], home: demo.secondHome });
    expectExit(r, 0);
    expectIn(r.stdout, "stripe-key");
    r = await demo.cli({
      args: ["read", "stripe-key", "--url", "https://api.stripe.com/v1/charges"],
      home: demo.secondHome,
    });
    expectExit(r, 0);
    expectIn(r.stdout, DEMO.stripeKey);
  });
}

// ---------------------------------------------------------------------------------------------

function summary(demo: Demo): number {
  say();
  say(bold("Summary"));
  for (const r of demo.results) {
    const mark = r.status === "ok" ? green("✓") : r.status === "skipped" ? yellow("–") : red("✗");
    say(`  ${mark} ${r.title}${r.note ? dim(`  (${r.note})`) : ""}`);
  }
  const failed = demo.results.filter((r) => r.status === "failed").length;
  const skipped = demo.results.filter((r) => r.status === "skipped").length;
  const passed = demo.results.length - failed - skipped;
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  say();
  say(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
  say(dim(`The demo took ${seconds} s.`));
  return failed === 0 ? 0 : 1;
}

async function main(): Promise<void> {
  const demo = new Demo();
  let stopping = false;
  const interrupt = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    say(`\n${signal}: stopping the emulators and deleting the demo's temporary vault…`);
    quiet = true;
    void demo.stop().finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
  };
  process.on("SIGINT", interrupt);
  process.on("SIGTERM", interrupt);

  say(bold("vaultlink demo"));
  say(dim(`Temporary VAULTLINK_HOME: ${demo.home.dir}`));
  say(dim(`CLI: node ${CLI}   (shown below as \`vaultlink\`)`));
  say();
  let code = 1;
  try {
    await startEmulators(demo);
    await walkThrough(demo);
    code = summary(demo);
  } catch (error) {
    say(red(`The demo stopped: ${redact((error as Error).stack ?? String(error))}`));
  } finally {
    if (!stopping) await demo.stop();
  }
  if (!stopping) process.exit(code);
}

void main();
