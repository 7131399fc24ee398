import type { ProviderErrorCode } from "../errors/codes.js";

/** The plugin contract version this core implements. */
export const PLUGIN_API_VERSION = 1 as const;
/** Contract versions this core can load. */
export const SUPPORTED_API_VERSIONS: readonly number[] = [1];
/** Marks an object made by `defineProvider`; a plain string so it survives duplicate cores. */
export const PROVIDER_BRAND = "vaultlink.provider" as const;

/** One option an auth method takes. Hosts prompt for it and core validates it. */
export interface OptionSpec {
  name: string;
  /** Short label for prompts ("Access key ID"). */
  title: string;
  /** "integer" is a whole number; core checks `min`/`max` for numbers and integers. */
  type: "string" | "number" | "integer" | "boolean" | "enum";
  /**
   * Secret options (passwords, tokens, secret keys) are prompted masked, never accepted on a
   * command line, and stored only inside the encrypted vault.
   */
  secret?: boolean;
  required?: boolean;
  default?: string | number | boolean;
  choices?: readonly string[];
  /** Smallest allowed value ("number" and "integer"). */
  min?: number;
  /** Largest allowed value ("number" and "integer"). */
  max?: number;
  /**
   * "string" only: a regular expression (source text) the whole value must match. Core checks
   * it wherever a value comes in, a published team setup included.
   */
  pattern?: string;
  description?: string;
  /** An environment variable the host may read the value from. */
  env?: string;
  /**
   * A setting of this machine only (a file path, a TLS shortcut): never part of a team setup
   * or a join code, never taken from one.
   */
  local?: boolean;
  /**
   * A URL vaultlink sends a sign-in or credentials to (an address, an OIDC provider). A team
   * setup may set it only on an origin the member already uses (the address they joined,
   * what their join code carried); another origin is not followed without the member.
   */
  endpoint?: boolean;
}

export interface AuthMethod {
  id: string;
  title: string;
  description?: string;
  options: readonly OptionSpec[];
  /** True when the method needs a person (browser sign-in, device code, MFA). */
  interactive?: boolean;
}

export interface ProviderCapabilities {
  /** The provider can fetch many references in fewer requests; core sends them together. */
  batch: boolean;
  /** References can name a version. */
  versions: boolean;
  /**
   * Values may hold JSON, so a link may pick one key (`jsonKey`; core extracts it). Default
   * true; a provider whose values are never JSON says false and core refuses a JSON key.
   */
  jsonKey?: boolean;
  /** Values may be binary (delivered as Uint8Array; core decodes UTF-8 for templates). */
  binary?: boolean;
}

/** A reference after the provider parsed and validated it. */
export interface ParsedReference {
  /** Canonical one-string form, stored in the link and used in cache keys. */
  canonical: string;
  /** Version carried inside the reference itself (an Azure identifier's version, say). */
  version?: string;
  /** Anything else the provider wants back at fetch time. JSON-serialisable. */
  [key: string]: unknown;
}

/** What `authenticate` hands back: stored encrypted in the vault and given to `create`. */
export interface ProviderSession {
  /** Secret material needed to fetch (tokens, keys). Never logged. */
  credentials: Record<string, unknown>;
  /** When the credentials stop working; omit when they do not expire. */
  expiresAt?: Date;
  /** Non-secret settings to store (resolved region, tenant, detected KV versions…). */
  settings?: Record<string, unknown>;
  /** A non-secret description of who signed in (an ARN, a user name). */
  identity?: string;
}

/** A question a sign-in asks the person (see `AuthenticateInput.ask`). */
export interface SignInQuestion {
  /** The option the answer stands for ("mfaCode"), so hosts can name it. */
  name: string;
  /** What to ask, in a few words ("MFA code from arn:aws:iam::…:mfa/alice"). */
  message: string;
  /** Hide what is typed, and never show the answer. */
  secret?: boolean;
}

export interface AuthenticateInput {
  method: string;
  /** Non-secret option values. */
  settings: Record<string, unknown>;
  /** Secret option values. */
  secrets: Record<string, unknown>;
  /** The session being replaced on reauthentication, when there is one. */
  previous?: ProviderSession;
  /**
   * Show a message to the person: a device code or a URL (interactive methods), or a note on a
   * sign-in that succeeds (the profile picked, a permission that is missing). Never a secret.
   */
  notify?: (message: string) => void;
  /**
   * Ask the person for a value the sign-in found it needs (an MFA code from the device the
   * service named). Present only when someone can answer (a terminal); otherwise fail and say
   * which option to give. Core stops the deadline's clock while the person answers, and
   * treats answers to `secret` questions as secrets (redacted wherever text is relayed).
   */
  ask?: (question: SignInQuestion) => Promise<string>;
  /**
   * Aborted when core's deadline for the sign-in passes (non-interactive methods): hand it to
   * the SDK's requests. Core stops waiting at the deadline either way.
   */
  signal?: AbortSignal;
}

