import { describe, expect, it } from "vitest";
import { EmulatorControlClient, VAULT_OIDC_STATE_TTL_MS } from "../src/index.js";
import { apiError, emulator, useFrozenEmulator, vaultClient } from "./hashicorp-support.js";

/** Where `vault login -method=oidc` listens; the test never listens there, it reads the redirect. */
const LOOPBACK = "http://127.0.0.1:8250/oidc/callback";

useFrozenEmulator(() => {
  emulator.createPolicy("app-read", { paths: { "secret/data/app/*": ["read"] } });
  emulator.writeKv("secret", "app/db", { pass: "pw" });
  emulator.addOidcRole({
    role: "members",
    allowedRedirectUris: [LOOPBACK, "https://vault.example/ui/vault/auth/oidc/oidc/callback"],
    policies: ["app-read"],
    ttlSeconds: 600,
    users: [
      { sub: "u-alice", claims: { email: "alice@example.com" } },
      { sub: "u-bob", claims: { email: "bob@example.com" } },
    ],
  });
});

async function authUrl(body: Record<string, unknown>, mount = "oidc"): Promise<string> {
  const response = await vaultClient(emulator).write(`auth/${mount}/oidc/auth_url`, body);
  expect(response.data).toEqual({ auth_url: expect.any(String) });
  return response.data.auth_url as string;
}

/** Play the browser: open the auth URL and return where the identity provider redirects. */
async function visit(url: string): Promise<{ status: number; location: URL | undefined }> {
  const response = await fetch(url, { redirect: "manual" });
  await response.arrayBuffer();
  const location = response.headers.get("location");
  return { status: response.status, location: location ? new URL(location) : undefined };
}

function callback(params: Record<string, string>, mount = "oidc") {
  return vaultClient(emulator).read(
    `auth/${mount}/oidc/callback?${new URLSearchParams(params).toString()}`,
  );
}

