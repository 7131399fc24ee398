/**
 * `vaultlink run` through the built binary: what reaches the child's environment, how often
 * values are resolved, and what of them can reach the output.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  type RunningOnePasswordConnect,
  startOnePasswordConnectEmulator,
} from "@vaultlink/emulators";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newVault, type TestVault, vaultPerSuite, vaultWithProvider } from "./helpers.js";

const node = process.execPath;
const LONG = "correct-horse-battery-staple-42";

/** Every run of 8 consecutive characters of `secret` (the masking guarantee's unit). */
function windows(secret: string): string[] {
  const out: string[] = [];
  for (let i = 0; i + 8 <= secret.length; i++) out.push(secret.slice(i, i + 8));
  return out;
}

function expectNoWindow(texts: readonly string[], secret: string): void {
  for (const text of texts) for (const w of windows(secret)) expect(text).not.toContain(w);
}

describe("run: no vaultlink key material reaches the child", () => {
  const v = vaultPerSuite(async () => {
    const t = await newVault();
    const added = await t.run(["secret", "add", "x"], { input: "local-x-value-1" });
    if (added.code !== 0) throw new Error(added.stderr);
    return t;
  });
  const dump = "process.stdout.write(JSON.stringify(process.env))";

  it("removes VAULTLINK_VAULT_KEY, VAULTLINK_EXPORT_PASSWORD and copies of their values", async () => {
    const r = await v.run(["run", "--", node, "-e", dump], {
      env: {
        S: "{{vault:x}}",
        VAULTLINK_EXPORT_PASSWORD: "export-password-123",
        COPY_OF_KEY: v.key,
        KEY_IN_A_URL: `https://u:${v.key}@example.com`,
        PLAIN: "stays",
      },
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).not.toContain(v.key);
    expect(r.stdout + r.stderr).not.toContain("export-password-123");
    const env = JSON.parse(r.stdout) as Record<string, string>;
    for (const name of [
      "VAULTLINK_VAULT_KEY",
      "VAULTLINK_EXPORT_PASSWORD",
      "COPY_OF_KEY",
      "KEY_IN_A_URL",
    ])
      expect(env[name], name).toBeUndefined();
    expect(env.PLAIN).toBe("stays");
    expect(env.VAULTLINK_HOME).toBe(v.home);
    expect(env.S).toBe("********");
  });

  it("refuses a reference that names no secret instead of starting the command with it", async () => {
    for (const written of ["{{vault:}}", "{{vault:bad name}}", "{{vault:tok"]) {
      const r = await v.run(["run", "--", "sh", "-c", "echo started"], {
        env: { S: `x ${written}`, T: "{{vault:x}}" },
      });
      expect(r.code, written).toBe(3);
      expect(r.stdout, written).not.toContain("started");
      expect(r.stderr, written).toContain(written);
      expect(r.stderr, written).toMatch(/malformed/);
    }
    const allowed = await v.run(["run", "--allow-unresolved", "--", "sh", "-c", 'echo "[$S]"'], {
      env: { S: "{{vault:}}" },
    });
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(allowed.stdout).toBe("[{{vault:}}]\n");
  });

  it("removes them also when nothing is referenced (the vault is never opened)", async () => {
    const r = await v.run(["run", "--", "sh", "-c", 'echo "key=[$VAULTLINK_VAULT_KEY]"']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("key=[]\n");
  });

  it("removes a key variable that an env file sets", async () => {
    const file = join(v.home, "key.env");
    writeFileSync(file, `VAULTLINK_VAULT_KEY=${v.key}\nFROM_FILE=yes\n`);
    const r = await v.run(["run", "--dotenv", file, "--", node, "-e", dump]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toContain(v.key);
    expect(JSON.parse(r.stdout)).toMatchObject({ FROM_FILE: "yes" });
  });

  it("passes the key variables the user names with --keep-env (e.g. for a nested vaultlink), and only those", async () => {
    const r = await v.run(
      [
        "run",
        "--keep-env",
        "VAULTLINK_VAULT_KEY",
        "--keep-env",
        "VAULTLINK_EXPORT_PASSWORD",
        "--",
        node,
        "-e",
        `const e = process.env; process.stdout.write(String(e.VAULTLINK_VAULT_KEY === ${JSON.stringify(v.key)}) + " " + e.VAULTLINK_EXPORT_PASSWORD + " " + e.COPY)`,
      ],
      {
        env: { S: "{{vault:x}}", VAULTLINK_EXPORT_PASSWORD: "export-pw-kept-99", COPY: v.key },
      },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe("true export-pw-kept-99 undefined");
  });
});

describe("run: every value is resolved once, for the environment and the masking alike", () => {
  const v = vaultPerSuite(async () => {
    const t = await vaultWithProvider({ otp: "one-time-code", __oneTime: ["otp"] });
    for (const args of [
      ["settings", "set", "cache-ttl", "0"],
      ["secret", "link", "otp", "json", "json://otp"],
    ]) {
      const r = await t.run(args);
      if (r.code !== 0) throw new Error(r.stderr);
    }
    return t;
  });

  it("a value that changes with every fetch is masked as exactly the value injected, with one fetch", async () => {
    const before = v.fetches();
    const r = await v.run(
      ["run", "--", node, "-e", "console.log(process.env.OTP); console.error(process.env.OTP)"],
      { env: { OTP: "{{vault:otp}}" } },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(v.fetches() - before).toBe(1);
    expect(r.stdout).toBe("********\n");
    expect(r.stderr).toBe("********\n");
    expect(r.stdout + r.stderr).not.toContain("one-time-code");
  });

  it("one fetch for a name referenced by several variables and an env file", async () => {
    const file = join(v.home, "otp.env");
    writeFileSync(file, "C={{vault:otp}}\n");
    const before = v.fetches();
    const r = await v.run(
      [
        "run",
        "--no-masking",
        "--dotenv",
        file,
        "--",
        node,
        "-e",
        'console.log(process.env.B === "v=" + process.env.A && process.env.A === process.env.C)',
      ],
      { env: { A: "{{vault:otp}}", B: "v={{vault:otp}}" } },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe("true\n");
    expect(v.fetches() - before).toBe(1);
  });
});

describe("run: one provider call per run, counted by the 1Password Connect emulator", () => {
  const SECRET = "op-run-once-value-5b1e9c";
  let emu: RunningOnePasswordConnect;
  let v: TestVault;
  beforeAll(async () => {
    emu = await startOnePasswordConnectEmulator({
      vaults: [
        {
          name: "Run",
          items: [{ title: "App", fields: [{ label: "key", value: SECRET, type: "CONCEALED" }] }],
        },
      ],
    });
    v = await newVault();
    const connect = await v.run(
      [
        "integration",
        "connect",
        "1password",
        "--method",
        "connect",
        "--host",
        emu.serverURL,
        "--secrets-stdin",
      ],
      { input: JSON.stringify({ token: emu.token }) },
    );
    if (connect.code !== 0) throw new Error(connect.stderr);
    for (const args of [
      ["settings", "set", "cache-ttl", "0"],
      ["secret", "link", "app-key", "1password", "op://Run/App/key"],
    ]) {
      const r = await v.run(args);
      if (r.code !== 0) throw new Error(r.stderr);
    }
  });
  afterAll(async () => {
    v?.cleanup();
    await emu?.stop();
  });

  it("run makes the requests of one read, not two", async () => {
    let before = emu.requests.count();
    const read = await v.run(["read", "app-key"]);
    expect(read.stdout.trim()).toBe(SECRET);
    const perRead = emu.requests.count() - before;
    expect(perRead).toBeGreaterThan(0);
    before = emu.requests.count();
    const r = await v.run(["run", "--", node, "-e", "console.log(process.env.K)"], {
      env: { K: "{{vault:app-key}}" },
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe("********\n");
    expect(emu.requests.count() - before).toBe(perRead);
  });
});

describe("run: masking through the built binary", () => {
  const v = vaultPerSuite(async () => {
    const t = await newVault();
    for (const [name, value] of [
      ["long", LONG],
      ["short", "pin-42"],
      ["odd", 'a/b?c="d" & e+f'],
    ] as const) {
      const r = await t.run(["secret", "add", name], { input: value });
      if (r.code !== 0) throw new Error(r.stderr);
    }
    return t;
  });
  const env = { L: "{{vault:long}}", P: "{{vault:short}}", O: "{{vault:odd}}" };

  /** A child that writes `pieces` ([fd, from, to] of the long secret), one write(2) each. */
  function writer(pieces: Array<[1 | 2, number, number]>, tail = ""): string {
    return `const { writeSync } = require("node:fs"); const s = process.env.L;
      for (const [fd, a, b] of ${JSON.stringify(pieces)}) writeSync(fd, s.slice(a, b));
      ${tail}`;
  }

  it("a value split between stdout and stderr shows neither half", async () => {
    const r = await v.run(
      [
        "run",
        "--",
        node,
        "-e",
        writer([
          [1, 0, 15],
          [2, 15, 31],
        ]),
      ],
      { env },
    );
    expect(r.code, r.stderr).toBe(0);
    expectNoWindow([r.stdout, r.stderr, r.stdout + r.stderr, r.stderr + r.stdout], LONG);
  });

  it("7-character pieces alternating between the streams leave no 8 characters in either", async () => {
    const pieces: Array<[1 | 2, number, number]> = [];
    for (let i = 0, fd: 1 | 2 = 1; i < LONG.length; i += 7, fd = fd === 1 ? 2 : 1)
      pieces.push([fd, i, Math.min(i + 7, LONG.length)]);
    const r = await v.run(["run", "--", node, "-e", writer(pieces)], { env });
    expect(r.code, r.stderr).toBe(0);
    expectNoWindow([r.stdout, r.stderr], LONG);
  });

  it("a child that exits after all but the last character shows none of it", async () => {
    for (const cut of [LONG.length - 1, 9, 8]) {
      const r = await v.run(["run", "--", node, "-e", writer([[1, 0, cut]], "process.exit(3)")], {
        env,
      });
      expect(r.code).toBe(3);
      expect(r.stdout).toBe("********");
    }
  });

  it("a child killed mid-value shows no 8 characters of it", async () => {
    const r = await v.run(
      [
        "run",
        "--",
        node,
        "-e",
        writer(
          [
            [1, 0, 20],
            [2, 3, 14],
          ],
          "process.kill(process.pid, 'SIGKILL')",
        ),
      ],
      { env },
    );
    expect(r.code === 137 || r.signal === "SIGKILL").toBe(true);
    expectNoWindow([r.stdout, r.stderr], LONG);
  });

  it("masks a value's URL-encoded and JSON-escaped forms, and a short value whole", async () => {
    const r = await v.run(
      [
        "run",
        "--",
        node,
        "-e",
        "console.log(encodeURIComponent(process.env.O), JSON.stringify(process.env.O), process.env.P)",
      ],
      { env },
    );
    expect(r.stdout).toBe('******** "********" ********\n');
  });

  it("one byte at a time on both streams, the value is masked whole", async () => {
    const script = `const { writeSync } = require("node:fs"); const s = "[" + process.env.L + "]";
      for (const c of s) { writeSync(1, c); writeSync(2, c); }`;
    const r = await v.run(["run", "--", node, "-e", script], { env });
    expect(r.stdout).toBe("[********]");
    expect(r.stderr).toBe("[********]");
  });
});

describe("run: random schedules through the built binary", () => {
  const SECRET = "Zq8-random-schedule-value-3141592653";
  const v = vaultPerSuite(async () => {
    const t = await newVault();
    const r = await t.run(["secret", "add", "s"], { input: SECRET });
    if (r.code !== 0) throw new Error(r.stderr);
    return t;
  });

  /** A small seeded generator, so a failing schedule can be replayed from its seed. */
  function rng(seed: number): (n: number) => number {
    let x = seed >>> 0 || 1;
    return (n) => {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      return (x >>> 0) % n;
    };
  }

  /** Random pieces of the value and filler on random streams, then an exit at a random step. */
  function schedule(seed: number): { steps: Array<[1 | 2, string]>; exitAt: number } {
    const r = rng(seed);
    const steps: Array<[1 | 2, string]> = [];
    for (let i = 0; i < 30; i++) {
      const fd = (r(2) + 1) as 1 | 2;
      if (r(3) === 0) steps.push([fd, ["x", " ", "-", "\n", "val"][r(5)] as string]);
      else {
        const from = r(SECRET.length);
        steps.push([fd, `@${from}:${from + 1 + r(SECRET.length - from)}`]);
      }
    }
    return { steps, exitAt: r(steps.length + 1) };
  }

  for (const seed of [1, 7, 42, 1234, 99991, 31337]) {
    it(`seed ${seed}: no 8 characters of the value in either stream`, async () => {
      const { steps, exitAt } = schedule(seed);
      const script = `const { writeSync } = require("node:fs"); const s = process.env.S;
        const steps = ${JSON.stringify(steps)};
        steps.forEach(([fd, w], i) => {
          if (i === ${exitAt}) process.exit(0);
          const m = /^@(\\d+):(\\d+)$/.exec(w);
          writeSync(fd, m ? s.slice(Number(m[1]), Number(m[2])) : w);
        });`;
      const r = await v.run(["run", "--", node, "-e", script], { env: { S: "{{vault:s}}" } });
      expect(r.code, r.stderr).toBe(0);
      expectNoWindow([r.stdout, r.stderr], SECRET);
    });
  }
});