/** What core passes along with a fetch. */
export interface FetchOptions {
  /**
   * Aborted when core's deadline for this call passes (`ctx.requestTimeoutMs`): hand it to
   * the SDK's requests so their sockets close. Core stops waiting at the deadline either way.
   */
  signal?: AbortSignal;
}

export interface FetchRequest {
  /** Opaque id; the result for this request carries the same id. */
  id: string;
  reference: ParsedReference;
  /** Version to fetch; undefined means the current one. */
  version?: string;
  /**
   * The link's own options (`linkOptions`), as `parseLinkOptions` returned them; absent when
   * the link has none.
   */
  options?: Record<string, string>;
}

export type FetchResult =
  | {
      id: string;
      ok: true;
      value: string | Uint8Array;
      version?: string;
      /**
       * At most this long in the cache (ms), for values that change on their own schedule
       * (one-time codes). 0 means never cache. Absent: the vault's cache time applies.
       */
      cacheTtlMs?: number;
    }
  | {
      id: string;
      ok: false;
      code: ProviderErrorCode;
      /** Names what failed and never contains a secret value. */
      message: string;
      hint?: string;
      details?: Record<string, unknown>;
    };

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export interface ProviderContext {
  integration: {
    id: string;
    authMethod: string;
    settings: Record<string, unknown>;
  };
  /** The stored session; undefined before the first `authenticate`. */
  session?: ProviderSession;
  /** Options the host gave this plugin in its config (`plugins: [[name, options]]`). */
  pluginOptions: Record<string, unknown>;
  /**
   * How long one call (a fetch of a batch, a sign-in) may take, in ms: the integration's
   * `timeoutSeconds`, else the plugin option, else 30 s, parsed by core. Give it to the SDK
   * as its request timeout; core cuts the call off at this deadline regardless.
   */
  requestTimeoutMs: number;
  /**
   * At most this many requests in flight in one fetch: the integration's `concurrency`, else
   * the plugin option, parsed by core (a whole number from 1 to 64). Undefined when neither is
   * set: use the provider's own default. Never parse `concurrency` from the settings yourself.
   */
  concurrency?: number;
  logger: Logger;
  clock: Clock;
  /** Persist a refreshed session (a renewed token, a re-login). */
  saveSession(session: ProviderSession): Promise<void>;
}

/** A team role, as the provider's own access control decides it. */
export type TeamRole = "member" | "admin" | "super-admin";

/**
 * The shared setup of a team integration: the auth method members sign in with and the
 * non-secret settings everyone uses. Never credentials.
 */
export interface TeamSetup {
  authMethod: string;
  settings: Record<string, unknown>;
}

/**
 * Where a team integration's setup is published, guarded by the provider's own access control
 * (HashiCorp: a KV path and Vault's policies). Whoever the provider lets write the setup is an
 * admin; nothing local decides it. Every call uses the signed-in session.
 */
export interface TeamAuthority {
  /** Where the setup lives, for messages ("secret/vaultlink/team at https://vault…"). */
  readonly location: string;
  /**
   * The settings a team setup decides. One a published setup leaves out is removed from the
   * member's settings (its default applies again) instead of lingering from an older setup.
   */
  readonly shared?: readonly string[];
  /** The published setup; undefined when there is none (never published, or removed). */
  read(): Promise<TeamSetup | undefined>;
  /** Create or replace the setup (admins). */
  publish(setup: TeamSetup): Promise<void>;
  /** Remove the setup for everyone (admins). */
  remove(): Promise<void>;
  /** The signed-in person's role, asked of the provider. */
  role(): Promise<TeamRole>;
}

