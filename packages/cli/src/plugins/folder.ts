import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { CliError, ExitCode } from "../errors.js";

/**
 * The plugins folder (`<vault dir>/plugins`): an npm project of its own, so plugins and their
 * dependencies install with npm and never touch the CLI's own install. Peer dependencies are
 * not installed (`legacy-peer-deps`): the one peer a plugin has is `@vaultlink/core`, and the
 * host gives it its own (see host-core.ts), so npm never has to find core on a registry.
 */

const MANIFEST = {
  name: "vaultlink-plugins",
  private: true,
  description: "Provider plugins installed with `vaultlink plugins install`. Managed by vaultlink.",
  dependencies: {},
};

const NPM_FLAGS = [
  "--legacy-peer-deps",
  "--omit=dev",
  "--no-audit",
  "--no-fund",
  "--update-notifier=false",
];

export interface Snapshot {
  manifest: string | undefined;
  lock: string | undefined;
}

export class PluginsFolder {
  constructor(readonly dir: string) {}

  get manifestFile(): string {
    return join(this.dir, "package.json");
  }

  /** Create the folder, its package.json and .npmrc when missing. */
  ensure(): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    if (!existsSync(this.manifestFile))
      writeFileSync(this.manifestFile, `${JSON.stringify(MANIFEST, null, 2)}\n`);
    const npmrc = join(this.dir, ".npmrc");
    // The same behaviour when someone runs npm in this folder by hand.
    if (!existsSync(npmrc)) writeFileSync(npmrc, "legacy-peer-deps=true\n");
  }

  /** name → spec, as package.json lists them. */
  dependencies(): Record<string, string> {
    try {
      const pkg = JSON.parse(readFileSync(this.manifestFile, "utf8")) as {
        dependencies?: Record<string, string>;
      };
      return { ...(pkg.dependencies ?? {}) };
    } catch {
      return {};
    }
  }

  /** The installed package's package.json (read from its folder), if it is installed. */
  installedPackage(name: string): Record<string, unknown> | undefined {
    try {
      return JSON.parse(
        readFileSync(join(this.dir, "node_modules", name, "package.json"), "utf8"),
      ) as Record<string, unknown>;
    } catch {
      return undefined;
    }
  }

  snapshot(): Snapshot {
    const read = (f: string) => (existsSync(f) ? readFileSync(f, "utf8") : undefined);
    return {
      manifest: read(this.manifestFile),
      lock: read(join(this.dir, "package-lock.json")),
    };
  }

  /** Put package.json and the lockfile back as they were, and node_modules with them. */
  async restore(snap: Snapshot): Promise<void> {
    const put = (f: string, text: string | undefined) =>
      text === undefined ? rmSync(f, { force: true }) : writeFileSync(f, text);
    put(this.manifestFile, snap.manifest);
    put(join(this.dir, "package-lock.json"), snap.lock);
    await this.npm(["install"]);
  }

  /**
   * Run npm in the folder. Its output is kept (not shown) and its error lines go into the
   * error on failure. The child gets no VAULTLINK_* variable (the vault key among them).
   * Install scripts (preinstall, install, postinstall, prepare) of the plugin and of its
   * dependencies do not run unless `scripts` is true: npm would run them with the user's
   * rights before vaultlink has checked the plugin at all.
   */
  npm(args: readonly string[], options: { scripts?: boolean } = {}): Promise<void> {
    const command = process.env.VAULTLINK_NPM?.trim() || "npm";
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env))
      if (v !== undefined && !k.startsWith("VAULTLINK_")) env[k] = v;
    return new Promise((done, fail) => {
      const flags = options.scripts === true ? NPM_FLAGS : [...NPM_FLAGS, "--ignore-scripts"];
      const child = spawn(command, [...args, ...flags], {
        cwd: this.dir,
        env,
        stdio: ["ignore", "pipe", "pipe"],
        shell: process.platform === "win32",
      });
      let output = "";
      child.stdout.on("data", (d: Buffer) => (output += d.toString()));
      child.stderr.on("data", (d: Buffer) => (output += d.toString()));
      child.on("error", (error: NodeJS.ErrnoException) => {
        fail(
          new CliError(`Could not run npm (${command}): ${error.code ?? error.message}.`, {
            hint: "Plugins install with npm: install Node.js with npm, or set VAULTLINK_NPM to npm's path.",
            exitCode: ExitCode.other,
            code: "NPM_FAILED",
          }),
        );
      });
      child.on("close", (code) => {
        if (code === 0) return done();
        const lines = output
          .split("\n")
          .filter((l) => /^npm (error|ERR!)/.test(l))
          .slice(0, 8)
          .map((l) => `  ${l}`);
        fail(
          new CliError(
            `npm ${args.join(" ")} failed in ${this.dir} (exit ${code ?? "signal"})${lines.length ? `:\n${lines.join("\n")}` : "."}`,
            {
              hint: "Check the name, path or network above; nothing was enabled.",
              exitCode: ExitCode.other,
              code: "NPM_FAILED",
            },
          ),
        );
      });
    });
  }
}

/** A local folder or tarball as an absolute path (npm runs in the plugins folder); else as given. */
export function absoluteIfPath(spec: string, cwd: string): string {
  if (/^(file:|git\+|https?:|github:)/.test(spec)) return spec;
  const looksLikePath =
    spec.startsWith(".") ||
    isAbsolute(spec) ||
    /\.(tgz|tar\.gz|tar)$/.test(spec) ||
    (!spec.startsWith("@") && spec.includes("/") && existsSync(resolve(cwd, spec)));
  return looksLikePath ? resolve(cwd, spec) : spec;
}

/** The package name in a registry spec (`name`, `name@range`, `@scope/name@tag`). */
export function registryName(spec: string): string {
  const at = spec.indexOf("@", spec.startsWith("@") ? 1 : 0);
  return at === -1 ? spec : spec.slice(0, at);
}
