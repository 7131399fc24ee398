/**
 * Node reads `--env-file` (and `--env-file-if-exists`) from ANY position of its command line up
 * to a `--`, the script's own arguments included (Node 20, 22 and 24): for
 * `vaultlink run --env-file .env …` Node itself loads `.env` before vaultlink's first line runs,
 * applies a NODE_OPTIONS line in it to vaultlink's own process (`--require evil.js` runs code
 * beside the vault key) and exits 9 on a missing file. vaultlink cannot undo that, so it takes
 * the env file as `--dotenv`, which Node never reads, and refuses the Node spelling at once.
 * This module is on the hot path of every command: it imports nothing.
 */

/** The env-file options Node took from `args` (vaultlink's arguments), as written. */
export function nodeEnvFileOptions(args: readonly string[]): string[] {
  const found: string[] = [];
  for (const arg of args) {
    if (arg === "--") break;
    const name = arg.split("=", 1)[0];
    if (name === "--env-file" || name === "--env-file-if-exists") found.push(name);
  }
  return found;
}

/** The refusal, as vaultlink prints errors; undefined when Node read no env file. */
export function envFileRefusal(args: readonly string[]): string | undefined {
  const [option] = nodeEnvFileOptions(args);
  if (option === undefined) return undefined;
  return (
    `error: ${option} is read by Node itself before vaultlink starts (a NODE_OPTIONS line in the file would run inside vaultlink), so vaultlink does not take it and ran nothing.\n` +
    "hint: Give the file as --dotenv <file> (vaultlink run --dotenv .env -- <command>): only the command's environment gets its variables.\n"
  );
}

/**
 * The refusal on a Node line that has reached end of life (below 22): parts of vaultlink and
 * its SDKs need Node 22 APIs and would fail half-way with a stack trace. Versions from 22 on
 * outside `engines` (22 before 22.22.2, 23, 24 before 24.15) are not refused here; npm warns
 * about them at install (decision 0028).
 */
export function oldNodeRefusal(version: string = process.versions.node): string | undefined {
  const major = Number.parseInt(version.split(".")[0] ?? "", 10);
  if (!(major < 22)) return undefined;
  return (
    `error: vaultlink needs Node 22 or 24 (22.22.2+, 24.15+); this is Node ${version}, whose line has reached end of life.\n` +
    "hint: Install Node 24 or 22 (for example with nvm: nvm install 24), then run the command again. Nothing was changed.\n"
  );
}
