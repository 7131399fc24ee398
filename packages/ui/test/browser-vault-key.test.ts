/**
 * The vault-key screen in Chromium: create a vault (its key shown once and kept in the
 * keychain when asked), unlock a locked vault with the key typed in the page (a wrong key
 * refused, the vault untouched), and reset it from Settings and from the unlock screen, with
 * the typed confirmation `vaultlink vault reset` asks for.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createVault, type WritableKeySource } from "@vaultlink/core";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, openPage, type ScreenPage, WAIT } from "./browser.js";
import { apiCall, openScreen, type Screen, signIn } from "./helpers.js";

/** The OS keychain's contract (our interface), held in memory: what the screen kept there. */
function memoryKeychain(): WritableKeySource & { held: string | undefined } {
  const kc = {
    id: "keychain",
    held: undefined as string | undefined,
    availability: async () => ({ available: true as const }),
    load: async () => kc.held,
    store: async (key: string) => {
      kc.held = key;
    },
    forget: async () => {
      const had = kc.held !== undefined;
      kc.held = undefined;
      return had;
    },
  };
  return kc;
}

const SECRET = "ui-vault-key-value-5be1c0d7";

describe("the vault-key screen in Chromium", { timeout: 90_000 }, () => {
  const keychain = memoryKeychain();
  const unexpected: string[] = [];
  let screen: Screen;
  let browser: Browser;
  let s: ScreenPage;
  let firstKey = "";

  const shownKey = async () => {
    const key = s.page.getByRole("region", { name: "Your vault key" }).locator("code.key");
    await key.waitFor(WAIT);
    return (await key.textContent()) ?? "";
  };
  /** The vault locks under the screen (as an agent's lock does); the page asks for the key. */
  const lockAndReload = async () => {
    await screen.vault.lock();
    await s.page.reload();
    await s.page.getByRole("heading", { name: "Unlock the vault" }).waitFor(WAIT);
  };

  beforeAll(async () => {
    screen = await openScreen({
      vault: "missing",
      keychain,
      onUnexpectedError: (e) => unexpected.push(String(e)),
    });
    browser = await launchChromium();
    s = await openPage(browser, screen.server.launchUrl, {
      ready: (p) => p.getByRole("heading", { name: "Create a vault" }).waitFor(WAIT),
    });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await screen?.stop();
  });

  it("creates a vault: the key is shown once and kept in the keychain as asked", async () => {
    expect(await screen.vault.exists()).toBe(false);
    await s.shot("vault-create");
    const box = s.page.getByRole("checkbox", { name: "Keep the key in the OS keychain" });
    expect(await box.isChecked()).toBe(true);
    await s.page.getByRole("button", { name: "Create the vault" }).click();
    firstKey = await shownKey();
    expect(firstKey).toMatch(/^vlk_[A-Za-z0-9_-]{43}$/);
    expect(keychain.held).toBe(firstKey);
    await s.page.getByText("The key is kept in the OS keychain").waitFor(WAIT);
    await s.page.getByRole("button", { name: "I have saved the key" }).click();
    await s.notice("The vault is open.");
    // Once dismissed, the key is gone from the page.
    expect((await s.page.content()).includes(firstKey)).toBe(false);
    expect(await screen.vault.exists()).toBe(true);
    await screen.vault.secrets.add("kept", { value: SECRET, allowedDomains: [], enabled: true });
  });

  it("a wrong key is refused with what to do, and the vault file is untouched", async () => {
    await lockAndReload();
    const before = readFileSync(screen.vault.paths.vaultFile);
    const otherHome = mkdtempSync(join(tmpdir(), "vaultlink-ui-other-"));
    const other = createVault({ home: otherHome, providers: [], keySources: [] });
    const { vaultKey: wrong } = await other.create();
    await other.dispose();
    rmSync(otherHome, { recursive: true, force: true });
    await s.page.getByLabel("Vault key").fill(wrong);
    await s.page.getByRole("button", { name: "Unlock" }).click();
    await s.error("The vault key does not belong to the vault");
    await s.page.getByText("The vault was left unchanged.").waitFor(WAIT);
    await s.page.getByLabel("Vault key").fill("not-a-key");
    await s.page.getByRole("button", { name: "Unlock" }).click();
    await s.error("The vault key does not start with vlk_.");
    expect(readFileSync(screen.vault.paths.vaultFile).equals(before)).toBe(true);
    expect(screen.vault.unlocked).toBe(false);
    // The key travels in a POST body only: never in the address.
    expect(s.page.url()).toBe(screen.server.url);
    await s.shot("vault-unlock");
  });

  it("the right key opens the vault on its secrets", async () => {
    await s.page.getByLabel("Vault key").fill(firstKey);
    await s.page.getByRole("button", { name: "Unlock" }).click();
    await s.row("kept").waitFor(WAIT);
    expect(screen.vault.unlocked).toBe(true);
    expect(s.page.url()).toBe(screen.server.url);
  });

  it("reset from Settings needs the typed word; the new key opens an empty vault", async () => {
    await s.tab("Settings");
    await s.page.getByRole("button", { name: "Reset the vault…" }).click();
    const d = s.dialog("Reset the vault?");
    const go = d.getByRole("button", { name: "Reset the vault" });
    expect(await go.isDisabled()).toBe(true);
    await d.getByLabel(/to confirm/).fill("yes");
    expect(await go.isDisabled()).toBe(true);
    await d.getByLabel(/to confirm/).fill("reset");
    // Not kept in the keychain this time: the old key there is forgotten (as --no-keychain).
    await d.getByRole("checkbox", { name: "Keep the new key in the OS keychain" }).uncheck();
    await go.click();
    const newKey = await shownKey();
    expect(newKey).not.toBe(firstKey);
    expect(keychain.held).toBeUndefined();
    await s.page.getByRole("button", { name: "I have saved the key" }).click();
    await s.page.getByText("No secrets yet.").waitFor(WAIT);
    expect(await screen.vault.secrets.list()).toEqual([]);
    // The file on disk opens with the new key, not the old one.
    const check = createVault({ home: screen.home, providers: [], keySources: [] });
    await expect(check.unlock(firstKey)).rejects.toMatchObject({ code: "VAULT_WRONG_KEY" });
    await check.unlock(newKey);
    await check.dispose();
  });

  it("a lost key: reset from the unlock screen, confirmed the same way", async () => {
    await screen.vault.secrets.add("again", { value: SECRET, allowedDomains: [], enabled: true });
    await lockAndReload();
    await s.page.getByRole("button", { name: "Reset the vault…" }).click();
    await s.page.getByLabel(/to confirm/).fill("reset");
    await s.page.getByRole("button", { name: "Reset the vault", exact: true }).click();
    const key = await shownKey();
    expect(keychain.held).toBe(key);
    await s.page.getByRole("button", { name: "I have saved the key" }).click();
    await s.notice("The vault is open.");
    expect(await screen.vault.secrets.has("again")).toBe(false);
  });

  it("no vault key reached a log", () => {
    expect(unexpected).toEqual([]);
  });
});

