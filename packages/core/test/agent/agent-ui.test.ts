/**
 * The agent's `ui` request: the host's screen starter runs in the agent and its address goes
 * back to the client holding the token; an agent without a starter refuses; a bad idle time is
 * refused before the starter runs.
 */
import { afterEach, describe, expect, it } from "vitest";
import {
  AgentClient,
  type AgentServer,
  type AgentServerOptions,
  agentPaths,
} from "../../src/index.js";
import { serveAgent } from "../helpers/agent.js";
import { connectedVault, type TestVault } from "../helpers/fake-provider.js";

describe("the agent's ui request", () => {
  let t: TestVault | undefined;
  let server: AgentServer | undefined;
  let client: AgentClient | undefined;
  afterEach(async () => {
    client?.close();
    await server?.close();
    await t?.cleanup();
    client = server = t = undefined;
  });

  async function start(startUi?: AgentServerOptions["startUi"]) {
    t = await connectedVault({ values: {} });
    const paths = agentPaths({ home: t.home, env: {} });
    ({ server } = await serveAgent(t.vault, paths, startUi ? { startUi } : {}));
    client = await AgentClient.connect({ paths });
    if (!client) throw new Error("the agent did not answer");
    return client;
  }

  it("runs the host's starter with the idle time and answers its addresses", async () => {
    const asked: Array<{ idleMinutes?: number }> = [];
    const c = await start(async (o) => {
      asked.push(o);
      return { url: "http://127.0.0.1:4000/", launchUrl: "http://127.0.0.1:4000/login?token=t" };
    });
    expect(await c.request("ui", { idleMinutes: 5 })).toEqual({
      url: "http://127.0.0.1:4000/",
      launchUrl: "http://127.0.0.1:4000/login?token=t",
    });
    expect(await c.request("ui", {})).toMatchObject({ url: "http://127.0.0.1:4000/" });
    expect(asked).toEqual([{ idleMinutes: 5 }, {}]);
  });

  it("a bad idle time is refused as malformed, and the starter never runs", async () => {
    let ran = 0;
    const c = await start(async () => {
      ran++;
      return { url: "u", launchUrl: "l" };
    });
    for (const idleMinutes of [0, 1441, 1.5, "5"])
      await expect(c.request("ui", { idleMinutes })).rejects.toMatchObject({
        code: "INVALID_INPUT",
        message: expect.stringContaining("idleMinutes"),
      });
    expect(ran).toBe(0);
  });

  it("an agent whose host brings no screen says so and what to do", async () => {
    const c = await start();
    await expect(c.request("ui", {})).rejects.toMatchObject({
      message: "This agent does not serve the vault screen.",
      hint: "Stop it (vaultlink agent stop) to run vaultlink ui on its own.",
    });
  });
});
