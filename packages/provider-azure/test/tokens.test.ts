import type { FetchResult, ProviderSession } from "@vaultlink/core/plugin";
import type { RunningAzureEmulator } from "@vaultlink/emulators";
import { FakeClock } from "@vaultlink/testkit";
import { beforeAll, describe, expect, it } from "vitest";
import { instanceFor, request, servicePrincipal, signedIn, useVault } from "./support/azure.js";

let emu: RunningAzureEmulator;
let ref: string;

const vault = useVault("tokens-db-password");
beforeAll(() => {
  emu = vault.emu();
  ref = vault.ref();
});

function value(result: FetchResult | undefined): string {
  if (!result?.ok) throw new Error(`expected a value, got ${result ? result.code : "nothing"}`);
  return String(result.value);
}

/** What an interactive sign-in stores, with a token the emulated Entra ID really issued. */
function interactiveSession(expiresOnTimestamp?: number): ProviderSession {
  const issued = emu.identity.issue("interactive-user");
  const expires = expiresOnTimestamp ?? issued.expiresOn * 1000;
  return {
    credentials: { accessToken: issued.token, expiresOnTimestamp: expires },
    expiresAt: new Date(expires),
    settings: {},
    identity: "user@contoso.test",
  };
}

describe("service principal sessions renew their tokens", () => {
  it("stores the client secret, not a token, and no expiry", async () => {
    const { session } = await signedIn(emu);
    expect(Object.keys(session.credentials)).toEqual(["clientSecret"]);
    expect(session.expiresAt).toBeUndefined();
    expect(session.settings).toMatchObject({ tenantId: emu.tenantId });
    expect(session.identity).toContain("application");
  });

  it("gets a new token when the vault revokes the old one mid-session", async () => {
    const { instance } = await signedIn(emu);
    expect(value((await instance.fetch([request("a", ref)]))[0])).toBe("tokens-db-password");
    const before = emu.requests.count("token.aad");
    emu.expireCredentials();
    expect(value((await instance.fetch([request("b", ref)]))[0])).toBe("tokens-db-password");
    expect(emu.requests.count("token.aad")).toBe(before + 1);
  });

  it("gets a new token when the old one runs out", async () => {
    emu.setTokenTtl(2);
    const { instance } = await signedIn(emu);
    await instance.fetch([request("a", ref)]);
    const before = emu.requests.count("token.aad");
    await new Promise((r) => setTimeout(r, 2_200));
    expect(value((await instance.fetch([request("b", ref)]))[0])).toBe("tokens-db-password");
    expect(emu.requests.count("token.aad")).toBeGreaterThan(before);
  });

  it("reports AUTH_EXPIRED once the stored secret no longer gets tokens", async () => {
    const { instance } = await signedIn(emu);
    await instance.fetch([request("a", ref)]);
    emu.addServicePrincipal({
      clientId: servicePrincipal(emu).settings.clientId,
      clientSecret: "rotated",
    });
    emu.expireCredentials();
    const [result] = await instance.fetch([request("b", ref)]);
    if (!result || result.ok) throw new Error("expected AUTH_EXPIRED");
    expect(result.code).toBe("AUTH_EXPIRED");
    expect(result.message).toContain("AADSTS7000215");
    expect(result.hint).toContain("vaultlink integration reauth azure-test");
  });
});

describe("interactive sessions hold the access token until it expires", () => {
  it("fetches with the stored token, without signing in", async () => {
    const { instance } = await instanceFor(emu, {
      method: "device-code",
      session: interactiveSession(),
    });
    expect(value((await instance.fetch([request("a", ref)]))[0])).toBe("tokens-db-password");
    expect(emu.requests.count("token.aad")).toBe(0);
  });

  it("fails AUTH_EXPIRED without a request once the token's expiry passes", async () => {
    const clock = new FakeClock();
    const session = interactiveSession(clock.now() + 60_000);
    const { instance } = await instanceFor(emu, { method: "interactive-browser", session, clock });
    expect(value((await instance.fetch([request("a", ref)]))[0])).toBe("tokens-db-password");
    emu.requests.reset();
    clock.advance(60_000);
    const [result] = await instance.fetch([request("b", ref)]);
    if (!result || result.ok) throw new Error("expected AUTH_EXPIRED");
    expect(result.code).toBe("AUTH_EXPIRED");
    expect(result.hint).toContain("reauth");
    expect(emu.requests.count()).toBe(0);
  });

  it("fails AUTH_EXPIRED when the vault revokes the stored token", async () => {
    const { instance } = await instanceFor(emu, {
      method: "device-code",
      session: interactiveSession(),
    });
    await instance.fetch([request("a", ref)]);
    emu.expireCredentials();
    const [result] = await instance.fetch([request("b", ref)]);
    if (!result || result.ok) throw new Error("expected AUTH_EXPIRED");
    expect(result.code).toBe("AUTH_EXPIRED");
  });

  it("fails AUTH_EXPIRED when no token was ever stored", async () => {
    const { instance } = await instanceFor(emu, { method: "device-code" });
    const [result] = await instance.fetch([request("a", ref)]);
    expect(result).toMatchObject({ ok: false, code: "AUTH_EXPIRED" });
  });
});