export interface ProviderInstance {
  /** Sign in with an auth method; throw a VaultlinkError (AUTH_FAILED, UNREACHABLE…) on failure. */
  authenticate(input: AuthenticateInput): Promise<ProviderSession>;
  /** Team providers: the published team setup and the role the provider grants. */
  readonly team?: TeamAuthority;
  /** Fetch values; return exactly one result per request, in any order. */
  fetch(requests: readonly FetchRequest[], options?: FetchOptions): Promise<FetchResult[]>;
  /**
   * End the stored session at the service before core forgets it (sign-out, disconnect): for
   * example revoke a token this plugin obtained by logging in. Resolve true when the session
   * was ended (or no longer works anyway), false when there is nothing of ours to end (a
   * token the person gave stays theirs). Optional. Core gives it the integration's deadline;
   * a failure is reported to the person and never stops the sign-out.
   */
  endSession?(signal: AbortSignal): Promise<boolean>;
  /**
   * Keep the session working ahead of use: renew or refresh it now when it is due (a token
   * two thirds into its TTL), saving what changed through `ctx.saveSession`. Long-lived hosts
   * (the agent) call it on a timer; one-shot processes never do. Resolve with when it should be
   * called next (`ctx.clock` ms), when known. Throw core's AUTH_EXPIRED only when the session
   * really cannot go on. Optional.
   */
  refreshSession?(signal: AbortSignal): Promise<{ nextAt?: number | undefined } | undefined>;
  /** Release clients, timers and sockets. */
  dispose(): Promise<void> | void;
}

export interface ProviderDefinitionInput {
  apiVersion: 1;
  /** From the plugin's package.json. */
  meta: { name: string; version: string };
  /** Short id used in commands and links ("aws"). Lowercase letters, digits and '-'. */
  id: string;
  title: string;
  /** "team" when an admin sets it up for everyone (HashiCorp); default "personal". */
  scope?: "personal" | "team";
  authMethods: readonly AuthMethod[];
  /** Settings common to every auth method (region, address…). */
  settings?: readonly OptionSpec[];
  capabilities: ProviderCapabilities;
  /** Examples of valid references, shown in help and errors. */
  referenceExamples: readonly string[];
  /**
   * Validate and normalise a reference without network access. Throw INVALID_REFERENCE.
   * `context.settings` holds the integration's settings when there is one (linking, fetching),
   * so a reference can be checked against them (a cloud, a custom host).
   */
  parseReference(input: string, context?: { settings: Record<string, unknown> }): ParsedReference;
  /**
   * Validate and normalise a version a link names (`--version`), without network access, for
   * providers with `capabilities.versions`. Throw INVALID_REFERENCE naming the accepted forms.
   * Core calls it when a link is made and before every fetch, so `fetch` only ever receives a
   * version this accepted. Absent: any non-blank text is passed on as it is.
   */
  parseVersion?(input: string, context?: { settings: Record<string, unknown> }): string;
  /**
   * Options one link may carry besides its reference, version and JSON key (AWS: a role to
   * assume for that secret). Hosts offer them where a link is made (the CLI: `secret link
   * --<kebab-case name>`); they are stored with the link and handed to `fetch` as
   * `FetchRequest.options`. String options only, never secret ones.
   */
  linkOptions?: readonly OptionSpec[];
  /**
   * Validate and normalise a link's options without network access (only names from
   * `linkOptions` reach it). Throw INVALID_REFERENCE naming the option and the accepted form. Core
   * calls it when a link is made and before every fetch. Absent: non-blank values pass as given.
   */
  parseLinkOptions?(
    options: Record<string, string>,
    context?: { settings: Record<string, unknown> },
  ): Record<string, string>;
  /** Build an instance. Import SDKs lazily inside, never at module top level. */
  create(ctx: ProviderContext): ProviderInstance | Promise<ProviderInstance>;
  /**
   * Team providers: prepare the provider's side for a team (auth methods, policies…), run by
   * a host's admin setup command. Optional.
   */
  adminSetup?: AdminSetup;
}

export interface AdminSetupInput {
  /** Option values (settings and secrets) after the host gathered them. */
  options: Record<string, unknown>;
  /** Print every request that would change something, change nothing. */
  dryRun: boolean;
  /** One line of progress for the person. Never a secret. */
  notify(line: string): void;
}

export interface AdminSetupResult {
  /** Requests that changed something (dry run: that would have). */
  changes: string[];
  /** The values members need, in the order to show them. */
  values: { label: string; value: string }[];
  /** The team setup members join (what a join code carries). */
  join: TeamSetup;
}

export interface AdminSetup {
  title: string;
  description?: string;
  /** Inputs, like an auth method's; `env` names the environment variable a host reads. */
  options: readonly OptionSpec[];
  run(input: AdminSetupInput): Promise<AdminSetupResult>;
}

export interface ProviderDefinition extends ProviderDefinitionInput {
  readonly brand: typeof PROVIDER_BRAND;
}
