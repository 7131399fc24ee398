import {
  checkVaultDir,
  createVault,
  defaultPluginConfig,
  findReferences,
  fixFor,
  isUrlAllowed,
  maskText,
  OutputMasker,
  type PluginConfig,
  type PluginProblem,
  PluginRegistry,
  type ProviderDefinition,
  pluginConfigFile,
  readPluginConfig,
  resolveVaultPaths,
  type SecretChange,
  type UnresolvedReference,
  type Vault,
  VaultlinkError,
  vaultNotFoundError,
} from "@vaultlink/core";
import type newman from "newman";
import {
  loadNewman,
  type PostmanRequest,
  postmanCollection,
  type RunHooks,
  runtimeVersion,
  withRunHooks,
} from "./engine-hook.js";
import { rememberedGrant } from "./grants.js";
import { referencedNames } from "./references.js";

/** What happens to a `{{vault:…}}` reference that cannot be resolved for a request. */
export type UnresolvedMode = "keep" | "error";

export interface RunOptions {
  /** Newman's run options (collection, environment, globals, iterationData, reporters, …). */
  [newmanOption: string]: unknown;
  collection: unknown;
  /** An unlocked vault to use; by default the user's vault is opened as `vaultlink` does. */
  vault?: Vault;
  /** The vault directory when `vault` is not given (default VAULTLINK_HOME or the data dir). */
  home?: string;
  /** `keep` (Postman's behaviour: sent as written) or `error` (the request is not sent). */
  vaultUnresolved?: UnresolvedMode;
  /** Postman's "Enable support in scripts": pm.vault is usable once granted. */
  vaultScripts?: boolean;
  /**
   * Grant this collection's scripts access to the vault (Postman's grant prompt). Without it, a
   * grant remembered in the vault (`vaultlink-newman grant`) for the collection as it is now.
   */
  vaultGrant?: boolean;
  /** Mask vault values in what the run writes to stdout/stderr (default true). */
  maskOutput?: boolean;
  /**
   * A warning about providers: a plugin from the config file that could not be loaded, or a
   * config file that cannot be used (the run goes on; secrets linked to a missing provider are
   * reported unresolved). Default: written to stderr.
   */
  onWarning?: (text: string) => void;
}

/** A plugin that did not load, in one warning line plus what to do. */
export function formatPluginProblem(p: PluginProblem): string {
  return `vaultlink-newman: warning: the provider plugin ${p.spec} is ${p.kind}: ${p.reason}.\n${p.hint ? `  ${p.hint}\n` : ""}`;
}

export interface UnresolvedInRun extends UnresolvedReference {
  /** The request (item name) that carried the reference. */
  request: string;
  /** True when the request was stopped (`vaultUnresolved: "error"`). */
  stopped: boolean;
}

export interface VaultWrite {
  name: string;
  action: "set" | "unset";
}

export interface RunResult {
  /** Newman's run summary (values as sent; do not print it unmasked). */
  summary: newman.NewmanRunSummary;
  /** Each unresolved reference once per request, with its reason and fix, never a value. */
  unresolved: UnresolvedInRun[];
  /** Secrets the run's scripts changed (pm.vault.set/unset), written when each script ended. */
  written: string[];
  /** pm.vault calls refused (linked secrets cannot be set) or writes that failed. */
  refusedWrites: Array<{ name: string; reason: string }>;
  /** How many secrets the run resolved from the vault (each once). */
  resolvedSecrets: number;
  /** True when an assertion, script or request failed, or a request was stopped. */
  failed: boolean;
}

/**
 * The provider plugins the `vaultlink` CLI would load for this vault: the first-party ones
 * (this package's dependencies), the config file's plugins (`vaultlink plugins install`, paths)
 * and discovered ones, through core's plugin registry. Plugins that fail to load are reported
 * to `warn`, not thrown: local secrets and the other providers still work.
 */
