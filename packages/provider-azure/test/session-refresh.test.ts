/**
 * Background token renewal (the agent's `refreshSession` timer) against the emulated Entra ID
 * and Key Vault: a service principal's token is asked for again in its last minutes (token
 * requests counted) so the next read needs no token request, a token far from expiry costs
 * nothing, an interactive sign-in has nothing to renew, and a renewal Azure refuses becomes
 * AUTH_EXPIRED only once the current token has expired (on the context's fake clock).
 */
import type { FetchResult } from "@vaultlink/core/plugin";
import type { RunningAzureEmulator } from "@vaultlink/emulators";
import { FakeClock } from "@vaultlink/testkit";
import { beforeAll, describe, expect, it } from "vitest";
import { TOKEN_REFRESH_MARGIN_MS } from "../src/instance.js";
import { instanceFor, request, servicePrincipal, signedIn, useVault } from "./support/azure.js";

const VALUE = "session-refresh-db-password";
let emu: RunningAzureEmulator;
let ref: string;
const vault = useVault(VALUE);
beforeAll(() => {
  emu = vault.emu();
  ref = vault.ref();
});

const signal = () => new AbortController().signal;
function value(result: FetchResult | undefined): string {
  if (!result?.ok) throw new Error(`expected a value, got ${result ? result.code : "nothing"}`);
  return String(result.value);
}

describe("refreshSession: Azure tokens renewed ahead of expiry", () => {
  it("a token far from its expiry is left alone; the next look is four minutes before it", async () => {
    const { instance } = await signedIn(emu);
    expect(value((await instance.fetch([request("a", ref)]))[0])).toBe(VALUE);
    const tokens = emu.requests.count("token.aad");
    const r = await instance.refreshSession?.(signal());
    expect(typeof r?.nextAt).toBe("number");
    expect(emu.requests.count("token.aad")).toBe(tokens);
    await instance.dispose();
  });

  it("a token in its last minutes is renewed in the background; the next read asks for none", async () => {
    emu.setTokenTtl(Math.floor(TOKEN_REFRESH_MARGIN_MS / 1000) - 40);
    const { instance } = await signedIn(emu);
    expect(value((await instance.fetch([request("a", ref)]))[0])).toBe(VALUE);
    const tokens = emu.requests.count("token.aad");
    await instance.refreshSession?.(signal());
    expect(emu.requests.count("token.aad")).toBe(tokens + 1);
    expect(value((await instance.fetch([request("b", ref)]))[0])).toBe(VALUE);
    expect(emu.requests.count("token.aad")).toBe(tokens + 1);
    await instance.dispose();
  });

  it("before the first read there is no token to renew", async () => {
    const { instance } = await signedIn(emu);
    const before = emu.requests.count();
    expect(await instance.refreshSession?.(signal())).toEqual({});
    expect(emu.requests.count()).toBe(before);
    await instance.dispose();
  });

  it("an interactive sign-in (a stored access token, no refresh token) has nothing to renew", async () => {
    const issued = emu.identity.issue("interactive-user");
    const { instance } = await instanceFor(emu, {
      method: "device-code",
      session: {
        credentials: { accessToken: issued.token, expiresOnTimestamp: issued.expiresOn * 1000 },
        expiresAt: new Date(issued.expiresOn * 1000),
        settings: {},
      },
    });
    await instance.fetch([request("a", ref)]);
    const before = emu.requests.count();
    expect(await instance.refreshSession?.(signal())).toEqual({});
    expect(emu.requests.count()).toBe(before);
    await instance.dispose();
  });

  it("a refused renewal keeps the session while its token works, then is AUTH_EXPIRED", async () => {
    emu.setTokenTtl(Math.floor(TOKEN_REFRESH_MARGIN_MS / 1000) - 40);
    const clock = new FakeClock(Date.now());
    const { instance, context } = await instanceFor(emu, { clock });
    await context.saveSession(await instance.authenticate(servicePrincipal(emu)));
    expect(value((await instance.fetch([request("a", ref)]))[0])).toBe(VALUE);
    // The app's secret is rotated in Entra ID: the stored one no longer gets tokens.
    emu.addServicePrincipal({
      clientId: servicePrincipal(emu).settings.clientId,
      clientSecret: "rotated-elsewhere",
    });
    const kept = await instance.refreshSession?.(signal());
    expect(kept?.nextAt).toBeGreaterThan(clock.now());
    clock.set((kept?.nextAt ?? 0) + 1);
    await expect(instance.refreshSession?.(signal())).rejects.toMatchObject({
      code: "AUTH_EXPIRED",
      hint: expect.stringContaining("vaultlink integration reauth azure-test"),
    });
    await instance.dispose();
  });
});
