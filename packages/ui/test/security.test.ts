/**
 * The local web server's defences, as plain HTTP requests whose headers the test picks: what a
 * hostile page, a rebinding DNS name or another program on this machine could send.
 */
import { readFileSync } from "node:fs";
import { connect } from "node:net";
import { networkInterfaces } from "node:os";
import { join } from "node:path";
import { createVault } from "@vaultlink/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiCall, openScreen, raw, type Screen, signIn } from "./helpers.js";

const VALUE = "ui-security-value-5b1e9c3a";

/** The headers of a same-origin call from the screen's own page, plus any given. */
function pageHeaders(port: number, cookie: string, extra: Record<string, string> = {}) {
  return {
    cookie,
    origin: `http://127.0.0.1:${port}`,
    "content-type": "application/json",
    "x-vaultlink-ui": "1",
    ...extra,
  };
}

describe("the vault screen's server refuses what is not the person's own page", () => {
  let screen: Screen;
  let cookie: string;
  beforeAll(async () => {
    screen = await openScreen();
    await screen.vault.secrets.add("api-key", { value: VALUE, allowedDomains: [], enabled: true });
    cookie = await signIn(screen);
  });
  afterAll(() => screen.stop());
  const port = () => screen.server.port;
  const secretCount = async () => (await screen.vault.secrets.list()).length;

  it("listens on 127.0.0.1 only: no other interface of this machine answers", async () => {
    expect(screen.server.url).toBe(`http://127.0.0.1:${port()}/`);
    const others = Object.values(networkInterfaces())
      .flat()
      .filter((a) => a !== undefined && !a.internal && a.family === "IPv4")
      .map((a) => a?.address as string);
    for (const address of [...others, "::1"]) {
      const refused = await new Promise<boolean>((resolve) => {
        const s = connect({ host: address, port: port() });
        s.once("connect", () => {
          s.destroy();
          resolve(false);
        });
        s.once("error", () => resolve(true));
      });
      expect(refused, `port ${port()} on ${address}`).toBe(true);
    }
  });

  it("the launch token is exchanged once for an HttpOnly SameSite=Strict cookie, then a clean URL", async () => {
    const s = await openScreen();
    try {
      const wrong = await raw(s.server.port, { path: "/login?token=not-the-token" });
      expect(wrong.status).toBe(401);
      expect(wrong.headers["set-cookie"]).toBeUndefined();
      const u = new URL(s.server.launchUrl);
      const ok = await raw(s.server.port, { path: `${u.pathname}${u.search}` });
      expect(ok.status).toBe(303);
      expect(ok.headers.location).toBe("/");
      const set = String(ok.headers["set-cookie"]);
      expect(set).toMatch(new RegExp(`^vaultlink_ui_${s.server.port}=[A-Za-z0-9_-]{43};`));
      expect(set).toMatch(/HttpOnly/);
      expect(set).toMatch(/SameSite=Strict/);
      expect(set).toMatch(/Path=\//);
      const again = await raw(s.server.port, { path: `${u.pathname}${u.search}` });
      expect(again.status).toBe(401);
      expect(again.headers["set-cookie"]).toBeUndefined();
    } finally {
      await s.stop();
    }
  });

  it("two screens at once keep apart: each has its own cookie, and one's session opens nothing of the other", async () => {
    const other = await openScreen();
    try {
      const otherCookie = await signIn(other);
      expect(otherCookie.split("=")[0]).not.toBe(cookie.split("=")[0]);
      // The other screen's session value under this screen's cookie name is still refused.
      const value = otherCookie.split("=")[1] ?? "";
      const r = await apiCall(screen, `${cookie.split("=")[0]}=${value}`, "state");
      expect(r.status).toBe(401);
      expect((await apiCall(screen, cookie, "state")).status).toBe(200);
      expect((await apiCall(other, otherCookie, "state")).status).toBe(200);
    } finally {
      await other.stop();
    }
  });

  it("without the cookie: the page and the API are refused", async () => {
    expect((await raw(port(), { path: "/" })).status).toBe(401);
    expect((await raw(port(), { path: "/app.js" })).status).toBe(401);
    const r = await apiCall(screen, `vaultlink_ui_${port()}=forged`, "state");
    expect(r.status).toBe(401);
    expect(r.body).not.toContain("api-key");
    const none = await apiCall(screen, "", "state");
    expect(none.status).toBe(401);
  });

  it("a rebinding Host (another name, or another port) is refused even with the cookie", async () => {
    for (const host of [
      `evil.example:${port()}`,
      `127.0.0.1:${port() + 1}`,
      "127.0.0.1",
      `[::1]:${port()}`,
    ]) {
      const page = await raw(port(), { path: "/", headers: { host, cookie } });
      expect(page.status, host).toBe(421);
      const r = await apiCall(screen, cookie, "state", {}, { host });
      expect(r.status, host).toBe(421);
      expect(r.body).not.toContain("api-key");
    }
    expect(
      (await raw(port(), { path: "/", headers: { host: `localhost:${port()}`, cookie } })).status,
    ).toBe(200);
    expect((await apiCall(screen, cookie, "state")).status).toBe(200);
  });

  it("a foreign, missing or null Origin is refused; so is a cross-site fetch's Sec-Fetch-Site", async () => {
    for (const origin of [
      "http://evil.example",
      `http://127.0.0.1:${port() + 1}`,
      "null",
      `https://127.0.0.1:${port()}`,
    ]) {
      const r = await apiCall(screen, cookie, "add", { name: "planted", value: "x" }, { origin });
      expect(r.status, origin).toBe(403);
    }
    const noOrigin = await raw(port(), {
      method: "POST",
      path: "/api/add",
      headers: { cookie, "content-type": "application/json", "x-vaultlink-ui": "1" },
      body: JSON.stringify({ name: "planted", value: "x" }),
    });
    expect(noOrigin.status).toBe(403);
    const site = await apiCall(
      screen,
      cookie,
      "add",
      { name: "planted", value: "x" },
      { "sec-fetch-site": "cross-site" },
    );
    expect(site.status).toBe(403);
    expect(await screen.vault.secrets.has("planted")).toBe(false);
  });

  it("a CSRF form post (form encoding, no custom header) changes nothing", async () => {
    const before = await secretCount();
    const form = (origin: string) =>
      raw(port(), {
        method: "POST",
        path: "/api/add",
        headers: { cookie, origin, "content-type": "application/x-www-form-urlencoded" },
        body: "name=planted&value=x",
      });
    expect((await form("http://evil.example")).status).toBe(403);
    // Even claiming our own origin, a form cannot add the header nor send JSON.
    expect((await form(`http://127.0.0.1:${port()}`)).status).toBe(403);
    const plain = await apiCall(
      screen,
      cookie,
      "add",
      { name: "planted", value: "x" },
      { "content-type": "text/plain" },
    );
    expect(plain.status).toBe(415);
    expect(await secretCount()).toBe(before);
  });

  it("reads are POST-only too, and a preflight gets no CORS headers", async () => {
    const get = await raw(port(), { path: "/api/state", headers: { cookie } });
    expect(get.status).toBe(405);
    const preflight = await raw(port(), {
      method: "OPTIONS",
      path: "/api/add",
      headers: {
        origin: "http://evil.example",
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type,x-vaultlink-ui",
      },
    });
    expect(preflight.status).toBeGreaterThanOrEqual(400);
    for (const name of Object.keys(preflight.headers)) expect(name).not.toMatch(/^access-control-/);
  });

  it("every response carries a strict CSP, no framing, no caching and no CORS", async () => {
    for (const r of [
      await raw(port(), { path: "/", headers: { cookie } }),
      await raw(port(), { path: "/app.js", headers: { cookie } }),
      await apiCall(screen, cookie, "state"),
      await raw(port(), { path: "/" }),
    ]) {
      const csp = String(r.headers["content-security-policy"]);
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("default-src 'none'");
      expect(csp).not.toContain("unsafe");
      expect(r.headers["x-frame-options"]).toBe("DENY");
      expect(r.headers["cache-control"]).toBe("no-store");
      expect(r.headers["x-content-type-options"]).toBe("nosniff");
      for (const name of Object.keys(r.headers)) expect(name).not.toMatch(/^access-control-/);
    }
    const page = await raw(port(), { path: "/", headers: { cookie } });
    // No inline script in the page: its only script is /app.js.
    expect(page.body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  });

  it("values reach the page only on a view request for that one secret", async () => {
    const state = await apiCall(screen, cookie, "state");
    expect(state.status).toBe(200);
    expect(state.body).toContain("api-key");
    expect(state.body.includes(VALUE)).toBe(false);
    const doctor = await apiCall(screen, cookie, "doctor");
    expect(doctor.body.includes(VALUE)).toBe(false);
    const view = await apiCall(screen, cookie, "view", { name: "api-key" });
    expect(view.status).toBe(200);
    expect(JSON.parse(view.body).value === VALUE).toBe(true);
  });

  it("bad input gets a clear error and changes nothing", async () => {
    const before = await secretCount();
    const bad = await apiCall(screen, cookie, "add", { name: "bad name!", value: "x" });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body).error).toMatch(/name/i);
    const dup = await apiCall(screen, cookie, "add", { name: "api-key", value: "other" });
    expect(dup.status).toBe(400);
    expect(JSON.parse(dup.body).error).toMatch(/already exists/);
    const notJson = await raw(port(), {
      method: "POST",
      path: "/api/add",
      headers: pageHeaders(port(), cookie),
      body: "{not json",
    });
    expect(notJson.status).toBe(400);
    // Past 8 MiB the server answers 413 without reading the body, and may close the
    // connection while the client is still sending: either way nothing is added.
    const huge = await apiCall(screen, cookie, "add", {
      name: "huge",
      value: "x".repeat(9 * 1024 * 1024),
    }).catch(() => undefined);
    expect(huge === undefined || huge.status === 413, `HTTP ${huge?.status}`).toBe(true);
    expect(await screen.vault.secrets.has("huge")).toBe(false);
    const unknown = await apiCall(screen, cookie, "format-disk");
    expect(unknown.status).toBe(404);
    expect(await secretCount()).toBe(before);
    const view = await apiCall(screen, cookie, "view", { name: "api-key" });
    expect(JSON.parse(view.body).value === VALUE).toBe(true);
  });
});