export async function loadProviders(
  home: string | undefined,
  warn: (text: string) => void = () => {},
): Promise<{
  providers: ProviderDefinition[];
  pluginOptions: Record<string, Record<string, unknown>>;
}> {
  const file = pluginConfigFile(resolveVaultPaths(home ? { home } : {}).dir);
  let config: PluginConfig;
  try {
    config = readPluginConfig(file);
  } catch (error) {
    // As the CLI's vault commands do: the first-party providers and local secrets still work.
    if (!(error instanceof VaultlinkError) || error.code !== "CONFIG_INVALID") throw error;
    warn(
      `vaultlink-newman: warning: ${error.message} Its plugins are not loaded; first-party providers and local secrets work.\n${error.hint ? `  ${error.hint}\n` : ""}`,
    );
    config = defaultPluginConfig(file);
  }
  const registry = new PluginRegistry(config, { anchor: import.meta.url });
  const loaded = await registry.load();
  for (const problem of registry.problems) warn(formatPluginProblem(problem));
  return {
    providers: loaded.map((p) => p.definition),
    pluginOptions: registry.pluginOptions(),
  };
}

/** Open and unlock the user's vault the way the `vaultlink` CLI does (core's key sources). */
export async function openUserVault(home?: string, warn?: (text: string) => void): Promise<Vault> {
  const { providers, pluginOptions } = await loadProviders(home, warn);
  const vault = createVault({ providers, pluginOptions, ...(home ? { home } : {}) });
  await checkVaultDir(vault.paths.dir);
  if (!(await vault.exists())) throw await vaultNotFoundError(vault.paths);
  await vault.unlock();
  return vault;
}

function hostOf(url: string): string | undefined {
  try {
    const u = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? url : `http://${url}`);
    return u.protocol === "http:" ? `http://${u.hostname}` : u.hostname;
  } catch {
    return undefined;
  }
}

function maskDeep(value: unknown, secrets: readonly string[]): unknown {
  if (typeof value === "string") return maskText(value, secrets, { forms: ["url", "json"] });
  if (Array.isArray(value)) return value.map((v) => maskDeep(v, secrets));
  if (value && typeof value === "object") {
    const plain = JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
    for (const k of Object.keys(plain)) plain[k] = maskDeep(plain[k], secrets);
    return plain;
  }
  return value;
}

/** Run a collection on Newman (postman-runtime) with vaultlink as the vault. */
export async function run(options: RunOptions): Promise<RunResult> {
  const {
    vault: given,
    home,
    vaultUnresolved = "keep",
    vaultScripts = false,
    vaultGrant = false,
    maskOutput = true,
    onWarning = (text: string) => process.stderr.write(text),
    ...newmanOptions
  } = options;
  const vault = given ?? (await openUserVault(home, onWarning));
  try {
    // Unlocked through the vault home's agent (no key here): references resolve through it,
    // but pm.vault reads grants from and writes to the vault file itself, which needs the key.
    if (vaultScripts && !vault.unlocked)
      throw new VaultlinkError(
        "VAULT_LOCKED",
        "pm.vault in scripts needs the vault key in this process: the agent resolves references, but grants and pm.vault.set live in the vault file.",
        {
          hint: "Set VAULTLINK_VAULT_KEY (or store the key: vaultlink vault key store), or run without --vault-scripts.",
        },
      );
    // Granted by the flag (Postman's prompt answered "allow"), or by a grant remembered in the
    // vault for this collection exactly as it is now.
    const granted =
      vaultScripts &&
      (vaultGrant || (await rememberedGrant(vault, newmanOptions.collection, onWarning)));
    return await runWith(vault, newmanOptions, {
      vaultUnresolved,
      scripts: vaultScripts,
      granted,
      maskOutput,
    });
  } finally {
    if (!given) await vault.dispose();
  }
}

