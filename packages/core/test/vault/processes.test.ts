import { type ChildProcess, spawn } from "node:child_process";
import { mkdir, readdir, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FileVaultStore } from "../../src/vault/index.js";
import { fixturesDir, secret, tempDir, useVaultModule } from "./helpers.js";

const moduleUrl = useVaultModule();

const writer = join(fixturesDir, "writer.mjs");

function startWriter(args: string[]): {
  child: ChildProcess;
  exited: Promise<number | null>;
  output: () => string;
} {
  const child = spawn(process.execPath, [writer, moduleUrl(), ...args], {
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

/** Waits for `predicate`; fails early, with the writer's output, when the writer has exited. */
function waitFor(
  predicate: () => boolean,
  what: string,
  w: { child: ChildProcess; output: () => string },
  timeoutMs = 30_000,
): Promise<void> {
  const start = Date.now();
  return new Promise((resolve, reject) => {
    const tick = () => {
      if (predicate()) return resolve();
      const gone = w.child.exitCode !== null || w.child.signalCode !== null;
      if (gone || Date.now() - start > timeoutMs) {
        const why = gone ? "the writer exited" : `timed out after ${Date.now() - start} ms`;
        return reject(new Error(`${why} waiting for ${what}; it printed:\n${w.output()}`));
      }
      setTimeout(tick, 2);
    };
    tick();
  });
}

/** Generation n of the crash-safety vault: 400 secrets whose values carry n. */
const generation = (n: number) => {
  const out: Record<string, string> = {};
  for (let i = 0; i < 400; i++)
    out[`s-${n % 2}-${i}`] = `${n}:${i}:`.padEnd(200, n % 2 === 0 ? "a" : "b");
  return out;
};

/** The generation a vault's secrets are, or -1 when they are not exactly one generation. */
function generationOf(values: Record<string, string>): number {
  const n = Number((Object.values(values)[0] ?? "").split(":")[0]);
  return Number.isInteger(n) && JSON.stringify(values) === JSON.stringify(generation(n)) ? n : -1;
}

describe("crash safety", () => {
  it("survives SIGKILL at 50 random moments during writes", { timeout: 240_000 }, async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const home = join(dir, "v");
      // A long stale time: the final update below must not wait for it, because the killed writer's
      // lock is taken over as soon as its owner is seen to be dead.
      const store = new FileVaultStore({ home, lock: { staleMs: 20_000, timeoutMs: 60_000 } });
      const { vaultKey, session } = await store.create();
      // Generations 1 and 0 written in turn, so the backup already holds a full generation
      // before any writer runs (a writer killed before its first write leaves that backup in
      // place). Writing the same content twice would not do: a write that changes nothing is
      // skipped.
      for (const n of [1, 0]) {
        await session.update((doc) => {
          doc.secrets = {};
          for (const [name, value] of Object.entries(generation(n)))
            doc.secrets[name] = secret(name, value);
        });
      }
      const valuesOf = (doc: { secrets: Record<string, { value?: string }> }) =>
        Object.fromEntries(Object.entries(doc.secrets).map(([k, r]) => [k, r.value ?? ""]));
      let current = 0;
      for (let round = 0; round < 50; round++) {
        const w = startWriter(["generations", home, vaultKey]);
        await waitFor(() => w.output().includes("ready"), "the writer to start", w);
        // At least one write lands in every round, then the kill falls at a random moment.
        await waitFor(() => w.output().includes("committed"), "the writer's first write", w);
        await new Promise((r) => setTimeout(r, 5 + Math.random() * 75));
        w.child.kill("SIGKILL");
        await w.exited;
        const committed = Math.max(
          ...[...w.output().matchAll(/^committed (\d+)$/gm)].map((m) => Number(m[1])),
        );
        expect(committed).toBeGreaterThan(current);

        // Opens (with a fresh store: nothing cached) and holds exactly the last generation the
        // writer reported, or the one after it (written, killed before it could say so).
        const doc = await (await new FileVaultStore({ home }).open(vaultKey)).read();
        const now = generationOf(valuesOf(doc));
        expect([committed, committed + 1]).toContain(now);
        current = now;
        // The backup, when there is one, is a whole earlier generation.
        const backup = await (
          await new FileVaultStore({
            paths: { ...store.paths, vaultFile: store.paths.backupFile },
          }).open(vaultKey)
        ).read();
        const previous = generationOf(valuesOf(backup));
        expect(previous).toBeGreaterThanOrEqual(0);
        expect(previous).toBeLessThanOrEqual(now);
      }
      // Every round moved the vault on by at least one whole generation.
      expect(current).toBeGreaterThanOrEqual(50);
      // The lock the killed writer may have held is taken over at once because its owner is
      // dead: this writer would wait out an hour-long stale time, but gives up after 30 s.
      const patient = await new FileVaultStore({
        home,
        lock: { staleMs: 3_600_000, timeoutMs: 30_000 },
      }).open(vaultKey);
      await patient.update((doc) => {
        doc.secrets.after = secret("after", "ok");
      });
      expect((await session.read()).secrets.after?.value).toBe("ok");
      // Leftover temp files of killed writers are cleaned up under the lock.
      expect((await readdir(home)).filter((n) => /^vault\.vlt\.\d+$|\.tmp$/.test(n))).toEqual([]);
    } finally {
      await cleanup();
    }
  });
});

describe("concurrency", () => {
  it("10 processes adding 20 secrets each all land", { timeout: 120_000 }, async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const home = join(dir, "v");
      const store = new FileVaultStore({ home });
      const { vaultKey } = await store.create();
      const workers = Array.from({ length: 10 }, (_, i) =>
        startWriter(["add", home, vaultKey, String(i)]),
      );
      const codes = await Promise.all(workers.map((w) => w.exited));
      for (const [i, code] of codes.entries()) {
        expect(code, workers[i]?.output()).toBe(0);
      }
      const doc = await (await store.open(vaultKey)).read();
      const names = Object.keys(doc.secrets);
      expect(names).toHaveLength(200);
      for (let i = 0; i < 10; i++) {
        for (let j = 0; j < 20; j++)
          expect(doc.secrets[`w${i}-s${j}`]?.value).toBe(`value-${i}-${j}`);
      }
    } finally {
      await cleanup();
    }
  });
});

