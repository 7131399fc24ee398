import { spawn } from "node:child_process";
import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  BIN,
  baseEnv,
  CLI_DIR,
  cli,
  hashFile,
  newVault,
  noStack,
  tempHome,
  vaultWithProvider,
} from "./helpers.js";

/*
 * Issue 16, items 3, 8 and 9 through the built binary: no confirmed write lost, nothing in the
 * vault directory overwritten by an output file, a backup that always holds a whole previous
 * generation, and a vault directory others can write refused.
 */

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function names(listJson: string): string[] {
  return (JSON.parse(listJson) as Array<{ name: string }>).map((s) => s.name).sort();
}

describe("no write that reported success is lost", () => {
  it("20 processes adding a secret each at the same time: all 20 are there", {
    timeout: 120_000,
  }, async () => {
    const v = await newVault();
    try {
      const runs = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          v.run(["secret", "add", `p${i}`], { input: `value-${i}` }),
        ),
      );
      for (const r of runs) expect(r.code, r.stderr).toBe(0);
      const list = await v.run(["secret", "list", "--json"]);
      expect(names(list.stdout)).toEqual(Array.from({ length: 20 }, (_, i) => `p${i}`).sort());
      for (let i = 0; i < 20; i++)
        expect((await v.run(["read", `p${i}`])).stdout).toBe(`value-${i}\n`);
    } finally {
      v.cleanup();
    }
  });

  it("kill -9 at random moments of 25 writes: every confirmed add survives, vault and backup open", {
    timeout: 180_000,
  }, async () => {
    const v = await newVault();
    try {
      const confirmed: string[] = [];
      for (let i = 0; i < 25; i++) {
        const name = `k${i}`;
        const child = spawn(process.execPath, [BIN, "secret", "add", name], {
          env: baseEnv(v.env),
          cwd: CLI_DIR,
          stdio: ["pipe", "pipe", "pipe"],
        });
        let stderr = "";
        child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
        child.stdin.end(`v${i}`);
        const closed = new Promise<number | null>((r) => child.on("close", (code) => r(code)));
        await sleep(Math.random() * 250);
        child.kill("SIGKILL");
        if ((await closed) === 0 && stderr.includes("Added")) confirmed.push(name);
        const list = await v.run(["secret", "list", "--json"]);
        expect(list.code, list.stderr).toBe(0);
        for (const n of confirmed) expect(names(list.stdout)).toContain(n);
        if (existsSync(join(v.home, "vault.vlt.bak"))) {
          expect(lstatSync(join(v.home, "vault.vlt.bak")).isFile()).toBe(true);
        }
      }
      // The next write cleans up temp files the killed writers left.
      expect((await v.run(["secret", "add", "after"], { input: "x" })).code).toBe(0);
      expect(
        readdirSync(v.home).filter((n) => n.endsWith(".tmp") || /\.vlt\.\d+$/.test(n)),
      ).toEqual([]);
      // The backup opens with the key: restore checks it before asking anything.
      expect((await v.run(["vault", "restore"])).stderr).toContain("needs confirmation");
    } finally {
      v.cleanup();
    }
  });
});

