/**
 * The vault screen in a real Chromium (Debian's `chromium`, driven by playwright-core), against
 * the 1Password Connect emulator through the real 1Password plugin: the flows of Postman's vault
 * screen, then a cross-origin page trying to drive it. With VAULTLINK_UI_SCREENSHOTS=1 the same
 * walk writes docs/ui/*.png.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type HashicorpEmulator,
  type RunningOnePasswordConnect,
  startHashicorpEmulator,
  startOnePasswordConnectEmulator,
} from "@vaultlink/emulators";
import hashicorp from "@vaultlink/provider-hashicorp";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

declare const document: { title: string; cookie: string };
declare const localStorage: Record<string, string>;
declare const sessionStorage: Record<string, string>;

import {
  launchChromium,
  openPage,
  reauthFromProblems,
  type ScreenPage,
  SHOT_DIR,
  SHOTS,
  WAIT,
} from "./browser.js";
import { type ApprovalServer, approvalProvider, startApprovalServer } from "./fixtures/approval.js";
import { openScreen, type Screen } from "./helpers.js";

const API_KEY = "ui-browser-op-api-key-2c9d51e7";
const LOCAL = "ui-browser-local-value-84af03b6";

describe("the vault screen in Chromium", { timeout: 90_000 }, () => {
  let emu: RunningOnePasswordConnect;
  let screen: Screen;
  let browser: Browser;
  let page: Page;
  let s: ScreenPage;
  const tokens: string[] = [];
  const shot = (name: string) => s.shot(name);
  const tab = (name: string) => s.tab(name);
  const row = (name: string) => s.row(name);
  const notice = (text: string | RegExp) => s.notice(text);
  const dialog = (title: string | RegExp) => s.dialog(title);

  beforeAll(async () => {
    emu = await startOnePasswordConnectEmulator({
      vaults: [
        {
          name: "E2E",
          items: [
            { title: "Service", fields: [{ label: "api key", value: API_KEY, type: "CONCEALED" }] },
          ],
        },
      ],
    });
    tokens.push(emu.token);
    screen = await openScreen();
    browser = await launchChromium();
    s = await openPage(browser, screen.server.launchUrl);
    page = s.page;
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await screen?.stop();
    await emu?.stop();
  });

  it("the launch address signs in and leaves a clean URL", () => {
    expect(page.url()).toBe(screen.server.url);
  });

  it("adds secrets with allowed domains; filter, sort, view and hide", async () => {
    for (const [name, value, domains] of [
      ["stripe-key", LOCAL, "api.stripe.com, *.example.com"],
      ["alpha-token", "alpha-value-123456", ""],
    ] as const) {
      await page.getByRole("button", { name: "Add secret" }).click();
      const d = dialog("Add secret");
      await d.getByLabel("Name").fill(name);
      await d.getByLabel("Value").fill(value);
      await d.getByLabel(/Allowed domains/).fill(domains);
      await d.getByRole("button", { name: "Add" }).click();
      await notice(`Added ${name}.`);
    }
    await row("stripe-key").waitFor(WAIT);
    expect(await row("stripe-key").locator("td.domains").textContent()).toBe(
      "api.stripe.com, *.example.com",
    );
    expect(await row("alpha-token").locator("td.domains").textContent()).toBe("any");
    const info = await screen.vault.secrets.get("stripe-key");
    expect(info.allowedDomains).toEqual(["api.stripe.com", "*.example.com"]);
    // Sorted by name; a click on the header reverses.
    const names = () =>
      page
        .locator("tr[data-secret]")
        .evaluateAll((rows) => rows.map((r) => r.getAttribute("data-secret")));
    expect(await names()).toEqual(["alpha-token", "stripe-key"]);
    await page.getByRole("button", { name: /^Name/ }).click();
    await expect.poll(names, WAIT).toEqual(["stripe-key", "alpha-token"]);
    await page.getByRole("searchbox", { name: "Filter secrets" }).fill("stripe");
    await expect.poll(names, WAIT).toEqual(["stripe-key"]);
    await page.getByRole("searchbox", { name: "Filter secrets" }).fill("");
    // Masked until asked; the value is not in the page before that.
    expect((await page.content()).includes(LOCAL)).toBe(false);
    await row("stripe-key").getByRole("button", { name: "View" }).click();
    await expect.poll(() => row("stripe-key").locator(".masked").textContent(), WAIT).toBe(LOCAL);
    await shot("secrets");
    await row("stripe-key").getByRole("button", { name: "Hide" }).click();
    await expect
      .poll(() => row("stripe-key").locator(".masked").textContent(), WAIT)
      .toBe("••••••••");
    expect((await page.content()).includes(LOCAL)).toBe(false);
  });

  it("connects 1Password from a form built from the plugin's auth method options", async () => {
    await tab("Settings");
    await page.getByRole("button", { name: "Connect an integration" }).click();
    const d = dialog("Connect an integration");
    await d.getByLabel("Provider", { exact: true }).selectOption("1password");
    await d.getByLabel("Sign-in method").selectOption("connect");
    await d.locator("#auth-host").fill(emu.serverURL);
    expect(await d.locator("#auth-token").getAttribute("type")).toBe("password");
    await d.locator("#auth-token").fill(emu.token);
    await d.getByRole("button", { name: "Connect" }).click();
    await notice("Connected 1password.");
    await page
      .locator('tr[data-integration="1password"] td.status', { hasText: "connected" })
      .waitFor(WAIT);
  });

  it("links a secret: the reference is validated as typed, then checked with the provider", async () => {
    await tab("Secrets");
    await page.getByRole("button", { name: "Link secret" }).click();
    const d = dialog("Link secret");
    await d.getByLabel("Secret name").fill("op-key");
    await d.getByLabel("Integration").selectOption("1password");
    await d.getByText("op://").first().waitFor(WAIT);
    await d.getByLabel("Reference").fill("not a reference");
    await d.locator("small.error[role=status]").waitFor(WAIT);
    await d.getByLabel("Reference").fill("op://E2E/Service/api key");
    await d.locator("small.ok-text[role=status]", { hasText: "Valid" }).waitFor(WAIT);
    await d.getByLabel(/Allowed domains/).fill("api.example.com");
    await shot("link");
    await d.getByRole("button", { name: "Link" }).click();
    await notice("Linked op-key to 1password.");
    await row("op-key")
      .locator("td.source", { hasText: "1password: op://E2E/Service/api key" })
      .waitFor(WAIT);
    await row("op-key").getByRole("button", { name: "View" }).click();
    await expect.poll(() => row("op-key").locator(".masked").textContent(), WAIT).toBe(API_KEY);
    await row("op-key").getByRole("button", { name: "Hide" }).click();
  });

  it("changes the cache time and resets the cache", async () => {
    await tab("Settings");
    await page.getByLabel(/Secret expiration duration/).fill("30");
    await page.getByRole("button", { name: "Save" }).click();
    await notice("Cache time set to 30 minutes.");
    expect((await screen.vault.settings.get()).cacheTtlMinutes).toBe(30);
    // Viewing op-key fetched it into the cache.
    expect((await screen.vault.cache.status()).entries.length).toBeGreaterThan(0);
    await shot("settings");
    await page.getByRole("button", { name: "Reset cache" }).click();
    await notice("Cache reset.");
    await expect.poll(() => page.locator(".cache-count").textContent(), WAIT).toBe("0");
    expect((await screen.vault.cache.status()).entries.length).toBe(0);
  });

  it("after the provider's credentials expire, Problems offers Re-authenticate, which fixes it", async () => {
    emu.expireCredentials();
    const token = emu.createToken();
    tokens.push(token);
    await reauthFromProblems(s, "op-key", "1password", { token });
  });

  it("renames, and deletes only after confirming", async () => {
    await tab("Secrets");
    await row("alpha-token").getByRole("button", { name: "Rename" }).click();
    await dialog("Rename alpha-token").getByLabel("New name").fill("beta-token");
    await dialog("Rename alpha-token").getByRole("button", { name: "Rename" }).click();
    await notice("Renamed alpha-token to beta-token.");
    await row("beta-token").getByRole("button", { name: "Delete" }).click();
    await dialog("Delete beta-token?").getByRole("button", { name: "Cancel" }).click();
    expect(await screen.vault.secrets.has("beta-token")).toBe(true);
    await row("beta-token").getByRole("button", { name: "Delete" }).click();
    await dialog("Delete beta-token?").getByRole("button", { name: "Delete" }).click();
    await notice("Deleted beta-token.");
    expect(await screen.vault.secrets.has("beta-token")).toBe(false);
  });

  it("disconnect: linked references turn unresolved, listed with their fix", async () => {
    await tab("Settings");
    await page
      .locator('tr[data-integration="1password"]')
      .getByRole("button", { name: "Disconnect" })
      .click();
    await dialog("Disconnect 1password?").getByRole("button", { name: "Disconnect" }).click();
    await notice(/Disconnected 1password\. Now unresolved: op-key\./);
    await tab("Problems");
    const problem = page.locator('tr[data-problem="op-key"]');
    await problem.locator(".reason", { hasText: "disconnected" }).waitFor(WAIT);
    expect(await problem.locator("td.fix").textContent()).toMatch(/connect/i);
    await shot("problems");
  });

  it("no value or credential was ever written to the page's storage or the screen's cookies", async () => {
    const storage = await page.evaluate(() =>
      JSON.stringify({ ...localStorage, ...sessionStorage }),
    );
    const cookies = JSON.stringify(await page.context().cookies());
    for (const s of [API_KEY, LOCAL, ...tokens]) {
      expect(storage.includes(s)).toBe(false);
      expect(cookies.includes(s)).toBe(false);
    }
    // The session cookie is out of the page's reach.
    expect(await page.evaluate(() => document.cookie)).toBe("");
  });
});

describe("a page of another origin cannot drive the screen", { timeout: 90_000 }, () => {
  let screen: Screen;
  let browser: Browser;
  let attacker: Server;
  let attackerUrl = "";

  beforeAll(async () => {
    screen = await openScreen();
    browser = await launchChromium();
    const target = `http://127.0.0.1:${screen.server.port}`;
    // Another port of 127.0.0.1 is another origin but the same site: SameSite cookies are sent,
    // so the Origin check and the custom header are what stand in the way.
    attacker = createServer((req, res) => {
      res.setHeader("content-type", "text/html");
      if (req.url === "/form")
        res.end(`<form id=f method=POST action="${target}/api/add" enctype="text/plain">
          <input name='{"name":"planted","value":"x","pad":"' value='"}'></form>
          <script>document.getElementById("f").submit()</script>`);
      else
        res.end(`<script>
          Promise.allSettled([
            fetch("${target}/api/add", { method: "POST", credentials: "include", mode: "no-cors",
              headers: { "content-type": "text/plain" }, body: JSON.stringify({ name: "planted", value: "x" }) }),
            fetch("${target}/api/add", { method: "POST", credentials: "include",
              headers: { "content-type": "application/json", "x-vaultlink-ui": "1" },
              body: JSON.stringify({ name: "planted", value: "x" }) }),
            fetch("${target}/api/state", { method: "POST", credentials: "include",
              headers: { "content-type": "application/json", "x-vaultlink-ui": "1" }, body: "{}" })
              .then((r) => r.text()),
          ]).then((r) => { document.title = "done:" + r.map((x) => x.status).join(","); });
        </script>`);
    });
    await new Promise<void>((resolve) => attacker.listen(0, "127.0.0.1", resolve));
    attackerUrl = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}`;
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => attacker?.close(resolve));
    await screen?.stop();
  });

  it("with the person signed in, a cross-origin form post and fetches change and read nothing", async () => {
    const page = await browser.newPage();
    await page.goto(screen.server.launchUrl);
    await page.getByRole("tab", { name: "Secrets" }).waitFor(WAIT);
    await page.goto(`${attackerUrl}/form`);
    await page.waitForURL(`http://127.0.0.1:${screen.server.port}/api/add`, WAIT);
    expect(await page.textContent("body")).toContain("other sites are refused");
    await page.goto(`${attackerUrl}/fetch`);
    await page.waitForFunction(() => document.title.startsWith("done:"), undefined, WAIT);
    // The no-cors post reaches the server and is refused there; the others are stopped by the
    // browser (no CORS headers), so the attacker's page reads nothing.
    // (Chromium may also fail the opaque no-cors response: either way it is unreadable.)
    expect(await page.title()).toMatch(/^done:(fulfilled|rejected),rejected,rejected$/);
    expect(await screen.vault.secrets.has("planted")).toBe(false);
  });
});

describe("HashiCorp Vault (a team integration) in Chromium", { timeout: 90_000 }, () => {
  const NEW = "ui-browser-vault-new-5d0c7a21";
  const OLD = "ui-browser-vault-old-93be4f60";
  let emu: HashicorpEmulator;
  let screen: Screen;
  let browser: Browser;
  let page: Page;
  let s: ScreenPage;
  const row = (name: string) => s.row(name);
  const notice = (text: string | RegExp) => s.notice(text);
  const dialog = (title: string | RegExp) => s.dialog(title);
  const shown = (name: string) => s.shown(name);

  beforeAll(async () => {
    emu = await startHashicorpEmulator();
    emu.writeKv("secret", "ui/app", { api_key: OLD });
    emu.writeKv("secret", "ui/app", { api_key: NEW });
    screen = await openScreen({ providers: [hashicorp] });
    browser = await launchChromium();
    s = await openPage(browser, screen.server.launchUrl);
    page = s.page;
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await screen?.stop();
    await emu?.stop();
  });

  it("connects with a token, links a KV v2 key, relinks to an older version", async () => {
    await page.getByRole("tab", { name: "Settings" }).click();
    await page.getByRole("button", { name: "Connect an integration" }).click();
    const c = dialog("Connect an integration");
    await c.getByLabel("Provider", { exact: true }).selectOption("hashicorp");
    await c.getByLabel("Sign-in method").selectOption("token");
    await c.locator("#auth-address").fill(emu.url);
    await c.locator("#auth-token").fill(emu.rootToken);
    await c.getByRole("button", { name: "Connect" }).click();
    await notice("Connected hashicorp.");
    await page.locator('tr[data-integration="hashicorp"]', { hasText: "team" }).waitFor(WAIT);

    await page.getByRole("tab", { name: "Secrets" }).click();
    await page.getByRole("button", { name: "Link secret" }).click();
    const l = dialog("Link secret");
    await l.getByLabel("Secret name").fill("vault-key");
    await l.getByLabel("Reference").fill("secret/ui/app#api_key");
    await l.locator("small.ok-text[role=status]", { hasText: "Valid" }).waitFor(WAIT);
    // The provider has versions: the form offers the field.
    await l.getByLabel(/Version/).waitFor(WAIT);
    await l.getByRole("button", { name: "Link" }).click();
    await notice("Linked vault-key to hashicorp.");
    await row("vault-key").getByRole("button", { name: "View" }).click();
    await expect.poll(() => shown("vault-key"), WAIT).toBe(NEW);
    await row("vault-key").getByRole("button", { name: "Hide" }).click();

    await row("vault-key").getByRole("button", { name: "Relink" }).click();
    const r = dialog("Link vault-key");
    expect(await r.getByLabel("Reference").inputValue()).toBe("secret/ui/app#api_key");
    await r.getByLabel(/Version/).fill("1");
    await r.getByRole("button", { name: "Link" }).click();
    await notice("Linked vault-key to hashicorp.");
    await row("vault-key").locator("td.source", { hasText: "version 1" }).waitFor(WAIT);
    await row("vault-key").getByRole("button", { name: "View" }).click();
    await expect.poll(() => shown("vault-key"), WAIT).toBe(OLD);
    await row("vault-key").getByRole("button", { name: "Hide" }).click();
  });

  it("a version that does not exist is refused with the provider's reason, and the link stays", async () => {
    await row("vault-key").getByRole("button", { name: "Relink" }).click();
    const r = dialog("Link vault-key");
    await r.getByLabel(/Version/).fill("9");
    await r.getByRole("button", { name: "Link" }).click();
    await page.locator(".notice.error", { hasText: "vault-key was not linked" }).waitFor(WAIT);
    await r.getByRole("button", { name: "Close" }).click();
    expect((await screen.vault.secrets.get("vault-key")).link?.version).toBe("1");
  });

  it("a team member's Disconnect is refused, naming the role; their vault keeps the integration", async () => {
    emu.createPolicy("ui-member", {
      paths: { "secret/data/ui/*": ["read"], "secret/data/vaultlink/team": ["read"] },
    });
    const token = emu.createToken({ policies: ["ui-member"] });
    const member = await openScreen({ providers: [hashicorp] });
    const context = await browser.newContext();
    try {
      await member.vault.integrations.join({
        provider: "hashicorp",
        method: "token",
        options: { address: emu.url, token },
      });
      const p = await context.newPage();
      p.setDefaultTimeout(WAIT.timeout);
      await p.goto(member.server.launchUrl);
      await p.getByRole("tab", { name: "Settings" }).click();
      await p
        .locator('tr[data-integration="hashicorp"]')
        .getByRole("button", { name: "Disconnect" })
        .click();
      await p
        .getByRole("dialog", { name: "Disconnect hashicorp?" })
        .getByRole("button", { name: "Disconnect" })
        .click();
      await p
        .locator(".notice.error", { hasText: /Only a team Admin or Super Admin can disconnect/ })
        .waitFor(WAIT);
      expect((await member.vault.integrations.status("hashicorp")).status).toBe("connected");
    } finally {
      await context.close();
      await member.stop();
    }
  });

  it("a disabled secret shows in Problems with Enable secret, which fixes it", async () => {
    await row("vault-key").getByRole("checkbox", { name: "Enabled vault-key" }).uncheck();
    await notice("Disabled vault-key.");
    expect((await screen.vault.secrets.get("vault-key")).enabled).toBe(false);
    await page.getByRole("tab", { name: "Problems" }).click();
    const problem = page.locator('tr[data-problem="vault-key"]');
    await problem.locator(".reason", { hasText: "disabled" }).waitFor(WAIT);
    await problem.getByRole("button", { name: "Enable secret" }).click();
    await notice("Enabled vault-key.");
    await page.getByText("Every secret resolves.").waitFor(WAIT);
  });
});

describe("a sign-in that needs the person, from the screen", { timeout: 90_000 }, () => {
  let approval: ApprovalServer;
  let screen: Screen;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    approval = await startApprovalServer();
    screen = await openScreen({ providers: [approvalProvider] });
    browser = await launchChromium();
    page = (await openPage(browser, screen.server.launchUrl)).page;
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await screen?.stop();
    await approval?.stop();
  });

  it("Connect shows the plugin's sign-in address while it waits; opening it finishes the sign-in", async () => {
    await page.getByRole("tab", { name: "Settings" }).click();
    await page.getByRole("button", { name: "Connect an integration" }).click();
    const c = page.getByRole("dialog", { name: "Connect an integration" });
    await c.getByLabel("Provider", { exact: true }).selectOption("approval");
    await c.locator("#auth-server").fill(approval.url);
    await c.getByRole("button", { name: "Connect" }).click();
    const signIn = page.getByRole("dialog", { name: "Signing in" });
    const link = signIn.getByRole("link", { name: /\/approve\?code=/ });
    await link.waitFor(WAIT);
    expect(await link.getAttribute("rel")).toBe("noopener noreferrer");
    expect((await screen.vault.integrations.list()).length).toBe(0);
    const [tab] = await Promise.all([page.waitForEvent("popup", WAIT), link.click()]);
    await tab.getByText("Approved").waitFor(WAIT);
    await page.locator(".notice", { hasText: "Connected approval." }).waitFor(WAIT);
    await page
      .locator('tr[data-integration="approval"] td.status', { hasText: "connected" })
      .waitFor(WAIT);
    expect(approval.approvals).toBe(1);
    expect((await screen.vault.integrations.status("approval")).status).toBe("connected");
  });

  it("Re-authenticate runs the same way", async () => {
    await page
      .locator('tr[data-integration="approval"]')
      .getByRole("button", { name: "Re-authenticate" })
      .click();
    const d = page.getByRole("dialog", { name: "Re-authenticate approval" });
    await d.getByRole("button", { name: "Re-authenticate" }).click();
    const link = page
      .getByRole("dialog", { name: "Signing in" })
      .getByRole("link", { name: /\/approve\?code=/ });
    await link.waitFor(WAIT);
    const [tab] = await Promise.all([page.waitForEvent("popup", WAIT), link.click()]);
    await tab.getByText("Approved").waitFor(WAIT);
    await page.locator(".notice", { hasText: "Signed in to approval again." }).waitFor(WAIT);
    expect(approval.approvals).toBe(2);
  });
});

describe("export and import from the screen", { timeout: 90_000 }, () => {
  const KEEP = "ui-export-value-0e6b2d94";
  const GONE = "ui-export-gone-a47c13f8";
  const PASSWORD = "ui-export-password-long";
  let screen: Screen;
  let browser: Browser;
  let page: Page;
  let dir = "";

  beforeAll(async () => {
    screen = await openScreen();
    await screen.vault.secrets.add("keep", {
      value: KEEP,
      allowedDomains: ["api.example.com"],
      enabled: true,
    });
    await screen.vault.secrets.add("gone", { value: GONE, allowedDomains: [], enabled: true });
    dir = mkdtempSync(join(tmpdir(), "vaultlink-ui-export-"));
    browser = await launchChromium();
    page = (
      await openPage(browser, screen.server.launchUrl, {
        viewport: { width: 1280, height: 900 },
        acceptDownloads: true,
      })
    ).page;
    await page.getByRole("tab", { name: "Settings" }).click();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await screen?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("refuses a short password and two that differ, then saves an encrypted export", async () => {
    await page.locator("#export-password").fill("short");
    await page.locator("#export-repeat").fill("short");
    await page.getByRole("button", { name: "Export", exact: true }).click();
    await page.locator(".notice.error", { hasText: "12" }).waitFor(WAIT);
    await page.locator("#export-password").fill(PASSWORD);
    await page.locator("#export-repeat").fill(`${PASSWORD}x`);
    await page.getByRole("button", { name: "Export", exact: true }).click();
    await page.locator(".notice.error", { hasText: "The two passwords differ." }).waitFor(WAIT);
    await page.locator("#export-repeat").fill(PASSWORD);
    const [download] = await Promise.all([
      page.waitForEvent("download", WAIT),
      page.getByRole("button", { name: "Export", exact: true }).click(),
    ]);
    await page.locator(".notice", { hasText: "Exported 2 secrets" }).waitFor(WAIT);
    const file = join(dir, download.suggestedFilename());
    await download.saveAs(file);
    const text = readFileSync(file, "utf8");
    expect(text.includes(KEEP) || text.includes(GONE)).toBe(false);
    expect(download.suggestedFilename()).toMatch(/^vaultlink-export-\d{4}-\d{2}-\d{2}\.json$/);
  });

  it("imports it back: a wrong password is refused, then deleted and changed secrets come back", async () => {
    await screen.vault.secrets.delete("gone");
    await screen.vault.secrets.update("keep", { value: "changed-since-export" });
    const [file] = readdirSync(dir);
    await page.locator("#import-file").setInputFiles(join(dir, file ?? ""));
    await page.locator("#import-password").fill("not-the-password-at-all");
    await page.locator("#import-conflict").selectOption("replace");
    await page.getByRole("button", { name: "Import", exact: true }).click();
    await page.locator(".notice.error").waitFor(WAIT);
    expect(await screen.vault.secrets.has("gone")).toBe(false);
    await page.locator("#import-password").fill(PASSWORD);
    await page.getByRole("button", { name: "Import", exact: true }).click();
    await page
      .locator(".notice", { hasText: "Imported 1 new, replaced 1, renamed 0, skipped 0." })
      .waitFor(WAIT);
    const values = await screen.vault.resolveForMatching(["keep", "gone"]);
    expect(values.map((v) => (v.ok ? v.value : v.reason))).toEqual([KEEP, GONE]);
    expect((await screen.vault.secrets.get("keep")).allowedDomains).toEqual(["api.example.com"]);
    if (SHOTS) await page.screenshot({ path: `${SHOT_DIR}transfer.png`, fullPage: true });
  });
});
