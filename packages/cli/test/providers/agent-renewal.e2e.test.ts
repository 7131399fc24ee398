/**
 * Background renewal in the agent: a HashiCorp token with a short TTL, connected through the
 * built CLI against the Vault emulator, is renewed by the agent while nobody reads (the
 * emulator counts the renew-self calls), and a read long after the token's first TTL works.
 */
import { type HashicorpEmulator, startHashicorpEmulator } from "@vaultlink/emulators";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keylessRunner, stopAgentAndCleanup } from "./agent-helpers.js";
import { createVault, describeRun, type E2eVault, EXIT, type RunResult } from "./helpers.js";

const VALUE = "renewal-e2e-api-key-4f02be";
const TTL_SECONDS = 12;

describe("the agent renews a short-lived HashiCorp token in the background", () => {
  let emu: HashicorpEmulator;
  let v: E2eVault;
  let token = "";
  const d = (r: RunResult) => describeRun(r, [VALUE, token, v.key]);

  beforeAll(async () => {
    emu = await startHashicorpEmulator();
    emu.writeKv("secret", "renew/app", { api_key: VALUE });
    emu.createPolicy("renew-read", {
      paths: { "secret/data/renew/*": ["read"], "sys/mounts": ["read"] },
    });
    emu.createPolicy("renew-admin", {
      paths: { "secret/data/vaultlink/team": ["create", "read", "update", "delete"] },
    });
    token = emu.createToken({ policies: ["renew-read", "renew-admin"], ttlSeconds: TTL_SECONDS });
    v = await createVault();
  }, 120_000);

  afterAll(async () => {
    await stopAgentAndCleanup(v);
    await emu?.stop();
  }, 60_000);

  it("renews while idle; a read after the first TTL has long passed succeeds", async () => {
    const c = await v.run(
      [
        "integration",
        "connect",
        "hashicorp",
        "--method",
        "token",
        "--address",
        emu.url,
        "--secrets-stdin",
      ],
      { input: JSON.stringify({ token }) },
    );
    expect(c.code, d(c)).toBe(EXIT.ok);
    const l = await v.run(["secret", "link", "api", "hashicorp", "secret/renew/app#api_key"]);
    expect(l.code, d(l)).toBe(EXIT.ok);
    const renewedBefore = emu.requests.count("token.renew-self");
    const started = await v.run(["agent", "start"]);
    expect(started.code, d(started)).toBe(EXIT.ok);
    const since = Date.now();
    // Nobody reads now. Wait (polling, no fixed sleep) until the agent renewed twice and the
    // token's first TTL is well over: without renewal it would have expired by then.
    const deadline = Date.now() + 150_000;
    while (
      emu.requests.count("token.renew-self") - renewedBefore < 2 ||
      Date.now() - since < (TTL_SECONDS + 2) * 1000
    ) {
      if (Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(emu.requests.count("token.renew-self") - renewedBefore).toBeGreaterThanOrEqual(2);
    const r = await keylessRunner(() => v)(["read", "api"]);
    expect(r.code, d(r)).toBe(EXIT.ok);
    expect(r.stdout === `${VALUE}\n`, "read printed the value").toBe(true);
    const status = await v.run(["integration", "status", "hashicorp", "--json"]);
    expect(JSON.parse(status.stdout)).toMatchObject({ status: "connected" });
  }, 200_000);
});
