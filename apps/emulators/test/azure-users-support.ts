import { rmSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import https from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TokenCredential } from "@azure/identity";
import { SecretClient } from "@azure/keyvault-secrets";
import { afterAll, afterEach, beforeAll } from "vitest";
import {
  browserFinished,
  browserStandInEnv,
  type RunningAzureEmulator,
  s256,
  startAzureEmulator,
  writeBrowserStandIn,
} from "../src/index.js";

/**
 * What the Azure user sign-in tests share: one emulator per test file with a service principal
 * and a `db-password` secret, plain HTTPS to it, and the SDK clients pointed at it.
 */

export const CLIENT_ID = "11111111-2222-3333-4444-555555555555";
export const CLIENT_SECRET = "app-secret-value";
export const SCOPE = "https://vault.azure.net/.default";
/** The public client (Azure CLI's app id) users sign in with. */
export const DEV_CLIENT = "04b07795-8ddb-461a-bbee-02f9e1bf7b46";

/** This test file's emulator, once `useUserSignInEmulator`'s beforeAll has run. */
export let emu: RunningAzureEmulator;
/** A scratch directory for this test file, removed after all its tests. */
export let dir: string;

/**
 * Start the file's emulator before all tests (its vault holding `db-password` = `secretValue`)
 * with a scratch directory; reset it after each test; stop it and remove the directory after all.
 */
export function useUserSignInEmulator(options: {
  vaultName: string;
  secretValue: string;
  dirPrefix: string;
}): void {
  beforeAll(async () => {
    emu = await startAzureEmulator({
      vaultName: options.vaultName,
      servicePrincipals: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }],
      secrets: [{ name: "db-password", value: options.secretValue }],
      // Device-code clients sleep this long between polls; Entra ID says 5 seconds.
      deviceCodeIntervalSeconds: 0.2,
    });
    dir = await mkdtemp(join(tmpdir(), options.dirPrefix));
  });
  afterAll(async () => {
    await emu?.stop();
    await rm(dir, { recursive: true, force: true });
  });
  afterEach(() => {
    emu.reset();
  });
}

/** What an @azure/identity credential needs to reach the emulated authority; no tenant named. */
export const authorityOptions = () => ({
  authorityHost: emu.authorityHost,
  disableInstanceDiscovery: true,
  tlsOptions: { ca: emu.caPem },
});

export function secretClient(credential: TokenCredential): SecretClient {
  return new SecretClient(emu.vaultUrl, credential, {
    disableChallengeResourceVerification: true,
    tlsOptions: { ca: emu.caPem },
    retryOptions: { maxRetries: 0 },
  });
}

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** One HTTPS request to the emulator, trusting its CA; no redirects followed. */
export function call(path: string, init: { method?: string; form?: object; json?: object } = {}) {
  return new Promise<Reply>((resolve, reject) => {
    const body = init.form
      ? new URLSearchParams(init.form as Record<string, string>).toString()
      : init.json
        ? JSON.stringify(init.json)
        : undefined;
    const headers: Record<string, string> = init.form
      ? { "content-type": "application/x-www-form-urlencoded" }
      : init.json
        ? { "content-type": "application/json" }
        : {};
    const req = https.request(
      new URL(path, emu.url),
      { method: init.method ?? (body ? "POST" : "GET"), headers, ca: emu.caPem },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString("utf8"),
          }),
        );
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/** The authorize request's parameters for DEV_CLIENT's sign-in with an S256 PKCE challenge. */
export function pkceAuthorizeParams(verifier: string, redirectUri: string): Record<string, string> {
  return {
    client_id: DEV_CLIENT,
    response_type: "code",
    redirect_uri: redirectUri,
    scope: `${SCOPE} openid profile offline_access`,
    code_challenge: s256(verifier),
    code_challenge_method: "S256",
  };
}

/** The error a call rejects with; fails the test when the call succeeds. */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected the call to fail");
}

/** A JWT's claims, unchecked. */
export const claimsOf = (jwt: string) =>
  JSON.parse(Buffer.from(jwt.split(".")[1] as string, "base64url").toString("utf8"));

/** Set (or, for undefined, remove) these environment variables. */
function applyEnv(values: Record<string, string | undefined>): void {
  for (const [k, v] of Object.entries(values)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
}

/**
 * Run `body` with the system browser replaced by the stand-in, which follows the emulator's
 * redirects and logs each hop to `logFile`; the environment is put back afterwards. The code
 * redemption waits until the stand-in has finished browsing, as it would behind a real network:
 * MSAL closes its loopback server right after redeeming the code, which would otherwise cut
 * off (or race the logging of) the stand-in's last hop whenever the emulator answers first.
 */
export async function withBrowserStandIn(body: (logFile: string) => Promise<void>): Promise<void> {
  const logFile = join(dir, "browser.log");
  rmSync(logFile, { force: true });
  const browser = await writeBrowserStandIn(dir, { caFile: emu.caFile, logFile });
  const env = browserStandInEnv(browser);
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  applyEnv(env);
  emu.inject({ operation: "token.aad", times: 1, until: browserFinished(logFile) });
  try {
    await body(logFile);
  } finally {
    emu.clearFaults();
    applyEnv(saved);
  }
}