async function runWith(
  vault: Vault,
  newmanOptions: Record<string, unknown>,
  mode: {
    vaultUnresolved: UnresolvedMode;
    scripts: boolean;
    granted: boolean;
    maskOutput: boolean;
  },
): Promise<RunResult> {
  const names = referencedNames(
    [
      newmanOptions.collection,
      newmanOptions.environment,
      newmanOptions.globals,
      newmanOptions.iterationData,
    ],
    mode.scripts,
  );
  const resolutions = await vault.resolveForMatching(names);
  const domains = new Map<string, readonly string[]>();
  const failures = new Map<string, UnresolvedReference>();
  const values: Array<{ key: string; value: string }> = [];
  for (const r of resolutions) {
    if (r.ok) {
      domains.set(r.name, r.allowedDomains);
      values.push({ key: `vault:${r.name}`, value: r.value });
    } else {
      const { ok: _ok, allowedDomains: _d, ...rest } = r;
      failures.set(r.name, rest);
    }
  }
  // Through the agent (no key in this process) only the referenced secrets are known; scripts
  // cannot write then (refused above), so those are the only ones a write could meet.
  const linked = new Set(
    vault.unlocked
      ? (await vault.secrets.list()).filter((s) => s.kind === "linked").map((s) => s.name)
      : resolutions.filter((r) => r.ok && r.source !== "local").map((r) => r.name),
  );
  // Every value the run's output must not show; values scripts write join as they are set.
  const secrets = values.map((v) => v.value);
  let output: ReturnType<typeof maskProcessOutput> | undefined;
  const learn = (value: unknown) => {
    if (value === undefined || value === null) return;
    const text = String(value);
    if (text === "" || secrets.includes(text)) return;
    secrets.push(text);
    output?.add(text);
  };

  const sdk = postmanCollection();
  const scope = new sdk.VariableScope({ prefix: "vault:", values });
  const baseGet = scope.get.bind(scope);
  const baseSet = scope.set.bind(scope);
  const refusedWrites: RunResult["refusedWrites"] = [];
  // A domain-restricted secret is for requests only (Postman: request level), never a script.
  scope.get = (key: string) => ((domains.get(key)?.length ?? 0) > 0 ? undefined : baseGet(key));
  scope.set = (key: string, value: unknown, type?: string) => {
    if (linked.has(key)) {
      refusedWrites.push({ name: key, reason: "linked to an external vault; change it there" });
      return undefined;
    }
    domains.set(key, domains.get(key) ?? []);
    // Masked from the moment it is set: the same script may log it next.
    learn(value);
    return baseSet(key, value, type);
  };
  scope._ = { allowScriptAccess: async () => mode.granted };
  scope.__vaultVariableScope = true;
  scope.__getMatchingVariables = (url: string) =>
    new sdk.VariableList(
      null,
      scope.values
        .filter((v) => isUrlAllowed(domains.get(v.key.slice(6)) ?? [], url))
        .map((v) => (v as { toJSON(): unknown }).toJSON()),
    );

  const unresolved: UnresolvedInRun[] = [];
  const seen = new Set<string>();
  let stopped = false;
  const beforeRequest = (request: PostmanRequest, item: { name?: string }, abort: () => void) => {
    const refs = findReferences(JSON.stringify(request.toJSON()));
    if (refs.length === 0) return;
    const url = request.url.toString(true);
    const requestName = item.name ?? url;
    const stop = mode.vaultUnresolved === "error";
    for (const name of refs) {
      const key = `${requestName}\u0000${name}`;
      let why = failures.get(name);
      if (!why && domains.has(name)) {
        const host = hostOf(url);
        why = {
          name,
          reason: "domain-not-allowed",
          message: `Secret "${name}" may not be sent to ${host ?? "that URL"}; it is limited to ${domains.get(name)?.join(", ")}.`,
          fix: fixFor("domain-not-allowed", name, host ? { host } : {}),
        };
      }
      why ??= {
        name,
        reason: "missing",
        message: `{{vault:${name}}} appeared only while the run went on (a script wrote it); vaultlink resolves the references written in the collection, environment, globals and data.`,
        fix: "write the reference into the collection, environment, globals or data file",
      };
      if (!seen.has(key)) {
        seen.add(key);
        unresolved.push({ ...why, request: requestName, stopped: stop });
      }
    }
    if (stop) {
      stopped = true;
      abort();
    }
  };

  let writes: Promise<void> = Promise.resolve();
  const written = new Set<string>();
  const afterScript = (result: { vaultSecrets?: { mutations?: unknown } } | undefined) => {
    const m = result?.vaultSecrets?.mutations as
      | { compacted?: Record<string, unknown[]>; stream?: unknown[][] }
      | undefined;
    if (!m || !mode.granted) return;
    const instructions = [...Object.values(m.compacted ?? {}), ...(m.stream ?? [])];
    const changes: SecretChange[] = [];
    for (const ins of instructions) {
      if (!Array.isArray(ins) || typeof ins[0] !== "string") continue;
      const name = ins[0].replace(/^vault:/, "");
      if (linked.has(name)) continue;
      if (ins.length >= 2) learn(ins[1]);
      changes.push(ins.length >= 2 ? { name, value: String(ins[1]) } : { name, unset: true });
    }
    if (changes.length === 0) return;
    writes = writes.then(async () => {
      try {
        for (const n of await vault.secrets.apply(changes)) written.add(n);
      } catch (error) {
        for (const c of changes)
          refusedWrites.push({ name: c.name, reason: (error as Error).message });
      }
    });
  };

  let summary: newman.NewmanRunSummary;
  const hooks: RunHooks = { vaultSecrets: scope, beforeRequest, afterScript };
  const engine = loadNewman();
  if (mode.maskOutput) output = maskProcessOutput(secrets, mode.granted);
  try {
    summary = await withRunHooks(
      hooks,
      () =>
        new Promise<newman.NewmanRunSummary>((resolve, reject) => {
          const emitter = engine.run(
            newmanOptions as unknown as newman.NewmanRunOptions,
            (err, s) => (err && !s ? reject(err) : resolve(s)),
          );
          // Reporter files (json, junit, exports) get their content here: mask it before writing.
          emitter.on("start", () => {
            const exports = (emitter as unknown as { exports?: Array<{ content?: unknown }> })
              .exports;
            if (!exports) return;
            const push = exports.push.bind(exports);
            exports.push = (...entries) =>
              push(...entries.map((e) => ({ ...e, content: maskDeep(e.content, secrets) })));
          });
        }),
    );
  } finally {
    output?.restore();
  }
  await writes;
  if (!hooks.attached && summary.run.executions?.length)
    throw new Error(
      `Newman ran on a postman-runtime other than @vaultlink/newman's (${runtimeVersion()}): ` +
        "newman was loaded in this process before @vaultlink/newman, so no vault reference was resolved. " +
        "Import @vaultlink/newman before anything that loads newman.",
    );
  const failed =
    stopped ||
    (summary.run.failures?.length ?? 0) > 0 ||
    Boolean((summary as unknown as { error?: unknown }).error);
  return {
    summary,
    unresolved,
    written: [...written].sort(),
    refusedWrites,
    resolvedSecrets: values.length,
    failed,
  };
}

