import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { serve } from "@hono/node-server";
import { type Context, Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { createApi, type UiHost, UNEXPECTED, userError } from "./api.js";
import {
  API_HEADER,
  allowedHosts,
  allowedOrigins,
  newSecret,
  SECURITY_HEADERS,
  sameSecret,
  sessionCookie,
} from "./guard.js";

export interface UiServerOptions {
  host: UiHost;
  /** Lock (and close the vault) after this long without a request. Default 15 minutes. */
  idleMs?: number;
  /** Port on 127.0.0.1; default 0 (a random free port). */
  port?: number;
  /** Called once when the screen locks (idle or the Lock button): close the vault here. */
  onLock?(reason: "idle" | "requested"): void | Promise<void>;
  /** Errors that are not the person's (logged redacted by the host, never sent to the page). */
  onUnexpectedError?(error: unknown): void;
  /**
   * Write a launch page (`ui-launch-<port>.html`, mode 0600; the directory is made 0700 when
   * missing) that forwards to the launch address, for the host to open the browser on. A
   * browser started on the address itself has the token in its arguments, which every user of
   * the machine can read in the process list. The page is removed once the token is spent, and
   * on lock and close.
   */
  launchPageDir?: string;
}

export interface UiServer {
  /** The page's address, without the token. */
  readonly url: string;
  /** The address to open once: it carries the one-time launch token. */
  readonly launchUrl: string;
  /**
   * The launch page's path (with `launchPageDir`), until the token is spent or the screen locks;
   * undefined when it could not be written (the host then opens `launchUrl`).
   */
  readonly launchPage: string | undefined;
  readonly port: number;
  readonly locked: boolean;
  lock(reason: "idle" | "requested"): Promise<void>;
  close(): Promise<void>;
}

const STATIC: Readonly<Record<string, { file: string; type: string }>> = {
  "/": { file: "index.html", type: "text/html; charset=utf-8" },
  "/app.js": { file: "app.js", type: "text/javascript; charset=utf-8" },
  "/app.css": { file: "app.css", type: "text/css; charset=utf-8" },
};

function loadPage(): Map<string, { body: string; type: string }> {
  // Built: dist/page beside this file. Run from src (the tests): the built page in dist.
  let dir = new URL("./page/", import.meta.url);
  if (!existsSync(new URL("app.js", dir))) dir = new URL("../dist/page/", import.meta.url);
  const files = new Map<string, { body: string; type: string }>();
  for (const [path, { file, type }] of Object.entries(STATIC))
    files.set(path, { body: readFileSync(new URL(file, dir), "utf8"), type });
  return files;
}

const NOT_SIGNED_IN = `<!doctype html><meta charset="utf-8"><title>vaultlink</title>
<p>This vault screen needs the address <code>vaultlink ui</code> printed (it signs this browser in once).
Run <code>vaultlink ui</code> again to get a new one.</p>`;

/**
 * After a sign-in the browser arrived at from another page (the launch page is a file: an
 * opaque origin), a redirect would stay cross-site and the SameSite=Strict cookie would not be
 * sent with it; this page's own step to `/` is same-origin.
 */
const SIGNED_IN = `<!doctype html><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=/">
<title>vaultlink</title><p><a href="/">Open the vault screen</a></p>`;

const attr = (text: string) =>
  text.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** Write the launch page atomically, readable by this user only. */
function writeLaunchPage(dir: string, port: number, launchUrl: string): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, `ui-launch-${port}.html`);
  const tmp = join(dir, `.ui-launch-${port}-${newSecret().slice(0, 12)}.tmp`);
  const href = attr(launchUrl);
  writeFileSync(
    tmp,
    `<!doctype html><meta charset="utf-8"><meta name="referrer" content="no-referrer">
<meta http-equiv="refresh" content="0;url=${href}"><title>vaultlink</title>
<p>Opening the vault screen. <a href="${href}">Open it</a> if nothing happens.</p>\n`,
    { mode: 0o600, flag: "wx" },
  );
  renameSync(tmp, file);
  return file;
}

