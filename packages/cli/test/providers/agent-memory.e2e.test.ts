/**
 * Memory-only sign-ins (`settings set sign-ins memory`) through the built CLI, the agent and the
 * 1Password Connect emulator: the sign-in happens inside the agent, the vault file never holds
 * the token (checked by decrypting it), and after `agent stop` reads say to sign in again.
 */
import { FileVaultStore, resolveVaultPaths } from "@vaultlink/core";
import {
  type RunningOnePasswordConnect,
  startOnePasswordConnectEmulator,
} from "@vaultlink/emulators";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keylessRunner, stopAgentAndCleanup } from "./agent-helpers.js";
import { createVault, describeRun, type E2eVault, EXIT, type RunResult } from "./helpers.js";

const VALUE = "memory-e2e-api-key-61d0c2";

describe("memory-only sign-ins in the agent (1Password Connect emulator)", () => {
  let emu: RunningOnePasswordConnect;
  let v: E2eVault;
  const d = (r: RunResult) => describeRun(r, [VALUE, emu.token, v.key]);
  const keyless = keylessRunner(() => v);
  /** The vault file, decrypted: what is on disk. */
  const fileText = async () => {
    const session = await new FileVaultStore({ paths: resolveVaultPaths({ home: v.home }) }).open(
      v.key,
    );
    return JSON.stringify(await session.read());
  };
  const connect = (args: readonly string[] = []) =>
    v.run(
      [
        "integration",
        "connect",
        "1password",
        "--method",
        "connect",
        "--host",
        emu.serverURL,
        "--secrets-stdin",
        ...args,
      ],
      { input: JSON.stringify({ token: emu.token }) },
    );

  beforeAll(async () => {
    emu = await startOnePasswordConnectEmulator({
      vaults: [
        {
          name: "E2E",
          items: [
            { title: "Service", fields: [{ label: "api key", value: VALUE, type: "CONCEALED" }] },
          ],
        },
      ],
    });
    v = await createVault();
  }, 120_000);

  afterAll(async () => {
    await stopAgentAndCleanup(v);
    await emu?.stop();
  }, 60_000);

  it("with sign-ins memory and no agent, connect is refused and names the way", async () => {
    const s = await v.run(["settings", "set", "sign-ins", "memory"]);
    expect(s.code, d(s)).toBe(EXIT.ok);
    expect(s.stderr).toContain("only in the running agent's memory");
    const r = await connect();
    expect(r.code, d(r)).toBe(EXIT.auth);
    expect(r.stderr).toMatch(/^error: Sign-ins are kept in memory only/);
    expect(r.stderr).toMatch(/^hint: Start it with vaultlink agent start/m);
    expect(await fileText()).not.toContain(emu.token);
  });

  it("connected through the agent: reads work, and the vault file holds no credential", async () => {
    expect((await v.run(["agent", "start"])).code).toBe(EXIT.ok);
    const c = await connect(["--json"]);
    expect(c.code, d(c)).toBe(EXIT.ok);
    expect(JSON.parse(c.stdout)).toMatchObject({ id: "1password", status: "connected" });
    const l = await v.run(["secret", "link", "api", "1password", "op://E2E/Service/api key"]);
    expect(l.code, d(l)).toBe(EXIT.ok);
    const r = await keyless(["read", "api"]);
    expect(r.code, d(r)).toBe(EXIT.ok);
    expect(r.stdout === `${VALUE}\n`, "read printed the value").toBe(true);
    expect(await fileText()).not.toContain(emu.token);
    // Another process (no sign-in of its own) says where the sign-in lives.
    const s = await v.run(["integration", "status", "1password", "--json"]);
    expect(s.code, d(s)).toBe(EXIT.ok);
    expect(JSON.parse(s.stdout)).toMatchObject({ status: "connected", signInHeldBy: "agent" });
  });

  it("after agent stop the file still holds no credential, and a read says to sign in again", async () => {
    expect((await v.run(["agent", "stop"])).code).toBe(EXIT.ok);
    expect(await fileText()).not.toContain(emu.token);
    expect((await v.run(["cache", "reset"])).code).toBe(EXIT.ok);
    const r = await v.run(["read", "api"]);
    expect(r.code, d(r)).toBe(EXIT.auth);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("sign in again: vaultlink integration reauth 1password");
    const s = await v.run(["integration", "status", "1password"]);
    expect(s.stdout).toMatch(/status: +auth-expired \(.*no agent runs.*sign in again/);
  });

  it("reauth through a new agent makes reads work again; still nothing on disk", async () => {
    expect((await v.run(["agent", "start"])).code).toBe(EXIT.ok);
    const r = await v.run(["integration", "reauth", "1password", "--secrets-stdin"], {
      input: JSON.stringify({ token: emu.token }),
    });
    expect(r.code, d(r)).toBe(EXIT.ok);
    const read = await keyless(["read", "api"]);
    expect(read.code, d(read)).toBe(EXIT.ok);
    expect(await fileText()).not.toContain(emu.token);
  });
});