describe("Vault emulator: OIDC auth method", () => {
  it("auth_url, the identity provider's redirect and the callback sign a user in", async () => {
    const url = new URL(
      await authUrl({ role: "members", redirect_uri: LOOPBACK, client_nonce: "cn-1" }),
    );
    expect(url.origin).toBe(emulator.url);
    expect(url.searchParams.get("redirect_uri")).toBe(LOOPBACK);
    expect(url.searchParams.get("response_type")).toBe("code");
    expect(url.searchParams.get("scope")).toBe("openid");
    const state = url.searchParams.get("state") ?? "";
    expect(state).toMatch(/^[0-9a-f]{40}$/);

    const { status, location } = await visit(url.toString());
    expect(status).toBe(302);
    expect(`${location?.origin}${location?.pathname}`).toBe(LOOPBACK);
    expect(location?.searchParams.get("state")).toBe(state);
    const code = location?.searchParams.get("code") ?? "";
    expect(code).not.toBe("");

    const login = await callback({ state, code, client_nonce: "cn-1" });
    expect(login.auth).toMatchObject({
      lease_duration: 600,
      renewable: true,
      metadata: { role: "members" },
    });
    expect(login.auth.policies).toEqual(["app-read", "default"]);
    const vault = vaultClient(emulator, { token: login.auth.client_token });
    const self = await vault.tokenLookupSelf();
    expect(self.data.display_name).toBe("oidc-u-alice");
    expect(self.data.path).toBe("auth/oidc/oidc/callback");
    expect((await vault.read("secret/data/app/db")).data.data).toEqual({ pass: "pw" });
    for (const operation of ["oidc.auth_url", "oidc.authorize", "oidc.callback"]) {
      expect(emulator.requests.count(operation)).toBe(1);
    }
  });

  it("a loopback redirect URI matches whatever its port; any other must be allowed exactly", async () => {
    const anyPort = new URL(
      await authUrl({ role: "members", redirect_uri: "http://127.0.0.1:49152/oidc/callback" }),
    );
    expect(anyPort.searchParams.get("redirect_uri")).toBe("http://127.0.0.1:49152/oidc/callback");
    // Vault answers a redirect URI the role does not allow with an empty auth_url, not an error.
    for (const redirect of [
      "http://127.0.0.1:8250/other/callback",
      "https://evil.example/oidc/callback",
      "https://vault.example:8443/ui/vault/auth/oidc/oidc/callback",
    ]) {
      expect(await authUrl({ role: "members", redirect_uri: redirect })).toBe("");
    }
  });

  it("auth_url errors: unknown role, missing role or redirect_uri, a mount without OIDC", async () => {
    const vault = vaultClient(emulator);
    const cases: [string, Record<string, unknown>, string][] = [
      ["oidc", { role: "nope", redirect_uri: LOOPBACK }, 'role "nope" could not be found'],
      ["oidc", { redirect_uri: LOOPBACK }, "missing role"],
      ["oidc", { role: "members" }, "missing redirect_uri"],
      [
        "jwt",
        { role: "members", redirect_uri: LOOPBACK },
        "OIDC login is not configured for this mount",
      ],
    ];
    for (const [mount, body, message] of cases) {
      const err = await apiError(vault.write(`auth/${mount}/oidc/auth_url`, body), 400);
      expect(err.response?.body).toEqual({ errors: [message] });
    }
    const notMounted = await apiError(
      vault.write("auth/nowhere/oidc/auth_url", { role: "members", redirect_uri: LOOPBACK }),
      403,
    );
    expect(notMounted.message).toBe("permission denied");
  });

  it("a state works once; an unknown, used or expired state is Vault's 400", async () => {
    const message = "Vault login failed. Expired or missing OAuth state.";
    const forged = await apiError(callback({ state: "forged", code: "x" }), 400);
    expect(forged.response?.body).toEqual({ errors: [message] });

    const first = new URL(await authUrl({ role: "members", redirect_uri: LOOPBACK }));
    const state = first.searchParams.get("state") ?? "";
    const code = (await visit(first.toString())).location?.searchParams.get("code") ?? "";
    await callback({ state, code });
    const reused = await apiError(callback({ state, code }), 400);
    expect(reused.message).toBe(message);

    const late = new URL(await authUrl({ role: "members", redirect_uri: LOOPBACK }));
    const lateCode = (await visit(late.toString())).location?.searchParams.get("code") ?? "";
    emulator.advanceClock(VAULT_OIDC_STATE_TTL_MS);
    const expired = await apiError(
      callback({ state: late.searchParams.get("state") ?? "", code: lateCode }),
      400,
    );
    expect(expired.message).toBe(message);
  });

  it("a wrong code or client_nonce is refused, and that uses the state up", async () => {
    const start = async () => {
      const url = new URL(
        await authUrl({ role: "members", redirect_uri: LOOPBACK, client_nonce: "cn-2" }),
      );
      const code = (await visit(url.toString())).location?.searchParams.get("code") ?? "";
      return { state: url.searchParams.get("state") ?? "", code };
    };
    const a = await start();
    const badCode = await apiError(
      callback({ ...a, code: "not-the-code", client_nonce: "cn-2" }),
      400,
    );
    expect(badCode.message).toMatch(
      /^Vault login failed\. Error exchanging oidc code: .*invalid_grant/,
    );
    await apiError(callback({ ...a, client_nonce: "cn-2" }), 400);

    const b = await start();
    const badNonce = await apiError(callback({ ...b, client_nonce: "other" }), 400);
    expect(badNonce.response?.body).toEqual({ errors: ["invalid client_nonce"] });

    const c = await start();
    const noCode = await apiError(callback({ state: c.state, client_nonce: "cn-2" }), 400);
    expect(noCode.message).toBe("Vault login failed. No code or id_token received.");
  });

  it("the identity provider signs in the chosen user, by login_hint or by the control API", async () => {
    const signIn = async (hint?: string) => {
      const url = new URL(await authUrl({ role: "members", redirect_uri: LOOPBACK }));
      if (hint) url.searchParams.set("login_hint", hint);
      const code = (await visit(url.toString())).location?.searchParams.get("code") ?? "";
      const login = await callback({ state: url.searchParams.get("state") ?? "", code });
      const vault = vaultClient(emulator, { token: login.auth.client_token });
      return (await vault.tokenLookupSelf()).data.display_name as string;
    };
    expect(await signIn("u-bob")).toBe("oidc-u-bob");
    await new EmulatorControlClient(emulator.url).action("oidc-sign-in", { user: "u-bob" });
    expect(await signIn()).toBe("oidc-u-bob");
    emulator.setOidcSignIn({ user: "u-alice" });
    expect(await signIn()).toBe("oidc-u-alice");
  });

  it("a user who declines comes back with error and state; Vault refuses that callback", async () => {
    emulator.setOidcSignIn({ deny: true });
    const url = new URL(await authUrl({ role: "members", redirect_uri: LOOPBACK }));
    const { status, location } = await visit(url.toString());
    expect(status).toBe(302);
    expect(location?.searchParams.get("code")).toBeNull();
    expect(location?.searchParams.get("error")).toBe("access_denied");
    expect(location?.searchParams.get("state")).toBe(url.searchParams.get("state"));
    const description = location?.searchParams.get("error_description") ?? "";
    expect(description).toBe("The user denied the request");

    const err = await apiError(
      callback({
        state: url.searchParams.get("state") ?? "",
        error: "access_denied",
        error_description: description,
      }),
      400,
    );
    expect(err.message).toBe("Vault login failed. The user denied the request");
  });

  it("the identity provider refuses an unknown request instead of redirecting", async () => {
    const url = new URL(await authUrl({ role: "members", redirect_uri: LOOPBACK }));
    url.searchParams.set("redirect_uri", "https://evil.example/cb");
    const tampered = await visit(url.toString());
    expect(tampered.status).toBe(400);
    expect(tampered.location).toBeUndefined();
    url.searchParams.set("redirect_uri", LOOPBACK);
    url.searchParams.set("state", "0".repeat(40));
    expect((await visit(url.toString())).status).toBe(400);
  });

  it("user_claim picks the claim naming the user; a missing claim fails the callback", async () => {
    emulator.addOidcRole({
      role: "by-email",
      allowedRedirectUris: [LOOPBACK],
      userClaim: "email",
      users: ["u-no-email"],
    });
    const signIn = async (hint: string) => {
      const url = new URL(await authUrl({ role: "by-email", redirect_uri: LOOPBACK }));
      url.searchParams.set("login_hint", hint);
      const code = (await visit(url.toString())).location?.searchParams.get("code") ?? "";
      return callback({ state: url.searchParams.get("state") ?? "", code });
    };
    const login = await signIn("u-alice");
    const vault = vaultClient(emulator, { token: login.auth.client_token });
    expect((await vault.tokenLookupSelf()).data.display_name).toBe("oidc-alice@example.com");
    const err = await apiError(signIn("u-no-email"), 400);
    expect(err.message).toBe('Vault login failed. claim "email" not found in token');
  });

  it("the flow needs no token but stops while sealed", async () => {
    emulator.seal();
    const err = await apiError(
      vaultClient(emulator).write("auth/oidc/oidc/auth_url", {
        role: "members",
        redirect_uri: LOOPBACK,
      }),
      503,
    );
    expect(err.message).toBe("Vault is sealed");
  });
});
