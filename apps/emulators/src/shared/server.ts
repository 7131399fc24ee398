import { once } from "node:events";
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import {
  FaultController,
  type FaultRule,
  type RawFault,
  REQUEST_PLACEHOLDER,
  RequestCounter,
} from "./faults.js";

export interface EmulatorRequest {
  method: string;
  url: URL;
  headers: IncomingMessage["headers"];
  body: Buffer;
  raw: IncomingMessage;
}

export interface EmulatorResponse {
  status: number;
  headers?: Record<string, string>;
  /** Objects are sent as JSON; strings and Buffers as they are; undefined sends no body. */
  body?: unknown;
}

export interface EmulatorSpec {
  name: string;
  /** Serve over TLS with this key and certificate (PEM). */
  tls?: { key: string; cert: string };
  /** Name the operation of a request, for counting and fault matching. */
  operationOf(req: EmulatorRequest): string;
  /** Answer a request. */
  handle(req: EmulatorRequest): Promise<EmulatorResponse> | EmulatorResponse;
  /** Turn a named fault into this service's real error response. */
  faultResponse(kind: string, req: EmulatorRequest): EmulatorResponse;
  /** Make every credential issued so far stop working. */
  expireCredentials(): void;
  /** Back to the seeded state. */
  reset(): void;
  /** Emulator-specific control actions under /__emulator/<action>. */
  control?: Record<string, (body: unknown) => unknown | Promise<unknown>>;
  /** Default content type for object bodies. */
  jsonContentType?: string;
}

/** What tests hold: the URL, in-process control, and stop(). */
export interface RunningEmulator {
  name: string;
  url: string;
  port: number;
  faults: FaultController;
  requests: RequestCounter;
  /** Inject a fault; returns its id. */
  inject(rule: FaultRule): number;
  clearFaults(): void;
  expireCredentials(): void;
  /** Reset state, faults and counters. */
  reset(): void;
  stop(): Promise<void>;
}

export const CONTROL_PREFIX = "/__emulator/";

function send(res: ServerResponse, response: EmulatorResponse, jsonType: string): void {
  const headers: Record<string, string> = { ...(response.headers ?? {}) };
  let payload: Buffer | string | undefined;
  if (response.body === undefined) payload = undefined;
  else if (Buffer.isBuffer(response.body) || typeof response.body === "string") {
    payload = response.body;
  } else {
    payload = JSON.stringify(response.body);
    if (!Object.keys(headers).some((h) => h.toLowerCase() === "content-type")) {
      headers["content-type"] = jsonType;
    }
  }
  res.writeHead(response.status, headers);
  res.end(payload);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Start an emulator on 127.0.0.1 and a random free port (or `port`). */
export async function startEmulatorServer(
  spec: EmulatorSpec,
  options: { port?: number } = {},
): Promise<RunningEmulator> {
  const faults = new FaultController();
  const requests = new RequestCounter();
  const jsonType = spec.jsonContentType ?? "application/json";

  const listener = async (raw: IncomingMessage, res: ServerResponse) => {
    try {
      const scheme = spec.tls ? "https" : "http";
      const url = new URL(raw.url ?? "/", `${scheme}://${raw.headers.host ?? "127.0.0.1"}`);
      const body = await readBody(raw);
      const req: EmulatorRequest = {
        method: raw.method ?? "GET",
        url,
        headers: raw.headers,
        body,
        raw,
      };
      if (url.pathname.startsWith(CONTROL_PREFIX)) {
        send(res, await handleControl(req), "application/json");
        return;
      }
      const operation = spec.operationOf(req);
      const finished = requests.begin(operation);
      // Answered ("finish") or cut off ("close"), whichever comes first.
      res.once("finish", finished).once("close", finished);
      const fault = faults.take(operation, url.pathname);
      if (fault.latencyMs > 0 && !(await hold(res, fault.latencyMs))) return;
      if (fault.until && !(await holdUntil(res, fault.until))) return;
      if (fault.error !== undefined) {
        const response =
          typeof fault.error === "string"
            ? spec.faultResponse(fault.error, req)
            : rawFault(fault.error, req);
        send(res, response, jsonType);
        return;
      }
      send(res, await spec.handle(req), jsonType);
    } catch (error) {
      if (!res.headersSent) {
        send(
          res,
          { status: 500, body: { message: `emulator failure: ${(error as Error).message}` } },
          "application/json",
        );
      } else res.destroy();
    }
  };

  const handleControl = async (req: EmulatorRequest): Promise<EmulatorResponse> => {
    const action = req.url.pathname.slice(CONTROL_PREFIX.length);
    const input = req.body.length > 0 ? JSON.parse(req.body.toString("utf8")) : {};
    switch (action) {
      case "faults":
        if (req.method === "DELETE") {
          faults.clear();
          return { status: 200, body: { cleared: true } };
        }
        return { status: 200, body: { id: faults.add(input as FaultRule) } };
      case "expire-credentials":
        spec.expireCredentials();
        return { status: 200, body: { expired: true } };
      case "requests":
        if (req.method === "DELETE") {
          requests.reset();
          return { status: 200, body: { reset: true } };
        }
        return { status: 200, body: requests.snapshot() };
      case "reset":
        reset();
        return { status: 200, body: { reset: true } };
      default: {
        const custom = spec.control?.[action];
        if (!custom) return { status: 404, body: { message: `unknown control action ${action}` } };
        return { status: 200, body: (await custom(input)) ?? { ok: true } };
      }
    }
  };

  const reset = () => {
    faults.clear();
    requests.reset();
    spec.reset();
  };

  const server = spec.tls
    ? https.createServer({ key: spec.tls.key, cert: spec.tls.cert }, listener)
    : http.createServer(listener);
  server.keepAliveTimeout = 1000;
  server.listen(options.port ?? 0, "127.0.0.1");
  await once(server, "listening");
  const port = (server.address() as AddressInfo).port;
  const url = `${spec.tls ? "https" : "http"}://127.0.0.1:${port}`;

  return {
    name: spec.name,
    url,
    port,
    faults,
    requests,
    inject: (rule) => faults.add(rule),
    clearFaults: () => faults.clear(),
    expireCredentials: () => spec.expireCredentials(),
    reset,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Wait `ms` before answering. Resolves early, with false, when the client gives up (or stop()
 * cuts the connection), so no timer outlives the request.
 */
/** Wait for `until`; false when the client went away first. */
function holdUntil(res: ServerResponse, until: Promise<unknown>): Promise<boolean> {
  return new Promise((resolve) => {
    const cut = () => resolve(false);
    res.once("close", cut);
    void until.then(() => {
      res.off("close", cut);
      resolve(true);
    });
  });
}

function hold(res: ServerResponse, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      res.off("close", cut);
      resolve(true);
    };
    const cut = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(done, ms);
    res.once("close", cut);
  });
}

function rawFault(fault: RawFault, req: EmulatorRequest): EmulatorResponse {
  let body = fault.body;
  if (fault.echoRequest && body !== undefined) {
    const headers = Object.entries(req.headers)
      .map(([name, value]) => `${name}: ${Array.isArray(value) ? value.join(", ") : value}`)
      .join("; ");
    const dump = `${req.method} ${req.url.pathname}${req.url.search} [${headers}] ${req.body.toString("utf8")}`;
    body = JSON.parse(
      JSON.stringify(body, (_key, v: unknown) =>
        typeof v === "string" ? v.split(REQUEST_PLACEHOLDER).join(dump) : v,
      ),
    );
  }
  return {
    status: fault.status,
    ...(fault.headers ? { headers: fault.headers } : {}),
    ...(body !== undefined ? { body } : {}),
  };
}
