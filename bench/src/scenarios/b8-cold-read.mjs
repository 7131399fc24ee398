import { spawnSync } from "node:child_process";
import { createVault } from "@vaultlink/core";
import {
  startAzureEmulator,
  startHashicorpEmulator,
  startOnePasswordConnectEmulator,
} from "@vaultlink/emulators";
import onePasswordProvider from "@vaultlink/provider-1password";
import awsProvider from "@vaultlink/provider-aws";
import azureProvider from "@vaultlink/provider-azure";
import hashicorpProvider from "@vaultlink/provider-hashicorp";
import { linkAll, makeHome, numberedSecrets, vaultName } from "../lib/fixtures.mjs";
import { runAsync, timeProcesses } from "../lib/process.mjs";
import { ratioDisplay, ratioInterval } from "../lib/stats.mjs";
import { cliBin } from "./b1-cli-read.mjs";

const TO_AWS_CLI = 0.2;
const TO_FLOOR = 4;
const RUN_REFERENCES = 10;

/** The real `aws` program behind a pyenv shim, so the peer is not charged for the shim. */
function awsCli() {
  const viaPyenv = spawnSync("pyenv", ["which", "aws"], { encoding: "utf8" });
  if (viaPyenv.status === 0 && viaPyenv.stdout.trim()) return viaPyenv.stdout.trim();
  const plain = spawnSync("aws", ["--version"], { encoding: "utf8" });
  return plain.status === 0 ? "aws" : undefined;
}

/**
 * B8: a cold `vaultlink read`: a new process with caching off (cache time 0), so every run
 * loads the provider's SDK, signs in from the stored credentials and makes its request.
 * AWS is timed against the AWS CLI's `get-secret-value` for the same secret on the same moto,
 * and against `node -e 0`; the other three providers against `node -e 0` (no peer CLI here).
 * A cold `run` with ten AWS references is checked to make one batched request.
 */