describe("what a hostile reviewer sent", () => {
  let screen: Screen;
  let cookie: string;
  let file: string;
  beforeAll(async () => {
    screen = await openScreen();
    await screen.vault.secrets.add("api-key", { value: VALUE, allowedDomains: [], enabled: true });
    cookie = await signIn(screen);
    file = join(screen.home, "vault.vlt");
  });
  afterAll(() => screen.stop());
  const port = () => screen.server.port;
  const bytes = () => readFileSync(file);

  it("a HEAD of the launch address (a link checker, a preview) does not spend the token", async () => {
    const s = await openScreen();
    try {
      const u = new URL(s.server.launchUrl);
      const head = await raw(s.server.port, { method: "HEAD", path: `${u.pathname}${u.search}` });
      expect(head.status).toBe(405);
      expect(head.headers["set-cookie"]).toBeUndefined();
      const get = await raw(s.server.port, { path: `${u.pathname}${u.search}` });
      expect(get.status).toBe(303);
      expect(String(get.headers["set-cookie"])).toMatch(/HttpOnly/);
    } finally {
      await s.stop();
    }
  });

  it("rebinding names, another port of localhost and odd spellings of our own are refused", async () => {
    for (const host of [
      "evil.com",
      `127.0.0.1.nip.io:${port()}`,
      `localhost:${port() + 1}`,
      `LOCALHOST:${port()}`,
      `127.0.0.1.:${port()}`,
      `localhost.:${port()}`,
    ]) {
      const r = await apiCall(screen, cookie, "state", {}, { host });
      expect(r.status, host).toBe(421);
      expect(r.body).not.toContain("api-key");
    }
    // Not even a valid Host: Node's parser answers 400 before the screen sees it.
    const at = await apiCall(screen, cookie, "state", {}, { host: `127.0.0.1:${port()}@evil.com` });
    expect([400, 421]).toContain(at.status);
    expect(at.body).not.toContain("api-key");
  });

  it("path tricks reach neither a file of the disk nor the API without the guard", async () => {
    for (const path of [
      "/../../etc/passwd",
      "/%2e%2e/%2e%2e/etc/passwd",
      "/..%2f..%2fetc%2fpasswd",
      "/page/app.js",
      "/index.html",
      "/app.js.map",
    ]) {
      const r = await raw(port(), { path, headers: { cookie } });
      expect(r.status, path).toBe(404);
      expect(r.body).not.toContain("root:");
    }
    // Every spelling of an API address that the router maps to an action still needs the
    // header, the Origin and JSON.
    for (const path of ["/api/./state", "/api/../api/state", "/api/%73tate", "/x/../api/state"]) {
      const r = await raw(port(), {
        method: "POST",
        path,
        headers: { cookie, "content-type": "application/json" },
        body: "{}",
      });
      expect(r.status, path).toBe(403);
      expect(r.body).not.toContain("api-key");
    }
  });

  it("TRACE and OPTIONS answer nothing useful and no CORS header", async () => {
    for (const method of ["TRACE", "OPTIONS"]) {
      const r = await raw(port(), {
        method,
        path: "/api/view",
        headers: { cookie, origin: "http://evil.example" },
      });
      expect(r.status, method).toBeGreaterThanOrEqual(400);
      expect(r.body).not.toContain(cookie.split("=")[1]);
      for (const name of Object.keys(r.headers)) expect(name).not.toMatch(/^access-control-/);
    }
  });

  it("CSRF in every form encoding, with or without our Origin, changes nothing", async () => {
    const before = bytes();
    const boundary = "----vaultlinkcsrf";
    const bodies: Record<string, string> = {
      "application/x-www-form-urlencoded": "name=planted&value=x",
      "text/plain": '{"name":"planted","value":"x"}',
      [`multipart/form-data; boundary=${boundary}`]: `--${boundary}\r\nContent-Disposition: form-data; name="name"\r\n\r\nplanted\r\n--${boundary}--\r\n`,
    };
    for (const [type, body] of Object.entries(bodies))
      for (const origin of ["http://evil.example", `http://127.0.0.1:${port()}`]) {
        // A form sends no custom header; even with it, a non-JSON type is refused.
        for (const extra of [{}, { "x-vaultlink-ui": "1" }] as Record<string, string>[]) {
          const r = await raw(port(), {
            method: "POST",
            path: "/api/add",
            headers: { cookie, origin, "content-type": type, ...extra },
            body,
          });
          expect(r.status, `${type} from ${origin}`).toBeGreaterThanOrEqual(403);
        }
      }
    expect(await screen.vault.secrets.has("planted")).toBe(false);
    expect(bytes().equals(before)).toBe(true);
  });

  it("a 10 MB body sent in chunks (no Content-Length) and deeply nested JSON are refused cleanly", async () => {
    const before = bytes();
    const chunked = await raw(port(), {
      method: "POST",
      path: "/api/add",
      headers: pageHeaders(port(), cookie, { "transfer-encoding": "chunked" }),
      body: JSON.stringify({ name: "huge", value: "x".repeat(10 * 1024 * 1024) }),
    }).catch(() => undefined);
    expect(chunked === undefined || chunked.status === 413, `HTTP ${chunked?.status}`).toBe(true);
    const deep = `{"name":"deep","value":"x","domains":${"[".repeat(100_000)}${"]".repeat(100_000)}}`;
    const r = await raw(port(), {
      method: "POST",
      path: "/api/add",
      headers: pageHeaders(port(), cookie),
      body: deep,
    });
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body).error).toMatch(/allowed domains must be text/);
    expect((await apiCall(screen, cookie, "state")).status).toBe(200);
    expect(bytes().equals(before)).toBe(true);
  });

  it("fields of the wrong type are refused by name, never read as something else", async () => {
    await apiCall(screen, cookie, "add", { name: "typed", value: "v1" });
    const before = bytes();
    for (const [action, body, message] of [
      ["add", { name: "n1", value: 5 }, /value must be text/],
      ["add", { name: "n1", value: "x", enabled: "no" }, /Enabled must be true or false/],
      ["add", { name: "n1", value: "x", domains: ["x.com"] }, /allowed domains must be text/],
      ["update", { name: "typed", value: 5 }, /value must be text/],
      ["update", { name: "typed", enabled: "false" }, /Enabled must be true or false/],
      ["update", { name: "typed", domains: null }, /allowed domains must be text/],
      ["update", { name: "typed" }, /Nothing to change in "typed"/],
      [
        "vault-create",
        { keychain: "yes" },
        /Keep the key in the OS keychain must be true or false/,
      ],
    ] as const) {
      const r = await apiCall(screen, cookie, action, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(JSON.parse(r.body).error).toMatch(message);
    }
    expect(bytes().equals(before)).toBe(true);
    expect(await screen.vault.secrets.has("n1")).toBe(false);
    expect((await screen.vault.secrets.get("typed")).enabled).toBe(true);
  });

  it("20 writes at once: every one that answered 200 is in the vault file", async () => {
    const adds = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        apiCall(screen, cookie, "add", { name: `burst-${i}`, value: `burst-value-${i}` }),
      ),
    );
    expect(adds.map((r) => r.status)).toEqual(adds.map(() => 200));
    const [edits, renames] = await Promise.all([
      Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          apiCall(screen, cookie, "update", { name: `burst-${i}`, value: `edited-${i}` }),
        ),
      ),
      Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          apiCall(screen, cookie, "rename", { from: `burst-${i + 10}`, to: `renamed-${i}` }),
        ),
      ),
    ]);
    expect([...edits, ...renames].every((r) => r.status === 200)).toBe(true);
    // A second vault on the same files sees what the screen reported as done.
    const reader = createVault({ home: screen.home, providers: [], keySources: [] });
    try {
      await reader.unlock(screen.vaultKey);
      const names = (await reader.secrets.list()).map((x) => x.name);
      for (let i = 0; i < 10; i++) {
        expect(names).toContain(`burst-${i}`);
        expect(names).toContain(`renamed-${i}`);
        expect(names).not.toContain(`burst-${i + 10}`);
      }
      const [r] = await reader.resolveForMatching(["burst-3"]);
      expect(r?.ok && r.value === "edited-3").toBe(true);
    } finally {
      await reader.dispose();
    }
  });

  it("refusals through the screen match the CLI's and leave the vault file byte for byte", async () => {
    const before = bytes();
    for (const [action, body, message] of [
      ["add", { name: "bad name!", value: "x" }, /is not a valid secret name/],
      ["add", { name: "__proto__", value: "x" }, /reserved in JavaScript objects/],
      ["add", { name: "n2", value: "x", domains: "*.com" }, /public suffix/],
      ["add", { name: "n2", value: "x", domains: "https://x.com/path" }, /has a path/],
      ["add", { name: "n2", value: "x", domains: ",," }, /An allowed domain is empty/],
      ["update", { name: "api-key", domains: "exa mple.com" }, /contains a space/],
      ["rename", { from: "api-key", to: "api-key" }, /already has that name/],
      ["rename", { from: "api-key", to: "typed" }, /already exists/],
      ["delete", { name: "../vault" }, /There is no secret named/],
      ["settings", { cacheTtlMinutes: "-1" }, /negative/],
      ["settings", { cacheTtlMinutes: 1.5 }, /not a whole number/],
      ["settings", { cacheTtlMinutes: "1e3" }, /not a number of minutes/],
      ["settings", { cacheTtlMinutes: 10081 }, /longer than one week/],
      ["settings", { cacheTtlMinutes: true }, /Give the cache time in minutes/],
      ["vault-reset", { confirm: "RESET" }, /needs confirmation/],
    ] as const) {
      const r = await apiCall(screen, cookie, action, body);
      expect(r.status, `${action} ${JSON.stringify(body)}`).toBe(400);
      const answer = JSON.parse(r.body) as { error: string; hint?: string };
      expect(answer.error).toMatch(message);
      expect(answer.error).not.toContain(VALUE);
    }
    expect(bytes().equals(before)).toBe(true);
  });
});

