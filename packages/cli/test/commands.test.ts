import { chmodSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  cli,
  FIXTURES,
  newVault,
  noStack,
  tempHome,
  vaultPerSuite,
  vaultWithProvider,
} from "./helpers.js";

describe("vault", () => {
  const v = vaultPerSuite(() => newVault());

  it("create prints the key once as JSON and refuses a second vault", async () => {
    expect(v.key).toMatch(/^vlk_[A-Za-z0-9_-]{43}$/);
    const again = await cli(["vault", "create", "--no-keychain"], {
      env: { VAULTLINK_HOME: v.home },
    });
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/^error: A vault already exists/);
  });

  it("status reports where the vault is and which key source opens it", async () => {
    const r = await v.run(["vault", "status", "--json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      home: v.home,
      exists: true,
      unlocked: true,
      unlockedBy: "env",
    });
  });

  it("key show prints the key that unlocked the vault", async () => {
    const r = await v.run(["vault", "key", "show"]);
    expect(r.stdout.trim()).toBe(v.key);
  });

  it("reset needs --yes without a terminal and then issues a new key", async () => {
    const before = v.vaultHash();
    const refused = await v.run(["vault", "reset"]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(
      /^error: Resetting destroys every secret and needs confirmation/,
    );
    expect(v.vaultHash()).toBe(before);
    const r = await v.run(["vault", "reset", "--yes", "--json", "--no-keychain"]);
    expect(r.code).toBe(0);
    const { vaultKey } = JSON.parse(r.stdout) as { vaultKey: string };
    expect(vaultKey).not.toBe(v.key);
    const old = await v.run(["secret", "list"]);
    expect(old.code).toBe(6);
    const fresh = await v.run(["secret", "list", "--json"], {
      env: { VAULTLINK_VAULT_KEY: vaultKey },
    });
    expect(JSON.parse(fresh.stdout)).toEqual([]);
  });
});

