#!/usr/bin/env node
/**
 * `pnpm emulators`: start every emulator with demo data on 127.0.0.1 and keep them running
 * until Ctrl-C / SIGTERM. URLs are printed; credentials and the Azure CA go to a JSON file
 * (mode 0600) so no secret material reaches the terminal.
 */
import { randomBytes } from "node:crypto";
import { chmod, mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import writeFileAtomic from "write-file-atomic";
import { startAwsEmulator } from "./aws/index.js";
import { startAzureEmulator } from "./azure/index.js";
import { DEMO_VALUE_NAMES, type DemoValues, demoData } from "./demo-data.js";
import { startHashicorpEmulator } from "./hashicorp/index.js";
import { startOnePasswordConnectEmulator } from "./onepassword/index.js";

interface Started {
  name: string;
  url: string;
  stop(): Promise<void>;
  connection: Record<string, unknown>;
}

const demoValue = () => randomBytes(12).toString("base64url");
/** Fresh random values on every start. */
const demo = demoData(
  Object.fromEntries(DEMO_VALUE_NAMES.map((name) => [name, demoValue()])) as DemoValues,
);

function basePort(): number | undefined {
  const i = process.argv.indexOf("--base-port");
  const raw = i >= 0 ? process.argv[i + 1] : process.env.VAULTLINK_EMULATOR_BASE_PORT;
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1024 || n > 65530) throw new Error(`invalid base port ${raw}`);
  return n;
}

const portAt = (base: number | undefined, offset: number) =>
  base === undefined ? {} : { port: base + offset };

async function startAws(base: number | undefined): Promise<Started> {
  const aws = await startAwsEmulator(portAt(base, 0));
  await aws.seed(demo.aws);
  const credentials = aws.issueCredentials();
  return {
    name: "AWS Secrets Manager",
    url: aws.url,
    stop: () => aws.stop(),
    connection: { endpoint: aws.url, region: aws.region, credentials },
  };
}

async function startAzure(base: number | undefined, dir: string): Promise<Started> {
  const principal = { clientId: "vaultlink-demo", clientSecret: demoValue() };
  const azure = await startAzureEmulator({
    ...portAt(base, 1),
    ...demo.azure,
    servicePrincipals: [principal],
  });
  const caFile = join(dir, "azure-ca.pem");
  await writeFile(caFile, azure.caPem, { mode: 0o644 });
  return {
    name: "Azure Key Vault",
    url: azure.vaultUrl,
    stop: () => azure.stop(),
    connection: {
      vaultUrl: azure.vaultUrl,
      caFile,
      tenantId: azure.tenantId,
      authorityHost: azure.authorityHost,
      servicePrincipal: principal,
      managedIdentityEnv: azure.managedIdentityEnv(),
    },
  };
}

async function startHashicorp(base: number | undefined): Promise<Started> {
  const vault = await startHashicorpEmulator(portAt(base, 2));
  for (const { mount, path, data } of demo.hashicorp) vault.writeKv(mount, path, data);
  return {
    name: "HashiCorp Vault",
    url: vault.url,
    stop: () => vault.stop(),
    connection: { endpoint: vault.url, token: vault.rootToken },
  };
}

async function startOnePassword(base: number | undefined): Promise<Started> {
  const op = await startOnePasswordConnectEmulator({ ...portAt(base, 3), ...demo.onepassword });
  return {
    name: "1Password Connect",
    url: op.serverURL,
    stop: () => op.stop(),
    connection: { serverURL: op.serverURL, token: op.token },
  };
}

async function main(): Promise<void> {
  const base = basePort();
  const dir = resolve(process.env.VAULTLINK_EMULATORS_DIR ?? ".vaultlink-demo");
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  const starters: [string, () => Promise<Started>][] = [
    ["aws", () => startAws(base)],
    ["azure", () => startAzure(base, dir)],
    ["hashicorp", () => startHashicorp(base)],
    ["onepassword", () => startOnePassword(base)],
  ];
  const running: Started[] = [];
  const connections: Record<string, unknown> = {};
  for (const [key, start] of starters) {
    try {
      const started = await start();
      running.push(started);
      connections[key] = started.connection;
      console.log(`${started.name.padEnd(20)} ${started.url}`);
    } catch (error) {
      console.error(`${key}: not started (${(error as Error).message.split("\n")[0]})`);
    }
  }
  const file = join(dir, "emulators.json");
  // Atomic (temporary file, then rename): a reader never sees half a file.
  await writeFileAtomic(file, `${JSON.stringify(connections, null, 2)}\n`, { mode: 0o600 });
  console.log(`\nCredentials and the Azure CA: ${file}`);
  console.log("Control API: <url>/__emulator/… (see apps/emulators/README.md). Ctrl-C stops.");

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping emulators…`);
    await Promise.allSettled(running.map((r) => r.stop()));
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
}

main().catch((error: Error) => {
  console.error(`emulators failed to start: ${error.message}`);
  process.exit(1);
});