describe("a locked vault behind the screen", () => {
  it("every action says the vault is locked and what to do; none starts a sign-in", async () => {
    const screen = await openScreen();
    try {
      await screen.vault.secrets.add("kept", { value: VALUE, allowedDomains: [], enabled: true });
      await screen.vault.lock();
      const cookie = await signIn(screen);
      const state = JSON.parse((await apiCall(screen, cookie, "state")).body);
      expect(state).toEqual({ vault: expect.objectContaining({ state: "locked" }) });
      for (const [action, body] of [
        ["add", { name: "x", value: "y" }],
        ["doctor", {}],
        ["export", { password: "long-enough-password", repeat: "long-enough-password" }],
        ["settings", { cacheTtlMinutes: 5 }],
        ["reset-cache", {}],
        ["check-reference", { integration: "1password", reference: "op://a/b/c" }],
      ] as const) {
        const r = await apiCall(screen, cookie, action, body);
        expect(r.status, action).toBe(400);
        expect(JSON.parse(r.body)).toMatchObject({ code: "VAULT_LOCKED" });
        expect(r.body).not.toContain(VALUE);
      }
      const view = JSON.parse((await apiCall(screen, cookie, "view", { name: "kept" })).body);
      expect(view).toMatchObject({ ok: false, reason: "locked" });
      // An interactive sign-in (1Password's desktop app) runs as a background job: it ends at
      // once with the same refusal, before any sign-in starts.
      const started = await apiCall(screen, cookie, "connect", {
        provider: "1password",
        method: "desktop",
        options: { account: "my-account" },
      });
      const { job } = JSON.parse(started.body) as { job: string };
      expect(job).toMatch(/^[A-Za-z0-9_-]{22}$/);
      const outcome = async () =>
        JSON.parse((await apiCall(screen, cookie, "job", { id: job })).body) as {
          done: boolean;
          messages: string[];
          error?: { code: string };
        };
      // The outcome is given once, then the job is forgotten.
      let last: Awaited<ReturnType<typeof outcome>> = { done: false, messages: [] };
      await expect
        .poll(
          async () => {
            last = await outcome();
            return last.done;
          },
          { timeout: 10_000, interval: 50 },
        )
        .toBe(true);
      expect(last.error?.code).toBe("VAULT_LOCKED");
      expect(last.messages).toEqual([]);
    } finally {
      await screen.stop();
    }
  });
});