describe("secrets", () => {
  const v = vaultPerSuite(() => newVault());

  it("adds from stdin, lists without values, and reads for scripts", async () => {
    expect(
      (await v.run(["secret", "add", "stripe-key"], { input: "sk_live_value_1\n" })).code,
    ).toBe(0);
    expect(
      (
        await v.run(
          ["secret", "add", "api", "--domains", "api.example.com,*.example.org", "--disabled"],
          { input: "api-value-2" },
        )
      ).code,
    ).toBe(0);
    const list = await v.run(["secret", "list"]);
    expect(list.stdout).toContain("stripe-key");
    expect(list.stdout).not.toContain("sk_live_value_1");
    const json = JSON.parse((await v.run(["secret", "list", "--json"])).stdout) as Array<{
      name: string;
      enabled: boolean;
    }>;
    expect(json.map((s) => [s.name, s.enabled])).toEqual([
      ["api", false],
      ["stripe-key", true],
    ]);
    const read = await v.run(["read", "stripe-key"]);
    expect(read.stdout).toBe("sk_live_value_1\n");
    expect((await v.run(["read", "stripe-key", "-n"])).stdout).toBe("sk_live_value_1");
    expect(JSON.parse((await v.run(["read", "stripe-key", "--json"])).stdout)).toMatchObject({
      name: "stripe-key",
      source: "local",
    });
  });

  it("get shows details but never the value", async () => {
    const r = await v.run(["secret", "get", "stripe-key"]);
    expect(r.stdout).toContain("local value");
    expect(r.stdout).not.toContain("sk_live_value_1");
  });

  it("enable, domains and --url decide whether a secret resolves", async () => {
    const disabled = await v.run(["read", "api"]);
    expect(disabled.code).toBe(3);
    expect(disabled.stderr).toContain("enable it: vaultlink secret enable api");
    expect((await v.run(["secret", "enable", "api"])).code).toBe(0);
    expect((await v.run(["read", "api"])).code).toBe(3);
    expect((await v.run(["read", "api", "--url", "https://x.example.org/path"])).stdout).toBe(
      "api-value-2\n",
    );
    expect((await v.run(["read", "api", "--url", "https://evil.com"])).code).toBe(3);
    expect((await v.run(["secret", "domains", "api", "--add", "evil.com"])).code).toBe(0);
    expect((await v.run(["read", "api", "--url", "https://evil.com"])).code).toBe(0);
    expect((await v.run(["secret", "domains", "api", "--remove", "evil.com"])).code).toBe(0);
    expect((await v.run(["secret", "domains", "api", "--clear"])).code).toBe(0);
    expect((await v.run(["read", "api"])).code).toBe(0);
    expect(
      (await v.run(["secret", "domains", "api", "--set", "a.example.com", "--json"])).stdout,
    ).toContain("a.example.com");
    expect((await v.run(["secret", "disable", "api"])).code).toBe(0);
    expect((await v.run(["read", "api", "--url", "https://a.example.com"])).code).toBe(3);
  });

  it("edit, rename and delete", async () => {
    expect((await v.run(["secret", "edit", "stripe-key"], { input: "new-value-3" })).code).toBe(0);
    expect((await v.run(["read", "stripe-key"])).stdout).toBe("new-value-3\n");
    expect((await v.run(["secret", "rename", "stripe-key", "stripe"])).code).toBe(0);
    expect((await v.run(["read", "stripe-key"])).code).toBe(3);
    const noConfirm = await v.run(["secret", "delete", "stripe"]);
    expect(noConfirm.code).toBe(2);
    expect(noConfirm.stderr).toContain("--yes");
    expect((await v.run(["secret", "delete", "stripe", "--yes"])).code).toBe(0);
    expect((await v.run(["secret", "get", "stripe"])).code).toBe(1);
  });

  it("--json on every command that changes a secret: the changed secret on stdout, never its value", async () => {
    const json = async (args: string[], input?: string) => {
      const r = await v.run([...args, "--json"], input === undefined ? {} : { input });
      expect(r.code).toBe(0);
      expect(r.stdout).not.toContain("json-value-");
      return JSON.parse(r.stdout) as Record<string, unknown>;
    };
    await v.run(["secret", "add", "j1"], { input: "json-value-1" });
    expect(await json(["secret", "edit", "j1"], "json-value-2")).toMatchObject({
      name: "j1",
      hasValue: true,
    });
    expect((await v.run(["read", "j1"])).stdout).toBe("json-value-2\n");
    expect(await json(["secret", "rename", "j1", "j2"])).toMatchObject({ name: "j2" });
    expect(await json(["secret", "disable", "j2"])).toMatchObject({ name: "j2", enabled: false });
    expect(await json(["secret", "enable", "j2"])).toMatchObject({ name: "j2", enabled: true });
    expect(await json(["secret", "delete", "j2", "--yes"])).toEqual({ deleted: "j2" });
    expect((await v.run(["secret", "get", "j2"])).code).toBe(1);
    // A refused change still answers in JSON, and changes nothing.
    const refused = await v.run(["secret", "rename", "nope", "j3", "--json"]);
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stdout)).toMatchObject({ error: { code: "SECRET_NOT_FOUND" } });
  });
});

