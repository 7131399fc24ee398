/** An access key pair as the SDK takes it. */
export interface StaticKeys {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/**
 * What the plugin keeps in `session.credentials` (core stores it encrypted): the resolved keys
 * that sign every request, and for assume-role with a given access key, that source key, so a
 * reauth can assume the role again without asking for it.
 */
export interface AwsSessionCredentials extends StaticKeys {
  source?: StaticKeys;
}

export function toSessionCredentials(
  keys: StaticKeys,
  source?: StaticKeys,
): Record<string, unknown> {
  return { ...pickKeys(keys), ...(source ? { source: pickKeys(source) } : {}) };
}

/** Read keys back from stored JSON; undefined when they are not there. */
export function readKeys(value: unknown): StaticKeys | undefined {
  if (!value || typeof value !== "object") return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v.accessKeyId !== "string" || typeof v.secretAccessKey !== "string") return undefined;
  if (v.accessKeyId === "" || v.secretAccessKey === "") return undefined;
  return pickKeys({
    accessKeyId: v.accessKeyId,
    secretAccessKey: v.secretAccessKey,
    ...(typeof v.sessionToken === "string" ? { sessionToken: v.sessionToken } : {}),
  });
}

function pickKeys(keys: StaticKeys): StaticKeys {
  return {
    accessKeyId: keys.accessKeyId,
    secretAccessKey: keys.secretAccessKey,
    ...(keys.sessionToken ? { sessionToken: keys.sessionToken } : {}),
  };
}
