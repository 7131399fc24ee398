import { spawn } from "node:child_process";
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { providerError } from "@vaultlink/core/plugin";
import { PROVIDER_ID } from "../meta.js";

/**
 * The loopback half of a browser sign-in, shared by both OIDC methods: listen on 127.0.0.1
 * (10545, else 10534), show the person a URL, wait for the browser's redirect, answer it with
 * a small page.
 */
export interface Loopback {
  port: number;
  /**
   * The browser's redirect, once, or a timeout. With `state`, a redirect carrying another state
   * (a stray tab, a page poking the port) is answered 400 and the wait goes on.
   */
  waitForRedirect(
    timeoutMs: number,
    expect?: { state?: string | undefined; integrationId?: string | undefined },
  ): Promise<{ url: URL; respond: (ok: boolean) => void }>;
  close(): void;
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
    PROVIDER_ID,
    "AUTH_FAILED",
    `Could not listen on 127.0.0.1 port ${ports.join(" or ")} for the browser sign-in (${code}).`,
    {
      hint: "Close the program using that port, or pick another callbackPort allowed by the Vault role or client.",
    },
  );
}

function page(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { "content-type": "text/html; charset=utf-8", connection: "close" });
  res.end(
    `<!doctype html><meta charset="utf-8"><title>vaultlink</title><body style="font-family:sans-serif"><p>${text}</p></body>`,
  );
}

/** Listen for the redirect to `path` on the first free port of `ports`. */
export async function openLoopback(ports: readonly number[], path: string): Promise<Loopback> {
  const server = await listen(ports);
  const port = (server.address() as AddressInfo).port;
  const base = `http://127.0.0.1:${port}`;
  let timer: NodeJS.Timeout | undefined;
  return {
    port,
    waitForRedirect(timeoutMs, expect = {}) {
      let done = false;
      const received = new Promise<{ url: URL; respond: (ok: boolean) => void }>((resolve) => {
        server.on("request", (req, res) => {
          const url = new URL(req.url ?? "/", base);
          if (req.method !== "GET" || url.pathname !== path) {
            res.writeHead(404).end();
            return;
          }
          if (done) {
            // The sign-in already has its answer: a second hit changes nothing.
            page(res, 409, "This sign-in has already finished.");
            return;
          }
          if (expect.state !== undefined && url.searchParams.get("state") !== expect.state) {
            page(res, 400, "This is not the sign-in vaultlink is waiting for.");
            return;
          }
          done = true;
          resolve({
            url,
            respond: (ok) => {
              res.writeHead(ok ? 200 : 400, {
                "content-type": "text/html; charset=utf-8",
                connection: "close",
              });
              res.end(DONE_PAGE(ok));
            },
          });
        });
      });
      const again = expect.integrationId
        ? `vaultlink integration reauth ${expect.integrationId} (or the join or connect command you ran)`
        : "the sign-in command";
      const timedOut = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              providerError(
                PROVIDER_ID,
                "AUTH_FAILED",
                `The browser sign-in did not finish within ${Math.round(timeoutMs / 1000)} s (the browser was closed, or the sign-in page never completed).`,
                {
                  hint: `Run ${again} again and finish signing in on the page it opens; without a browser here, open the printed URL in one on this machine.`,
                },
              ),
            ),
          timeoutMs,
        );
        timer.unref();
      });
      return Promise.race([received, timedOut]);
    },
    close() {
      if (timer) clearTimeout(timer);
      server.close();
      server.closeAllConnections();
    },
  };
}

/** Open `url` in the browser: `BROWSER` when set (as many CLIs honour), else the platform's opener. */
export function openInBrowser(url: string): void {
  const chosen = process.env.BROWSER?.trim();
  const [command, args] = chosen
    ? [chosen, [url]]
    : process.platform === "darwin"
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

/** An error the identity provider sent back on the redirect. */
export function refusedSignIn(query: URLSearchParams, hint: string): Error | undefined {
  const idpError = query.get("error");
  if (!idpError) return undefined;
  const description = query.get("error_description");
  return providerError(
    PROVIDER_ID,
    "AUTH_FAILED",
    `The identity provider refused the sign-in: ${idpError}${description ? ` (${description.slice(0, 200)})` : ""}.`,
    { hint },
  );
}