/**
 * Mask secrets in everything written to stdout and stderr until `restore` runs; `add` masks
 * one more value from then on. Nothing is wrapped when there is nothing to mask and no value
 * can be added (`growing` false).
 */
function maskProcessOutput(
  secrets: readonly string[],
  growing: boolean,
): { add(value: string): void; restore(): void } {
  if (secrets.length === 0 && !growing) return { add: () => {}, restore: () => {} };
  const masker = new OutputMasker(secrets, { forms: ["url", "json"] });
  const restorers: Array<() => void> = [];
  for (const target of [process.stdout, process.stderr]) {
    const own = Object.getOwnPropertyDescriptor(target, "write");
    const original = target.write.bind(target) as (chunk: Buffer) => boolean;
    const stream = masker.stream((chunk) => original(chunk));
    target.write = ((chunk: string | Uint8Array, encoding?: unknown, cb?: unknown) => {
      stream.push(
        typeof chunk === "string"
          ? Buffer.from(chunk, (typeof encoding === "string" ? encoding : "utf8") as BufferEncoding)
          : Buffer.from(chunk),
      );
      const done = typeof encoding === "function" ? encoding : cb;
      if (typeof done === "function") done();
      return true;
    }) as typeof target.write;
    restorers.push(() => {
      stream.end();
      if (own) Object.defineProperty(target, "write", own);
      else delete (target as { write?: unknown }).write;
    });
  }
  return {
    add: (value) => masker.add([value]),
    restore: () => {
      for (const r of restorers) r();
    },
  };
}
