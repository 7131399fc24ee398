/**
 * `vaultlink ui` through the built binary: it opens the vault, serves the screen on 127.0.0.1,
 * prints the one-time address on stdout, and Ctrl-C stops it and closes the vault. Other
 * commands never load the screen's package or the browser opener.
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync, rmSync, statSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BIN,
  baseEnv,
  CLI_DIR,
  cli,
  FIXTURES,
  newVault,
  noStack,
  type TestVault,
} from "./helpers.js";

const VALUE = "cli-ui-value-7f3e21a9";
const UI_MODULES =
  /@vaultlink[\\/]ui|packages[\\/]ui[\\/]dist|[\\/]hono[\\/]|@hono|[\\/]open[\\/]|[\\/]ui-[\w-]+\.cjs$/;

/** `vaultlink ui --no-open` in the background; `launch` is the address it prints. */
function startUi(env: Record<string, string | undefined>, args: string[] = ["--no-open"]) {
  const child = spawn(process.execPath, [BIN, "ui", ...args], {
    cwd: CLI_DIR,
    env: baseEnv(env),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("close", (c) => resolve(c)));
  const launch = new Promise<URL>((resolve, reject) => {
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
      if (stdout.includes("\n")) resolve(new URL(stdout.trim()));
    });
    child.on("close", () => reject(new Error(`vaultlink ui exited early: ${stderr}`)));
  });
  return { child, launch, exited, stderr: () => stderr };
}

/** One API call as the page makes it; the answer's JSON. */
async function post(launch: URL, cookie: string, action: string): Promise<unknown> {
  const api = await callsWith(launch, cookie);
  return (await api(action)).body;
}

/** Sign in with the launch address; then API calls as the page makes them. */
async function signedIn(launch: URL) {
  const login = await get(launch.href);
  expect(login.status).toBe(303);
  return callsWith(launch, String(login.headers["set-cookie"]).split(";")[0] ?? "");
}

async function callsWith(launch: URL, cookie: string) {
  return (action: string, body: unknown = {}) =>
    new Promise<{ status: number; body: unknown }>((resolve, reject) => {
      const req = request(
        `${launch.origin}/api/${action}`,
        {
          method: "POST",
          headers: {
            cookie,
            origin: launch.origin,
            "content-type": "application/json",
            "x-vaultlink-ui": "1",
          },
        },
        (res) => {
          let text = "";
          res.on("data", (d: Buffer) => (text += d.toString()));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
        },
      );
      req.on("error", reject);
      req.end(JSON.stringify(body));
    });
}