/**
 * Serve the vault screen on 127.0.0.1 (never another interface). Resolves once listening.
 */
export async function startUiServer(options: UiServerOptions): Promise<UiServer> {
  const page = loadPage();
  const api = createApi(options.host, (error) => options.onUnexpectedError?.(error));
  const idleMs = options.idleMs ?? 15 * 60_000;
  let launchToken: string | undefined = newSecret();
  const sessions = new Set<string>();
  let locked = false;
  let port = 0;
  let hosts = new Set<string>();
  let origins = new Set<string>();
  let idleTimer: NodeJS.Timeout | undefined;
  let launchPage: string | undefined;
  const dropLaunchPage = () => {
    if (launchPage) rmSync(launchPage, { force: true });
    launchPage = undefined;
  };

  const lock = async (reason: "idle" | "requested") => {
    if (locked) return;
    locked = true;
    launchToken = undefined;
    dropLaunchPage();
    sessions.clear();
    if (idleTimer) clearTimeout(idleTimer);
    await options.onLock?.(reason);
  };
  const touch = () => {
    if (idleTimer) clearTimeout(idleTimer);
    idleTimer = setTimeout(() => void lock("idle"), idleMs);
    idleTimer.unref();
  };

  const app = new Hono();
  const refuse = (
    c: Context,
    status: 400 | 401 | 403 | 404 | 405 | 413 | 415 | 421 | 423,
    error: string,
  ) => c.json({ error, code: "UI_REFUSED" }, status);

  app.use(async (c, next) => {
    await next();
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) c.header(k, v);
  });
  // DNS rebinding: a page of evil.example that resolves to 127.0.0.1 still sends its own Host.
  app.use(async (c, next) => {
    if (!hosts.has(c.req.header("host") ?? "")) return refuse(c, 421, "Unknown host.");
    await next();
  });

  // The launch token, once, for a session cookie; then a clean address without it.
  app.get("/login", (c) => {
    // HEAD is answered by GET routes; a link checker or preview must not spend the token.
    if (c.req.method === "HEAD") return refuse(c, 405, "Open this address with GET.");
    const token = c.req.query("token");
    if (locked || launchToken === undefined || !sameSecret(token, launchToken))
      return c.html(NOT_SIGNED_IN, 401);
    launchToken = undefined;
    dropLaunchPage();
    const session = newSecret();
    sessions.add(session);
    setCookie(c, sessionCookie(port), session, {
      httpOnly: true,
      sameSite: "Strict",
      path: "/",
    });
    touch();
    // Typed, pasted or given on the browser's command line: a plain redirect. Arrived at from
    // another page (the launch page): one same-origin step, so the cookie goes with it.
    const site = c.req.header("sec-fetch-site");
    if (site !== undefined && site !== "none" && site !== "same-origin") return c.html(SIGNED_IN);
    return c.redirect("/", 303);
  });

  const signedIn = (c: Context) => {
    const s = getCookie(c, sessionCookie(port));
    return s !== undefined && [...sessions].some((x) => sameSecret(s, x));
  };

  for (const path of Object.keys(STATIC)) {
    app.get(path, (c) => {
      if (!signedIn(c)) {
        if (path === "/") return c.html(NOT_SIGNED_IN, 401);
        return refuse(c, 401, "Not signed in.");
      }
      const f = page.get(path);
      if (!f) return refuse(c, 404, "Not found.");
      return c.body(f.body, 200, { "Content-Type": f.type });
    });
  }

  // The API: signed in, and every call a same-origin JSON POST carrying our header, so neither
  // a cross-site form (no custom header, no JSON type) nor a cross-site fetch (no CORS) gets in.
  app.use("/api/*", async (c, next) => {
    if (c.req.method !== "POST") return refuse(c, 405, "Use POST.");
    if (locked)
      return c.json(
        {
          error: "The vault screen is locked and the vault is closed.",
          hint: "Run vaultlink ui again to open it.",
          code: "UI_LOCKED",
        },
        423,
      );
    if (!signedIn(c)) return refuse(c, 401, "Not signed in.");
    const origin = c.req.header("origin");
    if (origin === undefined || !origins.has(origin))
      return refuse(c, 403, "Requests from other sites are refused.");
    const site = c.req.header("sec-fetch-site");
    if (site !== undefined && site !== "same-origin")
      return refuse(c, 403, "Requests from other sites are refused.");
    if (c.req.header(API_HEADER) !== "1") return refuse(c, 403, "Missing the vault screen header.");
    if (!(c.req.header("content-type") ?? "").startsWith("application/json"))
      return refuse(c, 415, "Send JSON.");
    touch();
    await next();
  });
  // The page sends JSON objects (a value may be a certificate bundle, an import a whole export);
  // past 8 MiB, refused unread.
  app.use(
    "/api/*",
    bodyLimit({
      maxSize: 8 * 1024 * 1024,
      onError: (c) => refuse(c, 413, "The request is too large."),
    }),
  );

  const routes: Record<string, (body: Record<string, unknown>) => Promise<unknown>> = {
    state: api.state,
    view: api.view,
    add: api.add,
    update: api.update,
    rename: api.rename,
    delete: api.remove,
    "check-reference": api.checkReference,
    link: api.link,
    unlink: api.unlink,
    settings: api.settings,
    "reset-cache": api.resetCache,
    connect: api.connect,
    reauth: api.reauth,
    disconnect: api.disconnect,
    doctor: api.doctor,
    job: api.job,
    export: api.export,
    import: api.import,
    "vault-create": api.vaultCreate,
    "vault-unlock": api.vaultUnlock,
    "vault-reset": api.vaultReset,
  };
  app.post("/api/lock", async (c) => {
    await lock("requested");
    deleteCookie(c, sessionCookie(port), { path: "/" });
    return c.json({ locked: true });
  });
  app.post("/api/:action", async (c) => {
    const action = routes[c.req.param("action")];
    if (!action) return refuse(c, 404, "Unknown action.");
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return refuse(c, 400, "The request body is not JSON.");
    }
    if (typeof body !== "object" || body === null || Array.isArray(body))
      return refuse(c, 400, "The request body must be a JSON object.");
    try {
      return c.json((await action(body as Record<string, unknown>)) ?? {});
    } catch (error) {
      const known = userError(error);
      if (known) return c.json(known, 400);
      options.onUnexpectedError?.(error);
      return c.json(UNEXPECTED, 500);
    }
  });
  app.get("/favicon.ico", (c) => c.body(null, 204));
  app.all("*", (c) => refuse(c, 404, "Not found."));

  const server = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: options.port ?? 0 });
  await new Promise<void>((resolve, reject) => {
    server.once("listening", () => resolve());
    server.once("error", reject);
  });
  port = (server.address() as AddressInfo).port;
  hosts = allowedHosts(port);
  origins = allowedOrigins(port);
  // The idle time runs from the start: a screen nobody signs in to locks too.
  touch();
  const url = `http://127.0.0.1:${port}/`;
  const launchUrl = () => `http://127.0.0.1:${port}/login?token=${launchToken ?? ""}`;
  if (options.launchPageDir !== undefined) {
    try {
      launchPage = writeLaunchPage(options.launchPageDir, port, launchUrl());
    } catch (error) {
      options.onUnexpectedError?.(error);
    }
  }
  return {
    url,
    get launchUrl() {
      return launchUrl();
    },
    get launchPage() {
      return launchPage;
    },
    port,
    get locked() {
      return locked;
    },
    lock,
    close: async () => {
      if (idleTimer) clearTimeout(idleTimer);
      dropLaunchPage();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
    },
  };
}
