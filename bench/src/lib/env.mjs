import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const REPO = fileURLToPath(new URL("../../../", import.meta.url));

/** No AWS client the bench builds (ours and the peers') may probe the instance metadata service. */
export function quietAwsSdk() {
  process.env.AWS_EC2_METADATA_DISABLED = "true";
}

/** The machine the numbers came from. */
export function machine() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? "unknown",
    cores: cpus.length,
    ramGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
  };
}

function firstLine(file, args, options = {}) {
  const r = spawnSync(file, args, { encoding: "utf8", timeout: 30_000, ...options });
  if (r.status !== 0) return undefined;
  return `${r.stdout}${r.stderr}`.trim().split("\n")[0] || undefined;
}

function packageVersion(name) {
  // Packages whose `exports` hide package.json are found by walking up from their entry.
  let dir;
  try {
    dir = dirname(require.resolve(name));
  } catch {
    try {
      dir = dirname(require.resolve(`${name}/package.json`));
    } catch {
      return undefined;
    }
  }
  for (; dir !== dirname(dir); dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
      if (pkg.name === name) return pkg.version;
    } catch {
      // no package.json here: keep walking up
    }
  }
  return undefined;
}

/**
 * What the numbers belong to: the commit (and whether the tree had changes), the Node and OS,
 * and the versions of every peer and emulator a scenario ran against. A field is left out when
 * the tool is not installed.
 */
export function provenance() {
  const commit = firstLine("git", ["rev-parse", "HEAD"], { cwd: REPO });
  const dirty = spawnSync("git", ["status", "--porcelain", "--untracked-files=no"], {
    cwd: REPO,
    encoding: "utf8",
  }).stdout?.trim();
  const python = process.env.MOTO_PYTHON ?? "python3";
  return {
    commit,
    dirty: commit ? Boolean(dirty) : undefined,
    node: process.version,
    v8: process.versions.v8,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    versions: {
      moto: firstLine(python, ["-c", "import moto; print(moto.__version__)"]),
      awsCli: firstLine("aws", ["--version"]),
      hyperfine: firstLine("hyperfine", ["--version"]),
      powertoolsParameters: packageVersion("@aws-lambda-powertools/parameters"),
      awsSdkSecretsManager: packageVersion("@aws-sdk/client-secrets-manager"),
      tinybench: packageVersion("tinybench"),
      vaultlinkCli: packageVersion("@vaultlink/cli"),
      vaultlinkCore: packageVersion("@vaultlink/core"),
      vaultlinkEmulators: packageVersion("@vaultlink/emulators"),
    },
  };
}
