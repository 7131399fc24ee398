/**
 * What a misbehaving provider does to the built CLI, for all four providers against their
 * emulators: an error body that echoes a secret value, the credential and the whole request
 * (headers included), as a 400 and as a 500; and a provider that answers too slowly for the
 * integration's deadline. No value or credential may reach any output (`read`, `resolve`,
 * `run`, `doctor --json`), and a slow provider fails with the time it was given.
 */
import {
  type AwsEmulator,
  type HashicorpEmulator,
  type RawFault,
  type RunningAzureEmulator,
  type RunningOnePasswordConnect,
  startAwsEmulator,
  startAzureEmulator,
  startHashicorpEmulator,
  startOnePasswordConnectEmulator,
} from "@vaultlink/emulators";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createVault,
  describeRun,
  type E2eVault,
  EXIT,
  leaksAny,
  type RunResult,
} from "./helpers.js";

/** What every provider case gives the shared steps. */
interface Setup {
  emu: {
    inject(rule: {
      operation?: string;
      pathPrefix?: string;
      latencyMs?: number;
      error?: RawFault;
    }): number;
    clearFaults(): void;
    stop(): Promise<void>;
  };
  /** `integration connect <provider> …` arguments (without --secrets-stdin). */
  connectArgs: string[];
  /** Secret options for --secrets-stdin. */
  secretInput: Record<string, unknown>;
  /** [name, reference] of the secret read first (its value gets cached) and of the one that fails. */
  first: readonly [string, string];
  second: readonly [string, string];
  /** The value of `first`: known to the vault, echoed by the faults. */
  knownValue: string;
  /** Every credential of the integration (echoed by the faults too). */
  credentials: string[];
  /** Which requests the faults apply to (the reads of secret values). */
  target: { operation?: string; pathPrefix?: string };
  /** An error response in the service's own shape whose message is `message`. */
  errorBody(status: 400 | 500, message: string): RawFault;
}

/** A bearer token (or JWT) that escaped redaction. */
const UNREDACTED_BEARER = /Bearer\s+(?!\[redacted\])[A-Za-z0-9._~+/=-]{8,}/;

function faultStory(provider: string, setUp: () => Promise<Setup>): void {
  describe(`${provider}: provider text and slow answers through the built CLI`, () => {
    let s: Setup | undefined;
    let v: E2eVault | undefined;
    const setup = () => s as Setup;
    const vault = () => v as E2eVault;
    const secrets = () => [setup().knownValue, ...setup().credentials];
    const d = (r: RunResult) => describeRun(r, secrets());

    beforeAll(async () => {
      s = await setUp();
      v = await createVault();
      const c = await v.run(
        ["integration", "connect", provider, ...s.connectArgs, "--secrets-stdin", "--json"],
        { input: JSON.stringify(s.secretInput) },
      );
      expect(c.code, d(c)).toBe(EXIT.ok);
      for (const [name, reference] of [s.first, s.second]) {
        const l = await v.run(["secret", "link", name, provider, reference]);
        expect(l.code, d(l)).toBe(EXIT.ok);
      }
      const r = await v.run(["read", s.first[0]]);
      expect(r.code, d(r)).toBe(EXIT.ok);
      expect(r.stdout === `${s.knownValue}\n`, "the first secret reads (and is cached)").toBe(true);
    }, 120_000);
    afterAll(async () => {
      v?.cleanup();
      await s?.emu.stop();
    });

    /** read, resolve, run and doctor --json of the failing secret; none may print a secret. */
    async function everyOutput(): Promise<RunResult[]> {
      const name = setup().second[0];
      const ref = `{{vault:${name}}}`;
      const runs = [
        await vault().run(["read", name]),
        await vault().run(["resolve", `x=${ref}`]),
        await vault().run(["run", "--", process.execPath, "-e", "0"], { env: { S: ref } }),
        await vault().run(["doctor", "--json"]),
      ];
      for (const r of runs) {
        expect(r.code, d(r)).not.toBe(EXIT.ok);
        const texts = [r.stdout, r.stderr];
        expect(leaksAny(texts, secrets()), `${r.args.join(" ")} printed a secret`).toBe(false);
        expect(texts.join("\n"), d(r)).not.toMatch(UNREDACTED_BEARER);
      }
      return runs;
    }

    for (const status of [400, 500] as const) {
      it(`a ${status} echoing a known value, the credential and the request: nothing secret in read, resolve, run or doctor --json`, async () => {
        const { emu, target, knownValue, credentials } = setup();
        const echo = `rejected ${knownValue} for ${credentials.join(" ")} on {{request}}`;
        emu.inject({ ...target, error: { ...setup().errorBody(status, echo), echoRequest: true } });
        try {
          const [read, , , doctor] = await everyOutput();
          // The echo reached the output path and was redacted there (not dropped before it).
          expect(read?.stderr, d(read as RunResult)).toContain("[redacted]");
          const checks = JSON.parse(doctor?.stdout ?? "{}") as {
            checks: Array<{ subject: string; ok: boolean; detail: string; fix?: string }>;
          };
          const failed = checks.checks.find((c) => c.subject === setup().second[0]);
          expect(failed?.ok).toBe(false);
          expect(failed?.detail).toContain("[redacted]");
          if (status === 500) {
            // A 500 is the provider's own failure: the next step is not "check your settings".
            expect(`${read?.stderr}\n${failed?.fix}`).not.toMatch(/settings/i);
          }
        } finally {
          emu.clearFaults();
        }
      });
    }

    it("a provider slower than the integration's timeoutSeconds: read fails, saying it timed out after 1 s", async () => {
      const { emu, target } = setup();
      const configured = await vault().run([
        "integration",
        "configure",
        provider,
        "--timeoutSeconds",
        "1",
      ]);
      expect(configured.code, d(configured)).toBe(EXIT.ok);
      expect((await vault().run(["cache", "reset"])).code).toBe(EXIT.ok);
      // Far longer than the run's own time limit: the CLI must not wait for the answer.
      emu.inject({ ...target, latencyMs: 600_000 });
      try {
        const r = await vault().run(["read", setup().first[0]]);
        expect(r.code, d(r)).toBe(EXIT.unreachable);
        expect(r.stdout).toBe("");
        expect(r.stderr, d(r)).toMatch(/^error: .*timed out after 1 s/m);
        expect(r.stderr, d(r)).toMatch(/^hint: .*retry.*--timeoutSeconds/im);
        const doctor = await vault().run(["doctor", "--json"]);
        expect(doctor.stdout, d(doctor)).toContain("timed out after 1 s");
      } finally {
        emu.clearFaults();
      }
    });

    it("a timeoutSeconds out of range is refused, naming the range; the vault is unchanged", async () => {
      const before = vault().vaultHash();
      const r = await vault().run(["integration", "configure", provider, "--timeoutSeconds", "0"]);
      expect(r.code, d(r)).toBe(EXIT.usage);
      expect(r.stderr, d(r)).toMatch(/timeoutSeconds.*at least 1/);
      expect(vault().vaultHash()).toBe(before);
    });
  });
}

