import { mkdtemp, readFile, rm } from "node:fs/promises";
import https from "node:https";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import {
  browserFinished,
  browserStandInEnv,
  DEFAULT_USER,
  type RunningAzureEmulator,
  writeAzureCliStandIn,
  writeBrowserStandIn,
} from "@vaultlink/emulators";
import { vaultlinkRejection } from "@vaultlink/testkit";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { CLIENT_ID, CLIENT_SECRET, instanceFor, request, startVault } from "./support/azure.js";

/**
 * The sign-ins a person takes part in (device code, browser) and the Azure CLI, end to end:
 * the provider's authenticate drives the real @azure/identity credential against the emulated
 * authority, then a fetch reads a secret with what it stored. The test plays the person.
 */

let emu: RunningAzureEmulator;
let dir: string;
let ref: string;

beforeAll(async () => {
  emu = await startVault({
    secrets: [{ name: "db-password", value: "signed-in-value" }],
    // What the device-code client is told to wait between polls (Entra ID says 5 seconds).
    deviceCodeIntervalSeconds: 0.2,
  });
  ref = `${emu.vaultUrl}/secrets/db-password`;
  dir = await mkdtemp(join(tmpdir(), "vaultlink-azure-users-"));
});
afterAll(async () => {
  await emu?.stop();
  await rm(dir, { recursive: true, force: true });
});
afterEach(() => {
  emu.reset();
});

/** POST to the emulator's control API over HTTPS, as another process playing the user would. */
function control(action: string, body: object): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      `${emu.url}/__emulator/${action}`,
      { method: "POST", headers: { "content-type": "application/json" }, ca: emu.caPem },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          if (res.statusCode === 200) resolve(JSON.parse(text));
          else reject(new Error(`control ${action}: ${res.statusCode} ${text}`));
        });
      },
    );
    req.on("error", reject);
    req.end(JSON.stringify(body));
  });
}

