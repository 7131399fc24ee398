import { type ChildProcess, spawn } from "node:child_process";
import { mkdir, readdir, utimes, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FileVaultStore } from "../../src/vault/index.js";
import { fixturesDir, rejectsWithCode, secret, tempDir, useVaultModule } from "./helpers.js";

/*
 * A writer paused (SIGSTOP) while it holds the lock loses the lock after the stale time (2 s in
 * these writers); another writer then writes and reports success. When the paused one resumes,
 * its change was computed from a stale read: it must fail with VAULT_CHANGED, not write over
 * the newer generation, and the takeover must not have removed its temp files.
 */

const moduleUrl = useVaultModule();
const writer = join(fixturesDir, "writer.mjs");
const STALE_MS = 2000;

function startWriter(args: string[]) {
  const child: ChildProcess = spawn(process.execPath, [writer, moduleUrl(), ...args], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout?.on("data", (d) => {
    out += String(d);
  });
  child.stderr?.on("data", (d) => {
    out += String(d);
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, exited, output: () => out };
}

function waitFor(predicate: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const start = Date.now();
  return new Promise((resolve, reject) => {
    const tick = () => {
      if (predicate()) return resolve();
      if (Date.now() - start > timeoutMs) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(tick, 2);
    };
    tick();
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("a writer paused past the lock's stale time", () => {
  it("fails cleanly with VAULT_CHANGED and loses no confirmed write", {
    timeout: 60_000,
  }, async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const home = join(dir, "v");
      const store = new FileVaultStore({ home, lock: { staleMs: STALE_MS, timeoutMs: 30_000 } });
      const { vaultKey, session } = await store.create();
      await session.update((doc) => {
        doc.secrets.first = secret("first", "1");
      });

      const paused = startWriter(["pause-inside", home, vaultKey]);
      await waitFor(() => paused.output().includes("inside"), "the writer to hold the lock");
      paused.child.kill("SIGSTOP");
      try {
        // Waits until the paused holder's lock is stale, takes it over, writes, and says so.
        await session.update((doc) => {
          doc.secrets.confirmed = secret("confirmed", "reported as written");
        });
      } finally {
        paused.child.kill("SIGCONT");
      }
      await paused.exited;
      expect(paused.output()).toContain("failed VAULT_CHANGED");
      expect(paused.output()).not.toContain("written");
      expect(paused.output()).not.toContain("ENOENT");

      const doc = await (await new FileVaultStore({ home }).open(vaultKey)).read();
      expect(doc.secrets.confirmed?.value).toBe("reported as written");
      expect(doc.secrets.first?.value).toBe("1");
      expect(Object.hasOwn(doc.secrets, "paused-write")).toBe(false);
      // The paused writer removed its own temp files when it gave up.
      expect((await readdir(home)).filter((n) => n.endsWith(".tmp"))).toEqual([]);
    } finally {
      await cleanup();
    }
  });

  it("stopped at random moments while writing in a loop, never loses a confirmed write", {
    timeout: 180_000,
  }, async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const home = join(dir, "v");
      const store = new FileVaultStore({ home, lock: { staleMs: STALE_MS, timeoutMs: 30_000 } });
      const { vaultKey, session } = await store.create();
      const churn = startWriter(["churn", home, vaultKey]);
      await waitFor(() => churn.output().includes("ready"), "the writer to start");
      const confirmed: string[] = [];
      try {
        for (let round = 0; round < 8; round++) {
          await sleep(5 + Math.random() * 60);
          churn.child.kill("SIGSTOP");
          // Resumed past the stale time, as a suspended laptop would be, whatever happens here.
          const resumed = sleep(STALE_MS + 1500).then(() => churn.child.kill("SIGCONT"));
          try {
            const name = `confirmed-${round}`;
            // Takes the stale lock over and writes; or, when the paused writer was already
            // renaming (its commit fence is up), waits until it has resumed and finished.
            await session.update((doc) => {
              doc.secrets[name] = secret(name, String(round));
            });
            confirmed.push(name);
          } finally {
            await resumed;
          }
          // Let the resumed writer finish what it was doing (and go on churning).
          await sleep(300);
        }
      } finally {
        churn.child.kill("SIGKILL");
        await churn.exited;
      }
      expect(churn.output()).not.toMatch(/Error|ENOENT/);
      const doc = await (await new FileVaultStore({ home }).open(vaultKey)).read();
      for (const name of confirmed) expect(Object.hasOwn(doc.secrets, name), name).toBe(true);
      expect(confirmed).toHaveLength(8);
    } finally {
      await cleanup();
    }
  });
});

describe("the commit fence", () => {
  it("a stale lock whose live holder is renaming is not taken over; once that holder is dead it is", {
    timeout: 60_000,
  }, async () => {
    const { dir, cleanup } = await tempDir();
    const holder = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"]);
    try {
      const home = join(dir, "v");
      const store = new FileVaultStore({ home, lock: { staleMs: STALE_MS, timeoutMs: 4_000 } });
      const { session } = await store.create();
      // What a holder paused between raising its fence and renaming leaves: its lock (not
      // refreshed for a minute) with its owner file and its commit file. The commit file is
      // empty, as when the holder was killed right after creating it: its name says whose it is.
      const lock = join(home, "vault.lock");
      await mkdir(lock);
      const me = { pid: holder.pid, host: hostname() };
      const commitFile = `commit.0f0f.${holder.pid}.${Buffer.from(hostname()).toString("hex")}`;
      await writeFile(join(lock, "owner"), JSON.stringify({ ...me, token: "0f0f" }));
      await writeFile(join(lock, commitFile), "");
      const old = new Date(Date.now() - 60_000);
      await utimes(lock, old, old);
      await rejectsWithCode(
        session.update((doc) => {
          doc.secrets.waiting = secret("waiting", "x");
        }),
        "VAULT_BUSY",
      );
      expect(await readdir(lock)).toContain(commitFile);
      holder.kill("SIGKILL");
      await new Promise((r) => holder.on("exit", r));
      await session.update((doc) => {
        doc.secrets.after = secret("after", "y");
      });
      expect((await session.read()).secrets.after?.value).toBe("y");
    } finally {
      holder.kill("SIGKILL");
      await cleanup();
    }
  });
});
