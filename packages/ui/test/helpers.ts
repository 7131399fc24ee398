/**
 * Shared parts of the vault screen's tests: a real vault (core, file store) in a temporary
 * home with the 1Password plugin, the screen's server on it, and raw HTTP requests whose
 * every header (Host, Origin, Cookie) the test chooses.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createVault,
  type ProviderDefinition,
  type Vault,
  type WritableKeySource,
} from "@vaultlink/core";
import onePassword from "@vaultlink/provider-1password";
import { startUiServer, type UiServer, type UiServerOptions } from "../src/index.js";

export interface Screen {
  vault: Vault;
  /** The vault's key ("" when the screen started without a vault). */
  vaultKey: string;
  server: UiServer;
  home: string;
  locks: string[];
  stop(): Promise<void>;
}

export async function openScreen(
  options: Partial<Omit<UiServerOptions, "host">> & {
    providers?: ProviderDefinition[];
    /** Before the screen starts: "open" (default) creates the vault; "missing" leaves none. */
    vault?: "open" | "missing";
    keychain?: WritableKeySource;
    /** Write the launch page into the vault's home (as `vaultlink ui` does when it opens a browser). */
    launchPage?: boolean;
  } = {},
): Promise<Screen> {
  const home = mkdtempSync(join(tmpdir(), "vaultlink-ui-"));
  const {
    providers = [onePassword],
    vault: start = "open",
    keychain,
    launchPage,
    ...serverOptions
  } = options;
  const vault = createVault({ home, providers, keySources: [] });
  const vaultKey = start === "open" ? (await vault.create()).vaultKey : "";
  const locks: string[] = [];
  const server = await startUiServer({
    host: { vault, ...(keychain ? { keychain } : {}) },
    ...serverOptions,
    ...(launchPage ? { launchPageDir: home } : {}),
    onLock: async (reason) => {
      locks.push(reason);
      await vault.dispose();
    },
  });
  return {
    vault,
    vaultKey,
    server,
    home,
    locks,
    stop: async () => {
      await server.close();
      await vault.dispose();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One HTTP request to the screen with exactly these headers (Node's fetch would fix Host). */
export function raw(
  port: number,
  o: { method?: string; path: string; headers?: Record<string, string>; body?: string },
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        method: o.method ?? "GET",
        // A fresh connection per request: a socket the server closed is never reused.
        agent: false,
        path: o.path,
        headers: { host: `127.0.0.1:${port}`, ...o.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString("utf8"),
          }),
        );
      },
    );
    req.on("error", reject);
    if (o.body !== undefined) req.write(o.body);
    req.end();
  });
}

/** Exchange the launch token for the session cookie ("vaultlink_ui_<port>=…"). */
export async function signIn(screen: Screen): Promise<string> {
  const u = new URL(screen.server.launchUrl);
  const r = await raw(screen.server.port, { path: `${u.pathname}${u.search}` });
  const set = r.headers["set-cookie"];
  const cookie = (Array.isArray(set) ? set[0] : set)?.split(";")[0];
  if (r.status !== 303 || !cookie) throw new Error(`sign-in failed: HTTP ${r.status}`);
  return cookie;
}

/** A well-formed API call from the page: same origin, our header, JSON. */
export function apiCall(
  screen: Screen,
  cookie: string,
  action: string,
  body: unknown = {},
  headers: Record<string, string> = {},
): Promise<RawResponse> {
  const port = screen.server.port;
  return raw(port, {
    method: "POST",
    path: `/api/${action}`,
    headers: {
      cookie,
      origin: `http://127.0.0.1:${port}`,
      "content-type": "application/json",
      "x-vaultlink-ui": "1",
      ...headers,
    },
    body: JSON.stringify(body),
  });
}