describe("output files never land in the vault directory", () => {
  it("resolve -o and export -o refuse vault.vlt, the backup, the cache, the lock, any file there, also via .. and symlinks", async () => {
    const v = await newVault();
    const outside = tempHome();
    try {
      expect((await v.run(["secret", "add", "api"], { input: "canary-value-31" })).code).toBe(0);
      expect((await v.run(["secret", "add", "api2"], { input: "x" })).code).toBe(0);
      writeFileSync(join(v.home, "cache.vlc"), "cache bytes");
      symlinkSync(join(v.home, "vault.vlt"), join(outside, "link-to-vault"));
      const before = readdirSync(v.home)
        .sort()
        .map((n) => [n, hashFile(join(v.home, n))]);
      const targets = [
        join(v.home, "vault.vlt"),
        join(v.home, "vault.vlt.bak"),
        join(v.home, "cache.vlc"),
        join(v.home, "vault.lock"),
        join(v.home, "new-file.txt"),
        join(v.home, "..", v.home.split("/").pop() as string, "vault.vlt"),
        join(outside, "link-to-vault"),
      ];
      for (const target of targets) {
        for (const args of [
          ["resolve", "{{vault:api}}", "-o", target],
          ["export", "--plaintext", "-o", target],
        ]) {
          const r = await v.run(args);
          expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(2);
          expect(r.stderr).toContain("in the vault directory");
          expect(r.stderr).not.toContain("canary-value-31");
          expect(noStack(r.stderr)).toBe(true);
        }
      }
      expect(
        readdirSync(v.home)
          .sort()
          .map((n) => [n, hashFile(join(v.home, n))]),
      ).toEqual(before);
      expect(lstatSync(join(outside, "link-to-vault")).isSymbolicLink()).toBe(true);
      // Outside the vault directory it writes.
      const ok = await v.run(["resolve", "{{vault:api}}", "-o", join(outside, "out.txt")]);
      expect(ok.code, ok.stderr).toBe(0);
      expect(readFileSync(join(outside, "out.txt"), "utf8")).toBe("canary-value-31");
    } finally {
      v.cleanup();
      rmSync(outside, { recursive: true, force: true });
    }
  });
});

