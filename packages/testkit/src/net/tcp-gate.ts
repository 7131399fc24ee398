import { once } from "node:events";
import net from "node:net";

/**
 * How a closed gate turns clients away:
 * - `"refuse"`: it stops listening, so a connect fails with `ECONNREFUSED` (nothing on the port);
 * - `"reset"`: it keeps listening and resets each connection it accepts (`ECONNRESET`), the way a
 *   server that went away behind a load balancer does.
 */
export type TcpGateCloseMode = "refuse" | "reset";

/** Where a TCP gate forwards to. A bare number is a port on `127.0.0.1`. */
export type TcpGateTarget = number | { host?: string; port: number };

/**
 * A TCP pass-through on `127.0.0.1` in front of a local server, so a test can make that server
 * unreachable through a real network failure and reachable again at the same address, while
 * the server keeps its state.
 */
export interface TcpGate {
  /** Always `127.0.0.1`. */
  readonly host: string;
  /** The gate's port; it stays the same across `close()` and `open()`. */
  readonly port: number;
  /** `http://127.0.0.1:<port>`; build other schemes from `host` and `port`. */
  readonly url: string;
  /** `"open"`, the close mode in effect, or `"stopped"`. */
  readonly state: "open" | TcpGateCloseMode | "stopped";
  /** Forward connections again, on the same port. */
  open(): Promise<void>;
  /** Turn new connections away (`"refuse"` by default) and cut the ones already open. */
  close(mode?: TcpGateCloseMode): Promise<void>;
  /** Close for good and release the port. Safe to call more than once. */
  stop(): Promise<void>;
}

/** Start a gate in front of `target`; it is open when the promise resolves. */
export async function createTcpGate(target: TcpGateTarget): Promise<TcpGate> {
  const upstreamAt = typeof target === "number" ? { port: target } : target;
  const upstreamHost = upstreamAt.host ?? "127.0.0.1";
  const host = "127.0.0.1";
  const sockets = new Set<net.Socket>();
  const clients = new WeakSet<net.Socket>();
  let state: TcpGate["state"] = "open";

  const track = (socket: net.Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    // A peer going away mid-stream is expected here; the other side is cut below.
    socket.on("error", () => {});
  };

  const server = net.createServer((client) => {
    track(client);
    clients.add(client);
    if (state !== "open") {
      client.resetAndDestroy();
      return;
    }
    const upstream = net.connect(upstreamAt.port, upstreamHost);
    track(upstream);
    const cut = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on("error", cut).on("close", cut);
    upstream.on("error", cut).on("close", cut);
    client.pipe(upstream).pipe(client);
  });

  const listen = async (port: number) => {
    server.listen(port, host);
    await Promise.race([
      once(server, "listening"),
      once(server, "error").then(([error]) => Promise.reject(error)),
    ]);
  };

  /** Cut every open connection (resetting the clients' side if asked) and wait until closed. */
  const cutAll = async (reset: boolean) => {
    const closing = [...sockets].map((socket) => (socket.closed ? null : once(socket, "close")));
    for (const socket of sockets) {
      if (reset && clients.has(socket) && !socket.destroyed) socket.resetAndDestroy();
      else socket.destroy();
    }
    await Promise.all(closing);
  };

  const stopListening = async () => {
    if (!server.listening) return;
    await new Promise<void>((resolve, reject) =>
      server.close((error) => (error ? reject(error) : resolve())),
    );
  };

  await listen(0);
  const port = (server.address() as net.AddressInfo).port;

  return {
    host,
    port,
    url: `http://${host}:${port}`,
    get state() {
      return state;
    },
    async open() {
      if (state === "stopped") throw new Error("this TCP gate was stopped");
      if (!server.listening) await listen(port);
      state = "open";
    },
    async close(mode = "refuse") {
      if (state === "stopped") throw new Error("this TCP gate was stopped");
      state = mode;
      const closed = mode === "refuse" ? stopListening() : server.listening ? null : listen(port);
      await cutAll(mode === "reset");
      await closed;
    },
    async stop() {
      state = "stopped";
      const closed = stopListening();
      await cutAll(false);
      await closed;
    },
  };
}
