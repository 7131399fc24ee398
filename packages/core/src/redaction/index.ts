export { CREDENTIAL_PATTERNS, type CredentialPattern, REDACTED } from "./patterns.js";
export { redactError } from "./redact-error.js";
export { MIN_REDACTED_LENGTH, Redactor, redactText, stringsIn } from "./redactor.js";
