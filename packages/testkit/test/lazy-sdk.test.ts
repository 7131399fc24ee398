import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectLazySdk, type LazySdkProbe, sdkModulesLoadedBy } from "../src/index.js";

let dir: string;

/** A package in the fixture's node_modules; `cjs` makes it a CommonJS one. */
async function fakeSdk(name: string, cjs = false) {
  const root = join(dir, "node_modules", name);
  await mkdir(root, { recursive: true });
  await writeFile(
    join(root, "package.json"),
    JSON.stringify({ name, version: "1.0.0", type: cjs ? "commonjs" : "module", main: "index.js" }),
  );
  await writeFile(
    join(root, "index.js"),
    cjs ? "exports.read = () => 'value';" : "export const read = () => 'value';",
  );
}

/** A plugin-shaped module: `top` is module-level code, `onFetch` runs inside fetch. */
async function plugin(file: string, top: string, onFetch: string) {
  await writeFile(
    join(dir, file),
    `${top}
export default {
  authMethods: [{ id: "token", title: "Token", options: [] }],
  parseReference: (input) => ({ canonical: input }),
  create: () => ({
    async fetch(requests) { ${onFetch}; return []; },
    dispose() {},
  }),
};`,
  );
  return join(dir, file);
}

let lazy: string;
let eager: string;
let lazyCjs: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "vaultlink-lazy-sdk-"));
  await fakeSdk("fake-sdk");
  await fakeSdk("fake-cjs-sdk", true);
  lazy = await plugin("lazy.mjs", "", 'await import("fake-sdk")');
  eager = await plugin("eager.mjs", 'import { read } from "fake-sdk";', "read()");
  lazyCjs = await plugin(
    "lazy-cjs.mjs",
    'import { createRequire } from "node:module"; const require = createRequire(import.meta.url);',
    'require("fake-cjs-sdk")',
  );
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const createAndDispose = async ({ provider, context }: LazySdkProbe) => {
  provider.parseReference("x");
  const instance = await provider.create(context());
  await instance.dispose();
};

describe("expectLazySdk", () => {
  it("passes a plugin that imports its SDK only when it fetches, and proves it could see it", async () => {
    const report = await expectLazySdk({
      entry: lazy,
      sdkModules: ["fake-sdk"],
      exercise: createAndDispose,
    });
    expect(report).toEqual({ loaded: [], seenAfterwards: ["fake-sdk"] });
  });

  it("fails a plugin that imports its SDK at module top level, naming the SDK", async () => {
    await expect(expectLazySdk({ entry: eager, sdkModules: ["fake-sdk"] })).rejects.toThrow(
      "Loading the plugin imported fake-sdk: import SDKs inside the functions that use them",
    );
  });

  it("sees require() of a CommonJS SDK as well as import()", async () => {
    await expectLazySdk({
      entry: lazyCjs,
      sdkModules: ["fake-cjs-sdk"],
      exercise: createAndDispose,
    });
    const fetched = await sdkModulesLoadedBy({
      entry: lazyCjs,
      sdkModules: ["fake-cjs-sdk"],
      exercise: async ({ provider, context }) => {
        await (await provider.create(context())).fetch([]);
      },
    });
    expect(fetched.loaded).toEqual(["fake-cjs-sdk"]);
  });

  it("reports what an exercise loaded, for assertions of one's own", async () => {
    const report = await sdkModulesLoadedBy({
      entry: lazy,
      sdkModules: ["fake-sdk", "other-sdk/"],
      exercise: async ({ provider, context }) => {
        await (await provider.create(context())).fetch([]);
      },
    });
    expect(report.loaded).toEqual(["fake-sdk"]);
  });

  it("refuses a package name the probe cannot see, so a typo cannot make the check pass", async () => {
    await expect(expectLazySdk({ entry: lazy, sdkModules: ["no-such-sdk"] })).rejects.toThrow(
      "The probe could not see no-such-sdk",
    );
  });

  it("says what went wrong when the plugin cannot be loaded", async () => {
    await expect(
      expectLazySdk({ entry: join(dir, "missing.mjs"), sdkModules: ["fake-sdk"] }),
    ).rejects.toThrow("The lazy-SDK probe failed (is the plugin built?");
  });
});
