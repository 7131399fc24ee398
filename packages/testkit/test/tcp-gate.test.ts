import { once } from "node:events";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTcpGate, type TcpGate } from "../src/index.js";

// The upstream answers each line with "<n>:<line>", n counting lines over its whole life, so a
// test can see that the server behind the gate kept its state.
let upstream: net.Server;
let upstreamPort = 0;
let lines = 0;

beforeAll(async () => {
  upstream = net.createServer((socket) => {
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      for (const line of chunk.split("\n").filter(Boolean)) socket.write(`${++lines}:${line}\n`);
    });
    socket.on("error", () => {});
  });
  upstream.listen(0, "127.0.0.1");
  await once(upstream, "listening");
  upstreamPort = (upstream.address() as net.AddressInfo).port;
});

afterAll(async () => {
  await new Promise<void>((resolve) => upstream.close(() => resolve()));
});

/** A connection through the gate that can send a line and wait for the answer. */
async function connect(port: number) {
  const socket = net.connect(port, "127.0.0.1");
  socket.setEncoding("utf8");
  const errors: string[] = [];
  socket.on("error", (error: NodeJS.ErrnoException) => errors.push(error.code ?? error.message));
  await once(socket, "connect");
  return {
    socket,
    errors,
    async ask(line: string): Promise<string> {
      socket.write(`${line}\n`);
      const [answer] = (await once(socket, "data")) as [string];
      return answer.trim();
    },
    // Not events.once: that would reject on the "error" a reset brings before "close".
    closed: () => new Promise<string[]>((resolve) => socket.once("close", () => resolve(errors))),
  };
}

/** The error code a fresh connection to `port` ends with. */
async function failureOf(port: number): Promise<string | undefined> {
  const socket = net.connect(port, "127.0.0.1");
  const [error] = (await once(socket, "error")) as [NodeJS.ErrnoException];
  socket.destroy();
  return error.code;
}

describe("createTcpGate", () => {
  let gate: TcpGate;
  beforeAll(async () => {
    gate = await createTcpGate(upstreamPort);
  });
  afterAll(async () => {
    await gate.stop();
  });

  it("forwards both ways on a 127.0.0.1 port of its own", async () => {
    expect(gate.host).toBe("127.0.0.1");
    expect(gate.port).not.toBe(upstreamPort);
    expect(gate.url).toBe(`http://127.0.0.1:${gate.port}`);
    expect(gate.state).toBe("open");
    const client = await connect(gate.port);
    expect(await client.ask("hello")).toMatch(/^\d+:hello$/);
    client.socket.end();
    await client.closed();
  });

  it("close() refuses new connections and cuts open ones; open() serves again on the same port", async () => {
    const client = await connect(gate.port);
    const before = Number((await client.ask("a")).split(":")[0]);
    const cut = client.closed();

    await gate.close();
    expect(gate.state).toBe("refuse");
    await cut;
    expect(client.socket.destroyed).toBe(true);
    expect(await failureOf(gate.port)).toBe("ECONNREFUSED");

    await gate.open();
    expect(gate.state).toBe("open");
    const again = await connect(gate.port);
    expect(await again.ask("b")).toBe(`${before + 1}:b`);
    again.socket.end();
    await again.closed();
  });

  it('close("reset") resets new and open connections while still listening', async () => {
    const client = await connect(gate.port);
    await client.ask("c");
    const cut = client.closed();

    await gate.close("reset");
    expect(gate.state).toBe("reset");
    expect(await cut).toEqual(["ECONNRESET"]);
    expect(await failureOf(gate.port)).toBe("ECONNRESET");

    await gate.open();
    const again = await connect(gate.port);
    expect(await again.ask("d")).toMatch(/^\d+:d$/);
    again.socket.end();
    await again.closed();
  });

  it("switches between the two ways of closing", async () => {
    await gate.close("reset");
    await gate.close("refuse");
    expect(await failureOf(gate.port)).toBe("ECONNREFUSED");
    await gate.close("reset");
    expect(await failureOf(gate.port)).toBe("ECONNRESET");
    await gate.open();
    await gate.open();
    const client = await connect(gate.port);
    expect(await client.ask("e")).toMatch(/^\d+:e$/);
    client.socket.end();
    await client.closed();
  });

  it("cuts a client when the upstream is gone", async () => {
    const deadPort = await new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, "127.0.0.1", () => {
        const { port } = probe.address() as net.AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    const orphan = await createTcpGate({ host: "127.0.0.1", port: deadPort });
    try {
      const client = await connect(orphan.port);
      await client.closed();
      expect(client.socket.destroyed).toBe(true);
    } finally {
      await orphan.stop();
    }
  });

  it("stop() releases the port for good and can be repeated", async () => {
    const other = await createTcpGate(upstreamPort);
    const client = await connect(other.port);
    const cut = client.closed();
    await other.stop();
    await cut;
    await other.stop();
    expect(other.state).toBe("stopped");
    expect(await failureOf(other.port)).toBe("ECONNREFUSED");
    await expect(other.open()).rejects.toThrow(/stopped/);
    await expect(other.close()).rejects.toThrow(/stopped/);
  });
});
