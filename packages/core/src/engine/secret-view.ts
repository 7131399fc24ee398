import type { SecretRecord } from "../vault/model.js";

/** What listing and inspecting a secret shows: everything but the value. */
export interface SecretInfo {
  name: string;
  kind: "local" | "linked";
  /** True when a local secret has a non-empty value. */
  hasValue: boolean;
  allowedDomains: string[];
  enabled: boolean;
  link?: {
    integration: string;
    reference: string;
    jsonKey?: string;
    version?: string;
    /** The provider's own link options (AWS: roleArn). */
    options?: Record<string, string>;
  };
  createdAt: string;
  updatedAt: string;
}

export function toSecretInfo(s: SecretRecord): SecretInfo {
  return {
    name: s.name,
    kind: s.link ? "linked" : "local",
    hasValue: !s.link && (s.value ?? "") !== "",
    allowedDomains: [...s.allowedDomains],
    enabled: s.enabled,
    ...(s.link
      ? {
          link: {
            integration: s.link.integration,
            reference: s.link.reference,
            ...(s.link.jsonKey !== undefined ? { jsonKey: s.link.jsonKey } : {}),
            ...(s.link.version !== undefined ? { version: s.link.version } : {}),
            ...(s.link.options !== undefined ? { options: { ...s.link.options } } : {}),
          },
        }
      : {}),
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
  };
}
