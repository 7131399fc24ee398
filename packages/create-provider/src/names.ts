import validatePackageName from "validate-npm-package-name";

/** The provider id rule of @vaultlink/core's validateProvider. */
export const PROVIDER_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,31}$/;
const PACKAGE_PREFIX = "vaultlink-provider-";

/** Why `id` cannot be a provider id, or undefined when it can. */
export function providerIdProblem(id: string): string | undefined {
  if (PROVIDER_ID_PATTERN.test(id)) return undefined;
  return `"${id}" is not a provider id: use lowercase letters, digits and '-', starting with a letter or digit, up to 32 characters (for example acme-kv).`;
}

/** Why `name` cannot be published to npm, or undefined when it can. */
export function packageNameProblem(name: string): string | undefined {
  const result = validatePackageName(name);
  if (result.validForNewPackages) return undefined;
  const reasons = [...(result.errors ?? []), ...(result.warnings ?? [])];
  return `"${name}" is not a valid npm package name: ${reasons.join("; ")}.`;
}

/** The id a folder name suggests: `vaultlink-provider-acme` and `acme` both give `acme`. */
export function idFromFolder(folder: string): string | undefined {
  const base =
    folder
      .replace(/[\\/]+$/, "")
      .split(/[\\/]/)
      .pop() ?? "";
  const id = base
    .toLowerCase()
    .replace(/^@[^/]*\//, "")
    .replace(PACKAGE_PREFIX, "");
  return PROVIDER_ID_PATTERN.test(id) ? id : undefined;
}

export function defaultPackageName(id: string): string {
  return `${PACKAGE_PREFIX}${id}`;
}

/** "acme-kv" → "Acme Kv". */
export function defaultTitle(id: string): string {
  return id
    .split("-")
    .filter((w) => w !== "")
    .map((w) => w[0]?.toUpperCase() + w.slice(1))
    .join(" ");
}

/** The variable the generated plugin reads its API key from: VAULTLINK_ACME_KV_API_KEY. */
export function apiKeyEnv(id: string): string {
  return `VAULTLINK_${id.toUpperCase().replace(/-/g, "_")}_API_KEY`;
}

/** The file name `npm pack` gives a package (without the version): `@a/b` → `a-b`. */
export function tarballPrefix(name: string): string {
  return name.replace(/^@/, "").replace("/", "-");
}

/** Why `title` cannot be the display name, or undefined when it can. */
export function titleProblem(title: string): string | undefined {
  // It lands inside a string literal and a comment of the generated source.
  if (title.trim() !== "" && title.length <= 64 && !/[\p{Cc}"'`\\]|\*\//u.test(title)) {
    return undefined;
  }
  return `"${title}" cannot be the title: use 1 to 64 characters without quotes, backslashes or control characters.`;
}
