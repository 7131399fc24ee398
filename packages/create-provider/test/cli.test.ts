import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PLUGIN_API_VERSION } from "@vaultlink/core/plugin";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Io, main } from "../src/cli.js";
import { peerRange, templateVersions } from "../src/versions.js";

const require = createRequire(import.meta.url);
const coreVersion = (require("@vaultlink/core/package.json") as { version: string }).version;
const testkitVersion = (require("@vaultlink/testkit/package.json") as { version: string }).version;

let cwd: string;

interface Captured {
  code: number;
  out: string;
  err: string;
  asked: string[];
}

async function run(argv: string[], answers?: string[]): Promise<Captured> {
  let out = "";
  let err = "";
  const asked: string[] = [];
  const io: Io = {
    cwd,
    interactive: answers !== undefined,
    out: (t) => (out += t),
    err: (t) => (err += t),
    ask: async (question, fallback) => {
      asked.push(question);
      const answer = answers?.shift() ?? "";
      return answer === "" ? fallback : answer;
    },
  };
  const code = await main(argv, io);
  return { code, out, err, asked };
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

beforeEach(async () => {
  cwd = await mkdtemp(join(tmpdir(), "create-provider-"));
});
afterEach(async () => {
  await rm(cwd, { recursive: true, force: true });
});

describe("arguments", () => {
  it.each([
    [["--id", "Acme_KV", "--yes"], "is not a provider id"],
    [["--id=-acme", "--yes"], "is not a provider id"],
    [["--id", "-acme"], "argument is ambiguous"],
    [["--id", "a".repeat(33), "--yes"], "is not a provider id"],
    [["--id", "acme", "--name", "Acme Provider", "--yes"], "is not a valid npm package name"],
    [["--id", "acme", "--title", 'say "hi"', "--yes"], "cannot be the title"],
    [["--bogus"], "Unknown option '--bogus'."],
    [["one", "two"], "One folder at most"],
    [["one", "--dir", "two"], "Two folders given"],
    [["--yes"], "No folder and no --id given."],
    [["My Folder!", "--yes"], "does not make a provider id"],
  ])("%j is refused with exit 2 and a hint, writing nothing", async (argv, message) => {
    const r = await run(argv);
    expect(r.code).toBe(2);
    expect(r.err).toContain(message);
    expect(r.err).toMatch(/\nhint: /);
    expect(r.out).toBe("");
    expect(await readdir(cwd)).toEqual([]);
  });

  it("--help and --version print and exit 0", async () => {
    const help = await run(["--help"]);
    expect(help.code).toBe(0);
    expect(help.out).toContain("--id <id>");
    const version = await run(["--version"]);
    expect(version.out.trim()).toBe((require("../package.json") as { version: string }).version);
  });
});

describe("writing a project", () => {
  it("takes the id from the folder name and fills every placeholder", async () => {
    const r = await run(["vaultlink-provider-acme-kv"]);
    expect(r.code, r.err).toBe(0);
    const dir = join(cwd, "vaultlink-provider-acme-kv");
    expect(await filesUnder(dir)).toEqual([
      ".gitignore",
      "README.md",
      "package.json",
      "src/auth/methods.ts",
      "src/auth/sign-in.ts",
      "src/client.ts",
      "src/errors.ts",
      "src/fetch.ts",
      "src/index.ts",
      "src/instance.ts",
      "src/meta.ts",
      "src/reference.ts",
      "src/settings.ts",
      "test/conformance.test.ts",
      "test/provider.test.ts",
      "test/support/service.ts",
      "tsconfig.build.json",
      "tsconfig.json",
      "vitest.config.ts",
    ]);
    for (const file of await filesUnder(dir)) {
      expect(await readFile(join(dir, file), "utf8"), file).not.toMatch(/__[A-Z_]+__/);
    }
    const meta = await readFile(join(dir, "src/meta.ts"), "utf8");
    expect(meta).toContain('PROVIDER_ID = "acme-kv"');
    expect(meta).toContain('PROVIDER_TITLE = "Acme Kv"');
    expect(await readFile(join(dir, "src/auth/methods.ts"), "utf8")).toContain(
      'API_KEY_ENV = "VAULTLINK_ACME_KV_API_KEY"',
    );
    expect(r.out).toContain("vaultlink plugins install ./vaultlink-provider-acme-kv-0.1.0.tgz");
  });

  it("writes a publishable ESM package.json with this release's @vaultlink versions", async () => {
    const r = await run(["--id", "acme", "--name", "@acme/vaultlink-provider", "--yes"]);
    expect(r.code, r.err).toBe(0);
    const dir = join(cwd, "acme-vaultlink-provider");
    const pkg = JSON.parse(await readFile(join(dir, "package.json"), "utf8"));
    const own = require("../package.json") as {
      engines: { node: string };
      devDependencies: Record<string, string>;
    };
    expect(pkg).toMatchObject({
      name: "@acme/vaultlink-provider",
      version: "0.1.0",
      type: "module",
      exports: {
        ".": { types: "./dist/index.d.ts", import: "./dist/index.js" },
        "./package.json": "./package.json",
      },
      files: ["dist", "README.md"],
      scripts: { build: "tsc -p tsconfig.build.json", test: "vitest run" },
      vaultlink: { role: "provider", apiVersion: PLUGIN_API_VERSION, id: "acme" },
      peerDependencies: { "@vaultlink/core": `>=${coreVersion} <1.0.0` },
      devDependencies: {
        "@vaultlink/core": `^${coreVersion}`,
        "@vaultlink/testkit": `^${testkitVersion}`,
        vitest: own.devDependencies.vitest,
        typescript: own.devDependencies.typescript,
        "@types/node": own.devDependencies["@types/node"],
      },
      engines: { node: own.engines.node },
      publishConfig: { access: "public" },
    });
    expect(await readFile(join(dir, "src/index.ts"), "utf8")).toContain(
      `apiVersion: ${PLUGIN_API_VERSION},`,
    );
  });

  it("accepts an empty existing folder", async () => {
    await mkdir(join(cwd, "empty"));
    const r = await run(["empty", "--id", "empty-one"]);
    expect(r.code, r.err).toBe(0);
    expect(await readdir(join(cwd, "empty"))).toContain("package.json");
  });

  it("refuses a folder that is not empty and leaves it as it was", async () => {
    await mkdir(join(cwd, "busy"));
    await writeFile(join(cwd, "busy", "notes.txt"), "mine");
    const r = await run(["busy", "--id", "busy"]);
    expect(r.code).toBe(1);
    expect(r.err).toContain("is not empty");
    expect(r.err).toContain("hint: Choose a new folder name");
    expect(await readdir(join(cwd, "busy"))).toEqual(["notes.txt"]);
    expect(await readdir(cwd)).toEqual(["busy"]);
  });

  it("refuses a target that is a file", async () => {
    await writeFile(join(cwd, "taken"), "x");
    const r = await run(["taken", "--id", "taken"]);
    expect(r.code).toBe(1);
    expect(r.err).toContain("is not a folder");
    expect(await readFile(join(cwd, "taken"), "utf8")).toBe("x");
  });

  it("asks for what is missing on a terminal, defaults on an empty answer", async () => {
    const r = await run([], ["acme", "", "Acme Secrets", "here"]);
    expect(r.code, r.err).toBe(0);
    expect(r.asked).toEqual([
      "Provider id (lowercase, e.g. acme-kv)",
      "npm package name",
      "Title",
      "Folder",
    ]);
    const pkg = JSON.parse(await readFile(join(cwd, "here", "package.json"), "utf8"));
    expect(pkg.name).toBe("vaultlink-provider-acme");
    expect(await readFile(join(cwd, "here", "src/meta.ts"), "utf8")).toContain(
      'PROVIDER_TITLE = "Acme Secrets"',
    );
  });

  it("never asks with --yes, even on a terminal", async () => {
    const r = await run(["--id", "quiet", "--yes"], []);
    expect(r.code, r.err).toBe(0);
    expect(r.asked).toEqual([]);
  });
});

describe("versions", () => {
  it("resolve workspace: ranges from the workspace and released ranges as written", () => {
    const released = templateVersions({
      version: "0.4.0",
      engines: { node: ">=22" },
      devDependencies: {
        "@vaultlink/core": "^0.3.2",
        "@vaultlink/testkit": "^0.2.0",
        "@types/node": "^22.0.0",
        typescript: "^7.0.0",
        vitest: "^5.0.0",
      },
    });
    expect(released.core).toBe("0.3.2");
    expect(released.corePeerRange).toBe(">=0.3.2 <1.0.0");
    expect(released.devDependencies["@vaultlink/testkit"]).toBe("^0.2.0");
    expect(templateVersions().core).toBe(coreVersion);
  });

  it("the peer range stays within the major version", () => {
    expect(peerRange("1.4.0")).toBe(">=1.4.0 <2.0.0");
  });
});
