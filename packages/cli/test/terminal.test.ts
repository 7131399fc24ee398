import { rmSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { cli, newVault, tempHome } from "./helpers.js";
import { onTerminal } from "./pty.js";

const hasKeyring = Boolean(process.env.DBUS_SESSION_BUS_ADDRESS);

describe("on a terminal", () => {
  it("vault create shows the key once and asks to keep it in the keychain (default yes)", async () => {
    const home = tempHome();
    try {
      const s = onTerminal(["vault", "create"], { VAULTLINK_HOME: home });
      await s.waitFor(/shown once/);
      expect(s.output()).toMatch(/vlk_[A-Za-z0-9_-]{43}/);
      if (hasKeyring) {
        await s.waitFor(/Save the vault key in the OS keychain/);
        expect(s.output()).toMatch(/Yes/);
        s.type("\r");
        expect(await s.exit).toBe(0);
        expect(s.output()).toContain("stored in the OS keychain");
        // The keychain now unlocks the vault without VAULTLINK_VAULT_KEY.
        const status = await cli(["vault", "status", "--json"], { env: { VAULTLINK_HOME: home } });
        expect(JSON.parse(status.stdout)).toMatchObject({ unlocked: true, unlockedBy: "keychain" });
        expect(
          (await cli(["vault", "key", "forget"], { env: { VAULTLINK_HOME: home } })).code,
        ).toBe(0);
      } else {
        expect(await s.exit).toBe(0);
        expect(s.output()).toMatch(/not stored in the OS keychain \(no OS keychain/);
      }
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it("secret add asks for the value masked: the typed value is never echoed", async () => {
    const v = await newVault();
    try {
      const s = onTerminal(["secret", "add", "typed"], v.env);
      await s.waitFor(/Enter the value of typed/);
      s.type("typed-secret-14");
      await new Promise((r) => setTimeout(r, 200));
      s.type("\r");
      expect(await s.exit).toBe(0);
      expect(s.output()).not.toContain("typed-secret-14");
      expect((await v.run(["read", "typed"])).stdout).toBe("typed-secret-14\n");
    } finally {
      v.cleanup();
    }
  });

  it("secret delete asks first; no keeps the secret, yes deletes it", async () => {
    const v = await newVault();
    try {
      await v.run(["secret", "add", "doomed"], { input: "x" });
      const no = onTerminal(["secret", "delete", "doomed"], v.env);
      await no.waitFor(/Delete the secret doomed\?/);
      no.type("n");
      no.type("\r");
      expect(await no.exit).toBe(1);
      expect((await v.run(["secret", "get", "doomed"])).code).toBe(0);
      const yes = onTerminal(["secret", "delete", "doomed"], v.env);
      await yes.waitFor(/Delete the secret doomed\?/);
      yes.type("y");
      yes.type("\r");
      expect(await yes.exit).toBe(0);
      expect((await v.run(["secret", "get", "doomed"])).code).toBe(1);
    } finally {
      v.cleanup();
    }
  });

  it("unlocks with a masked vault-key prompt when no other key source has it", async () => {
    const v = await newVault();
    try {
      const s = onTerminal(["secret", "list"], {
        ...v.env,
        VAULTLINK_VAULT_KEY: undefined,
        DBUS_SESSION_BUS_ADDRESS: undefined,
      });
      await s.waitFor(/Vault key/);
      s.type(v.key);
      s.type("\r");
      expect(await s.exit).toBe(0);
      expect(s.output()).not.toContain(v.key);
    } finally {
      v.cleanup();
    }
  });
});

describe("without an OS keychain", () => {
  it("vault create falls back cleanly and says why", async () => {
    const home = tempHome();
    try {
      const r = await cli(["vault", "create"], {
        env: { VAULTLINK_HOME: home, DBUS_SESSION_BUS_ADDRESS: undefined },
      });
      expect(r.code).toBe(0);
      expect(r.stdout.trim()).toMatch(/^vlk_/);
      expect(r.stderr).toMatch(/not stored in the OS keychain \(no OS keychain: .*D-Bus/);
      const store = await cli(["vault", "key", "store"], {
        env: { VAULTLINK_HOME: home, DBUS_SESSION_BUS_ADDRESS: undefined },
        input: r.stdout,
      });
      expect(store.code).toBe(1);
      expect(store.stderr).toMatch(/^error: No OS keychain is available: .*D-Bus/);
      const locked = await cli(["secret", "list"], {
        env: { VAULTLINK_HOME: home, DBUS_SESSION_BUS_ADDRESS: undefined },
      });
      expect(locked.code).toBe(6);
      expect(locked.stderr).toMatch(/keychain: .*D-Bus/);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});

describe("with the OS keychain (Secret Service, under scripts/with-keyring.sh)", () => {
  it("vault key store checks the key, stores it, and the vault then unlocks from the keychain", async () => {
    const v = await newVault();
    try {
      const env = { VAULTLINK_HOME: v.home };
      if (!hasKeyring) {
        const r = await cli(["vault", "key", "store"], { env, input: `${v.key}\n` });
        expect(r.stderr).toMatch(/No OS keychain is available/);
        return;
      }
      const wrong = await cli(["vault", "key", "store"], {
        env,
        input: "vlk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n",
      });
      expect(wrong.code).toBe(6);
      expect((await cli(["vault", "key", "store"], { env, input: `${v.key}\n` })).code).toBe(0);
      const status = JSON.parse((await cli(["vault", "status", "--json"], { env })).stdout);
      expect(status).toMatchObject({ unlocked: true, unlockedBy: "keychain" });
      expect((await cli(["vault", "key", "forget"], { env })).stderr).toContain("removed");
      expect((await cli(["secret", "list"], { env })).code).toBe(6);
    } finally {
      v.cleanup();
    }
  });
});
