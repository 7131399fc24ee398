/**
 * A stand-in for the secrets service, over real HTTP on 127.0.0.1, for tests and for trying
 * the plugin with the vaultlink CLI. It speaks the API in src/client.ts and can be told to
 * fail the ways a real service fails. Replace it with your service's emulator (or point the
 * harness at a test instance of the real service) when you replace src/client.ts.
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface StandInOptions {
  /** Secret name → value. */
  secrets: Record<string, string>;
  /** API keys that may sign in. */
  apiKeys: readonly string[];
  /** How long a session token lives; default 3600. */
  sessionTtlSeconds?: number;
  /** Port to listen on; default a free one. */
  port?: number;
  /** Each secret read waits this long before it answers; default 0. */
  readDelayMs?: number;
}

export interface StandIn {
  /** http://127.0.0.1:<port> */
  readonly url: string;
  readonly port: number;
  /** The service's secrets; change them while it runs. */
  readonly secrets: Map<string, string>;
  /** Secret reads so far, and the most that were in flight at once. */
  readonly reads: { readonly total: number; readonly peakInFlight: number };
  readonly faults: {
    /** Every session token issued so far stops working (401); new sign-ins work. */
    expireSessions(): void;
    /** Secret reads are refused (403) until clear(). */
    deny(): void;
    /** Secret reads are rate limited (429) until clear(). */
    throttle(): void;
    /** Secret reads get no answer until clear() (the connection stays open). */
    hang(): void;
    /** No more 403, 429 or hanging; expired tokens stay expired. */
    clear(): void;
  };
  close(): Promise<void>;
}

export async function startStandIn(options: StandInOptions): Promise<StandIn> {
  const secrets = new Map(Object.entries(options.secrets));
  const ttl = options.sessionTtlSeconds ?? 3600;
  const live = new Map<string, string>(); // token → identity
  let denied = false;
  let throttled = false;
  let hanging = false;
  const reads = { total: 0, inFlight: 0, peakInFlight: 0 };
  const hung = new Set<ServerResponse>();

  const server = createServer((req, res) => {
    handle(req, res).catch(() => send(res, 500, { error: "internal" }));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? "/", "http://stand-in").pathname;
    if (req.method === "POST" && path === "/v1/sessions") {
      const body = await readBody(req);
      const index = options.apiKeys.indexOf(String(body?.apiKey ?? ""));
      if (index < 0) return send(res, 401, { error: "invalid_api_key" });
      const token = randomBytes(24).toString("base64url");
      const identity = `api key #${index + 1}`;
      live.set(token, identity);
      return send(res, 201, { token, expiresInSeconds: ttl, identity });
    }
    const secret = /^\/v1\/secrets\/([^/]+)$/.exec(path);
    if (req.method === "GET" && secret) {
      const auth = /^Bearer (.+)$/.exec(req.headers.authorization ?? "");
      if (!auth || !live.has(auth[1] as string)) return send(res, 401, { error: "invalid_token" });
      if (hanging) {
        hung.add(res);
        return;
      }
      reads.total += 1;
      reads.inFlight += 1;
      reads.peakInFlight = Math.max(reads.peakInFlight, reads.inFlight);
      try {
        if (options.readDelayMs) await new Promise((r) => setTimeout(r, options.readDelayMs));
      } finally {
        reads.inFlight -= 1;
      }
      if (throttled) return send(res, 429, { error: "rate_limited" }, { "retry-after": "1" });
      if (denied) return send(res, 403, { error: "forbidden" });
      const value = secrets.get(decodeURIComponent(secret[1] as string));
      if (value === undefined) return send(res, 404, { error: "not_found" });
      return send(res, 200, { value });
    }
    return send(res, 404, { error: "no_such_route" });
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    secrets,
    reads,
    faults: {
      expireSessions: () => live.clear(),
      deny: () => {
        denied = true;
      },
      throttle: () => {
        throttled = true;
      },
      hang: () => {
        hanging = true;
      },
      clear: () => {
        denied = false;
        throttled = false;
        hanging = false;
        for (const res of hung) res.destroy();
        hung.clear();
      },
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function readBody(req: IncomingMessage): Promise<Record<string, unknown> | undefined> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}
