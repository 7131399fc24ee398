import net, { type Server, type Socket } from "node:net";

/**
 * A TCP pass-through on 127.0.0.1 in front of an emulator. Closing it makes the vault
 * unreachable (connection refused, open sockets cut) without losing the emulator's state;
 * opening it again listens on the same port.
 */
export interface TcpProxy {
  readonly port: number;
  open(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;

  const open = async () => {
    if (server) return;
    const next = net.createServer((client) => {
      const upstream = net.connect(targetPort, "127.0.0.1");
      sockets.add(client);
      sockets.add(upstream);
      const cut = () => {
        client.destroy();
        upstream.destroy();
        sockets.delete(client);
        sockets.delete(upstream);
      };
      client.on("error", cut).on("close", cut);
      upstream.on("error", cut).on("close", cut);
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      next.once("error", reject);
      next.listen(port, "127.0.0.1", () => resolve());
    });
    port = (next.address() as net.AddressInfo).port;
    server = next;
  };

  const close = async () => {
    const current = server;
    server = undefined;
    for (const s of sockets) s.destroy();
    sockets.clear();
    if (current) await new Promise<void>((resolve) => current.close(() => resolve()));
  };

  await open();
  return {
    get port() {
      return port;
    },
    open,
    close,
  };
}