describe("the backup holds a complete previous generation", () => {
  it("a write that fails leaves the backup as it was", async () => {
    const v = await newVault();
    const elsewhere = tempHome();
    try {
      expect((await v.run(["secret", "add", "one"], { input: "1" })).code).toBe(0);
      expect((await v.run(["secret", "add", "two"], { input: "2" })).code).toBe(0);
      const backup = hashFile(join(v.home, "vault.vlt.bak"));
      // vault.vlt links to a file whose name leaves no room for a temp name beside it
      // (ENAMETOOLONG), so the next write fails before anything is renamed.
      const real = join(elsewhere, "v".repeat(250));
      renameSync(join(v.home, "vault.vlt"), real);
      symlinkSync(real, join(v.home, "vault.vlt"));
      const current = hashFile(real);
      const failed = await v.run(["secret", "add", "three"], { input: "3" });
      expect(failed.code).not.toBe(0);
      expect(noStack(failed.stderr)).toBe(true);
      expect(hashFile(join(v.home, "vault.vlt.bak"))).toBe(backup);
      expect(lstatSync(join(v.home, "vault.vlt.bak")).isFile()).toBe(true);
      expect(hashFile(real)).toBe(current);
      expect(names((await v.run(["secret", "list", "--json"])).stdout)).toEqual(["one", "two"]);
    } finally {
      v.cleanup();
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  it("a symlinked vault.vlt gets a real copy as its backup, never a link to the live file", async () => {
    const v = await newVault();
    const elsewhere = tempHome();
    try {
      expect((await v.run(["secret", "add", "one"], { input: "1" })).code).toBe(0);
      const real = join(elsewhere, "my-vault.vlt");
      renameSync(join(v.home, "vault.vlt"), real);
      symlinkSync(real, join(v.home, "vault.vlt"));
      const generation = hashFile(real);
      expect((await v.run(["secret", "add", "two"], { input: "2" })).code).toBe(0);
      const bak = join(v.home, "vault.vlt.bak");
      expect(lstatSync(bak).isFile()).toBe(true);
      expect(hashFile(bak)).toBe(generation);
      // The link is kept and now leads to the new generation.
      expect(lstatSync(join(v.home, "vault.vlt")).isSymbolicLink()).toBe(true);
      expect(hashFile(real)).not.toBe(generation);
      expect(names((await v.run(["secret", "list", "--json"])).stdout)).toEqual(["one", "two"]);
    } finally {
      v.cleanup();
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  it("commands that change nothing neither rewrite the vault nor rotate the backup", async () => {
    const v = await newVault();
    try {
      expect((await v.run(["secret", "add", "one"], { input: "1" })).code).toBe(0);
      expect((await v.run(["settings", "set", "cache-ttl", "30"])).code).toBe(0);
      const vault = hashFile(join(v.home, "vault.vlt"));
      const backup = hashFile(join(v.home, "vault.vlt.bak"));
      const mtime = statSync(join(v.home, "vault.vlt")).mtimeMs;
      for (const args of [
        ["settings", "set", "cache-ttl", "30"],
        ["secret", "enable", "one"],
        ["secret", "list"],
        ["read", "one"],
      ]) {
        const r = await v.run(args);
        expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(0);
      }
      expect(hashFile(join(v.home, "vault.vlt"))).toBe(vault);
      expect(hashFile(join(v.home, "vault.vlt.bak"))).toBe(backup);
      expect(statSync(join(v.home, "vault.vlt")).mtimeMs).toBe(mtime);
    } finally {
      v.cleanup();
    }
  });
});

describe("a missing vault.vlt with a backup, and vault restore", () => {
  it("says the backup exists and how to restore; create refuses; restore asks, checks the key, brings it back", async () => {
    const v = await newVault();
    try {
      expect((await v.run(["secret", "add", "one"], { input: "1" })).code).toBe(0);
      expect((await v.run(["secret", "add", "two"], { input: "2" })).code).toBe(0);
      const backup = hashFile(join(v.home, "vault.vlt.bak"));
      rmSync(join(v.home, "vault.vlt"));

      const read = await v.run(["read", "one"]);
      expect(read.code).toBe(6);
      expect(read.stderr).toContain("vault.vlt.bak");
      expect(read.stderr).toContain("vaultlink vault restore");
      expect(read.stderr).not.toContain("Create one");

      // Neither a new vault nor a first write may destroy the only backup.
      const create = await v.run(["vault", "create", "--no-keychain"]);
      expect(create.code).not.toBe(0);
      expect(create.stderr).toContain("vaultlink vault restore");
      const add = await v.run(["secret", "add", "three"], { input: "3" });
      expect(add.code).toBe(6);
      expect(hashFile(join(v.home, "vault.vlt.bak"))).toBe(backup);
      expect(existsSync(join(v.home, "vault.vlt"))).toBe(false);

      // Without a terminal it needs --yes; with a wrong key it refuses before changing anything.
      const unconfirmed = await v.run(["vault", "restore"]);
      expect(unconfirmed.code).toBe(2);
      expect(unconfirmed.stderr).toContain("--yes");
      const other = await newVault();
      try {
        const wrong = await v.run(["vault", "restore", "--yes"], {
          env: { VAULTLINK_VAULT_KEY: other.key },
        });
        expect(wrong.code).toBe(6);
        expect(wrong.stderr).toContain("does not belong");
        expect(existsSync(join(v.home, "vault.vlt"))).toBe(false);
      } finally {
        other.cleanup();
      }

      const restored = await v.run(["vault", "restore", "--yes", "--json"]);
      expect(restored.code, restored.stderr).toBe(0);
      expect(JSON.parse(restored.stdout)).toMatchObject({ restored: true, secrets: 1 });
      expect(names((await v.run(["secret", "list", "--json"])).stdout)).toEqual(["one"]);
      expect((await v.run(["secret", "add", "three"], { input: "3" })).code).toBe(0);

      // Restoring again swaps back: the replaced generation was kept as the backup.
      expect((await v.run(["vault", "restore", "--yes"])).code).toBe(0);
      expect(names((await v.run(["secret", "list", "--json"])).stdout)).toEqual(["one"]);
      expect((await v.run(["vault", "restore", "--yes"])).code).toBe(0);
      expect(names((await v.run(["secret", "list", "--json"])).stdout)).toEqual(["one", "three"]);
    } finally {
      v.cleanup();
    }
  });
});

describe("cache temp files", () => {
  it("cache reset removes temp files left by a read killed mid-write, so they cannot be renamed back", {
    timeout: 120_000,
  }, async () => {
    const v = await vaultWithProvider({ token: "cached-canary-41" });
    try {
      expect((await v.run(["secret", "link", "tok", "json", "json://token"])).code).toBe(0);
      // Reads killed at random moments, some during their cache write.
      for (let i = 0; i < 15; i++) {
        rmSync(join(v.home, "cache.vlc"), { force: true });
        const child = spawn(process.execPath, [BIN, "read", "tok"], {
          env: baseEnv(v.env),
          cwd: CLI_DIR,
          stdio: "ignore",
        });
        const closed = new Promise((r) => child.on("close", r));
        await sleep(Math.random() * 300);
        child.kill("SIGKILL");
        await closed;
      }
      expect((await v.run(["read", "tok"])).stdout).toBe("cached-canary-41\n");
      // What a killed read leaves: a temp file of the cache, by this version and by older ones.
      const dead = spawn(process.execPath, ["-e", "0"]);
      await new Promise((r) => dead.on("exit", r));
      const cache = readFileSync(join(v.home, "cache.vlc"));
      writeFileSync(join(v.home, "cache.vlc.3141592653"), cache);
      writeFileSync(join(v.home, `cache.vlc.${dead.pid}.00000000.abcdef.tmp`), cache);
      const reset = await v.run(["cache", "reset"]);
      expect(reset.code, reset.stderr).toBe(0);
      expect(readdirSync(v.home).filter((n) => n.startsWith("cache.vlc"))).toEqual([]);
    } finally {
      v.cleanup();
    }
  });
});

describe("VAULTLINK_HOME that other users can write", () => {
  it("is refused with a fix and left as it is; a directory vaultlink creates is 0700", async () => {
    const parent = tempHome();
    try {
      const shared = join(parent, "shared");
      mkdirSync(shared);
      chmodSync(shared, 0o1777);
      for (const args of [
        ["vault", "create", "--no-keychain"],
        ["secret", "list"],
      ]) {
        const r = await cli(args, {
          env: { VAULTLINK_HOME: shared, VAULTLINK_VAULT_KEY: undefined },
        });
        expect(r.code, r.stderr).toBe(6);
        expect(r.stderr).toContain("not safe for secrets");
        expect(r.stderr).toContain("VAULTLINK_HOME");
        expect(noStack(r.stderr)).toBe(true);
      }
      expect(statSync(shared).mode & 0o7777).toBe(0o1777);
      expect(readdirSync(shared)).toEqual([]);

      const group = join(parent, "group-writable");
      mkdirSync(group);
      chmodSync(group, 0o770);
      const g = await cli(["vault", "create", "--no-keychain"], { env: { VAULTLINK_HOME: group } });
      expect(g.code).toBe(6);
      expect(statSync(group).mode & 0o777).toBe(0o770);

      // Another user's directory (made so here when the tests run as root).
      const uid = process.getuid?.() ?? 0;
      const foreign = uid === 0 ? join(parent, "foreign") : "/";
      if (uid === 0) {
        mkdirSync(foreign, { mode: 0o700 });
        chownSync(foreign, 4242, 4242);
      }
      const f = await cli(["secret", "list"], { env: { VAULTLINK_HOME: foreign } });
      expect(f.code).toBe(6);
      expect(f.stderr).toContain("belongs to another user");

      // A vault whose directory became writable by others: even `read` (answered without the
      // engine when it can be) refuses, and the directory is left as it is.
      const v = await newVault();
      try {
        expect((await v.run(["secret", "add", "a"], { input: "quick-canary-52" })).code).toBe(0);
        chmodSync(v.home, 0o777);
        const read = await v.run(["read", "a"]);
        expect(read.code).toBe(6);
        expect(read.stdout).not.toContain("quick-canary-52");
        expect(read.stderr).toContain("not safe for secrets");
        expect(statSync(v.home).mode & 0o777).toBe(0o777);
      } finally {
        v.cleanup();
      }

      const fresh = join(parent, "new", "home");
      const created = await cli(["vault", "create", "--no-keychain", "--json"], {
        env: { VAULTLINK_HOME: fresh },
      });
      expect(created.code, created.stderr).toBe(0);
      expect(statSync(fresh).mode & 0o777).toBe(0o700);
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });
});