describe("the vault-key actions refuse what the CLI refuses", () => {
  let screen: Screen;
  let cookie = "";
  beforeAll(async () => {
    screen = await openScreen();
    cookie = await signIn(screen);
    await screen.vault.secrets.add("keep", { value: SECRET, allowedDomains: [], enabled: true });
  });
  afterAll(async () => {
    await screen?.stop();
  });

  it("reset without the typed confirmation changes nothing", async () => {
    for (const body of [{}, { confirm: true }, { confirm: "yes" }, { confirm: "RESET " }]) {
      const r = await apiCall(screen, cookie, "vault-reset", body);
      expect(r.status).toBe(400);
      expect(JSON.parse(r.body)).toMatchObject({
        error: "Resetting destroys every secret and needs confirmation.",
        hint: 'Type "reset" to confirm.',
      });
    }
    expect(await screen.vault.secrets.has("keep")).toBe(true);
  });

  it("create over an existing vault is refused, naming what to do", async () => {
    const r = await apiCall(screen, cookie, "vault-create", {});
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body).error).toMatch(/^There is already a vault in /);
    expect(await screen.vault.secrets.has("keep")).toBe(true);
  });

  it("unlock with no key names the field", async () => {
    await screen.vault.lock();
    const r = await apiCall(screen, cookie, "vault-unlock", { key: " " });
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body).error).toBe("Give the vault key.");
    const state = JSON.parse((await apiCall(screen, cookie, "state")).body);
    expect(state).toEqual({
      vault: {
        state: "locked",
        home: screen.home,
        keychain: { available: false, reason: "this screen has no OS keychain to use" },
      },
    });
  });
});