describe("lock", () => {
  it("takes over a lock left by a dead process on this host at once", async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const home = join(dir, "v");
      const store = new FileVaultStore({ home, lock: { staleMs: 60_000, timeoutMs: 5_000 } });
      const { session } = await store.create();
      // A lock directory whose owner is a process that has exited.
      const dead = spawn(process.execPath, ["-e", "0"]);
      await new Promise((r) => dead.on("exit", r));
      await mkdir(join(home, "vault.lock"));
      await writeFile(
        join(home, "vault.lock", "owner"),
        JSON.stringify({ pid: dead.pid, host: hostname(), token: "t" }),
      );
      await session.update((doc) => {
        doc.secrets.a = secret("a", "1");
      });
      expect((await session.read()).secrets.a?.value).toBe("1");
    } finally {
      await cleanup();
    }
  });

  it("waits for a live holder and gives up with VAULT_BUSY", async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const home = join(dir, "v");
      const store = new FileVaultStore({ home, lock: { staleMs: 60_000, timeoutMs: 300 } });
      const { session } = await store.create();
      // Held by a live process (this one's parent, which is certainly alive) on this host.
      await mkdir(join(home, "vault.lock"));
      await writeFile(
        join(home, "vault.lock", "owner"),
        JSON.stringify({ pid: process.ppid, host: hostname(), token: "t" }),
      );
      let error: { code?: string; hint?: string } | undefined;
      await session
        .update(() => {})
        .catch((e) => {
          error = e;
        });
      expect(error?.code).toBe("VAULT_BUSY");
      expect(error?.hint).toMatch(/retry/i);
    } finally {
      await cleanup();
    }
  });
});
