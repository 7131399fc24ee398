/**
 * How a screen's session starts and ends in the browser. The launch page: `vaultlink ui` opens
 * the browser on a 0600 file that forwards to the launch address, because a browser's arguments
 * (and the opener's) are readable by every user of the machine in the process list, and the
 * address carries the token. Chromium opening that file must end signed in: from a file (an
 * opaque origin) a redirect would stay cross-site and the SameSite=Strict cookie would not be
 * sent. And a screen whose server stopped under the page says it is locked.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, openPage, WAIT } from "./browser.js";
import { apiCall, openScreen, raw, signIn } from "./helpers.js";

describe("the launch page", { timeout: 60_000 }, () => {
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  beforeAll(async () => {
    browser = await launchChromium();
  }, 60_000);
  afterAll(() => browser?.close());

  it("is a 0600 file with the launch address; Chromium opening it ends signed in, and the file is gone", async () => {
    const screen = await openScreen({ launchPage: true });
    try {
      const file = screen.server.launchPage;
      expect(file).toBeDefined();
      if (!file) return;
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const address = screen.server.launchUrl;
      expect(readFileSync(file, "utf8")).toContain(address);
      await screen.vault.secrets.add("from-file", {
        value: "v",
        allowedDomains: [],
        enabled: true,
      });
      const s = await openPage(browser, pathToFileURL(file).href);
      await s.row("from-file").waitFor(WAIT);
      expect(s.page.url()).toBe(screen.server.url);
      // Spent: the file went with the token, and the address signs in nobody else.
      expect(existsSync(file)).toBe(false);
      expect(screen.server.launchPage).toBeUndefined();
      const context = await browser.newContext();
      const again = await context.newPage();
      expect((await again.goto(address))?.status()).toBe(401);
      await context.close();
      await s.page.close();
    } finally {
      await screen.stop();
    }
  });

  it("is removed when the screen locks unused, and when it closes", async () => {
    const locked = await openScreen({ launchPage: true });
    const closed = await openScreen({ launchPage: true });
    try {
      const a = locked.server.launchPage ?? "";
      const b = closed.server.launchPage ?? "";
      expect(existsSync(a) && existsSync(b)).toBe(true);
      await locked.server.lock("idle");
      expect(existsSync(a)).toBe(false);
      await closed.server.close();
      expect(existsSync(b)).toBe(false);
    } finally {
      await locked.stop();
      await closed.stop();
    }
  });

  it("a screen that stopped under the page (as the agent's does on idle lock or agent stop) shows the locked page, not a network error", async () => {
    const screen = await openScreen();
    try {
      const s = await openPage(browser, screen.server.launchUrl);
      await screen.server.close();
      await s.tab("Settings");
      await s.page.getByRole("button", { name: "Reset cache" }).click();
      await s.page
        .getByText("This vault screen is locked: it no longer opens the vault.")
        .waitFor(WAIT);
      expect(await s.page.getByText("Failed to fetch").count()).toBe(0);
      await s.page.close();
    } finally {
      await screen.stop();
    }
  });

  it("a sign-in arriving from another page gets one same-origin step, not a redirect", async () => {
    const screen = await openScreen();
    try {
      const u = new URL(screen.server.launchUrl);
      const r = await raw(screen.server.port, {
        path: `${u.pathname}${u.search}`,
        headers: { "sec-fetch-site": "cross-site" },
      });
      expect(r.status).toBe(200);
      expect(r.body).toContain('http-equiv="refresh" content="0;url=/"');
      expect(String(r.headers["set-cookie"])).toMatch(/HttpOnly; SameSite=Strict/);
      expect(r.headers["content-security-policy"]).toContain("default-src 'none'");
      // The usual sign-in (no Sec-Fetch-Site, or a typed address) still redirects.
      const other = await openScreen();
      try {
        const cookie = await signIn(other);
        expect((await apiCall(other, cookie, "state")).status).toBe(200);
      } finally {
        await other.stop();
      }
    } finally {
      await screen.stop();
    }
  });
});
