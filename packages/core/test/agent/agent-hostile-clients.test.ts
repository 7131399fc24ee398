/**
 * Hostile and careless clients of the agent's socket (real Unix socket, in-process agent):
 * garbage, an endless line, half a line and silence, more connections than the agent keeps,
 * bursts past its limit, and clients that hang up mid-request. The agent must keep answering
 * everyone else, hold nothing of what it refused in memory, and never echo the token.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createConnection, createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { AGENT_HEARTBEAT_MS, MAX_CONNECTIONS } from "../../src/agent/protocol.js";
import {
  AgentClient,
  type AgentPaths,
  type AgentServer,
  agentPaths,
  prepareAgentDir,
  writeAgentInfo,
} from "../../src/index.js";
import { serveAgent } from "../helpers/agent.js";
import { connectedVault, type TestVault } from "../helpers/fake-provider.js";

const VALUE = "hostile-clients-value-3e8a";
const MIB = 1024 * 1024;

/** A raw connection that has connected (its errors are swallowed: the agent may close it). */
function rawConnect(paths: AgentPaths): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = createConnection({ path: paths.socket });
    s.once("connect", () => {
      s.on("error", () => {});
      resolve(s);
    });
    s.once("error", reject);
  });
}

/** Everything the agent sends on `s` until it closes the connection. */
function untilClosed(s: Socket): Promise<string> {
  return new Promise((resolve) => {
    let got = "";
    s.on("data", (b) => (got += b.toString("utf8")));
    s.on("close", () => resolve(got));
  });
}

