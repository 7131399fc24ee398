import type { ProviderErrorCode } from "@vaultlink/core/plugin";

/** Variables by name, or why they could not be read. */
export type Variables =
  | { ok: true; get(name: string): string | undefined }
  | { ok: false; code: ProviderErrorCode; message: string; hint: string };

/** The process environment, or the dotenv file when one is set; read once per fetch call. */
export async function readVariables(envFile: string | undefined): Promise<Variables> {
  if (envFile === undefined) {
    return { ok: true, get: (name) => process.env[name] };
  }
  const [{ readFile }, { parseEnv }] = await Promise.all([
    import("node:fs/promises"),
    import("node:util"),
  ]);
  let content: string;
  try {
    content = await readFile(envFile, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "unknown error";
    const denied = code === "EACCES" || code === "EPERM";
    return {
      ok: false,
      code: denied ? "PERMISSION_DENIED" : "UNREACHABLE",
      // The path and the errno only: the error object is safe here, but habits matter.
      message: `The env file ${envFile} cannot be read (${code}).`,
      hint: denied
        ? "Let the current user read it, or point envFile at a readable copy."
        : "Check that the file exists, or change the envFile setting.",
    };
  }
  const variables = parseEnv(content);
  return {
    ok: true,
    get: (name) => (Object.hasOwn(variables, name) ? variables[name] : undefined),
  };
}

/** True when `allow` is empty or `name` starts with one of its prefixes. */
export function isAllowed(name: string, allow: readonly string[]): boolean {
  return allow.length === 0 || allow.some((prefix) => name.startsWith(prefix));
}