function get(url: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>(
    (resolve, reject) => {
      const req = request(url, { headers }, (res) => {
        let body = "";
        res.on("data", (d: Buffer) => (body += d.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      });
      req.on("error", reject);
      req.end();
    },
  );
}

describe("vaultlink ui", () => {
  let v: TestVault;
  beforeAll(async () => {
    v = await newVault();
    const added = await v.run(["secret", "add", "api-key", "--domains", "api.example.com"], {
      input: VALUE,
    });
    expect(added.code, added.stderr).toBe(0);
  });
  afterAll(() => v.cleanup());

  it("serves the screen on 127.0.0.1, signs in once, and Ctrl-C stops it (exit 130)", async () => {
    const modules = join(v.home, "ui-modules.txt");
    const child = spawn(
      process.execPath,
      [
        "--import",
        join(FIXTURES, "record-modules.mjs"),
        BIN,
        "ui",
        "--no-open",
        "--idle-minutes",
        "5",
      ],
      {
        cwd: CLI_DIR,
        env: baseEnv({ ...v.env, RECORD_MODULES_FILE: modules }),
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) =>
      child.on("close", (code) => resolve(code)),
    );
    try {
      await expect.poll(() => stdout.includes("\n"), { timeout: 30_000, interval: 50 }).toBe(true);
      const launch = new URL(stdout.trim());
      expect(launch.hostname).toBe("127.0.0.1");
      expect(launch.pathname).toBe("/login");
      expect(launch.searchParams.get("token")).toMatch(/^[A-Za-z0-9_-]{43}$/);
      // stdout and stderr are separate pipes: the notice may arrive after the URL.
      await expect
        .poll(() => stderr, { timeout: 10_000, interval: 50 })
        .toContain("locks after 5 idle minutes");
      const login = await get(launch.href);
      expect(login.status).toBe(303);
      const cookie = String(login.headers["set-cookie"]).split(";")[0] ?? "";
      const page = await get(`http://127.0.0.1:${launch.port}/`, { cookie });
      // The key came from VAULTLINK_VAULT_KEY, and the screen says so (not "argument").
      const state = await post(launch, cookie, "state");
      expect((state as { vault: { unlockedBy: string } }).vault.unlockedBy).toBe("env");
      expect(page.status).toBe(200);
      expect(page.body).toContain('<script type="module" src="/app.js">');
      // The token worked once only.
      expect((await get(launch.href)).status).toBe(401);
    } finally {
      child.kill("SIGINT");
    }
    expect(await exited).toBe(130);
    expect(stderr).toContain("Stopped; the vault is closed.");
    expect(noStack(stderr)).toBe(true);
    expect(stdout.includes(VALUE) || stderr.includes(VALUE)).toBe(false);
    const loaded = readFileSync(modules, "utf8").split("\n").filter(Boolean);
    rmSync(modules);
    // The recorder sees the screen's modules when `ui` runs (the check below means something).
    expect(loaded.some((m) => UI_MODULES.test(m))).toBe(true);
  });

  it("other commands load neither the screen nor the browser opener", async () => {
    for (const args of [
      ["--help"],
      ["secret", "list"],
      ["read", "api-key", "--url", "https://api.example.com"],
    ]) {
      const file = join(v.home, "modules.txt");
      const r = await cli(args, {
        env: { ...v.env, RECORD_MODULES_FILE: file },
        nodeArgs: ["--import", join(FIXTURES, "record-modules.mjs")],
      });
      expect(r.code, r.stderr).toBe(0);
      const loaded = readFileSync(file, "utf8").split("\n").filter(Boolean);
      rmSync(file);
      expect(loaded.length).toBeGreaterThan(0);
      expect(loaded.filter((m) => UI_MODULES.test(m))).toEqual([]);
    }
  });

  it("a bad --idle-minutes is a usage error before the vault is opened", async () => {
    for (const bad of ["0", "abc", "1441", "1.5"]) {
      const r = await v.run(["ui", "--no-open", "--idle-minutes", bad]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(
        /^error: --idle-minutes must be a whole number of minutes from 1 to 1440/,
      );
      expect(r.stdout).toBe("");
    }
  });

  it("a wrong VAULTLINK_VAULT_KEY is refused as every command refuses it; no server starts", async () => {
    const other = await newVault();
    try {
      const r = await cli(["ui", "--no-open"], {
        env: { ...v.env, VAULTLINK_VAULT_KEY: other.key },
      });
      expect(r.code).toBe(6);
      expect(r.stderr).toMatch(/The vault key does not belong to the vault/);
      expect(r.stdout).toBe("");
      expect(noStack(r.stderr)).toBe(true);
    } finally {
      other.cleanup();
    }
  });

  it("without a key the screen starts locked; the key typed in the page opens the vault", async () => {
    const screen = startUi({ ...v.env, VAULTLINK_VAULT_KEY: undefined });
    try {
      const launch = await screen.launch;
      await expect
        .poll(() => screen.stderr(), { timeout: 10_000, interval: 50 })
        .toContain("The vault is locked: the page asks for its key.");
      const api = await signedIn(launch);
      expect((await api("state")).body).toMatchObject({ vault: { state: "locked" } });
      const wrong = await api("vault-unlock", { key: "vlk_not-the-key" });
      expect(wrong.status).toBe(400);
      expect((await api("state")).body).toMatchObject({ vault: { state: "locked" } });
      expect((await api("vault-unlock", { key: v.key })).status).toBe(200);
      const state = (await api("state")).body as {
        vault: { unlockedBy: string };
        secrets: { name: string }[];
      };
      expect(state.vault.unlockedBy).toBe("screen");
      expect(state.secrets.map((x) => x.name)).toEqual(["api-key"]);
    } finally {
      screen.child.kill("SIGINT");
    }
    expect(await screen.exited).toBe(130);
    // The key went in a request body: the terminal never shows it.
    expect(screen.stderr()).not.toContain(v.key);
    expect(noStack(screen.stderr())).toBe(true);
  });
});

/**
 * A browser stand-in: the opener (xdg-open) runs $BROWSER with what `vaultlink ui` asked it to
 * open. No desktop variables, so xdg-open takes $BROWSER.
 */
function browserEnv(record: string): Record<string, string | undefined> {
  return {
    BROWSER: join(FIXTURES, "record-browser.sh"),
    RECORD_BROWSER_FILE: record,
    DISPLAY: undefined,
    WAYLAND_DISPLAY: undefined,
    XDG_CURRENT_DESKTOP: undefined,
    DESKTOP_SESSION: undefined,
  };
}

/** What the stand-in browser was started with: a file address, never the token. */
function openedLaunchPage(record: string, launch: URL, home: string): string {
  const opened = readFileSync(record, "utf8").trim();
  expect(opened).toMatch(/^file:\/\//);
  expect(opened).not.toContain(launch.searchParams.get("token") ?? "no token");
  const page = fileURLToPath(opened);
  expect(page.startsWith(home)).toBe(true);
  expect(statSync(page).mode & 0o777).toBe(0o600);
  expect(readFileSync(page, "utf8")).toContain(launch.href);
  return page;
}

describe("vaultlink ui opens the browser on a launch page, never on the token", () => {
  let v: TestVault;
  beforeAll(async () => {
    v = await newVault();
  });
  afterAll(async () => {
    await v.run(["agent", "stop"]);
    v.cleanup();
  });

  it("its own screen: the browser's argument is a 0600 file; signing in removes it", async () => {
    const record = join(v.home, "browser-own.txt");
    const screen = startUi({ ...v.env, ...browserEnv(record) }, []);
    try {
      const launch = await screen.launch;
      await expect.poll(() => existsSync(record), { timeout: 10_000, interval: 50 }).toBe(true);
      const page = openedLaunchPage(record, launch, v.home);
      expect((await get(launch.href)).status).toBe(303);
      expect(existsSync(page)).toBe(false);
    } finally {
      screen.child.kill("SIGINT");
    }
    expect(await screen.exited).toBe(130);
  });

  it("the agent's screen: the same, written by the agent", async () => {
    const started = await v.run(["agent", "start"]);
    expect(started.code, started.stderr).toBe(0);
    const record = join(v.home, "browser-agent.txt");
    const r = await cli(["ui"], {
      env: { ...v.env, VAULTLINK_VAULT_KEY: undefined, ...browserEnv(record) },
    });
    expect(r.code, r.stderr).toBe(0);
    const launch = new URL(r.stdout.trim());
    await expect.poll(() => existsSync(record), { timeout: 10_000, interval: 50 }).toBe(true);
    const page = openedLaunchPage(record, launch, v.home);
    expect((await get(launch.href)).status).toBe(303);
    expect(existsSync(page)).toBe(false);
  });
});

describe("vaultlink ui with the agent running", () => {
  let v: TestVault;
  beforeAll(async () => {
    v = await newVault();
    const added = await v.run(["secret", "add", "api-key"], { input: VALUE });
    expect(added.code, added.stderr).toBe(0);
    const started = await v.run(["agent", "start"]);
    expect(started.code, started.stderr).toBe(0);
  });
  afterAll(async () => {
    await v.run(["agent", "stop"]);
    v.cleanup();
  });

  it("the agent serves the screen on the vault it holds; the command prints the address and exits", async () => {
    // No key in this command's environment: the agent has the vault open.
    const r = await cli(["ui", "--no-open", "--idle-minutes", "3"], {
      env: { ...v.env, VAULTLINK_VAULT_KEY: undefined },
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("served by the vaultlink agent");
    expect(r.stderr).toContain("after 3 idle minutes");
    const launch = new URL(r.stdout.trim());
    expect(launch.hostname).toBe("127.0.0.1");
    // The command has exited: what answers now is the agent.
    const api = await signedIn(launch);
    const state = (await api("state")).body as {
      vault: { state: string; unlockedBy: string };
      secrets: { name: string }[];
    };
    expect(state.vault.state).toBe("open");
    // Where the agent's key came from: `agent start` handed it over.
    expect(state.vault.unlockedBy).toBe("starter");
    expect(state.secrets.map((x) => x.name)).toEqual(["api-key"]);
    const view = await api("view", { name: "api-key" });
    expect(view.body).toEqual({ ok: true, value: VALUE });
    // Lock ends that screen (it stops listening); the agent keeps serving reads.
    expect((await api("lock")).status).toBe(200);
    const listening = () =>
      get(launch.origin).then(
        () => true,
        (e: NodeJS.ErrnoException) => e.code !== "ECONNREFUSED",
      );
    await expect.poll(listening, { timeout: 10_000, interval: 100 }).toBe(false);
    const read = await cli(["read", "api-key"], {
      env: { ...v.env, VAULTLINK_VAULT_KEY: undefined },
    });
    expect(read.stdout).toBe(`${VALUE}\n`);
    expect(r.stdout.includes(VALUE) || r.stderr.includes(VALUE)).toBe(false);
  });

  it("each call starts a new screen with its own one-time address", async () => {
    const env = { ...v.env, VAULTLINK_VAULT_KEY: undefined };
    const a = await cli(["ui", "--no-open"], { env });
    const b = await cli(["ui", "--no-open"], { env });
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    expect(new URL(a.stdout.trim()).port).not.toBe(new URL(b.stdout.trim()).port);
    const api = await signedIn(new URL(b.stdout.trim()));
    expect((await api("state")).status).toBe(200);
  });
});