describe("resolve, inject and run", () => {
  const v = vaultPerSuite(async () => {
    const made = await newVault();
    await made.run(["secret", "add", "user"], { input: "alice-user-4" });
    await made.run(["secret", "add", "pass"], { input: "hunter2-pass-5" });
    return made;
  });

  it("resolves a template from an argument, a file and stdin", async () => {
    expect((await v.run(["resolve", "u={{vault:user}}"])).stdout).toBe("u=alice-user-4");
    const file = join(v.home, "t.txt");
    writeFileSync(file, "p={{vault:pass}}\n");
    expect((await v.run(["inject", "--file", file])).stdout).toBe("p=hunter2-pass-5\n");
    expect((await v.run(["resolve"], { input: "{{vault:user}}:{{vault:pass}}" })).stdout).toBe(
      "alice-user-4:hunter2-pass-5",
    );
  });

  it("is strict by default and lists every unresolved reference", async () => {
    const r = await v.run([
      "resolve",
      "{{vault:user}} {{vault:missing-one}} {{vault:missing-two}}",
    ]);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("missing-one");
    expect(r.stderr).toContain("missing-two");
    expect(r.stderr).toContain("vaultlink secret add missing-one");
    const lenient = await v.run([
      "resolve",
      "--allow-unresolved",
      "{{vault:user}} {{vault:missing-one}}",
    ]);
    expect(lenient.code).toBe(0);
    expect(lenient.stdout).toBe("alice-user-4 {{vault:missing-one}}");
  });

  it("--out writes the result with mode 0600", async () => {
    // Outside the vault directory: a file in it is refused (data-safety.test.ts).
    const dir = tempHome();
    try {
      const out = join(dir, "out.txt");
      expect((await v.run(["resolve", "{{vault:pass}}", "--out", out])).code).toBe(0);
      expect(readFileSync(out, "utf8")).toBe("hunter2-pass-5");
      expect(statSync(out).mode & 0o777).toBe(0o600);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("run injects references from the environment and an env file, masks output and passes the exit code", async () => {
    const envFile = join(v.home, ".env");
    writeFileSync(envFile, "PASS={{vault:pass}}\nPLAIN=visible\n");
    const script =
      "console.log(process.env.USER_X, process.env.PASS, process.env.PLAIN); process.exit(4)";
    const r = await v.run(["run", "--dotenv", envFile, "--", process.execPath, "-e", script], {
      env: { USER_X: "{{vault:user}}" },
    });
    expect(r.code).toBe(4);
    expect(r.stdout).toBe("******** ******** visible\n");
    const unmasked = await v.run(
      ["run", "--no-masking", "--", process.execPath, "-e", "console.log(process.env.USER_X)"],
      { env: { USER_X: "{{vault:user}}" } },
    );
    expect(unmasked.stdout).toBe("alice-user-4\n");
  });

  it("run masks each secret written in pieces across separate writes, between ANSI colours, on stdout and stderr", async () => {
    // Every piece is its own write(2) call, so the secrets reach vaultlink split across reads.
    const script = `
      const { writeSync } = require("node:fs");
      const pieces = (s) => [s.slice(0, 3), s.slice(3, 7), s.slice(7)];
      for (const fd of [1, 2]) {
        for (const name of ["USER_X", "PASS_X"]) {
          writeSync(fd, "\\u001b[32m" + name + "=");
          for (const p of pieces(process.env[name])) writeSync(fd, p);
          writeSync(fd, "\\u001b[0m\\n");
        }
        for (const p of pieces(process.env.USER_X + process.env.PASS_X)) writeSync(fd, p);
        writeSync(fd, "\\n");
      }`;
    const r = await v.run(["run", "--", process.execPath, "-e", script], {
      env: { USER_X: "{{vault:user}}", PASS_X: "{{vault:pass}}" },
    });
    expect(r.code, r.stderr).toBe(0);
    const expected =
      // Two values written back to back are one masked stretch: one mask.
      "\u001b[32mUSER_X=********\u001b[0m\n\u001b[32mPASS_X=********\u001b[0m\n********\n";
    expect(r.stdout).toBe(expected);
    expect(r.stderr).toBe(expected);
    for (const secret of ["alice-user-4", "hunter2-pass-5"]) {
      expect(r.stdout.includes(secret) || r.stderr.includes(secret)).toBe(false);
    }
  });

  it("run refuses to start when a reference is unresolved", async () => {
    const r = await v.run(["run", "--", process.execPath, "-e", "console.log('started')"], {
      env: { X: "{{vault:nope}}" },
    });
    expect(r.code).toBe(3);
    expect(r.stdout).toBe("");
  });

  it("run of a command that does not exist exits 127 with one line", async () => {
    const r = await v.run(["run", "--", "vaultlink-no-such-command"], {
      env: { X: "{{vault:user}}" },
    });
    expect(r.code).toBe(127);
    expect(r.stderr).toBe(
      "error: Cannot run vaultlink-no-such-command: command not found.\nhint: Check the command name and PATH.\n",
    );
  });

  it("a VAULTLINK_CONFIG naming a missing file is warned about (a misspelled path), not silently ignored", async () => {
    const r = await v.run(["secret", "list"], {
      env: { VAULTLINK_CONFIG: `${v.home}/no-such-config.json` },
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(
      `warning: The config file ${v.home}/no-such-config.json (named by VAULTLINK_CONFIG) does not exist.`,
    );
    expect(r.stderr).toContain("hint: Check the path in VAULTLINK_CONFIG");
    expect((await v.run(["secret", "list"])).stderr).not.toContain("warning");
  });

  it("run passes a signal through", async () => {
    const r = await v.run(
      ["run", "--", process.execPath, "-e", "process.kill(process.pid, 'SIGTERM')"],
      { env: { X: "{{vault:user}}" } },
    );
    expect(r.signal === "SIGTERM" || r.code === 143).toBe(true);
  });
});

describe("settings and cache", () => {
  const v = vaultPerSuite(() => newVault());

  it("gets and sets cache-ttl", async () => {
    expect((await v.run(["settings", "get", "cache-ttl"])).stdout.trim()).toBe("60");
    expect((await v.run(["settings", "set", "cache-ttl", "15"])).code).toBe(0);
    const set = await v.run(["settings", "set", "cache-ttl", "20", "--json"]);
    expect(JSON.parse(set.stdout)).toEqual({ "cache-ttl": 20 });
    expect((await v.run(["settings", "set", "cache-ttl", "15"])).code).toBe(0);
    expect(JSON.parse((await v.run(["settings", "get", "--json"])).stdout)).toEqual({
      "cache-ttl": 15,
      "stale-if-error": 0,
      "sign-ins": "vault",
    });
  });

  it("gets and sets stale-if-error; refuses values out of range, naming the range", async () => {
    expect((await v.run(["settings", "get", "stale-if-error"])).stdout.trim()).toBe("0");
    const set = await v.run(["settings", "set", "stale-if-error", "10", "--json"]);
    expect(JSON.parse(set.stdout)).toEqual({ "stale-if-error": 10 });
    for (const bad of ["-1", "2.5", "1441", "soon"]) {
      const r = await v.run(["settings", "set", "stale-if-error", bad]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^error: stale-if-error .*\n(hint: .*0 \(off\) to 1440)/);
    }
    expect((await v.run(["settings", "get", "stale-if-error"])).stdout.trim()).toBe("10");
    expect((await v.run(["settings", "set", "stale-if-error", "0"])).code).toBe(0);
  });

  it("cache status is empty and reset works", async () => {
    expect((await v.run(["cache", "status"])).stdout).toContain("no cached values");
    expect((await v.run(["cache", "reset"])).code).toBe(0);
    expect(JSON.parse((await v.run(["cache", "reset", "--json"])).stdout)).toEqual({ dropped: 0 });
  });
});

describe("integrations and linked secrets (JSON test provider)", () => {
  const v = vaultPerSuite(() =>
    vaultWithProvider({
      "db-password": "linked-value-6",
      cfg: JSON.stringify({ user: "u1", pw: "json-key-value-7" }),
    }),
  );

  it("lists the connected integration with its expiry", async () => {
    const list = JSON.parse((await v.run(["integration", "list", "--json"])).stdout) as Array<{
      id: string;
      status: string;
      expiresAt?: string;
    }>;
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ id: "json", status: "connected" });
    expect(list[0]?.expiresAt).toBeTruthy();
    const status = await v.run(["integration", "status", "json"]);
    expect(status.stdout).toMatch(/expires:\s+\S+ \(in /);
  });

  it("links (validating the reference first), reads through the cache, and relinks", async () => {
    const bad = await v.run(["secret", "link", "db", "json", "s3://nope"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("not a json:// reference");
    expect((await v.run(["secret", "get", "db"])).code).toBe(1);
    const linked = await v.run(["secret", "link", "db", "json", "json://db-password"]);
    expect(linked.code).toBe(0);
    expect(linked.stderr).toContain("(checked: the provider returned a value)");
    expect(v.fetches()).toBe(1); // the check; it caches nothing
    expect((await v.run(["read", "db"])).stdout).toBe("linked-value-6\n");
    expect((await v.run(["read", "db"])).stdout).toBe("linked-value-6\n");
    expect(v.fetches()).toBe(2);
    const cache = await v.run(["cache", "status"]);
    expect(cache.stdout).toContain("json://db-password");
    expect(cache.stdout).toMatch(/^db\s+json\s+json:\/\/db-password\s+\d+s ago\s+in (\d+m|1h)$/m);
    expect(cache.stdout).not.toContain("linked-value-6");
    const cacheJson = await v.run(["cache", "status", "--json"]);
    expect(cacheJson.stdout).not.toContain("linked-value-6");
    expect(JSON.parse(cacheJson.stdout).entries).toEqual([
      expect.objectContaining({
        names: ["db"],
        integration: "json",
        reference: "json://db-password",
        ageMs: expect.any(Number),
        expiresInMs: expect.any(Number),
        expired: false,
      }),
    ]);
    expect(
      (await v.run(["secret", "link", "db", "json", "json://cfg", "--json-key", "pw"])).stderr,
    ).toContain("Relinked");
    expect((await v.run(["read", "db"])).stdout).toBe("json-key-value-7\n");
  });

  it("configure changes a setting; reauth signs in again from the environment", async () => {
    expect((await v.run(["integration", "configure", "json", "--label", "team-a"])).code).toBe(0);
    expect(
      JSON.parse((await v.run(["integration", "status", "json", "--json"])).stdout).settings.label,
    ).toBe("team-a");
    const again = await v.run(["integration", "reauth", "json", "--json"], {
      env: { JSONFILE_TOKEN: "good-token" },
    });
    expect(again.code, again.stderr).toBe(0);
    const info = JSON.parse(again.stdout) as { id: string; status: string; expiresAt?: string };
    expect(info).toMatchObject({ id: "json", status: "connected" });
    expect(info.expiresAt).toBeTruthy();
    const wrong = await v.run(["integration", "reauth", "json"], {
      env: { JSONFILE_TOKEN: "bad-token" },
    });
    expect(wrong.code).toBe(4);
  });

  it("disconnect prints the references left unresolved; doctor then reports them", async () => {
    const r = await v.run(["integration", "disconnect", "json"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("db");
    const read = await v.run(["read", "db"]);
    expect(read.code).toBe(4);
    expect(read.stderr).toContain("integration connect");
    const doctor = await v.run(["doctor"]);
    expect(doctor.code).toBe(1);
    expect(doctor.stdout).toContain("disconnected");
    expect(doctor.stdout).toContain("fix:");
  });
});

describe("team roles", () => {
  it("a team integration whose provider cannot say who is an admin cannot be set up; no team file, --team-file or VAULTLINK_USER changes that", async () => {
    const v = await newVault({ config: { plugins: [join(FIXTURES, "team-provider.js")] } });
    try {
      const file = join(v.home, "values.json");
      writeFileSync(file, JSON.stringify({ a: "team-value-11" }));
      writeFileSync(join(v.home, "team.json"), JSON.stringify({ members: { bob: "super-admin" } }));
      const env = { JSONFILE_TOKEN: "good-token", VAULTLINK_USER: "bob" };
      const before = v.vaultHash();
      const connect = await v.run(["integration", "connect", "teamjson", "--file", file], { env });
      expect(connect.code).not.toBe(0);
      expect(connect.stderr).toMatch(/^error: .*does not publish team setups/);
      expect(v.vaultHash()).toBe(before);
      const teamFile = await v.run(
        [
          "integration",
          "connect",
          "teamjson",
          "--file",
          file,
          "--team-file",
          join(v.home, "team.json"),
        ],
        { env },
      );
      expect(teamFile.code).not.toBe(0);
      expect(v.vaultHash()).toBe(before);
      const list = await v.run(["integration", "list", "--json"]);
      expect(JSON.parse(list.stdout)).toEqual([]);
    } finally {
      v.cleanup();
    }
  });
});

describe("export and import", () => {
  it("round-trips encrypted with a password from the environment, reporting links to connect", async () => {
    const src = await vaultWithProvider({ k: "linked-8" });
    const dst = await newVault();
    try {
      await src.run(["secret", "add", "local-one", "--domains", "api.example.com"], {
        input: "local-value-9",
      });
      await src.run(["secret", "link", "remote", "json", "json://k"]);
      const file = `${src.home}-export.json`;
      const pwEnv = { VAULTLINK_EXPORT_PASSWORD: "a long enough password" };
      const exp = await src.run(["export", "--out", file, "--json"], { env: pwEnv });
      expect(exp.code).toBe(0);
      expect(JSON.parse(exp.stdout)).toEqual({ file, secrets: 2, encrypted: true });
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const text = readFileSync(file, "utf8");
      expect(text).not.toContain("local-value-9");
      expect(text).not.toContain("good-token");
      // A memory-hard KDF (scrypt, 128 MiB at N=2^17, r=8) and AES-256-GCM.
      const envelope = JSON.parse(text) as {
        kdf: { name: string; N: number; r: number };
        cipher: { name: string };
      };
      expect(envelope.kdf.name).toBe("scrypt");
      expect(envelope.kdf.N * envelope.kdf.r * 128).toBeGreaterThanOrEqual(64 * 1024 * 1024);
      expect(envelope.cipher.name).toBe("aes-256-gcm");
      const importJson = async (...policy: string[]) => {
        const r = await dst.run(["import", file, ...policy, "--json"], { env: pwEnv });
        expect(r.code, r.stderr).toBe(0);
        return JSON.parse(r.stdout);
      };
      const readLocal = async () =>
        (await dst.run(["read", "local-one", "--url", "https://api.example.com"])).stdout;
      const report = await importJson();
      expect(report.created.sort()).toEqual(["local-one", "remote"]);
      expect(report.needsConnect).toEqual([
        { integration: "json", provider: "jsonfile", names: ["remote"] },
      ]);
      expect(await readLocal()).toBe("local-value-9\n");
      const conflict = await dst.run(["import", file], { env: pwEnv });
      expect(conflict.code).toBe(2);
      expect(conflict.stderr).toContain("--on-conflict");
      expect((await importJson("--on-conflict", "rename")).renamed).toContainEqual({
        from: "local-one",
        to: "local-one-imported",
      });
      await dst.run(["secret", "edit", "local-one"], { input: "changed-here-15" });
      expect((await importJson("--on-conflict", "skip")).skipped.sort()).toEqual([
        "local-one",
        "remote",
      ]);
      expect(await readLocal()).toBe("changed-here-15\n");
      expect((await importJson("--on-conflict", "replace")).replaced.sort()).toEqual([
        "local-one",
        "remote",
      ]);
      expect(await readLocal()).toBe("local-value-9\n");
      const plain = await src.run(["export", "--plaintext"]);
      expect(JSON.parse(plain.stdout)).toMatchObject({ encrypted: false });
      const short = await src.run(["export"], { env: { VAULTLINK_EXPORT_PASSWORD: "short" } });
      expect(short.code).not.toBe(0);
      expect(noStack(short.stderr)).toBe(true);
    } finally {
      src.cleanup();
      dst.cleanup();
      rmSync(`${src.home}-export.json`, { force: true });
    }
  }, 120_000); // about nine scrypt derivations through the CLI: seconds each on a loaded machine
});

describe("doctor and plugins", () => {
  it("doctor passes on a healthy vault and names the working key source", async () => {
    const v = await newVault();
    try {
      await v.run(["secret", "add", "ok"], { input: "fine-10" });
      const r = await v.run(["doctor", "--json"]);
      expect(r.code).toBe(0);
      const report = JSON.parse(r.stdout) as {
        ok: boolean;
        checks: Array<{ area: string; subject: string; ok: boolean; detail: string }>;
      };
      expect(report.ok).toBe(true);
      expect(report.checks).toContainEqual(
        expect.objectContaining({ area: "key", subject: "env", ok: true }),
      );
      expect(report.checks.find((c) => c.subject === "keychain")?.detail).toMatch(/not used/);
      expect(r.stdout).not.toContain("fine-10");
    } finally {
      v.cleanup();
    }
  });

  it("a renamed secret: the old name's references say where it went, and doctor notes it", async () => {
    const v = await newVault();
    try {
      await v.run(["secret", "add", "api-key"], { input: "renamed-31" });
      expect((await v.run(["secret", "rename", "api-key", "stripe-key"])).code).toBe(0);
      const read = await v.run(["read", "api-key"]);
      expect(read.code).toBe(3); // unresolved reference (docs/cli.md, exit codes)
      expect(read.stderr).toContain('it was renamed to "stripe-key"');
      expect(read.stderr).toContain(
        "use the new name, {{vault:stripe-key}}, or rename it back: vaultlink secret rename stripe-key api-key",
      );
      const doctor = await v.run(["doctor", "--json"]);
      expect(doctor.code).toBe(0);
      expect(JSON.parse(doctor.stdout).checks).toContainEqual(
        expect.objectContaining({
          area: "secret",
          subject: "stripe-key",
          ok: true,
          severity: "note",
          detail: "renamed from api-key: references to {{vault:api-key}} no longer resolve",
        }),
      );
      expect(`${read.stderr}${doctor.stdout}`).not.toContain("renamed-31");
    } finally {
      v.cleanup();
    }
  });

  it("doctor reports every problem with its fix and exits non-zero", async () => {
    const v = await vaultWithProvider({ k: "x" });
    try {
      const refused = await v.run(["secret", "link", "gone", "json", "json://not-in-file"]);
      expect(refused.code).toBe(1);
      await v.run(["secret", "link", "gone", "json", "json://not-in-file", "--no-check"]);
      await v.run(["secret", "link", "emptied", "json", "json://k"]);
      const unlinked = await v.run(["secret", "unlink", "emptied", "--json"]);
      expect(JSON.parse(unlinked.stdout)).toMatchObject({ name: "emptied", hasValue: false });
      expect(JSON.parse(unlinked.stdout).link).toBeUndefined();
      await v.run(["secret", "add", "off", "--disabled"], { input: "v" });
      const r = await v.run(["doctor"]);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/secret gone: provider-error/);
      expect(r.stdout).toContain(
        "fix: check that json://not-in-file exists, or link the right one: vaultlink secret link gone json <reference>",
      );
      expect(r.stdout).not.toContain("fix: run vaultlink doctor");
      expect(r.stdout).toMatch(/secret emptied: empty/);
      expect(r.stdout).toContain("fix: give it a value");
      expect(r.stdout).toMatch(/secret off: disabled/);
      expect(r.stdout).toMatch(/problems found/);
    } finally {
      v.cleanup();
    }
  });

  it("doctor finds a missing vault, a wrong key, loose permissions and an unreachable provider, each with its fix", async () => {
    const empty = tempHome();
    const v = await vaultWithProvider({ k: "reachable-25" });
    try {
      const none = await cli(["doctor", "--json"], { env: { VAULTLINK_HOME: empty } });
      expect(none.code).toBe(1);
      expect(JSON.parse(none.stdout).checks).toContainEqual(
        expect.objectContaining({
          area: "vault",
          ok: false,
          detail: "there is no vault here",
          fix: expect.stringContaining("vaultlink vault create"),
        }),
      );

      await v.run(["secret", "link", "remote", "json", "json://k"]);
      await v.run(["secret", "add", "scoped", "--domains", "*.example.com"], { input: "s-26" });
      const wrongKey = await v.run(["doctor"], {
        env: { VAULTLINK_VAULT_KEY: "vlk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" },
      });
      expect(wrongKey.code).toBe(1);
      expect(wrongKey.stdout).toMatch(/✗ key env: The vault key does not belong to the vault/);
      expect(wrongKey.stdout).toContain("fix: set VAULTLINK_VAULT_KEY to this vault's key");
      expect(wrongKey.stdout).toMatch(/✗ key unlock: no key source opens the vault/);

      writeFileSync(v.valuesFile, JSON.stringify({ __unreachable: true }));
      await v.run(["cache", "reset"]);
      chmodSync(join(v.home, "vault.vlt"), 0o644);
      const r = await v.run(["doctor"]);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(
        /✗ vault .*: the vault directory or file is readable by other users/,
      );
      expect(r.stdout).toContain(
        `fix: chmod 700 ${v.home} && chmod 600 ${join(v.home, "vault.vlt")}`,
      );
      expect(r.stdout).toMatch(/✗ secret remote: .*unreachable/i);
      expect(r.stdout).toContain(
        "fix: make sure this machine reaches the provider (network, proxy, firewall, IP allowlist)",
      );
      // A domain-restricted secret is checked with a URL of its own domain: no false alarm.
      expect(r.stdout).toMatch(/✓ secret scoped: has a value/);
      expect(r.stdout).not.toContain("s-26");
    } finally {
      rmSync(empty, { recursive: true, force: true });
      v.cleanup();
    }
  });

  it("discovery (opt-in) reads package.json without importing: incompatible and broken packages are reported", async () => {
    const v = await newVault({ config: { discover: true } });
    try {
      const pkg = (name: string, meta: unknown, code: string) => {
        const dir = join(v.home, "node_modules", name);
        mkdirSync(dir, { recursive: true });
        writeFileSync(
          join(dir, "package.json"),
          JSON.stringify({
            name,
            version: "1.0.0",
            type: "module",
            main: "index.js",
            vaultlink: meta,
          }),
        );
        writeFileSync(join(dir, "index.js"), code);
      };
      pkg(
        "vaultlink-provider-future",
        { role: "provider", apiVersion: 2, id: "future" },
        'throw new Error("an incompatible plugin must not be imported");',
      );
      pkg(
        "vaultlink-provider-broken",
        { role: "provider", apiVersion: 1, id: "broken" },
        readFileSync(join(FIXTURES, "broken-plugin.js"), "utf8"),
      );
      pkg("left-pad-ish", undefined, 'throw new Error("not a plugin: never imported");');
      const r = await v.run(["plugins", "list", "--json"]);
      expect(r.code, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout) as {
        config: { discover: boolean };
        broken: Array<{ spec: string; origin: string; reason: string }>;
        incompatible: Array<{ spec: string; origin: string; reason: string }>;
      };
      expect(out.config.discover).toBe(true);
      expect(out.incompatible).toEqual([
        expect.objectContaining({
          spec: "vaultlink-provider-future",
          origin: "discovered",
          reason: expect.stringMatching(/plugin API version 2/),
        }),
      ]);
      expect(out.broken).toEqual([
        expect.objectContaining({
          spec: "vaultlink-provider-broken",
          origin: "discovered",
          reason: expect.stringMatching(/not a vaultlink provider/),
        }),
      ]);
      expect(r.stdout).not.toContain("never imported");
      expect(r.stdout).not.toContain("must not be imported");
      expect((await v.run(["secret", "list"])).code).toBe(0);
    } finally {
      v.cleanup();
    }
  });

  it("plugins list shows loaded, incompatible, broken and missing plugins with why", async () => {
    const v = await newVault({
      config: {
        plugins: ["./broken.js", "./future.js", "./missing.js", "no-such-vaultlink-plugin"],
      },
    });
    try {
      writeFileSync(join(v.home, "broken.js"), readFileSync(join(FIXTURES, "broken-plugin.js")));
      writeFileSync(join(v.home, "future.js"), readFileSync(join(FIXTURES, "future-plugin.js")));
      const r = await v.run(["plugins", "list", "--json"]);
      expect(r.code).toBe(0);
      const out = JSON.parse(r.stdout) as {
        loaded: Array<{ id: string }>;
        broken: Array<{ spec: string; reason: string }>;
        incompatible: Array<{ spec: string; reason: string; hint?: string }>;
      };
      expect(out.loaded.map((p) => p.id).sort()).toEqual([
        "1password",
        "aws",
        "azure",
        "hashicorp",
      ]);
      expect(out.broken.map((b) => b.spec).sort()).toEqual([
        "./broken.js",
        "./missing.js",
        "no-such-vaultlink-plugin",
      ]);
      expect(out.broken.find((b) => b.spec === "./broken.js")?.reason).toMatch(
        /not a vaultlink provider/,
      );
      expect(out.incompatible).toEqual([
        expect.objectContaining({
          spec: "./future.js",
          reason: expect.stringMatching(/targets plugin API version 2; this vaultlink supports 1/),
          hint: expect.stringContaining("plugin API 1"),
        }),
      ]);
      const human = await v.run(["plugins", "list"]);
      expect(human.stdout).toMatch(/^LOADED/m);
      expect(human.stdout).toMatch(
        /^INCOMPATIBLE:\n {2}\.\/future\.js \(config\): .*API version 2/m,
      );
      expect(human.stdout).toMatch(/^BROKEN:$/m);
      expect(human.stdout).toMatch(/^ {2}\.\/broken\.js \(config\): .*not a vaultlink provider/m);
      expect(human.stdout).toContain("fix: ");
      // A broken plugin never stops the host.
      expect((await v.run(["secret", "list"])).code).toBe(0);
    } finally {
      v.cleanup();
    }
  });
});
