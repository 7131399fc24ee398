import {
  chmod,
  link,
  mkdir,
  readdir,
  readFile,
  rm,
  stat,
  utimes,
  writeFile,
} from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { confirmReset, FileVaultStore, resolveVaultPaths } from "../../src/vault/index.js";
import { rejectsWithCode, secret, tempDir, throwsWithCode } from "./helpers.js";

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterEach(async () => {
  await cleanup();
});

const mode = async (path: string) => (await stat(path)).mode & 0o777;

describe("paths", () => {
  it("VAULTLINK_HOME overrides the data dir; home wins over both", () => {
    const fromEnv = resolveVaultPaths({ env: { VAULTLINK_HOME: "/tmp/vh" } });
    expect(fromEnv).toEqual({
      dir: "/tmp/vh",
      vaultFile: "/tmp/vh/vault.vlt",
      backupFile: "/tmp/vh/vault.vlt.bak",
      cacheFile: "/tmp/vh/cache.vlc",
    });
    expect(resolveVaultPaths({ home: "/x", env: { VAULTLINK_HOME: "/tmp/vh" } }).dir).toBe("/x");
    const fallback = resolveVaultPaths({ env: {} });
    expect(fallback.dir).toMatch(/vaultlink$/);
    expect(fallback.dir).not.toMatch(/nodejs/);
  });
});

