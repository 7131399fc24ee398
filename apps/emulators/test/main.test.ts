import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { OnePasswordConnect } from "@1password/connect";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { ClientSecretCredential } from "@azure/identity";
import { SecretClient } from "@azure/keyvault-secrets";
import nodeVault from "node-vault";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/** `pnpm emulators` runs this file (built: run `tsc -p tsconfig.json` first, as turbo does). */
const MAIN = join(import.meta.dirname, "..", "dist", "main.js");

interface Connections {
  aws: {
    endpoint: string;
    region: string;
    credentials: { accessKeyId: string; secretAccessKey: string };
  };
  azure: {
    vaultUrl: string;
    caFile: string;
    tenantId: string;
    authorityHost: string;
    servicePrincipal: { clientId: string; clientSecret: string };
  };
  hashicorp: { endpoint: string; token: string };
  onepassword: { serverURL: string; token: string };
}

let dir: string;
let child: ChildProcess;
let stdout = "";
let stderr = "";
let connections: Connections;

/** Resolves once `text` has appeared on the child's stdout. */
function printed(text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (stdout.includes(text)) resolve();
    };
    child.stdout?.on("data", check);
    child.once("exit", (code) => reject(new Error(`exited with ${code} before "${text}"`)));
    check();
  });
}

/** Whether something accepts TCP connections on 127.0.0.1:port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

const portOf = (url: string) => Number(new URL(url).port);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "vaultlink-emulators-main-"));
  child = spawn(process.execPath, [MAIN], {
    cwd: dir,
    env: { ...process.env, VAULTLINK_EMULATORS_DIR: join(dir, "state") },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  await printed("Ctrl-C stops.");
  connections = JSON.parse(
    await readFile(join(dir, "state", "emulators.json"), "utf8"),
  ) as Connections;
}, 60_000);

afterAll(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    child.kill("SIGKILL");
    await once(child, "exit");
  }
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("pnpm emulators (dist/main.js)", () => {
  it("prints one 127.0.0.1 URL per emulator and no credential", () => {
    const urls = stdout.match(/https?:\/\/127\.0\.0\.1:\d+/g) ?? [];
    expect(urls).toHaveLength(4);
    expect(stderr).toBe("");
    const secrets = [
      connections.aws.credentials.secretAccessKey,
      connections.azure.servicePrincipal.clientSecret,
      connections.hashicorp.token,
      connections.onepassword.token,
    ];
    for (const secret of secrets) expect(stdout.includes(secret)).toBe(false);
  });

  it("keeps the connection details in a 0600 file inside a 0700 folder", async () => {
    expect((await stat(join(dir, "state", "emulators.json"))).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, "state"))).mode & 0o777).toBe(0o700);
  });

  it("serves seeded demo data to each real SDK", async () => {
    const aws = new SecretsManagerClient({ ...connections.aws, maxAttempts: 1 });
    const db = await aws.send(new GetSecretValueCommand({ SecretId: "demo/db" }));
    expect(JSON.parse(db.SecretString ?? "{}")).toMatchObject({ username: "app" });
    aws.destroy();

    const az = connections.azure;
    const ca = await readFile(az.caFile, "utf8");
    const credential = new ClientSecretCredential(
      az.tenantId,
      az.servicePrincipal.clientId,
      az.servicePrincipal.clientSecret,
      { authorityHost: az.authorityHost, disableInstanceDiscovery: true, tlsOptions: { ca } },
    );
    const kv = new SecretClient(az.vaultUrl, credential, {
      disableChallengeResourceVerification: true,
      tlsOptions: { ca },
      retryOptions: { maxRetries: 0 },
    });
    expect((await kv.getSecret("api-key")).value).toEqual(expect.any(String));

    const vault = nodeVault({ ...connections.hashicorp, apiVersion: "v1" });
    expect((await vault.read("secret/data/demo/db")).data.data).toMatchObject({ username: "app" });

    const op = OnePasswordConnect({ ...connections.onepassword, keepAlive: false });
    const [demo] = await op.listVaults();
    expect(demo?.name).toBe("Demo");
    expect(await op.listItems(demo?.id as string)).toHaveLength(1);
  });

  it("stops every emulator and exits 0 on Ctrl-C (SIGINT)", async () => {
    const ports = [
      portOf(connections.aws.endpoint),
      portOf(connections.azure.vaultUrl),
      portOf(connections.hashicorp.endpoint),
      portOf(connections.onepassword.serverURL),
    ];
    for (const port of ports) expect(await listening(port)).toBe(true);
    const exited = once(child, "exit");
    child.kill("SIGINT");
    const [code] = await exited;
    expect(code).toBe(0);
    expect(stdout).toContain("SIGINT: stopping emulators");
    for (const port of ports) expect(await listening(port)).toBe(false);
  });
});
