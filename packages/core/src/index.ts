/**
 * @vaultlink/core: the encrypted local vault, linked secrets, the cache, the resolver and
 * integration lifecycle. Plugin authors import from "@vaultlink/core/plugin" instead.
 */

export {
  type AccessContext,
  type AccessPolicy,
  type IntegrationAction,
  MANAGING_ROLES,
  providerAccessPolicy,
  roleAccessPolicy,
  type TeamRole,
} from "./access/access-policy.js";
export {
  newAgentToken,
  openAgentLog,
  prepareAgentDir,
  removeAgentFiles,
  withAgentStartLock,
  writeAgentInfo,
} from "./agent/files.js";
export * from "./agent/index.js";
export { AgentServer, type AgentServerOptions } from "./agent/server.js";
export { cacheKey } from "./cache/cache-key.js";
export { fileCachePersistence } from "./cache/file-persistence.js";
export type { CacheEntry, CacheEntryInfo, CachePersistence } from "./cache/types.js";
export { memoryCachePersistence } from "./cache/value-cache.js";
export {
  type ChildEnvironment,
  type ChildEnvironmentOptions,
  childEnvironment,
  KEY_MATERIAL_ENV,
} from "./child-env/child-env.js";
export {
  DEFAULT_TIMEOUT_SECONDS,
  requestTimeoutMsOf,
  TIMEOUT_OPTION,
} from "./deadline/index.js";
export type { DependencyContainer } from "./di/container.js";
export { Tokens } from "./di/tokens.js";
export { type CreateVaultOptions, createVault } from "./engine/create-vault.js";
export type { RefreshAheadResult } from "./engine/linked-values.js";
export type { LinkInput } from "./engine/links.js";
export { silentLogger, systemClock } from "./engine/logger.js";
export type {
  MatchableResolution,
  Resolution,
  ResolveOptions,
  TemplateResult,
} from "./engine/resolver.js";
export type { ScriptGrantCheck, ScriptGrants } from "./engine/script-grants.js";
export type { SecretInfo } from "./engine/secret-view.js";
export type { NewSecret, SecretChange, SecretPatch } from "./engine/secrets.js";
export { Vault, type VaultOptions } from "./engine/vault.js";
export * from "./errors/index.js";
export * from "./events/index.js";
export type { IntegrationInfo } from "./integrations/integration-view.js";
export type {
  ConnectInput,
  JoinInput,
  ReauthInput,
  SessionEnd,
  TeamSync,
} from "./integrations/integrations.js";
export { TEAM_RECHECK_MS } from "./integrations/integrations.js";
export {
  decodeJoinCode,
  encodeJoinCode,
  type JoinInfo,
  joinFileObject,
} from "./integrations/join-code.js";
export { mergeSettings, pickAuthMethod } from "./integrations/options.js";
export * from "./masking/index.js";
export type { Clock, Logger, ProviderDefinition, SignInQuestion } from "./plugin/contract.js";
export {
  isLazyProvider,
  type LazyProvider,
  type LazyProviderInput,
  lazyProvider,
} from "./plugin/lazy-provider.js";
export * from "./plugin-host/index.js";
export { REDACTED, Redactor, redactText } from "./redaction/index.js";
export { invalidDomainEntries, isUrlAllowed } from "./resolver/allowed-domains.js";
export {
  checkAllowedDomains,
  checkDomainEntry,
  type DomainEntryCheck,
  splitDomainList,
} from "./resolver/domain-input.js";
export { fixFor } from "./resolver/fixes.js";
export { malformedReferences } from "./resolver/malformed.js";
export {
  findMalformedReferences,
  findReferences,
  type MalformedReference,
  REFERENCE_PATTERN,
  substitute,
} from "./resolver/template.js";
export type * from "./resolver/types.js";
export {
  MAX_CACHE_TTL_MINUTES,
  MAX_STALE_IF_ERROR_MINUTES,
  parseCacheTtlMinutes,
  parseSignIns,
  parseStaleIfErrorMinutes,
  SETTING_NAMES,
} from "./settings/settings.js";
export * from "./transfer/index.js";
export { extractJsonKey } from "./values/json-key.js";
export * from "./vault/index.js";
export type * from "./vault/model.js";
export { DEFAULT_SETTINGS, emptyDocument } from "./vault/model.js";
export { assertSecretName, SECRET_NAME_PATTERN, secretNameProblem } from "./vault/names.js";
export type * from "./vault/types.js";
