/**
 * The embedding API with a running agent (decision 0021): a `createVault` on the same vault
 * home resolves through the agent while it runs (no key, no provider plugin in the embedding
 * process, one fetch for everyone), behaves as before when none runs, and falls back to
 * resolving itself when the agent goes away mid-use and it holds the key. Real Unix socket.
 */
import { rmSync } from "node:fs";
import { createConnection, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { MAX_CONNECTIONS } from "../../src/agent/protocol.js";
import {
  type AgentServer,
  agentPaths,
  createVault,
  removeAgentFiles,
  type Vault,
} from "../../src/index.js";
import { serveAgent } from "../helpers/agent.js";
import { connectedVault, type TestVault } from "../helpers/fake-provider.js";

const API_VALUE = "embedded-api-value-3e7f";

describe("createVault uses the vault home's agent transparently", () => {
  let t: (TestVault & { fake: { calls: { fetch: number } } }) | undefined;
  let server: AgentServer | undefined;
  const embedded: Vault[] = [];
  afterEach(async () => {
    for (const v of embedded.splice(0)) await v.dispose();
    await server?.close();
    server = undefined;
    if (t) await removeAgentFiles(agentPaths({ home: t.home }));
    await t?.cleanup();
    t = undefined;
  });

  /** The agent's log lines (lifecycle only). */
  const logged: string[] = [];

  async function startAgent() {
    const c = await connectedVault({ values: { "fake://api": API_VALUE } });
    t = c;
    await c.vault.links.link("api", { integration: "fake", reference: "fake://api" });
    await c.vault.secrets.add("local", { value: "local-value-5a1c" });
    const paths = agentPaths({ home: c.home });
    logged.length = 0;
    ({ server } = await serveAgent(c.vault, paths, { log: (line) => logged.push(line) }));
    return c;
  }

  /** An app's vault on the same home: no key sources, no provider plugins. */
  function embed(home: string): Vault {
    const v = createVault({ home, keySources: [] });
    embedded.push(v);
    return v;
  }

  it("unlocks without a key and resolves through the agent (one fetch for all)", async () => {
    const c = await startAgent();
    const app = embed(c.home);
    expect(await app.unlock()).toEqual({ source: "agent" });
    const fetchesBefore = c.fake.calls.fetch;
    const r = await app.resolve("api");
    expect(r).toMatchObject({ ok: true, name: "api", source: "provider" });
    expect(r.ok && r.value === API_VALUE).toBe(true);
    const again = embed(c.home);
    await again.unlock();
    expect(await again.resolve("api")).toMatchObject({ ok: true, source: "cache" });
    expect(c.fake.calls.fetch).toBe(fetchesBefore + 1);
    const many = await app.resolveMany(["local", "missing"]);
    expect(many.map((m) => m.ok)).toEqual([true, false]);
    const text = await app.resolveTemplate("k={{vault:api}}");
    expect(text.resolved).toEqual(["api"]);
    expect(text.text === `k=${API_VALUE}`).toBe(true);
    // A host that matches URLs itself (the Newman runner) gets values with their domains.
    await c.vault.secrets.update("local", { allowedDomains: ["api.example.com"] });
    const matchable = await app.resolveForMatching(["api", "local", "missing"]);
    expect(matchable.map((m) => [m.name, m.ok, m.allowedDomains])).toEqual([
      ["api", true, []],
      ["local", true, ["api.example.com"]],
      ["missing", false, []],
    ]);
    expect(matchable[0]?.ok && matchable[0].value === API_VALUE).toBe(true);
    expect(c.fake.calls.fetch).toBe(fetchesBefore + 1);
  });

  it("without an agent it behaves as before: no key, no unlock; a key resolves in-process", async () => {
    const c = await connectedVault({ values: { "fake://api": API_VALUE } });
    t = c;
    await c.vault.links.link("api", { integration: "fake", reference: "fake://api" });
    const app = embed(c.home);
    await expect(app.unlock()).rejects.toMatchObject({
      message: expect.stringContaining("locked"),
    });
    expect(await app.resolve("api")).toMatchObject({ ok: false, reason: "locked" });
    await app.unlock(c.vaultKey);
    // No provider plugin in this process: resolving in-process cannot fetch.
    expect(await app.resolve("api")).toMatchObject({ ok: false });
    expect(c.fake.calls.fetch).toBe(0);
  });

  it("integration status elsewhere, with memory-only sign-ins: held by the agent, else sign in again", async () => {
    const c = await startAgent();
    await c.vault.settings.set("sign-ins", "memory");
    const other = embed(c.home);
    await other.unlock(c.vaultKey);
    expect(await other.integrations.status("fake")).toMatchObject({
      status: "connected",
      signInHeldBy: "agent",
      statusReason: expect.stringContaining("lives in the vaultlink agent"),
    });
    expect((await other.integrations.list())[0]).toMatchObject({ signInHeldBy: "agent" });
    await server?.close();
    server = undefined;
    await removeAgentFiles(agentPaths({ home: c.home }));
    const later = embed(c.home);
    await later.unlock(c.vaultKey);
    expect(await later.integrations.status("fake")).toMatchObject({
      status: "auth-expired",
      signInHeldBy: "none",
      statusReason: expect.stringMatching(/no agent runs.*sign in again/),
    });
  });

  it("falls back to resolving itself when the agent goes away and it holds the key", async () => {
    const c = await startAgent();
    const app = embed(c.home);
    await app.unlock(c.vaultKey);
    expect(await app.resolve("local")).toMatchObject({ ok: true, source: "local" });
    await server?.close(); // the agent is gone; its socket file stays behind for a moment
    server = undefined;
    expect(await app.resolve("local")).toMatchObject({ ok: true, source: "local" });
    rmSync(agentPaths({ home: c.home }).socket, { force: true });
    expect(await app.resolve("local")).toMatchObject({ ok: true, source: "local" });
  });

  it("its kept connection, closed by the agent to make room for other clients, is opened again", async () => {
    const c = await startAgent();
    const app = embed(c.home);
    await app.unlock();
    expect(await app.resolve("api")).toMatchObject({ ok: true });
    // The app's connection is idle now; let it age past the agent's idle threshold, then fill
    // every slot: the agent closes the longest-idle connection, the app's, to let them in.
    await new Promise((r) => setTimeout(r, 1_100));
    const crowd = await Promise.all(
      Array.from(
        { length: MAX_CONNECTIONS },
        () =>
          new Promise<Socket>((resolve, reject) => {
            const s = createConnection({ path: agentPaths({ home: c.home }).socket });
            s.once("connect", () => resolve(s)).once("error", reject);
          }),
      ),
    );
    try {
      while (!logged.some((l) => l.includes("idle connection")))
        await new Promise((r) => setTimeout(r, 20));
      const r = await app.resolve("api");
      expect(r).toMatchObject({ ok: true, source: "cache" });
      expect(r.ok && r.value === API_VALUE).toBe(true);
    } finally {
      for (const s of crowd) s.destroy();
    }
  });
});
