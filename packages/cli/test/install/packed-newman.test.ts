/**
 * @vaultlink/newman as a user gets it: the package and the @vaultlink packages it depends on,
 * packed with `pnpm pack`, installed with npm into a fresh project (no workspace, no pnpm
 * overrides; Newman and postman-runtime come from the registry). Newman pins postman-runtime
 * 7.39.1, which has no pm.vault; the package brings 7.56 and must run on it on its own. One
 * install (it is the slow part), then a resolution check and one real run using pm.vault.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Packed, packWithDependencies, tool } from "./packed.js";

const INSTALL_TIMEOUT = 600_000; // a cold npm cache downloads Newman and every provider SDK

const TOKEN = "packed-newman-token-6e2a91c4d7";
const SET_VALUE = "packed-newman-set-value-0b8f37";

let root: string;
let project: string;
let home: string;
let vaultKey = "";
const packed: Packed[] = [];
const arrivals: IncomingHttpHeaders[] = [];
let server: Server;
let port = 0;

/** Run a file with the Node running the tests, inside the user's project; never printed. */
function node(
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, args, {
      cwd: project,
      env: {
        PATH: [dirname(process.execPath), "/usr/bin", "/bin"].join(delimiter),
        HOME: home,
        VAULTLINK_HOME: join(home, "vaultlink"),
        NO_COLOR: "1",
        ...env,
      },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString();
    });
    child.on("error", rej);
    child.on("close", (code) => res({ code, stdout, stderr }));
  });
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "vaultlink-packed-newman-"));
  const tarballs = join(root, "tarballs");
  project = join(root, "project");
  home = join(root, "home");
  await Promise.all([tarballs, project, home].map((d) => mkdir(d)));
  packed.push(...(await packWithDependencies("@vaultlink/newman", tarballs)));
  await writeFile(
    join(project, "package.json"),
    JSON.stringify({ name: "newman-user", private: true, type: "module" }),
  );
  await tool(
    "npm",
    ["install", "--no-audit", "--no-fund", "--prefer-offline", ...packed.map((p) => p.tarball)],
    project,
    INSTALL_TIMEOUT - 120_000,
  );

  // The user's vault, made with the installed core.
  await writeFile(
    join(project, "make-vault.mjs"),
    [
      'import { createVault } from "@vaultlink/core";',
      "const vault = createVault({ keySources: [] });",
      "const { vaultKey } = await vault.create();",
      `await vault.secrets.add("api-token", { value: ${JSON.stringify(TOKEN)} });`,
      "await vault.dispose();",
      "process.stdout.write(vaultKey);",
    ].join("\n"),
  );
  const made = await node(["make-vault.mjs"]);
  expect(made.code, made.stderr.slice(0, 300)).toBe(0);
  vaultKey = made.stdout.trim();

  server = createServer((req, res) => {
    arrivals.push(req.headers);
    req.resume();
    req.on("end", () => res.end("{}"));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const address = server.address();
  port = typeof address === "object" && address ? address.port : 0;
}, INSTALL_TIMEOUT);

afterAll(async () => {
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  if (root) await rm(root, { recursive: true, force: true });
});

describe("@vaultlink/newman installed with npm from its tarballs", () => {
  it("packs the package and the @vaultlink packages it depends on, nothing else", () => {
    expect(packed.map((p) => p.name).sort()).toEqual([
      "@vaultlink/core",
      "@vaultlink/newman",
      "@vaultlink/provider-1password",
      "@vaultlink/provider-aws",
      "@vaultlink/provider-azure",
      "@vaultlink/provider-hashicorp",
    ]);
  });

  it("resolves its own postman-runtime with pm.vault (≥ 7.56), while Newman keeps its pinned one", () => {
    const fromPackage = createRequire(
      join(project, "node_modules", "@vaultlink", "newman", "package.json"),
    );
    const version = (from: NodeJS.Require, name: string) =>
      (
        JSON.parse(readFileSync(from.resolve(`${name}/package.json`), "utf8")) as {
          version: string;
        }
      ).version;
    const [major, minor] = version(fromPackage, "postman-runtime").split(".").map(Number);
    expect(major === 7 && (minor ?? 0) >= 56, version(fromPackage, "postman-runtime")).toBe(true);
    // No override reached the install: Newman's own dependency is still the old engine, which
    // is why the package hands Newman its own.
    const fromNewman = createRequire(fromPackage.resolve("newman/package.json"));
    expect(version(fromNewman, "postman-runtime")).toBe("7.39.1");
  });

  it("runs a collection whose script uses pm.vault.get and pm.vault.set, masking the value", async () => {
    const collection = {
      info: {
        name: "packed",
        schema: "https://schema.getpostman.com/json/collection/v2.1.0/collection.json",
      },
      item: [
        {
          name: "from pm.vault",
          request: { method: "GET", url: `http://127.0.0.1:${port}/vault` },
          event: [
            {
              listen: "prerequest",
              script: {
                exec: [
                  "const token = await pm.vault.get('api-token');",
                  "pm.request.headers.add({ key: 'X-Token', value: token });",
                  "console.log('token is', token);",
                  `await pm.vault.set('from-packed', ${JSON.stringify(SET_VALUE)});`,
                ],
              },
            },
            {
              listen: "test",
              script: {
                exec: ["pm.test('status 200', () => pm.response.to.have.status(200));"],
              },
            },
          ],
        },
      ],
    };
    await writeFile(join(project, "collection.json"), JSON.stringify(collection));
    const bin = join(project, "node_modules", "@vaultlink", "newman", "dist", "bin.js");
    const r = await node(
      [bin, "run", "collection.json", "--vault-scripts", "--vault-grant", "-r", "cli"],
      { VAULTLINK_VAULT_KEY: vaultKey },
    );
    expect(r.code, r.stderr.split(TOKEN).join("***").slice(0, 500)).toBe(0);
    expect(arrivals.map((h) => h["x-token"])).toEqual([TOKEN]);
    expect(r.stdout).toContain("token is");
    expect(r.stdout).not.toContain(TOKEN);
    expect(r.stderr).not.toContain(TOKEN);

    await writeFile(
      join(project, "read-vault.mjs"),
      [
        'import { createVault } from "@vaultlink/core";',
        "const vault = createVault();",
        "await vault.unlock();",
        'const r = await vault.resolve("from-packed");',
        "await vault.dispose();",
        `process.stdout.write(String(r.ok && r.value === ${JSON.stringify(SET_VALUE)}));`,
      ].join("\n"),
    );
    const read = await node(["read-vault.mjs"], { VAULTLINK_VAULT_KEY: vaultKey });
    expect(read.stdout).toBe("true");
  });
});
