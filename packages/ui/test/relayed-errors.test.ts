/**
 * A provider that echoes the whole request in its errors (the HashiCorp emulator's
 * `echoRequest` fault: method, path, every header with X-Vault-Token, and the body with a
 * userpass password) reached through every screen action that talks to it: the page gets the
 * reason, never a credential or a value.
 */
import { randomBytes } from "node:crypto";
import { type HashicorpEmulator, startHashicorpEmulator } from "@vaultlink/emulators";
import hashicorp from "@vaultlink/provider-hashicorp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiCall, openScreen, type RawResponse, type Screen, signIn } from "./helpers.js";

const VALUE = `relayed-value-${randomBytes(6).toString("hex")}`;
const PASSWORD = `relayed-password-${randomBytes(6).toString("hex")}`;

describe("errors a provider relays through the screen", () => {
  let emu: HashicorpEmulator;
  let screen: Screen;
  let cookie: string;
  /** A new token for Re-authenticate (the connect used the emulator's root token). */
  let token: string;
  const unexpected: unknown[] = [];
  const answers: RawResponse[] = [];
  const call = async (action: string, body: unknown) => {
    const r = await apiCall(screen, cookie, action, body);
    answers.push(r);
    return r;
  };

  beforeAll(async () => {
    emu = await startHashicorpEmulator();
    emu.createPolicy("reader", { paths: { "secret/data/*": ["read"], "sys/mounts": ["read"] } });
    emu.addUser({ username: "alice", password: PASSWORD, policies: ["reader"] });
    emu.writeKv("secret", "echo/app", { api_key: VALUE });
    token = emu.createToken({ policies: ["reader"] });
    screen = await openScreen({
      providers: [hashicorp],
      onUnexpectedError: (e) => unexpected.push(e),
    });
    cookie = await signIn(screen);
    const connected = await call("connect", {
      provider: "hashicorp",
      method: "token",
      options: { address: emu.url, token: emu.rootToken },
    });
    expect(connected.status, connected.body).toBe(200);
    const linked = await call("link", {
      name: "app-key",
      integration: "hashicorp",
      reference: "secret/echo/app#api_key",
    });
    expect(linked.status, linked.body).toBe(200);
    expect(JSON.parse((await call("view", { name: "app-key" })).body)).toEqual({
      ok: true,
      value: VALUE,
    });
    answers.length = 0;
    emu.inject({
      error: {
        status: 500,
        body: { errors: ["internal error while serving {{request}}"] },
        echoRequest: true,
      },
    });
    expect((await call("reset-cache", {})).status).toBe(200);
  }, 60_000);
  afterAll(async () => {
    await screen?.stop();
    await emu?.stop();
  });

  it("view, Problems and a checked link say the provider failed, without the token", async () => {
    const view = JSON.parse((await call("view", { name: "app-key" })).body);
    expect(view).toMatchObject({ ok: false, reason: "provider-error" });
    expect(view.message).toMatch(/HTTP 500/);
    // The echo was there: the request line made it into the message, its credentials did not.
    expect(view.message).toMatch(/GET \/v1\/secret\/data\/echo\/app/);
    const doctor = JSON.parse((await call("doctor", {})).body);
    expect(doctor.problems).toEqual([
      expect.objectContaining({ name: "app-key", reason: "provider-error" }),
    ]);
    const link = await call("link", {
      name: "other-key",
      integration: "hashicorp",
      reference: "secret/echo/app#api_key",
    });
    expect(link.status).toBe(400);
    expect(JSON.parse(link.body).error).toMatch(/other-key was not linked/);
  });

  it("a sign-in whose request carries the credential (userpass password, a new token) relays nothing of it", async () => {
    const userpass = await call("connect", {
      provider: "hashicorp",
      id: "members",
      method: "userpass",
      options: { address: emu.url, username: "alice", password: PASSWORD },
    });
    expect(userpass.status).toBe(400);
    // The echo carried the login body; the password in it is redacted.
    expect(JSON.parse(userpass.body).error).toMatch(/HTTP 500.*"password":"\[redacted\]/);
    const reauth = await call("reauth", { id: "hashicorp", options: { token } });
    expect(reauth.status).toBe(400);
    expect(JSON.parse(reauth.body).error).toMatch(/HTTP 500/);
  });

  it("no answer held the token, the password or the value; nothing was unexpected", () => {
    expect(answers.length).toBeGreaterThan(4);
    for (const a of answers) {
      for (const secret of [token, PASSWORD, VALUE, emu.rootToken])
        expect(a.body.includes(secret), `${secret.slice(0, 8)}… in ${a.body}`).toBe(false);
      expect(a.headers["cache-control"]).toBe("no-store");
    }
    expect(unexpected).toEqual([]);
  });
});