export async function b8(ctx) {
  const emulator = await ctx.aws();
  const [secret] = numberedSecrets("b8", 1);
  const batch = numberedSecrets("b8run", RUN_REFERENCES);
  await emulator.seed([secret, ...batch]);
  const keys = emulator.issueCredentials();

  const azure = await startAzureEmulator({
    vaultName: "vaultlink-bench",
    secrets: [{ name: "b8-azure", value: "b8-azure-value-0123456789" }],
    servicePrincipals: [{ clientId: "vaultlink-bench", clientSecret: "bench-client-secret-4f1e" }],
  });
  const hashicorp = await startHashicorpEmulator();
  hashicorp.writeKv("secret", "bench/b8", { key: "b8-hashicorp-value-0123456789" });
  const op = await startOnePasswordConnectEmulator({
    vaults: [
      {
        name: "Bench",
        items: [
          {
            title: "B8",
            category: "PASSWORD",
            fields: [
              {
                label: "password",
                value: "b8-1password-value-0123",
                type: "CONCEALED",
                purpose: "PASSWORD",
              },
            ],
          },
        ],
      },
    ],
  });
  try {
    const home = await makeHome("b8");
    const vault = createVault({
      home,
      providers: [awsProvider, azureProvider, hashicorpProvider, onePasswordProvider],
      keySources: [],
    });
    const { vaultKey } = await vault.create();
    await vault.integrations.connect({
      provider: "aws",
      method: "access-key",
      options: { region: emulator.region, endpoint: emulator.url, ...keys },
    });
    await vault.integrations.connect({
      provider: "azure",
      method: "client-secret",
      options: {
        tenantId: azure.tenantId,
        clientId: "vaultlink-bench",
        clientSecret: "bench-client-secret-4f1e",
        authorityHost: azure.authorityHost.replace(/\/+$/, ""),
        caFile: azure.caFile,
        allowCustomVaultHosts: true,
      },
    });
    await vault.integrations.connect({
      provider: "hashicorp",
      method: "token",
      options: { address: hashicorp.url, token: hashicorp.rootToken },
    });
    await vault.integrations.connect({
      provider: "1password",
      method: "connect",
      options: { host: op.serverURL, token: op.token },
    });
    await linkAll(vault, "aws", "aws", [
      { name: "b8-aws", reference: secret.name },
      ...batch.map((s) => ({ name: vaultName(s.name), reference: s.name })),
    ]);
    await vault.links.link("b8-azure", {
      integration: "azure",
      reference: `${azure.vaultUrl.replace(/\/+$/, "")}/secrets/b8-azure`,
    });
    await vault.links.link("b8-hashicorp", {
      integration: "hashicorp",
      reference: "secret/bench/b8#key",
    });
    await vault.links.link("b8-1password", {
      integration: "1password",
      reference: "op://Bench/B8/password",
    });
    // Caching off: each read below fetches; a value is never kept between processes.
    await vault.settings.set("cache-ttl", 0);
    await vault.dispose();

    const env = { ...process.env, VAULTLINK_HOME: home, VAULTLINK_VAULT_KEY: vaultKey };
    delete env.VAULTLINK_CONFIG;
    delete env.NODE_EXTRA_CA_CERTS;
    delete env.NODE_OPTIONS;
    const bin = cliBin();
    const read = (name) => [process.execPath, bin, "read", name];
    const aws = awsCli();
    const peerEnv = {
      ...env,
      AWS_ACCESS_KEY_ID: keys.accessKeyId,
      AWS_SECRET_ACCESS_KEY: keys.secretAccessKey,
      AWS_DEFAULT_REGION: emulator.region,
      AWS_CONFIG_FILE: "/dev/null",
      AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
    };
    const commands = {
      "node -e 0": [process.execPath, "-e", "0"],
      "read (aws)": read("b8-aws"),
      "read (azure)": read("b8-azure"),
      "read (hashicorp)": read("b8-hashicorp"),
      "read (1password)": read("b8-1password"),
      ...(aws
        ? {
            "aws secretsmanager get-secret-value": [
              aws,
              "secretsmanager",
              "get-secret-value",
              "--secret-id",
              secret.name,
              "--endpoint-url",
              emulator.url,
              "--query",
              "SecretString",
              "--output",
              "text",
            ],
          }
        : {}),
    };
    // Every command must work before it is timed (output checked, never printed).
    for (const [label, [file, ...args]] of Object.entries(commands)) {
      const r = await runAsync(file, args, label.startsWith("aws ") ? peerEnv : env);
      // stderr is an error message (vaultlink never puts a value there), useful to see.
      if (r.status !== 0) throw new Error(`B8 setup: ${label} exited ${r.status}: ${r.stderr}`);
    }
    const before = emulator.requests.count();
    const runs = ctx.quick ? 6 : 16;
    const { tool, results } = await timeProcesses(commands, { warmup: 1, runs, env: peerEnv });
    // (The AWS CLI's variables are in every command's environment; vaultlink ignores them.)
    const awsRequestsPerRead = (emulator.requests.count() - before) / (runs + 1) / (aws ? 2 : 1);

    // A cold `run` with ten AWS references: how many requests reach the provider.
    const runEnv = { ...env };
    batch.forEach((s, i) => {
      runEnv[`B8_REF_${i}`] = `{{vault:${vaultName(s.name)}}}`;
    });
    const beforeRun = emulator.requests.count();
    const r = await runAsync(
      process.execPath,
      [bin, "run", "--", process.execPath, "-e", "0"],
      runEnv,
    );
    if (r.status !== 0) throw new Error(`B8: the cold run exited ${r.status}`);
    const runRequests = emulator.requests.count() - beforeRun;

    const floor = results["node -e 0"];
    const ratioOf = (label, to) => ({
      ratio: results[label].median / to.median,
      interval: ratioInterval(results[label], to),
    });
    const toFloor = Object.fromEntries(
      ["aws", "azure", "hashicorp", "1password"].map((p) => [p, ratioOf(`read (${p})`, floor)]),
    );
    const peer = aws ? results["aws secretsmanager get-secret-value"] : undefined;
    const toAwsCli = peer ? ratioOf("read (aws)", peer) : undefined;
    const pass =
      toAwsCli !== undefined &&
      toAwsCli.ratio <= TO_AWS_CLI &&
      toFloor.aws.ratio <= TO_FLOOR &&
      runRequests === 1;
    const extra = ["azure", "hashicorp", "1password"].map((p) => ({
      label: `read (${p})`,
      median: results[`read (${p})`].median,
      p95: results[`read (${p})`].p95,
    }));
    return {
      id: "B8",
      title: "cold `vaultlink read` (new process, caching off): SDK load, sign-in, one request",
      ours: { label: "read (aws)", ...results["read (aws)"] },
      extra,
      peer: peer
        ? { label: "aws secretsmanager get-secret-value", ...peer }
        : { label: "node -e 0 (floor; the AWS CLI is not installed)", ...floor },
      metric: {
        name: "median ratios",
        value: toAwsCli?.ratio ?? Number.NaN,
        interval: toAwsCli?.interval,
        display: [
          toAwsCli
            ? `aws ÷ AWS CLI ${ratioDisplay(toAwsCli.ratio, toAwsCli.interval)}`
            : "no AWS CLI",
          ...Object.entries(toFloor).map(
            ([p, x]) => `${p} ÷ node ${ratioDisplay(x.ratio, x.interval)}`,
          ),
          `cold run, ${RUN_REFERENCES} refs: ${runRequests} request(s)`,
        ].join("; "),
      },
      target: `aws ≤ ${TO_AWS_CLI}× the AWS CLI and ≤ ${TO_FLOOR}× node -e 0; a cold run with ${RUN_REFERENCES} references makes 1 request`,
      pass,
      details: {
        tool,
        floor: { median: floor.median, p95: floor.p95 },
        awsCli: aws,
        toAwsCli,
        toFloor,
        awsRequestsPerRead,
        runRequests,
      },
    };
  } finally {
    await Promise.allSettled([azure.stop(), hashicorp.stop(), op.stop()]);
  }
}