describe("FileVaultStore", () => {
  it("creates, reports existence, refuses a second create, opens with the key", async () => {
    const store = new FileVaultStore({ home: join(dir, "v") });
    expect(await store.exists()).toBe(false);
    await rejectsWithCode(store.open("vlk_x"), "INVALID_KEY");
    const notFound = await rejectsWithCode(
      store.open((await new FileVaultStore({ home: join(dir, "w") }).create()).vaultKey),
      "VAULT_NOT_FOUND",
    );
    expect(notFound.hint).toContain("vaultlink vault create");
    const { vaultKey, session } = await store.create();
    expect(await store.exists()).toBe(true);
    expect(await session.read()).toEqual({
      formatVersion: 1,
      secrets: {},
      integrations: {},
      settings: { cacheTtlMinutes: 60 },
    });
    await rejectsWithCode(store.create(), "VAULT_EXISTS");
    const again = await store.open(vaultKey);
    expect(again.cacheKey).toEqual(session.cacheKey);
    expect(again.cacheKey).toHaveLength(32);
  });

  it("update writes atomically; a throwing change writes nothing; invalid results are refused", async () => {
    const store = new FileVaultStore({ home: join(dir, "v") });
    const { vaultKey, session } = await store.create();
    const result = await session.update((doc) => {
      doc.secrets.a = secret("a", "one");
      return "done";
    });
    expect(result).toBe("done");
    const before = await readFile(store.paths.vaultFile);
    await expect(
      session.update((doc) => {
        doc.secrets.b = secret("b", "two");
        throw new Error("changed my mind");
      }),
    ).rejects.toThrow("changed my mind");
    const invalid = await rejectsWithCode(
      session.update((doc) => {
        (doc.secrets as Record<string, unknown>).c = { name: "c", value: "hidden-value-123" };
      }),
      "INVALID_INPUT",
    );
    expect(invalid.message).not.toContain("hidden-value-123");
    expect(Buffer.compare(await readFile(store.paths.vaultFile), before)).toBe(0);
    const reopened = await (await store.open(vaultKey)).read();
    expect(Object.keys(reopened.secrets)).toEqual(["a"]);
    expect(reopened.secrets.a?.value).toBe("one");
  });

  it("change functions get a private copy; read() returns a frozen document", async () => {
    const store = new FileVaultStore({ home: join(dir, "v") });
    const { session } = await store.create();
    await session.update((doc) => {
      doc.secrets.a = secret("a", "one");
      doc.settings.cacheTtlMinutes = 5;
    });
    const snapshot = await session.read();
    expect(Object.isFrozen(snapshot.secrets.a)).toBe(true);
    await session.update((doc) => {
      const a = doc.secrets.a;
      if (!a) throw new Error("missing");
      a.value = "two";
      a.allowedDomains.push("example.com");
      expect(Object.hasOwn(doc.secrets, "a")).toBe(true);
      expect(Object.keys(doc.secrets)).toEqual(["a"]);
      doc.secrets.b = { ...a, name: "b" };
      delete doc.secrets.a;
    });
    // The earlier snapshot is untouched.
    expect(snapshot.secrets.a?.value).toBe("one");
    const now = await session.read();
    expect(Object.keys(now.secrets)).toEqual(["b"]);
    expect(now.secrets.b).toMatchObject({ value: "two", allowedDomains: ["example.com"] });
    expect(now.settings.cacheTtlMinutes).toBe(5);
  });

  it("read() re-reads only when the file changed", async () => {
    const store = new FileVaultStore({ home: join(dir, "v") });
    const { vaultKey, session } = await store.create();
    const other = await store.open(vaultKey);
    const first = await session.read();
    expect(await session.read()).toBe(first);
    await other.update((doc) => {
      doc.secrets.x = secret("x", "from-other");
    });
    const second = await session.read();
    expect(second).not.toBe(first);
    expect(second.secrets.x?.value).toBe("from-other");
    expect(await session.read()).toBe(second);
  });

  it("keeps the previous generation as vault.vlt.bak, openable with the same key", async () => {
    const store = new FileVaultStore({ home: join(dir, "v") });
    const { vaultKey, session } = await store.create();
    await session.update((doc) => {
      doc.secrets.gen = secret("gen", "first");
    });
    await session.update((doc) => {
      const g = doc.secrets.gen;
      if (g) g.value = "second";
    });
    const backup = new FileVaultStore({
      paths: { ...store.paths, vaultFile: store.paths.backupFile },
    });
    const fromBackup = await (await backup.open(vaultKey)).read();
    expect(fromBackup.secrets.gen?.value).toBe("first");
    expect((await session.read()).secrets.gen?.value).toBe("second");
    expect(await mode(store.paths.backupFile)).toBe(0o600);
    // No temp files left behind.
    expect((await readdir(store.paths.dir)).sort()).toEqual(["vault.vlt", "vault.vlt.bak"]);
  });

  it("creates files 0600 in a 0700 directory and tightens a 0755 one", async () => {
    const store = new FileVaultStore({ home: join(dir, "fresh", "nested") });
    const { vaultKey, session } = await store.create();
    await session.update((doc) => {
      doc.secrets.a = secret("a", "1");
    });
    expect(await mode(store.paths.dir)).toBe(0o700);
    expect(await mode(store.paths.vaultFile)).toBe(0o600);
    expect(await mode(store.paths.backupFile)).toBe(0o600);

    const loose = join(dir, "loose");
    await mkdir(loose, { mode: 0o755 });
    await chmod(loose, 0o755);
    const looseStore = new FileVaultStore({ home: loose });
    await looseStore.create();
    expect(await mode(loose)).toBe(0o700);
    expect(await mode(looseStore.paths.vaultFile)).toBe(0o600);

    // An existing vault whose directory and file were loosened is tightened on open.
    await chmod(store.paths.dir, 0o755);
    await chmod(store.paths.vaultFile, 0o644);
    await store.open(vaultKey);
    expect(await mode(store.paths.dir)).toBe(0o700);
    expect(await mode(store.paths.vaultFile)).toBe(0o600);
  });

  it("reset needs { confirm: true }, then destroys vault, backup and cache and makes a new key", async () => {
    const store = new FileVaultStore({ home: join(dir, "v") });
    const { vaultKey, session } = await store.create();
    await session.update((doc) => {
      doc.secrets.a = secret("a", "1");
    });
    await session.update((doc) => {
      doc.secrets.b = secret("b", "2");
    });
    await writeFile(store.paths.cacheFile, "cache", { mode: 0o600 });

    // @ts-expect-error reset requires confirmation
    await rejectsWithCode(store.reset(), "CONFIRMATION_REQUIRED");
    await rejectsWithCode(
      store.reset({ confirm: false } as unknown as { confirm: true }),
      "CONFIRMATION_REQUIRED",
    );
    throwsWithCode(() => confirmReset({}), "CONFIRMATION_REQUIRED");
    expect(() => confirmReset({ confirm: true })).not.toThrow();
    expect(Object.keys((await store.open(vaultKey).then((s) => s.read())).secrets)).toHaveLength(2);

    const fresh = await store.reset({ confirm: true });
    expect(fresh.vaultKey).not.toBe(vaultKey);
    expect((await fresh.session.read()).secrets).toEqual({});
    expect((await readdir(store.paths.dir)).sort()).toEqual(["vault.vlt"]);
    await rejectsWithCode(store.open(vaultKey), "VAULT_WRONG_KEY");
    expect(Object.keys((await store.open(fresh.vaultKey).then((s) => s.read())).secrets)).toEqual(
      [],
    );
  });

  it("writes from one process never interleave (in-process queue + lock)", async () => {
    const store = new FileVaultStore({ home: join(dir, "v") });
    const { vaultKey } = await store.create();
    const sessions = await Promise.all([1, 2, 3].map(() => store.open(vaultKey)));
    await Promise.all(
      sessions.flatMap((s, i) =>
        Array.from({ length: 10 }, (_, j) =>
          s.update((doc) => {
            doc.secrets[`p${i}-${j}`] = secret(`p${i}-${j}`, "v");
          }),
        ),
      ),
    );
    const doc = await (await store.open(vaultKey)).read();
    expect(Object.keys(doc.secrets)).toHaveLength(30);
  });
});

