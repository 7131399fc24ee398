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
