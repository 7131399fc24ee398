import { execFile } from "node:child_process";
import { isAbsolute } from "node:path";
import { pathToFileURL } from "node:url";
import type { ProviderContext, ProviderDefinition } from "@vaultlink/core/plugin";

/** What an exercise gets: the plugin as a host loaded it, and a way to build contexts. */
export interface LazySdkProbe {
  provider: ProviderDefinition;
  /**
   * A ProviderContext like a host gives (integration "lazy", no session, a silent logger, the
   * real clock, 30 s deadline); `overrides` replace its top-level fields.
   */
  context(overrides?: Partial<ProviderContext>): ProviderContext;
}

export interface LazySdkOptions {
  /** The built plugin, as a host loads it: a path or file URL of its entry (dist/index.js). */
  entry: string | URL;
  /**
   * The SDKs that must load lazily: package names ("node-vault") or scopes ending in "/"
   * ("@aws-sdk/"). An import counts when its specifier or resolved file is inside one of them.
   */
  sdkModules: readonly string[];
  /**
   * What a host does on a cache hit (parse references, create and dispose an instance...).
   * It runs in a fresh Node process, so it must be self-contained: use only its argument and
   * globals, never a variable or import of the test file. Default: load the plugin only.
   */
  exercise?: (probe: LazySdkProbe) => Promise<void> | void;
  /** Environment of the child process (default: this process's). */
  env?: NodeJS.ProcessEnv;
}

export interface LazySdkReport {
  /** SDK packages imported while loading the plugin and running the exercise. */
  loaded: string[];
  /** SDK packages seen when the probe then imported them itself (proves it can see them). */
  seenAfterwards: string[];
}

// The child: a synchronous resolve hook (it sees import() and require() alike) records every
// module of an SDK package; then the probe imports the SDK entries itself, resolved from the
// plugin, to show the hook would have seen them.
const PROBE = `
import { registerHooks } from "node:module";
const [entry, sdkJson, exerciseSource] = process.argv.slice(1);
const sdks = JSON.parse(sdkJson);
const owner = (specifier, url) => sdks.find((sdk) => {
  const bare = specifier === sdk || specifier.startsWith(sdk.endsWith("/") ? sdk : sdk + "/");
  return bare || String(url).includes("/node_modules/" + sdk + (sdk.endsWith("/") ? "" : "/"));
});
const loaded = new Set();
const PROOF = "vaultlink-lazy-sdk-proof:";
registerHooks({
  resolve(specifier, context, next) {
    const proof = specifier.startsWith(PROOF);
    const resolved = proof
      ? next(specifier.slice(PROOF.length), { ...context, parentURL: entry })
      : next(specifier, context);
    const sdk = owner(proof ? specifier.slice(PROOF.length) : specifier, resolved.url);
    if (sdk) loaded.add(sdk);
    return resolved;
  },
});
const mod = await import(entry);
const provider = mod.default ?? mod;
const silent = { debug() {}, info() {}, warn() {}, error() {} };
const context = (overrides = {}) => ({
  integration: { id: "lazy", authMethod: provider.authMethods[0].id, settings: {} },
  pluginOptions: {},
  requestTimeoutMs: 30000,
  logger: silent,
  clock: { now: () => Date.now() },
  saveSession: async () => {},
  ...overrides,
});
if (exerciseSource) await (0, eval)("(" + exerciseSource + ")")({ provider, context });
const before = [...loaded];
loaded.clear();
for (const sdk of sdks) {
  if (sdk.endsWith("/")) continue;
  try { await import(PROOF + sdk); } catch {}
}
process.stdout.write("\\nLAZY-SDK " + JSON.stringify({ loaded: before, seenAfterwards: [...loaded] }) + "\\n");
`;

/**
 * Run the built plugin in a fresh Node process (loading it, then `exercise`) and report which
 * of `sdkModules` it imported. For assertions of your own (which SDK a fetch loads).
 */
export function sdkModulesLoadedBy(options: LazySdkOptions): Promise<LazySdkReport> {
  const entry =
    options.entry instanceof URL
      ? options.entry.href
      : isAbsolute(options.entry)
        ? pathToFileURL(options.entry).href
        : options.entry;
  const args = [
    "--input-type=module",
    "-e",
    PROBE,
    entry,
    JSON.stringify(options.sdkModules),
    options.exercise ? String(options.exercise) : "",
  ];
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      args,
      { env: options.env ?? process.env, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const line = stdout.split("\n").find((l) => l.startsWith("LAZY-SDK "));
        if (error || !line) {
          reject(
            new Error(
              `The lazy-SDK probe failed (is the plugin built? ${entry}): ${error?.message ?? "no report"}\n${stderr}`,
            ),
          );
          return;
        }
        resolve(JSON.parse(line.slice("LAZY-SDK ".length)) as LazySdkReport);
      },
    );
  });
}

/**
 * Prove the plugin imports none of `sdkModules` when it is loaded and `exercise` runs (what a
 * host does on a cache hit), and that the probe does see each named package once it is
 * imported (so the first check cannot pass by being blind). Throws an Error saying which SDK
 * loaded too early, or which one the probe could not see.
 */
export async function expectLazySdk(options: LazySdkOptions): Promise<LazySdkReport> {
  const report = await sdkModulesLoadedBy(options);
  if (report.loaded.length > 0) {
    throw new Error(
      `Loading the plugin${options.exercise ? " and running the exercise" : ""} imported ${report.loaded.join(", ")}: import SDKs inside the functions that use them, never at module top level.`,
    );
  }
  const named = options.sdkModules.filter((sdk) => !sdk.endsWith("/"));
  const unseen = named.filter((sdk) => !report.seenAfterwards.includes(sdk));
  if (unseen.length > 0) {
    throw new Error(
      `The probe could not see ${unseen.join(", ")} even when importing it: check the package names in sdkModules (they must be dependencies of the plugin).`,
    );
  }
  return report;
}
