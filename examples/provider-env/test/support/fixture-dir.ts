import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Distinctive values, so a leak into an error or a log line is easy to catch. */
export const VALUES = {
  dbPassword: "env-db-pw-4f9a",
  apiKey: "env-api-key-7c21",
  jsonPassword: "json-pw-93ab",
  outside: "outside-value-5d3e",
  deployToken: "cmd-deploy-tok-81e6",
  failingOutput: "half-a-secret-0b7d",
} as const;

export interface FixtureDir {
  dir: string;
  envFile: string;
  /** Executable scripts by command name. */
  scripts: Record<"deploy-token" | "failing" | "slow" | "counted" | "silent", string>;
  /** The file `counted` appends a line to on every run. */
  counterFile: string;
  /** The `commands` setting (JSON text) naming every script. */
  commands: string;
  remove(): Promise<void>;
}

/** A temp directory with a dotenv file and small shell scripts to run as commands. */
export async function createFixtureDir(): Promise<FixtureDir> {
  const dir = await mkdtemp(join(tmpdir(), "vaultlink-env-"));
  const envFile = join(dir, "secrets.env");
  await writeFile(
    envFile,
    [
      "# read by env:// when envFile is set",
      `VLX_DB_PASSWORD=${VALUES.dbPassword}`,
      `VLX_API_KEY="${VALUES.apiKey}"`,
      `VLX_APP_CONFIG='${JSON.stringify({ db: { user: "app", password: VALUES.jsonPassword } })}'`,
      `OUTSIDE_SECRET=${VALUES.outside}`,
      "",
    ].join("\n"),
  );
  const counterFile = join(dir, "runs.log");
  const bodies = {
    "deploy-token": `printf '%s\\n' '${VALUES.deployToken}'`,
    failing: `echo '${VALUES.failingOutput}'; echo '${VALUES.failingOutput}' >&2; exit 3`,
    slow: "sleep 5; echo late",
    counted: `echo run >> '${counterFile}'; echo counted-value-2e4f`,
    silent: "exit 0",
  };
  const scripts = {} as FixtureDir["scripts"];
  for (const [name, body] of Object.entries(bodies)) {
    const file = join(dir, `${name}.sh`);
    await writeFile(file, `#!/bin/sh\n${body}\n`);
    await chmod(file, 0o755);
    scripts[name as keyof FixtureDir["scripts"]] = file;
  }
  const commands = JSON.stringify(
    Object.fromEntries(Object.entries(scripts).map(([name, file]) => [name, [file]])),
  );
  return {
    dir,
    envFile,
    scripts,
    counterFile,
    commands,
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
