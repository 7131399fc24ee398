import { spawn } from "node:child_process";
import { chmodSync, copyFileSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  AgentClient,
  type AgentServer,
  agentPaths,
  probeAgent,
  removeAgentFiles,
} from "../../src/index.js";
import { serveAgent } from "../helpers/agent.js";
import { connectedVault, type TestVault } from "../helpers/fake-provider.js";

/** One raw line to the socket, and the first line back (or "" when it closed). */
function rawExchange(socket: string, line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = createConnection({ path: socket });
    let got = "";
    s.on("data", (b) => {
      got += b.toString("utf8");
      if (got.includes("\n")) {
        s.destroy();
        resolve(got.split("\n")[0] as string);
      }
    });
    s.on("close", () => resolve(got));
    s.on("error", reject);
    s.write(line);
  });
}

describe("the agent's socket server and client (real Unix socket)", () => {
  let t: TestVault | undefined;
  let server: AgentServer | undefined;
  let stops = 0;
  const dirs: string[] = [];
  afterEach(async () => {
    await server?.close();
    server = undefined;
    await t?.cleanup();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  async function start(env: Record<string, string | undefined> = {}) {
    const c = await connectedVault({ values: { "fake://api": "api-value-71d2" } });
    t = c;
    await c.vault.links.link("api", { integration: "fake", reference: "fake://api" });
    await c.vault.secrets.add("local", { value: "local-value-90ab" });
    const paths = agentPaths({ home: c.home, env });
    stops = 0;
    const served = await serveAgent(c.vault, paths, {
      onStop: () => {
        stops++;
      },
    });
    server = served.server;
    const token = served.token;
    return { paths, token, fake: c.fake };
  }

  it("lives in a 0700 directory; the socket and the info file are 0600", async () => {
    const { paths } = await start();
    expect(statSync(paths.dir).mode & 0o777).toBe(0o700);
    expect(statSync(paths.socket).mode & 0o777).toBe(0o600);
    expect(statSync(paths.info).mode & 0o777).toBe(0o600);
    expect(statSync(paths.socket).isSocket()).toBe(true);
  });

  it("under XDG_RUNTIME_DIR, uses <runtime>/vaultlink/<id>/ (both 0700), one per vault home", async () => {
    const runtime = mkdtempSync(join(tmpdir(), "vaultlink-xdg-"));
    dirs.push(runtime);
    const { paths } = await start({ XDG_RUNTIME_DIR: runtime });
    expect(paths.dir).toBe(join(runtime, "vaultlink", paths.id));
    expect(statSync(join(runtime, "vaultlink")).mode & 0o777).toBe(0o700);
    expect(statSync(paths.dir).mode & 0o777).toBe(0o700);
    const other = agentPaths({
      home: join(runtime, "another-home"),
      env: { XDG_RUNTIME_DIR: runtime },
    });
    expect(other.socket).not.toBe(paths.socket);
  });

  it("resolves through the socket: linked, local, many and templates; one provider call for 20 concurrent clients", async () => {
    const { paths, fake } = await start();
    const clients = await Promise.all(
      Array.from({ length: 20 }, () => AgentClient.connect({ paths })),
    );
    const results = await Promise.all(clients.map((c) => c?.resolve("api")));
    for (const r of results) expect(r).toMatchObject({ ok: true, value: "api-value-71d2" });
    expect(fake.calls.fetch).toBe(1);
    const c = clients[0] as AgentClient;
    expect(await c.resolve("local")).toMatchObject({
      ok: true,
      value: "local-value-90ab",
      source: "local",
    });
    expect(await c.resolveMany(["api", "nope"])).toMatchObject([
      { ok: true, name: "api" },
      { ok: false, name: "nope", reason: "missing" },
    ]);
    expect(await c.resolveTemplate("a={{vault:api}} b={{vault:local}}")).toMatchObject({
      text: "a=api-value-71d2 b=local-value-90ab",
    });
    for (const x of clients) x?.close();
  });

  it("refuses a request without the token, or with another token, and closes the connection", async () => {
    const { paths, token } = await start();
    for (const bad of [undefined, "not-the-token", `${token}x`, ""]) {
      const line = `${JSON.stringify({ v: 1, id: 1, op: "resolve", name: "api", ...(bad === undefined ? {} : { token: bad }) })}\n`;
      const answer = JSON.parse(await rawExchange(paths.socket, line));
      expect(answer).toMatchObject({ ok: false, error: { code: "AGENT_UNAUTHORIZED" } });
      expect(JSON.stringify(answer)).not.toContain("api-value");
    }
  });

  it("refuses malformed requests by field, never echoing them", async () => {
    const { paths, token } = await start();
    const cases = [
      { v: 1, id: 1, token, op: "resolve" }, // no name
      { v: 1, id: 1, token, op: "resolve", name: "api", extra: "secret-ish" },
      { v: 1, id: 1, token, op: "delete-everything" },
      { v: 2, id: 1, token, op: "status" },
      { v: 1, id: -4, token, op: "status" },
      { v: 1, id: 1, token, op: "resolveMany", names: "api" },
    ];
    for (const request of cases) {
      const answer = JSON.parse(await rawExchange(paths.socket, `${JSON.stringify(request)}\n`));
      expect(answer).toMatchObject({ ok: false, error: { code: "INVALID_INPUT" } });
      expect(JSON.stringify(answer)).not.toContain("secret-ish");
    }
    const notJson = JSON.parse(await rawExchange(paths.socket, "{not json\n"));
    expect(notJson).toMatchObject({ ok: false, error: { code: "INVALID_INPUT" } });
  });

  it("closes a connection whose line grows past the size limit", async () => {
    const { paths } = await start();
    const answer = await new Promise<string>((resolve) => {
      const s = createConnection({ path: paths.socket });
      let got = "";
      s.on("data", (b) => (got += b.toString()));
      s.on("close", () => resolve(got));
      s.on("error", () => resolve(got));
      const chunk = Buffer.alloc(1024 * 1024, 0x61);
      for (let i = 0; i < 6; i++) s.write(chunk);
    });
    expect(answer).toContain("INVALID_INPUT");
  });

  it("probe: running with its status; stale after the server is gone; none after cleanup", async () => {
    const { paths } = await start();
    const running = await probeAgent({ paths });
    expect(running.state).toBe("running");
    if (running.state === "running") {
      expect(running.status).toMatchObject({ pid: process.pid, unlocked: true, home: paths.home });
    }
    // A dead agent's socket file: nobody listens. Simulated by a server that closed without
    // removing its files (as after kill -9).
    await (server as AgentServer).close();
    server = undefined;
    // Node removes the socket file on close; put a plain file in its place, like a crash leaves.
    writeFileSync(paths.socket, "");
    expect((await probeAgent({ paths })).state).toBe("stale");
    expect(await AgentClient.connect({ paths })).toBeUndefined();
    await removeAgentFiles(paths);
    expect((await probeAgent({ paths })).state).toBe("none");
  });

  it("a socket a killed process left behind reads as stale", async () => {
    const { paths } = await start();
    await (server as AgentServer).close();
    server = undefined;
    // A real listener in another process, killed with SIGKILL: its socket file stays.
    const script = `require("net").createServer().listen(${JSON.stringify(paths.socket)}, () => process.stdout.write("up\\n"))`;
    const child = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "inherit"] });
    await new Promise<void>((resolve) => child.stdout.once("data", () => resolve()));
    child.kill("SIGKILL");
    await new Promise((r) => child.once("exit", r));
    expect(statSync(paths.socket).isSocket()).toBe(true);
    expect((await probeAgent({ paths })).state).toBe("stale");
  });

  // Needs root to act as another user; the kernel, not vaultlink, makes this check.
  it.runIf(process.getuid?.() === 0)(
    "a process of another user id cannot connect: the kernel refuses it at the 0700 directory",
    async () => {
      const { paths } = await start();
      // Open the way to the agent's directory, so only its own 0700 mode stands in between.
      chmodSync(paths.home, 0o755);
      const script = `require("net").createConnection(${JSON.stringify(paths.socket)}).on("connect", () => { console.log("connected"); process.exit(0); }).on("error", (e) => { console.log(e.code); process.exit(0); })`;
      // That user may not be able to run this Node where it lives (under root's home, 0700):
      // give it a copy it can run.
      const nodeDir = mkdtempSync(join(tmpdir(), "vaultlink-node-"));
      try {
        chmodSync(nodeDir, 0o755);
        const node = join(nodeDir, "node");
        copyFileSync(process.execPath, node);
        chmodSync(node, 0o755);
        const child = spawn(node, ["-e", script], {
          uid: 65534,
          gid: 65534,
          stdio: ["ignore", "pipe", "pipe"],
        });
        let out = "";
        child.stdout.on("data", (b) => (out += b.toString()));
        const ended = await new Promise<string>((r) => {
          child.once("error", (e) => r(`spawn failed: ${(e as NodeJS.ErrnoException).code}`));
          child.once("exit", () => r("exited"));
        });
        expect(ended).toBe("exited");
        expect(out.trim()).toBe("EACCES");
      } finally {
        rmSync(nodeDir, { recursive: true, force: true });
      }
    },
  );

  it("stop: answers, then calls onStop", async () => {
    const { paths } = await start();
    const c = (await AgentClient.connect({ paths })) as AgentClient;
    await c.stop();
    await new Promise((r) => setTimeout(r, 50));
    expect(stops).toBe(1);
    c.close();
  });
});