describe("the agent under hostile socket clients", () => {
  let t: TestVault | undefined;
  let server: AgentServer | undefined;
  const held: Socket[] = [];
  afterEach(async () => {
    for (const s of held.splice(0)) s.destroy();
    await server?.close();
    server = undefined;
    await t?.cleanup();
  });

  async function start() {
    const c = await connectedVault({ values: { "fake://api": VALUE } });
    t = c;
    await c.vault.links.link("api", { integration: "fake", reference: "fake://api" });
    const paths = agentPaths({ home: c.home, env: {} });
    const served = await serveAgent(c.vault, paths);
    server = served.server;
    return { paths, token: served.token, fake: c.fake };
  }

  async function resolveOnce(paths: AgentPaths) {
    const client = await AgentClient.connect({ paths });
    if (!client) throw new Error("no agent");
    try {
      return await client.resolve("api");
    } finally {
      client.close();
    }
  }

  it("garbage lines are refused one connection at a time; nothing echoes the token", async () => {
    const { paths, token } = await start();
    const lines = [
      "hello\n",
      "{\n",
      "null\n",
      "[]\n",
      '{"token":123}\n',
      "\u0000\u0001\uffff\n",
      `{"v":1,"id":1,"token":"${token}","op":"resolve","name":{"x":1}}\n`,
      `{"v":1,"id":2,"token":"${token}","op":"nope"}\n`,
    ];
    for (const line of lines) {
      const s = await rawConnect(paths);
      const closed = untilClosed(s);
      s.end(line);
      const answer = await closed;
      expect(answer).toMatch(/"ok":false/);
      expect(answer.includes(token), "an answer echoed the token").toBe(false);
    }
    expect(await resolveOnce(paths)).toMatchObject({ ok: true, value: VALUE });
  });

  it("an endless line is cut off: the agent stops reading it and keeps nothing of it", async () => {
    const { paths } = await start();
    const s = await rawConnect(paths);
    const closed = untilClosed(s);
    let written = 0;
    let ended = false;
    s.on("close", () => {
      ended = true;
    });
    const chunk = Buffer.alloc(MIB, 0x61);
    // A client that keeps writing without a newline; it would write 256 MiB.
    while (!ended && written < 256 * MIB) {
      if (!s.write(chunk)) await new Promise((r) => s.once("drain", r).once("close", r));
      written += chunk.length;
    }
    expect(await closed).toContain("INVALID_INPUT");
    // The 4 MiB limit plus what the sockets' buffers hold; the agent no longer reads after it.
    expect(written, "the agent read on after refusing the line").toBeLessThan(12 * MIB);
    expect(await resolveOnce(paths)).toMatchObject({ ok: true, value: VALUE });
  });

  it("half a line and silence (slowloris) blocks no one, even past the connection limit", async () => {
    const { paths } = await start();
    for (let i = 0; i < MAX_CONNECTIONS + 20; i++) {
      const s = await rawConnect(paths);
      s.write('{"v":1,"id":1,"tok');
      held.push(s);
    }
    // Every slot is taken by a silent half-line; a real client still gets its answer.
    expect(await resolveOnce(paths)).toMatchObject({ ok: true, value: VALUE });
    const status = await AgentClient.connect({ paths });
    expect(await status?.status()).toMatchObject({ unlocked: true });
    status?.close();
  });

  it("a burst of 400 clients at once (past the connection limit): every one is answered", async () => {
    const { paths, token, fake } = await start();
    const before = fake.calls.fetch;
    // All 400 connected before any of them asks: more than the agent serves at once.
    const sockets = await Promise.all(Array.from({ length: 400 }, () => rawConnect(paths)));
    const answers = await Promise.all(
      sockets.map(
        (s) =>
          new Promise<string>((resolve) => {
            let got = "";
            s.on("data", (b) => {
              got += b.toString("utf8");
              if (got.includes("\n")) {
                s.destroy();
                resolve(got);
              }
            });
            s.on("close", () => resolve(got));
            s.write(`${JSON.stringify({ v: 1, id: 1, token, op: "resolve", name: "api" })}\n`);
          }),
      ),
    );
    for (const a of answers)
      expect(JSON.parse(a)).toMatchObject({ ok: true, result: { ok: true } });
    expect(fake.calls.fetch - before).toBe(1);
  });

  it("clients that hang up mid-request do not disturb the agent", async () => {
    const { paths, token } = await start();
    for (let i = 0; i < 20; i++) {
      const s = await rawConnect(paths);
      s.write(`${JSON.stringify({ v: 1, id: 1, token, op: "resolve", name: "api" })}\n`);
      s.destroy();
    }
    expect(await resolveOnce(paths)).toMatchObject({ ok: true, value: VALUE });
  });

  it("a request slower than the client's silence limit is kept alive by the agent's keep-alives", async () => {
    const { paths, fake } = await start();
    fake.latencyMs = 5_000;
    const client = await AgentClient.connect({ paths, silenceMs: 3_000 });
    try {
      expect(client?.info.heartbeatMs).toBe(AGENT_HEARTBEAT_MS);
      expect(await client?.resolve("api")).toMatchObject({ ok: true, value: VALUE });
    } finally {
      client?.close();
    }
  });
});

describe("a client of an agent that stopped answering (SIGSTOP, a hang)", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it("fails its request as unresponsive once the agent has sent nothing for the silence limit", async () => {
    const home = mkdtempSync(join(tmpdir(), "vaultlink-silent-agent-"));
    dirs.push(home);
    const paths = agentPaths({ home, env: {} });
    await prepareAgentDir(paths);
    // Listens and accepts (as the kernel does for a stopped process), never answers.
    const silent = createServer((s) => s.resume());
    await new Promise<void>((r) => silent.listen(paths.socket, r));
    await writeAgentInfo(paths, {
      pid: process.pid,
      socket: paths.socket,
      token: "t",
      startedAt: new Date().toISOString(),
      home,
      version: "test",
    });
    try {
      const client = await AgentClient.connect({ paths, silenceMs: 500 });
      const failed = await client?.resolve("api").catch((e: unknown) => e);
      expect(failed).toMatchObject({ code: "AGENT_UNRESPONSIVE" });
      expect((failed as Error).message).toMatch(/has sent nothing for \d+ s; it may be stopped/);
    } finally {
      await new Promise((r) => silent.close(r));
    }
  });
});
