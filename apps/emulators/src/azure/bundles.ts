import type { SecretVersion } from "./store.js";

/** Attributes as Key Vault sends them (times in Unix seconds). */
function attributes(v: SecretVersion) {
  return {
    enabled: v.enabled,
    ...(v.notBefore !== undefined ? { nbf: v.notBefore } : {}),
    ...(v.expires !== undefined ? { exp: v.expires } : {}),
    created: v.created,
    updated: v.updated,
    recoveryLevel: "Recoverable+Purgeable",
    recoverableDays: 90,
  };
}

function common(v: SecretVersion) {
  return {
    attributes: attributes(v),
    ...(v.contentType !== undefined ? { contentType: v.contentType } : {}),
    ...(v.tags !== undefined ? { tags: v.tags } : {}),
  };
}

/** A full secret bundle, value included (get and set). */
export function secretBundle(origin: string, name: string, v: SecretVersion) {
  return { value: v.value, id: `${origin}/secrets/${name}/${v.version}`, ...common(v) };
}

/** A list item of `GET /secrets`: id without version, no value. */
export function secretListItem(origin: string, name: string, v: SecretVersion) {
  return { id: `${origin}/secrets/${name}`, ...common(v) };
}

/** A list item of `GET /secrets/{name}/versions`: id with version, no value. */
export function versionListItem(origin: string, name: string, v: SecretVersion) {
  return { id: `${origin}/secrets/${name}/${v.version}`, ...common(v) };
}
