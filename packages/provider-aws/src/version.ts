import { providerError } from "@vaultlink/core/plugin";

/**
 * How a link's `version` names a Secrets Manager version. GetSecretValue takes exactly one of
 * VersionId or VersionStage, and one string has to say which:
 *
 * - `id:<VersionId>` and `stage:<label>` say it outright;
 * - otherwise a UUID is a VersionId (Secrets Manager makes every VersionId it generates a UUID)
 *   and anything else is a stage label (AWSCURRENT, AWSPREVIOUS, AWSPENDING, custom labels).
 *
 * A VersionId you chose yourself (a ClientRequestToken that is not a UUID) needs `id:`.
 */
export type VersionSelector = { VersionId: string } | { VersionStage: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function parseVersion(version: string): VersionSelector | undefined {
  const text = version.trim();
  if (text.startsWith("id:")) return nonEmpty(text.slice(3), (VersionId) => ({ VersionId }));
  if (text.startsWith("stage:")) {
    return nonEmpty(text.slice(6), (VersionStage) => ({ VersionStage }));
  }
  if (UUID.test(text)) return { VersionId: text };
  // VersionId is 32-64 characters; a stage label is 1-256 characters.
  return nonEmpty(text, (VersionStage) => ({ VersionStage }));
}

function nonEmpty(
  value: string,
  make: (value: string) => VersionSelector,
): VersionSelector | undefined {
  return value.length > 0 && value.length <= 256 ? make(value) : undefined;
}

/** What to type when a version is refused. */
export const VERSION_HINT =
  "Give a VersionId (a UUID, or id:<VersionId>) or a stage (AWSPREVIOUS, stage:<label>).";

/** The plugin's `parseVersion` hook: the version as a link stores it, or INVALID_REFERENCE. */
export function checkAwsVersion(input: string): string {
  if (!parseVersion(input)) {
    throw providerError(
      "aws",
      "INVALID_REFERENCE",
      `${JSON.stringify(input)} is not a Secrets Manager version.`,
      {
        hint: VERSION_HINT,
      },
    );
  }
  return input.trim();
}