describe("idle lock", () => {
  it("after the idle time the vault is closed and every call answers locked", async () => {
    // Long enough for a sign-in and one call on a loaded machine; the lock is then awaited.
    const screen = await openScreen({ idleMs: 3000 });
    try {
      const cookie = await signIn(screen);
      expect((await apiCall(screen, cookie, "state")).status).toBe(200);
      await expect.poll(() => screen.server.locked, { timeout: 30_000, interval: 50 }).toBe(true);
      expect(screen.locks).toEqual(["idle"]);
      expect(screen.vault.unlocked).toBe(false);
      const r = await apiCall(screen, cookie, "state");
      expect(r.status).toBe(423);
      expect(JSON.parse(r.body).hint).toMatch(/vaultlink ui/);
      // The launch token is gone too: the screen cannot be signed in to again.
      const u = new URL(screen.server.launchUrl);
      expect((await raw(screen.server.port, { path: `${u.pathname}${u.search}` })).status).toBe(
        401,
      );
    } finally {
      await screen.stop();
    }
  });

  it("a screen nobody signs in to locks after the idle time too, voiding its launch token", async () => {
    const screen = await openScreen({ idleMs: 300 });
    try {
      await expect.poll(() => screen.server.locked, { timeout: 30_000, interval: 50 }).toBe(true);
      expect(screen.vault.unlocked).toBe(false);
      const u = new URL(screen.server.launchUrl);
      expect((await raw(screen.server.port, { path: `${u.pathname}${u.search}` })).status).toBe(
        401,
      );
    } finally {
      await screen.stop();
    }
  });

  it("the Lock button locks at once", async () => {
    const screen = await openScreen();
    try {
      const cookie = await signIn(screen);
      expect((await apiCall(screen, cookie, "lock")).status).toBe(200);
      expect(screen.locks).toEqual(["requested"]);
      expect(screen.vault.unlocked).toBe(false);
      expect((await apiCall(screen, cookie, "state")).status).toBe(423);
    } finally {
      await screen.stop();
    }
  });
});