describe("backup after an interrupted write", () => {
  it("leaves no temp file when the backup already is the current file", async () => {
    const store = new FileVaultStore({ home: join(dir, "v") });
    const { vaultKey, session } = await store.create();
    await session.update((doc) => {
      doc.secrets.a = secret("a", "one");
    });
    // A writer killed between keeping the backup and replacing the vault leaves the backup as a
    // hard link to the live file.
    await rm(store.paths.backupFile, { force: true });
    await link(store.paths.vaultFile, store.paths.backupFile);
    await session.update((doc) => {
      doc.secrets.b = secret("b", "two");
    });
    expect((await readdir(join(dir, "v"))).filter((n) => n.endsWith(".tmp"))).toEqual([]);
    const backup = await (
      await new FileVaultStore({
        paths: { ...store.paths, vaultFile: store.paths.backupFile },
      }).open(vaultKey)
    ).read();
    expect(Object.keys(backup.secrets)).toEqual(["a"]);
  });
});

describe("a lock left by a writer killed before it recorded itself", () => {
  it("is taken over at once, not after the stale time", async () => {
    const store = new FileVaultStore({
      home: join(dir, "v"),
      lock: { staleMs: 60_000, timeoutMs: 20_000 },
    });
    const { session } = await store.create();
    // The lock directory exists, two seconds old, with no owner file in it.
    const lockDir = join(dir, "v", "vault.lock");
    await mkdir(lockDir);
    const old = new Date(Date.now() - 2_000);
    await utimes(lockDir, old, old);
    // Without the takeover this update would wait for the 60 s stale time and give up with
    // VAULT_BUSY at the 20 s timeout first.
    await session.update((doc) => {
      doc.secrets.after = secret("after", "ok");
    });
    expect((await session.read()).secrets.after?.value).toBe("ok");
  });

  it("a fresh lock without an owner file yet is left to its (live) writer", async () => {
    const store = new FileVaultStore({
      home: join(dir, "w"),
      lock: { staleMs: 60_000, timeoutMs: 300 },
    });
    const { session } = await store.create();
    await mkdir(join(dir, "w", "vault.lock"));
    const refresh = setInterval(() => {
      const now = new Date();
      void utimes(join(dir, "w", "vault.lock"), now, now).catch(() => {});
    }, 100);
    try {
      await rejectsWithCode(
        session.update((doc) => {
          doc.secrets.x = secret("x", "y");
        }),
        "VAULT_BUSY",
      );
    } finally {
      clearInterval(refresh);
    }
  });
});
