import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { providerError } from "@vaultlink/core/plugin";
import type { VaultClient } from "../client.js";
import type { VaultSettings } from "../settings.js";
import { type LoginResult, loginFailure } from "./login.js";
import { defaultMount, OIDC_PORTS } from "./methods.js";

export interface OidcOptions {
  /** Loopback port; the default 10545 falls back to 10534 when busy. 0 picks a free port. */
  port?: number;
  openBrowser?: boolean;
  notify?: (message: string) => void;
  /** How long to wait for the browser (ms). */
  timeoutMs?: number;
}

const DONE_PAGE = (ok: boolean) =>
  `<!doctype html><meta charset="utf-8"><title>vaultlink</title><body style="font-family:sans-serif"><h2>${
    ok ? "Signed in to Vault." : "Vault sign-in failed."
  }</h2><p>${ok ? "You can close this tab and return to the terminal." : "Return to the terminal for details."}</p></body>`;

async function listen(ports: readonly number[]): Promise<Server> {
  let lastError: unknown;
  for (const port of ports) {
    const server = createServer();
    try {
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, "127.0.0.1", () => resolve());
      });
      return server;
    } catch (error) {
      lastError = error;
      server.close();
    }
  }
  const code = (lastError as { code?: string } | undefined)?.code ?? "unknown error";
  throw providerError(
    "hashicorp",
    "AUTH_FAILED",
    `Could not listen on 127.0.0.1 port ${ports.join(" or ")} for the OIDC callback (${code}).`,
    {
      hint: "Close the program using that port, or pick another callbackPort allowed by the Vault role.",
    },
  );
}

function openInBrowser(url: string): void {
  const [command, args] =
    process.platform === "darwin"
      ? ["open", [url]]
      : process.platform === "win32"
        ? ["rundll32", ["url.dll,FileProtocolHandler", url]]
        : ["xdg-open", [url]];
  try {
    const child = spawn(command, args as string[], { detached: true, stdio: "ignore" });
    child.on("error", () => {});
    child.unref();
  } catch {
    // The URL was printed; the person can open it by hand.
  }
}

/**
 * `vault login -method=oidc`: ask Vault for the provider's authorization URL with a loopback
 * redirect URI, send the person there, receive code and state on the loopback server, and
 * trade them at auth/<mount>/oidc/callback for a Vault token.
 */
export async function oidcLogin(
  client: VaultClient,
  settings: VaultSettings,
  options: OidcOptions,
): Promise<LoginResult> {
  const mount = settings.authMount ?? defaultMount("oidc");
  const what = `OIDC login at auth/${mount}`;
  const ports =
    options.port === undefined || options.port === OIDC_PORTS[0] ? [...OIDC_PORTS] : [options.port];
  const server = await listen(ports);
  const port = (server.address() as AddressInfo).port;
  const redirectUri = `http://127.0.0.1:${port}/oidc/callback`;
  const clientNonce = randomBytes(20).toString("hex");
  let timer: NodeJS.Timeout | undefined;
  try {
    let authUrl: unknown;
    try {
      const response = await client.write(`auth/${mount}/oidc/auth_url`, {
        ...(settings.role ? { role: settings.role } : {}),
        redirect_uri: redirectUri,
        client_nonce: clientNonce,
      });
      authUrl = response.data?.auth_url;
    } catch (error) {
      throw loginFailure(error, `${what} (auth_url)`, settings.address);
    }
    if (typeof authUrl !== "string" || authUrl === "") {
      throw providerError(
        "hashicorp",
        "AUTH_FAILED",
        `Vault gave no authorization URL for the ${what}.`,
        {
          hint: `Check the role and that ${redirectUri} is one of the role's allowed_redirect_uris.`,
        },
      );
    }

    const received = new Promise<{ query: URLSearchParams; respond: (ok: boolean) => void }>(
      (resolve) => {
        server.on("request", (req, res) => {
          const url = new URL(req.url ?? "/", redirectUri);
          if (req.method !== "GET" || url.pathname !== "/oidc/callback") {
            res.writeHead(404).end();
            return;
          }
          resolve({
            query: url.searchParams,
            respond: (ok) => {
              res.writeHead(ok ? 200 : 400, {
                "content-type": "text/html; charset=utf-8",
                connection: "close",
              });
              res.end(DONE_PAGE(ok));
            },
          });
        });
      },
    );
    const timeoutMs = options.timeoutMs ?? 5 * 60_000;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            providerError(
              "hashicorp",
              "AUTH_FAILED",
              `The browser sign-in did not finish within ${Math.round(timeoutMs / 1000)} s.`,
              {
                hint: "Run the sign-in again and complete it in the browser.",
              },
            ),
          ),
        timeoutMs,
      );
      timer.unref();
    });

    options.notify?.(`Sign in to Vault in your browser: ${authUrl}`);
    if (options.openBrowser !== false) openInBrowser(authUrl);

    const { query, respond } = await Promise.race([received, timedOut]);
    const idpError = query.get("error");
    if (idpError) {
      respond(false);
      const description = query.get("error_description");
      throw providerError(
        "hashicorp",
        "AUTH_FAILED",
        `The identity provider refused the sign-in: ${idpError}${description ? ` (${description.slice(0, 200)})` : ""}.`,
        { hint: "Check that your account may use the Vault OIDC role." },
      );
    }
    const params = new URLSearchParams({
      state: query.get("state") ?? "",
      code: query.get("code") ?? "",
      id_token: query.get("id_token") ?? "",
      client_nonce: clientNonce,
    });
    try {
      const response = await client.read(`auth/${mount}/oidc/callback?${params.toString()}`);
      respond(true);
      return { response };
    } catch (error) {
      respond(false);
      throw loginFailure(error, `${what} (callback)`, settings.address);
    }
  } finally {
    if (timer) clearTimeout(timer);
    server.close();
    server.closeAllConnections();
  }
}