faultStory("aws", async () => {
  const emu: AwsEmulator = await startAwsEmulator({ verifySignatures: true });
  const first = "faults-aws-first-value-4b7e19";
  await emu.seed([
    { name: "faults/first", value: first },
    { name: "faults/second", value: "faults-aws-second-value-c02d" },
  ]);
  const creds = emu.issueCredentials();
  return {
    emu,
    connectArgs: ["--method", "access-key", "--region", emu.region, "--endpoint", emu.url],
    secretInput: { ...creds },
    first: ["first", "faults/first"],
    second: ["second", "faults/second"],
    knownValue: first,
    credentials: [creds.secretAccessKey],
    target: {},
    errorBody: (status, message) => {
      const type = status === 400 ? "InvalidRequestException" : "InternalServiceError";
      return {
        status,
        headers: { "x-amzn-errortype": type, "content-type": "application/x-amz-json-1.1" },
        body: { __type: type, message },
      };
    },
  };
});

faultStory("azure", async () => {
  const clientId = "3c0a7f52-1e4b-4d21-9a57-fa0175000001";
  const clientSecret = "faults-azure-client-secret-77a1";
  const first = "faults-azure-first-value-e93b02";
  const emu: RunningAzureEmulator = await startAzureEmulator({
    servicePrincipals: [{ clientId, clientSecret }],
    secrets: [
      { name: "first", value: first },
      { name: "second", value: "faults-azure-second-value-1f5a" },
    ],
  });
  const ref = (name: string) => `${emu.vaultUrl.replace(/\/$/, "")}/secrets/${name}`;
  return {
    emu,
    connectArgs: [
      "--method",
      "client-secret",
      "--tenantId",
      emu.tenantId,
      "--clientId",
      clientId,
      "--authorityHost",
      emu.authorityHost,
      "--caFile",
      emu.caFile,
      "--allowCustomVaultHosts",
      "true",
      "--maxRetries",
      "0",
    ],
    secretInput: { clientSecret },
    first: ["first", ref("first")],
    second: ["second", ref("second")],
    knownValue: first,
    credentials: [clientSecret],
    target: { operation: "secrets.get" },
    errorBody: (status, message) => ({
      status,
      body: { error: { code: status === 400 ? "BadParameter" : "InternalServerError", message } },
    }),
  };
});

faultStory("hashicorp", async () => {
  const emu: HashicorpEmulator = await startHashicorpEmulator();
  const first = "faults-vault-first-value-0c6d3a";
  emu.writeKv("secret", "faults/app", { first, second: "faults-vault-second-value-9e21" });
  emu.writeKv("secret", "faults/other", { second: "faults-vault-other-value-5d70" });
  const token = emu.createToken({ policies: ["root"] });
  return {
    emu,
    connectArgs: ["--method", "token", "--address", emu.url],
    secretInput: { token },
    first: ["first", "secret/faults/app#first"],
    // Another path: one read per path, so the first secret's read is not shared with it.
    second: ["second", "secret/faults/other#second"],
    knownValue: first,
    credentials: [token, emu.rootToken],
    target: { operation: "kv.read" },
    errorBody: (status, message) => ({ status, body: { errors: [message] } }),
  };
});

faultStory("1password", async () => {
  const first = "faults-op-first-value-a4e8c2";
  const emu: RunningOnePasswordConnect = await startOnePasswordConnectEmulator({
    vaults: [
      {
        name: "Faults",
        items: [
          { title: "First", fields: [{ label: "value", value: first, type: "CONCEALED" }] },
          {
            title: "Second",
            fields: [{ label: "value", value: "faults-op-second-value-70bd", type: "CONCEALED" }],
          },
        ],
      },
    ],
  });
  return {
    emu,
    connectArgs: ["--method", "connect", "--host", emu.serverURL],
    secretInput: { token: emu.token },
    first: ["first", "op://Faults/First/value"],
    second: ["second", "op://Faults/Second/value"],
    knownValue: first,
    credentials: [emu.token],
    target: { pathPrefix: "/v1/vaults" },
    errorBody: (status, message) => ({ status, body: { status, message } }),
  };
});
