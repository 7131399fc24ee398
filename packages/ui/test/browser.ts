/**
 * Shared steps of the browser tests: Debian's Chromium driven by playwright-core, a page signed
 * in to a screen, and the lookups every walk uses (tabs, rows, notices, dialogs, screenshots).
 */
import { existsSync, mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { expect } from "vitest";

export const CHROMIUM = process.env.VAULTLINK_CHROMIUM ?? "/usr/bin/chromium";
/** With VAULTLINK_UI_SCREENSHOTS=1 the walks write docs/ui/*.png. */
export const SHOTS = process.env.VAULTLINK_UI_SCREENSHOTS === "1";
export const SHOT_DIR = fileURLToPath(new URL("../../../docs/ui/", import.meta.url));
/** Generous: the machine may be loaded; every wait is for a condition, never a fixed time. */
export const WAIT = { timeout: 20_000 };

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `Chromium is not at ${CHROMIUM}: run bash scripts/ensure-system-deps.sh (or apt-get install chromium), or set VAULTLINK_CHROMIUM.`,
    );
  return chromium.launch({
    executablePath: CHROMIUM,
    // Root in a container: Chromium's sandbox needs user namespaces it may not have.
    args: ["--no-sandbox", "--disable-dev-shm-usage"],
  });
}

/** A page of the screen and the lookups the walks share. */
export interface ScreenPage {
  page: Page;
  tab(name: string): Promise<void>;
  row(secret: string): ReturnType<Page["locator"]>;
  integration(id: string): ReturnType<Page["locator"]>;
  /** Wait for a notice (ok or error) holding this text. */
  notice(text: string | RegExp): Promise<void>;
  error(text: string | RegExp): Promise<void>;
  dialog(title: string | RegExp): ReturnType<Page["getByRole"]>;
  /** The text in a secret's value cell (masked, or the value after View). */
  shown(secret: string): Promise<string | null>;
  /** docs/ui/<name>.png when screenshots are asked for. */
  shot(name: string, options?: { fullPage?: boolean }): Promise<void>;
}

export function screenPage(page: Page): ScreenPage {
  page.setDefaultTimeout(WAIT.timeout);
  page.on("pageerror", (e) => console.error(`page error: ${e.message}`));
  page.on("console", (m) => m.type() === "error" && console.error(`page console: ${m.text()}`));
  const row = (name: string) => page.locator(`tr[data-secret="${name}"]`);
  return {
    page,
    tab: (name) => page.getByRole("tab", { name }).click(),
    row,
    integration: (id) => page.locator(`tr[data-integration="${id}"]`),
    notice: (text) => page.locator(".notice", { hasText: text }).waitFor(WAIT),
    error: (text) => page.locator(".notice.error", { hasText: text }).waitFor(WAIT),
    dialog: (title) => page.getByRole("dialog", { name: title }),
    shown: (name) => row(name).locator(".masked").textContent(),
    shot: async (name, options = {}) => {
      if (!SHOTS) return;
      mkdirSync(SHOT_DIR, { recursive: true });
      await page.screenshot({ path: `${SHOT_DIR}${name}.png`, ...options });
    },
  };
}

/**
 * A new page (in `context`, or the browser's default) that opens the launch address. Waits for
 * `ready` (default: the Secrets tab of an open vault).
 */
export async function openPage(
  where: Browser | BrowserContext,
  launchUrl: string,
  options: {
    viewport?: { width: number; height: number };
    acceptDownloads?: boolean;
    ready?: (page: Page) => Promise<unknown>;
  } = {},
): Promise<ScreenPage> {
  const viewport = options.viewport ?? { width: 1280, height: 760 };
  const page =
    "newContext" in where
      ? await where.newPage({
          viewport,
          ...(options.acceptDownloads ? { acceptDownloads: true } : {}),
        })
      : await where.newPage();
  if (!("newContext" in where)) await page.setViewportSize(viewport);
  const s = screenPage(page);
  await page.goto(launchUrl);
  await (options.ready ?? ((p) => p.getByRole("tab", { name: "Secrets" }).waitFor(WAIT)))(page);
  return s;
}

/** Connect an integration from the form the plugin describes (fields by option name). */
export async function connectFromForm(
  s: ScreenPage,
  provider: string,
  method: string,
  fields: Record<string, string>,
) {
  await s.tab("Settings");
  await s.page.getByRole("button", { name: "Connect an integration" }).click();
  const c = s.dialog("Connect an integration");
  await c.getByLabel("Provider", { exact: true }).selectOption(provider);
  await c.getByLabel("Sign-in method").selectOption(method);
  for (const [name, value] of Object.entries(fields)) {
    const field = c.locator(`#auth-${name}`);
    if ((await field.evaluate((e) => e.tagName)) === "SELECT") await field.selectOption(value);
    else await field.fill(value);
  }
  await c.getByRole("button", { name: "Connect" }).click();
  await s.notice(`Connected ${provider}.`);
  await s.integration(provider).locator("td.status", { hasText: "connected" }).waitFor(WAIT);
}

/** Link a secret from the Link secret window (the reference must validate), then view it. */
export async function linkFromForm(
  s: ScreenPage,
  name: string,
  integration: string,
  reference: string,
  value: string,
) {
  await s.tab("Secrets");
  await s.page.getByRole("button", { name: "Link secret" }).click();
  const d = s.dialog("Link secret");
  await d.getByLabel("Secret name").fill(name);
  await d.getByLabel("Integration").selectOption(integration);
  await d.getByLabel("Reference").fill(reference);
  await d.locator("small.ok-text[role=status]", { hasText: "Valid" }).waitFor(WAIT);
  await d.getByRole("button", { name: "Link" }).click();
  await s.notice(`Linked ${name} to ${integration}.`);
  await s.row(name).getByRole("button", { name: "View" }).click();
  await expect.poll(() => s.shown(name), WAIT).toBe(value);
  await s.row(name).getByRole("button", { name: "Hide" }).click();
}

/** After an expiry: Problems lists the secret as auth-expired; Re-authenticate fixes it. */
export async function reauthFromProblems(
  s: ScreenPage,
  name: string,
  integration: string,
  fields: Record<string, string>,
) {
  await s.tab("Problems");
  const problem = s.page.locator(`tr[data-problem="${name}"]`);
  await problem.locator(".reason", { hasText: "auth-expired" }).waitFor(WAIT);
  await problem.getByRole("button", { name: "Re-authenticate" }).click();
  const d = s.dialog(`Re-authenticate ${integration}`);
  for (const [field, value] of Object.entries(fields))
    await d.locator(`#auth-${field}`).fill(value);
  await d.getByRole("button", { name: "Re-authenticate" }).click();
  await s.notice(`Signed in to ${integration} again.`);
  await s.page.getByText("Every secret resolves.").waitFor(WAIT);
}
