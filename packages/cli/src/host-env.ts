/**
 * Variables the CLI sets in its own environment for the libraries it hosts, and removes again
 * from the environment of a command it runs (`vaultlink run`), which must see the user's
 * environment as it was. Imports nothing.
 */
const added = new Set<string>();

function setForThisProcess(name: string, value: string): void {
  if (process.env[name] !== undefined) return;
  process.env[name] = value;
  added.add(name);
}

/**
 * The AWS SDK prints a multi-line Node-version warning with its first client; in a
 * command-line tool it lands before the real output or error. The SDK's documented switch
 * turns it off.
 */
export function quietHostedLibraries(): void {
  setForThisProcess("AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED", "true");
}

/** `env` without what quietHostedLibraries added. */
export function withoutHostAdditions<T extends Record<string, string | undefined>>(env: T): T {
  for (const name of added) delete env[name];
  return env;
}
