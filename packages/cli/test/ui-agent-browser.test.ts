/**
 * The vault screen served by `vaultlink agent` (the `ui` agent request), walked in a real
 * Chromium: `vaultlink ui` in a terminal without the vault key asks the running agent for a
 * screen and exits; the page reads the open vault without an unlock step, adds a secret and
 * changes the cache time, and the CLI sees both; `agent stop` ends the screen. The browser
 * steps are the vault screen's own test helpers (packages/ui/test/browser.ts).
 */
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, openPage, type ScreenPage, WAIT } from "../../ui/test/browser.js";
import { cli, newVault, noStack, type TestVault } from "./helpers.js";

const VALUE = "agent-ui-browser-value-3d81c6f2";
const ADDED = "agent-ui-browser-added-5e0a97b4";

/** Whether anything still answers HTTP on this origin. */
function listening(origin: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(origin, { agent: false }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on("error", (e: NodeJS.ErrnoException) => resolve(e.code !== "ECONNREFUSED"));
    req.end();
  });
}

describe("the agent-served vault screen in Chromium", { timeout: 90_000 }, () => {
  let v: TestVault;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let s: ScreenPage;
  let launch: URL;
  /** This terminal has no vault key: only the agent holds the vault open. */
  const keyless = () => ({ ...v.env, VAULTLINK_VAULT_KEY: undefined });

  beforeAll(async () => {
    v = await newVault();
    const added = await v.run(["secret", "add", "api-key", "--domains", "api.example.com"], {
      input: VALUE,
    });
    expect(added.code, added.stderr).toBe(0);
    const started = await v.run(["agent", "start"]);
    expect(started.code, started.stderr).toBe(0);
    const ui = await cli(["ui", "--no-open"], { env: keyless() });
    expect(ui.code, ui.stderr).toBe(0);
    expect(ui.stderr).toContain("served by the vaultlink agent");
    launch = new URL(ui.stdout.trim());
    browser = await launchChromium();
    s = await openPage(browser, launch.href);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await v?.run(["agent", "stop"]);
    v?.cleanup();
  });

  it("opens on the agent's vault: no unlock step, the secrets are there, a value on View", async () => {
    expect(s.page.url()).toBe(`${launch.origin}/`);
    await expect(s.page.locator("#vault-key").count()).resolves.toBe(0);
    await s.row("api-key").waitFor(WAIT);
    expect(await s.row("api-key").locator("td.domains").textContent()).toBe("api.example.com");
    expect((await s.page.content()).includes(VALUE)).toBe(false);
    await s.row("api-key").getByRole("button", { name: "View" }).click();
    await expect.poll(() => s.shown("api-key"), WAIT).toBe(VALUE);
    await s.row("api-key").getByRole("button", { name: "Hide" }).click();
    await expect.poll(() => s.shown("api-key"), WAIT).toBe("••••••••");
  });

  it("a secret added in the page is read by the CLI through the agent", async () => {
    await s.page.getByRole("button", { name: "Add secret" }).click();
    const d = s.dialog("Add secret");
    await d.getByLabel("Name").fill("from-screen");
    await d.getByLabel("Value").fill(ADDED);
    await d.getByLabel(/Allowed domains/).fill("*.example.com");
    await d.getByRole("button", { name: "Add" }).click();
    await s.notice("Added from-screen.");
    await s.row("from-screen").waitFor(WAIT);
    const read = await cli(["read", "from-screen", "--url", "https://api.example.com"], {
      env: keyless(),
    });
    expect(read.code, read.stderr).toBe(0);
    expect(read.stdout).toBe(`${ADDED}\n`);
    const list = await v.run(["secret", "list", "--json"]);
    expect(list.code, list.stderr).toBe(0);
    const secret = (JSON.parse(list.stdout) as { name: string; allowedDomains: string[] }[]).find(
      (x) => x.name === "from-screen",
    );
    expect(secret?.allowedDomains).toEqual(["*.example.com"]);
  });

  it("the cache time changed in Settings is what `vaultlink settings get` says", async () => {
    await s.tab("Settings");
    await s.page.getByText("unlocked with the key given when the agent started").waitFor(WAIT);
    await s.page.getByLabel(/Secret expiration duration/).fill("25");
    await s.page.getByRole("button", { name: "Save" }).click();
    await s.notice("Cache time set to 25 minutes.");
    const got = await v.run(["settings", "get", "cache-ttl", "--json"]);
    expect(got.code, got.stderr).toBe(0);
    expect(JSON.parse(got.stdout)).toEqual({ "cache-ttl": 25 });
    // A refused value says why in the page and changes nothing.
    await s.page.getByLabel(/Secret expiration duration/).fill("10081");
    await s.page.getByRole("button", { name: "Save" }).click();
    await s.error("longer than one week");
    const again = await v.run(["settings", "get", "cache-ttl", "--json"]);
    expect(again.stdout).toBe(got.stdout);
  });

  it("a second browser cannot use the address again", async () => {
    const other = await browser.newContext();
    try {
      const page = await other.newPage();
      const r = await page.goto(launch.href);
      expect(r?.status()).toBe(401);
      expect(await page.content()).toContain("Run <code>vaultlink ui</code> again");
    } finally {
      await other.close();
    }
  });

  it("`vaultlink agent stop` ends the screen; nothing of the values reached the terminal", async () => {
    const stopped = await v.run(["agent", "stop"]);
    expect(stopped.code, stopped.stderr).toBe(0);
    await expect.poll(() => listening(launch.origin), WAIT).toBe(false);
    expect(noStack(stopped.stderr)).toBe(true);
    for (const text of [stopped.stdout, stopped.stderr]) {
      expect(text.includes(VALUE)).toBe(false);
      expect(text.includes(ADDED)).toBe(false);
    }
  });
});
