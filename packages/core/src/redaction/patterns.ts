/**
 * Text that looks like a credential, whether or not this vault knows it: a provider may echo
 * a token it issued itself (an Azure access token, a renewed Vault token) that was never
 * stored. Each pattern keeps its label (`Bearer`, `X-Vault-Token:`) and drops the secret part.
 */
export interface CredentialPattern {
  name: string;
  pattern: RegExp;
  /** The replacement; `$1` keeps a label captured by the pattern. */
  replace: string;
}

export const REDACTED = "[redacted]";

export const CREDENTIAL_PATTERNS: readonly CredentialPattern[] = [
  // Authorization headers and their kin, echoed as "Bearer abc…" or "Basic abc…".
  {
    name: "authorization scheme",
    pattern: /\b(Bearer|Basic|Token|Negotiate)\s+[A-Za-z0-9._~+/=-]{8,}/gi,
    replace: `$1 ${REDACTED}`,
  },
  // JSON Web Tokens (Azure access tokens, 1Password Connect tokens, OIDC id tokens).
  {
    name: "JWT",
    pattern: /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g,
    replace: REDACTED,
  },
  // HashiCorp Vault tokens: hvs./hvb./hvr. (1.10+) and the older s./b./r. service tokens.
  {
    name: "Vault token",
    pattern: /\b(?:hv[sbr]\.[A-Za-z0-9_-]{8,}|[sbr]\.[A-Za-z0-9]{24,})\b/g,
    replace: REDACTED,
  },
  // 1Password service account tokens.
  { name: "1Password token", pattern: /\bops_[A-Za-z0-9_-]{20,}/g, replace: REDACTED },
  // AWS access key ids (long-term and temporary).
  { name: "AWS access key id", pattern: /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g, replace: REDACTED },
  // AWS secret access keys: 40 characters of base64 with upper, lower case and a digit.
  {
    name: "AWS secret access key",
    pattern:
      /(?<![A-Za-z0-9/+=])(?=[A-Za-z0-9/+]{0,39}[A-Z])(?=[A-Za-z0-9/+]{0,39}[a-z])(?=[A-Za-z0-9/+]{0,39}[0-9])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/g,
    replace: REDACTED,
  },
  // AWS Signature Version 4 signatures (Authorization header, presigned X-Amz-Signature): one
  // can be replayed for the same request for up to 15 minutes.
  {
    name: "AWS request signature",
    pattern: /\b((?:X-Amz-)?Signature=)[0-9a-f]{64}\b/gi,
    replace: `$1${REDACTED}`,
  },
  // "token": "…", password=…, X-Vault-Token: …, client_secret=… in echoed headers and bodies.
  {
    name: "credential field",
    pattern:
      /((?:authorization|x-vault-token|x-identity-header|client[_-]?secret|secret[_-]?access[_-]?key|session[_-]?token|security[_-]?token|access[_-]?token|refresh[_-]?token|id[_-]?token|client[_-]?token|password|passwd|secret_id|token|api[_-]?key)["']?\s*[:=]\s*["']?)(?!\[redacted\])[^\s"',;&}]{4,}/gi,
    replace: `$1${REDACTED}`,
  },
];