/** Set (or, for undefined, remove) environment variables for one test; returns the undo. */
function setEnv(values: Record<string, string | undefined>): () => void {
  const saved = Object.fromEntries(Object.keys(values).map((k) => [k, process.env[k]]));
  const apply = (vs: Record<string, string | undefined>) => {
    for (const [k, v] of Object.entries(vs)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
  apply(values);
  return () => apply(saved);
}

describe("device code sign-in", () => {
  it("shows the code through notify, waits while it is pending, and stores the token once approved", async () => {
    const settings = { tenantId: emu.tenantId };
    const { instance, context } = await instanceFor(emu, { method: "device-code", settings });
    const messages: string[] = [];
    let approval: Promise<unknown> | undefined;
    const session = await instance.authenticate({
      method: "device-code",
      settings,
      secrets: {},
      notify: (message) => {
        messages.push(message);
        const userCode = /enter the code (\S+)/.exec(message)?.[1];
        if (!userCode) return;
        // The person reads the code, and enters it while the client is already polling.
        approval = (async () => {
          for (;;) {
            const status = await control("device-code-status", { userCode });
            if (Number(status.polls) >= 1) break;
            await new Promise((r) => setTimeout(r, 50));
          }
          await control("approve-device-code", { userCode });
        })();
      },
    });
    await approval;

    expect(messages).toHaveLength(1);
    expect(messages[0]).toContain(`${emu.url}/devicelogin`);
    expect(session.identity).toBe(DEFAULT_USER.username);
    expect(session.expiresAt?.getTime()).toBeGreaterThan(Date.now());
    expect(Object.keys(session.credentials).sort()).toEqual(["accessToken", "expiresOnTimestamp"]);

    await context.saveSession(session);
    const [result] = await instance.fetch([request("a", ref)]);
    expect(result).toMatchObject({ ok: true, value: "signed-in-value" });
    expect(emu.requests.count("token.devicecode")).toBe(1);
    const logged = JSON.stringify(context.logger.lines);
    expect(logged).not.toContain(String(session.credentials.accessToken));
  });

  it("fails with AUTH_FAILED when the person declines the code", async () => {
    const settings = { tenantId: emu.tenantId };
    const { instance } = await instanceFor(emu, { method: "device-code", settings });
    const error = await vaultlinkRejection(
      instance.authenticate({
        method: "device-code",
        settings,
        secrets: {},
        notify: (message) => {
          const userCode = /enter the code (\S+)/.exec(message)?.[1];
          if (userCode) void control("decline-device-code", { userCode });
        },
      }),
    );
    expect(error.code).toBe("AUTH_FAILED");
  });
});

/**
 * The browser sign-in's code redemption waits until the browser stand-in has finished (see
 * browserFinished): MSAL closes its loopback server right after redeeming the code, which cut
 * off or raced the stand-in's last hop now and then (ECONNRESET).
 */
function holdRedemptionUntilBrowserFinished(logFile: string): void {
  emu.inject({ operation: "token.aad", times: 1, until: browserFinished(logFile) });
}

describe("browser sign-in", () => {
  it("opens the browser on the authorize URL, takes the code at the loopback redirect and stores the token", async () => {
    // The `open` package that @azure/identity uses hands the URL to $BROWSER through its bundled
    // xdg-open; the stand-in GETs it and follows the redirects, as a signed-in browser would.
    const logFile = join(dir, "browser.log");
    const browser = await writeBrowserStandIn(dir, { caFile: emu.caFile, logFile });
    const restore = setEnv(browserStandInEnv(browser));
    holdRedemptionUntilBrowserFinished(logFile);
    try {
      const settings = { tenantId: emu.tenantId };
      const { instance, context } = await instanceFor(emu, {
        method: "interactive-browser",
        settings,
      });
      const messages: string[] = [];
      const session = await instance.authenticate({
        method: "interactive-browser",
        settings,
        secrets: {},
        notify: (message) => messages.push(message),
      });
      expect(messages).toEqual(["Opening your browser to sign in to Azure…"]);
      expect(session.identity).toBe(DEFAULT_USER.username);
      expect(Object.keys(session.credentials).sort()).toEqual([
        "accessToken",
        "expiresOnTimestamp",
      ]);
      const hops = (await readFile(logFile, "utf8")).trim().split("\n");
      expect(hops[0]).toBe(`200 ${emu.url}/${emu.tenantId}/oauth2/v2.0/authorize`);
      expect(hops.at(-1)).toMatch(/^200 http:\/\/localhost:\d+\/$/);

      await context.saveSession(session);
      const [result] = await instance.fetch([request("a", ref)]);
      expect(result).toMatchObject({ ok: true, value: "signed-in-value" });
    } finally {
      restore();
    }
  });

  it("signs in as the account named by loginHint, and fails for an account the directory lacks", async () => {
    emu.identity.users.addUser({ username: "grace@contoso.test" });
    const logFile = join(dir, "browser-hint.log");
    const browser = await writeBrowserStandIn(dir, { caFile: emu.caFile, logFile });
    const restore = setEnv(browserStandInEnv(browser));
    holdRedemptionUntilBrowserFinished(logFile);
    try {
      const run = async (loginHint: string) => {
        const settings = { tenantId: emu.tenantId, loginHint };
        const { instance } = await instanceFor(emu, { method: "interactive-browser", settings });
        return instance.authenticate({
          method: "interactive-browser",
          settings,
          secrets: {},
          notify: () => {},
        });
      };
      expect((await run("grace@contoso.test")).identity).toBe("grace@contoso.test");
      emu.clearFaults();
      const error = await vaultlinkRejection(run("nobody@contoso.test"));
      expect(error.code).toBe("AUTH_FAILED");
      expect(error.message).toContain("AADSTS50034");
    } finally {
      restore();
    }
  });
});

describe("the default tenant (organizations) for user sign-ins", () => {
  // No tenantId given: the provider signs users in at `organizations`, as for Entra ID, and the
  // emulator answers there with tokens from the account's home tenant (its own).
  it("signs in through device code with no tenantId and reads a secret with the token", async () => {
    const { instance, context } = await instanceFor(emu, { method: "device-code" });
    let userCode: string | undefined;
    let approval: Promise<unknown> | undefined;
    const session = await instance.authenticate({
      method: "device-code",
      settings: {},
      secrets: {},
      notify: (message) => {
        userCode = /enter the code (\S+)/.exec(message)?.[1];
        if (!userCode) return;
        const code = userCode;
        approval = (async () => {
          for (;;) {
            const status = await control("device-code-status", { userCode: code });
            if (Number(status.polls) >= 1) break;
            await new Promise((r) => setTimeout(r, 50));
          }
          await control("approve-device-code", { userCode: code });
        })();
      },
    });
    await approval;

    expect(await control("device-code-status", { userCode })).toMatchObject({
      authority: "organizations",
      status: "redeemed",
    });
    expect(session.identity).toBe(DEFAULT_USER.username);
    expect(session.settings).toEqual({});
    await context.saveSession(session);
    const [result] = await instance.fetch([request("a", ref)]);
    expect(result).toMatchObject({ ok: true, value: "signed-in-value" });
    expect(JSON.stringify(context.logger.lines)).not.toContain(
      String(session.credentials.accessToken),
    );
  });

  it("signs in through the browser with no tenantId, at the organizations authorize endpoint", async () => {
    const logFile = join(dir, "browser-default.log");
    const browser = await writeBrowserStandIn(dir, { caFile: emu.caFile, logFile });
    const restore = setEnv(browserStandInEnv(browser));
    holdRedemptionUntilBrowserFinished(logFile);
    try {
      const { instance, context } = await instanceFor(emu, { method: "interactive-browser" });
      const session = await instance.authenticate({
        method: "interactive-browser",
        settings: {},
        secrets: {},
        notify: () => {},
      });
      expect(session.identity).toBe(DEFAULT_USER.username);
      const hops = (await readFile(logFile, "utf8")).trim().split("\n");
      expect(hops[0]).toBe(`200 ${emu.url}/organizations/oauth2/v2.0/authorize`);
      expect(hops.at(-1)).toMatch(/^200 http:\/\/localhost:\d+\/$/);

      await context.saveSession(session);
      const [result] = await instance.fetch([request("a", ref)]);
      expect(result).toMatchObject({ ok: true, value: "signed-in-value" });
    } finally {
      restore();
    }
  });
});

describe("an app sign-in at a multi-tenant authority", () => {
  it("fails AUTH_FAILED for a client secret with tenant organizations, without the secret", async () => {
    const settings = { tenantId: "organizations", clientId: CLIENT_ID };
    const { instance, context } = await instanceFor(emu, { method: "client-secret", settings });
    const error = await vaultlinkRejection(
      instance.authenticate({
        method: "client-secret",
        settings,
        secrets: { clientSecret: CLIENT_SECRET },
      }),
    );
    expect(error.code).toBe("AUTH_FAILED");
    // Entra ID (and the emulator, over raw HTTP) answer AADSTS50059 here, and msal-node refuses
    // it before sending anything, without saying why; the provider refuses it first and says.
    expect(error.message).toBe(
      'The client-secret sign-in needs the directory (tenant) ID of the app registration, not "organizations".',
    );
    expect(error.hint).toMatch(/--tenantId/);
    expect(emu.requests.count("token.aad")).toBe(0);
    const shown = JSON.stringify({ error, lines: context.logger.lines });
    expect(shown).not.toContain(CLIENT_SECRET);
  });
});

describe("Azure CLI sign-in", () => {
  // No Azure CLI is installed where these tests run. The stand-in put first on PATH is what
  // AzureCliCredential runs as `az account get-access-token --output json --resource ...`: it
  // gets a token from the emulator's token endpoint (as the service principal `az login` would
  // hold) and prints it in az's JSON shape.
  async function withAz(loggedIn: boolean): Promise<() => void> {
    const bin = await mkdtemp(join(dir, "bin-"));
    await writeAzureCliStandIn(bin, {
      authorityHost: emu.authorityHost,
      tenantId: emu.tenantId,
      caFile: emu.caFile,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      loggedIn,
    });
    return setEnv({ PATH: `${bin}${delimiter}${process.env.PATH ?? ""}` });
  }

  it("signs in with the CLI's account, stores nothing secret, and gets new tokens from az when fetching later", async () => {
    const restore = await withAz(true);
    try {
      const settings = { tenantId: emu.tenantId };
      const { instance } = await instanceFor(emu, { method: "azure-cli", settings });
      const session = await instance.authenticate({ method: "azure-cli", settings, secrets: {} });
      expect(session.credentials).toEqual({});
      expect(session.expiresAt).toBeUndefined();
      expect(session.identity).toBe(`Azure CLI account in tenant ${emu.tenantId}`);
      expect(emu.requests.count("token.aad")).toBe(1);

      // A later run: a new instance with only the stored session asks az again.
      const later = await instanceFor(emu, { method: "azure-cli", settings, session });
      const [result] = await later.instance.fetch([request("a", ref)]);
      expect(result).toMatchObject({ ok: true, value: "signed-in-value" });
      expect(emu.requests.count("token.aad")).toBe(2);
    } finally {
      restore();
    }
  });

  it("fails with AUTH_FAILED naming az login when nobody is logged in to the CLI", async () => {
    const restore = await withAz(false);
    try {
      const { instance } = await instanceFor(emu, { method: "azure-cli" });
      const error = await vaultlinkRejection(
        instance.authenticate({ method: "azure-cli", settings: {}, secrets: {} }),
      );
      expect(error.code).toBe("AUTH_FAILED");
      expect(error.message).toContain("az login");
      expect(error.hint).toBe(
        "Sign in to the Azure CLI first (az login, with --tenant if needed), then try again.",
      );
    } finally {
      restore();
    }
  });
});
