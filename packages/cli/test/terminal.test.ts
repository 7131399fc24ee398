import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli, FIXTURES, newVault, tempHome } from "./helpers.js";
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

describe("on a terminal: confirmations, provider options, export and import", () => {
  it("vault reset asks first (default no): no changes nothing, yes issues a new key", async () => {
    const v = await newVault();
    try {
      const before = v.vaultHash();
      const no = onTerminal(["vault", "reset", "--no-keychain"], v.env);
      await no.waitFor(/Destroy every secret, integration and cached value/);
      no.type("\r");
      expect(await no.exit).toBe(1);
      expect(no.output()).toContain("Reset cancelled; nothing was changed.");
      expect(v.vaultHash()).toBe(before);
      const yes = onTerminal(["vault", "reset", "--no-keychain"], v.env);
      await yes.waitFor(/Destroy every secret/);
      yes.type("y");
      yes.type("\r");
      expect(await yes.exit).toBe(0);
      expect(yes.output()).toMatch(/new vault key:[\s\S]*vlk_[A-Za-z0-9_-]{43}/);
      expect(v.vaultHash()).not.toBe(before);
    } finally {
      v.cleanup();
    }
  });

  it("integration connect asks for a missing option and shows a spinner while connecting", async () => {
    const v = await newVault({ config: { plugins: [join(FIXTURES, "json-provider.js")] } });
    try {
      const file = join(v.home, "values.json");
      writeFileSync(file, JSON.stringify({ k: "prompted-16" }));
      const s = onTerminal(["integration", "connect", "jsonfile", "--id", "json"], {
        ...v.env,
        JSONFILE_TOKEN: "good-token",
      });
      await s.waitFor(/Values file/);
      s.type(file);
      s.type("\r");
      expect(await s.exit).toBe(0);
      expect(s.output()).toContain("Connecting JSON file");
      expect(s.output()).toContain("Connected json");
      const status = await v.run(["integration", "status", "json", "--json"]);
      expect(JSON.parse(status.stdout).settings.file).toBe(file);
    } finally {
      v.cleanup();
    }
  });

  it("export asks for a password twice and refuses one shorter than 12 characters", async () => {
    const v = await newVault();
    try {
      await v.run(["secret", "add", "kept"], { input: "kept-value-17" });
      const file = `${v.home}-export.json`;
      const s = onTerminal(["export", "--out", file], v.env);
      await s.waitFor(/Export password \(12\+ characters\)/);
      s.type("short");
      s.type("\r");
      await s.waitFor(/At least 12 characters/);
      s.type("-but-long-now");
      s.type("\r");
      await s.waitFor(/Repeat the export password/);
      s.type("short-but-long-now");
      s.type("\r");
      expect(await s.exit).toBe(0);
      expect(s.output()).not.toContain("short-but-long-now");
      const other = await newVault();
      try {
        const imported = await other.run(["import", file, "--json"], {
          env: { VAULTLINK_EXPORT_PASSWORD: "short-but-long-now" },
        });
        expect(imported.code, imported.stderr).toBe(0);
        expect(JSON.parse(imported.stdout).created).toEqual(["kept"]);
      } finally {
        other.cleanup();
      }
    } finally {
      v.cleanup();
      rmSync(`${v.home}-export.json`, { force: true });
    }
  });

  it("import asks per conflicting name: keep mine, replace, or keep both", async () => {
    const src = await newVault();
    const dst = await newVault();
    try {
      for (const name of ["alpha", "beta", "gamma"]) {
        await src.run(["secret", "add", name], { input: `${name}-new` });
        await dst.run(["secret", "add", name], { input: `${name}-old` });
      }
      const file = `${src.home}-export.json`;
      const pw = { VAULTLINK_EXPORT_PASSWORD: "a long enough password" };
      expect((await src.run(["export", "--out", file], { env: pw })).code).toBe(0);
      const s = onTerminal(["import", file], { ...dst.env, ...pw });
      const down = "\u001b[B";
      await s.waitFor(/"alpha" already exists/);
      s.type("\r"); // first choice: keep mine
      await s.waitFor(/"beta" already exists/);
      s.type(down);
      s.type("\r"); // second: replace
      await s.waitFor(/"gamma" already exists/);
      s.type(down);
      s.type(down);
      s.type("\r"); // third: keep both
      expect(await s.exit).toBe(0);
      expect(s.output()).toContain("replaced 1, renamed 1, skipped 1");
      const read = async (name: string) => (await dst.run(["read", name])).stdout;
      expect(await read("alpha")).toBe("alpha-old\n");
      expect(await read("beta")).toBe("beta-new\n");
      expect(await read("gamma")).toBe("gamma-old\n");
      expect(await read("gamma-imported")).toBe("gamma-new\n");
    } finally {
      src.cleanup();
      dst.cleanup();
      rmSync(`${src.home}-export.json`, { force: true });
    }
  });
});

describe("colour and progress output", () => {
  it("colours a terminal, not a pipe, and NO_COLOR turns colour off", async () => {
    const v = await newVault();
    try {
      await v.run(["secret", "add", "c"], { input: "colour-24" });
      const bold = "\u001b[1mNAME";
      const coloured = onTerminal(["secret", "list"], { ...v.env, NO_COLOR: undefined });
      expect(await coloured.exit).toBe(0);
      expect(coloured.output()).toContain(bold);
      const plain = onTerminal(["secret", "list"], { ...v.env, NO_COLOR: "1" });
      expect(await plain.exit).toBe(0);
      expect(plain.output()).toContain("NAME");
      expect(plain.output()).not.toContain("\u001b[");
      const piped = await v.run(["secret", "list"]);
      expect(piped.stdout).toMatch(/^NAME/);
      expect(piped.stdout).not.toContain("\u001b[");
    } finally {
      v.cleanup();
    }
  });

  it("shows no spinner or progress line without a terminal", async () => {
    const v = await newVault({ config: { plugins: [join(FIXTURES, "json-provider.js")] } });
    try {
      const file = join(v.home, "values.json");
      writeFileSync(file, "{}");
      const r = await v.run(
        ["integration", "connect", "jsonfile", "--id", "json", "--file", file],
        {
          env: { JSONFILE_TOKEN: "good-token" },
        },
      );
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).not.toContain("Connecting");
      expect(r.stderr).not.toContain("\u001b[");
      expect(r.stderr).toMatch(/^Connected json/);
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
