import { randomInt } from "node:crypto";
import * as sdk from "@1password/sdk";
import type { ClientConfiguration, SdkClientFactory } from "../../src/index.js";

/**
 * A stand-in for 1Password's servers behind the real SDK: the SDK's exported `Client` wrapped
 * around a fake inner core (the SDK's injection point for its core). The SDK's own JavaScript builds the
 * invocations, parses the JSON answers and raises its own error classes; only the WASM core
 * (which would talk to 1Password.com) is replaced by an in-test dataset.
 */

export interface FakeField {
  label: string;
  value?: string;
  id?: string;
  section?: string;
  /** "otp" fields answer ?attribute=otp with `code`; "sshKey" fields ?ssh-format=openssh with `openssh`. */
  type?: "text" | "concealed" | "otp" | "sshKey";
  code?: string;
  openssh?: string;
}

export interface FakeItem {
  title: string;
  id?: string;
  sections?: { label: string; id?: string }[];
  fields: FakeField[];
}

export interface FakeVault {
  name: string;
  id?: string;
  items: FakeItem[];
}

type ResolveError = { type: string; message?: string };
type Resolved =
  | { content: { secret: string; itemId: string; vaultId: string } }
  | { error: ResolveError };

export type FakeFault = "auth-expired" | "forbidden" | "rate-limited" | "unreachable";

/** What 1Password's SDK core says for each fault (the messages its core raises). */
const FAULT_ERRORS: Record<FakeFault, string> = {
  "auth-expired": JSON.stringify({ name: "AuthExpired", message: "the session has expired" }),
  "rate-limited": JSON.stringify({ name: "RateLimitExceeded", message: "rate limit exceeded" }),
  forbidden: JSON.stringify({
    name: "Other",
    message: "authentication error: you don't have the right permissions to access this resource",
  }),
  unreachable:
    "authentication error: request library compatibility issue, check that the your environment uses compatible versions: reqwest library: error sending request",
};

export function newFakeId(): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  return Array.from({ length: 26 }, () => alphabet[randomInt(alphabet.length)]).join("");
}

export interface FakeOnePassword {
  /** Pass as pluginOptions.sdkClientFactory. */
  factory: SdkClientFactory;
  /** Tokens the fake accepts at sign-in. */
  tokens: Set<string>;
  /** Invocations by name ("SecretsResolveAll"…), counted by the fake core. */
  invocations: Map<string, number>;
  /** The reference lists passed to each SecretsResolveAll call. */
  resolveAllCalls: string[][];
  /** Configurations the factory was given (auth is a token string or a DesktopAuth). */
  configs: ClientConfiguration[];
  /** Every fetch and sign-in fails this way until `clear()`. */
  fault: FakeFault | undefined;
  /** The next `times` invocations fail with `fault`; later ones work again. */
  failNext(fault: FakeFault, times: number): void;
  /** Clients signed in before now fail AuthExpired, for good. */
  expireSessions(): void;
  clear(): void;
  vaults: Required<FakeVault>[];
}

export function createFakeOnePassword(vaults: FakeVault[]): FakeOnePassword {
  const data = vaults.map((v) => ({
    name: v.name,
    id: v.id ?? newFakeId(),
    items: v.items.map((i) => {
      const sections = (i.sections ?? []).map((s) => ({ label: s.label, id: s.id ?? newFakeId() }));
      return {
        ...i,
        id: i.id ?? newFakeId(),
        sections,
        fields: i.fields.map((f) => ({ ...f, id: f.id ?? newFakeId() })),
      };
    }),
  }));
  let nextClientId = 1;
  let expiredUpTo = 0;
  const pending: FakeFault[] = [];
  const fake: FakeOnePassword = {
    tokens: new Set(),
    invocations: new Map(),
    resolveAllCalls: [],
    configs: [],
    fault: undefined,
    vaults: data,
    expireSessions: () => {
      expiredUpTo = nextClientId - 1;
    },
    failNext: (fault, times) => {
      for (let i = 0; i < times; i++) pending.push(fault);
    },
    clear: () => {
      fake.fault = undefined;
      pending.length = 0;
    },
    factory: async (config) => {
      fake.configs.push(config);
      if (fake.fault === "unreachable" || fake.fault === "rate-limited") {
        sdk.throwError(FAULT_ERRORS[fake.fault]);
      }
      if (typeof config.auth === "string" && !fake.tokens.has(config.auth)) {
        throw new Error("authentication error: you are not authenticated");
      }
      const id = nextClientId++;
      const inner = {
        id,
        invoke: async (cfg: {
          invocation: { parameters: { name: string; parameters: Record<string, unknown> } };
        }): Promise<string> => {
          const { name, parameters } = cfg.invocation.parameters;
          fake.invocations.set(name, (fake.invocations.get(name) ?? 0) + 1);
          const fault = pending.shift() ?? fake.fault;
          if (fault) sdk.throwError(FAULT_ERRORS[fault]);
          if (id <= expiredUpTo) sdk.throwError(FAULT_ERRORS["auth-expired"]);
          if (name === "SecretsResolveAll") {
            const refs = parameters.secret_references as string[];
            fake.resolveAllCalls.push([...refs]);
            const individualResponses: Record<string, Resolved> = {};
            for (const ref of refs) individualResponses[ref] = resolve(data, ref);
            return JSON.stringify({ individualResponses });
          }
          if (name === "SecretsResolve") {
            const answer = resolve(data, parameters.secret_reference as string);
            if ("error" in answer)
              throw new Error(`error resolving secret reference: ${answer.error.type}`);
            return JSON.stringify(answer.content.secret);
          }
          throw new Error(`the fake 1Password core does not implement ${name}`);
        },
      };
      // The SDK's Client takes its inner client as constructor argument; only the shape matters.
      return new sdk.Client(inner as unknown as ConstructorParameters<typeof sdk.Client>[0]);
    },
  };
  return fake;
}

const same = (a: string, b: string) => a === b || a.toLowerCase() === b.toLowerCase();

/** 1Password's matching rules: names without regard to case, or ids; several matches are ambiguous. */
function resolve(vaults: Required<FakeVault>[], reference: string): Resolved {
  const fail = (type: string, message?: string): Resolved => ({
    error: message ? { type, message } : { type },
  });
  if (!reference.startsWith("op://")) {
    return fail("parsing", 'secret reference is not prefixed with "op://"');
  }
  const [path = "", query] = reference.slice(5).split("?");
  const parts = path.split("/");
  if (parts.length < 3 || parts.length > 4 || parts.some((p) => p === "")) {
    return fail("parsing", "secret reference has invalid format");
  }
  const [vaultQ, itemQ] = parts as [string, string];
  const sectionQ = parts.length === 4 ? parts[2] : undefined;
  const fieldQ = parts[parts.length - 1] as string;

  const vaultHits = vaults.filter((v) => v.id === vaultQ || same(v.name, vaultQ));
  if (vaultHits.length === 0) return fail("vaultNotFound");
  if (vaultHits.length > 1) return fail("tooManyVaults");
  const vault = vaultHits[0] as (typeof vaults)[number];
  const itemHits = vault.items.filter((i) => i.id === itemQ || same(i.title, itemQ));
  if (itemHits.length === 0) return fail("itemNotFound");
  if (itemHits.length > 1) return fail("tooManyItems");
  const item = itemHits[0] as Required<FakeItem>;
  let fields = item.fields;
  if (sectionQ !== undefined) {
    const sections = item.sections.filter((s) => s.id === sectionQ || same(s.label, sectionQ));
    if (sections.length === 0) return fail("noMatchingSections");
    const labels = new Set(sections.flatMap((s) => [s.label, s.id]));
    fields = fields.filter((f) => f.section !== undefined && labels.has(f.section));
  }
  const fieldHits = fields.filter((f) => f.id === fieldQ || same(f.label, fieldQ));
  if (fieldHits.length === 0) return fail("fieldNotFound");
  if (fieldHits.length > 1) return fail("tooManyMatchingFields");
  const field = fieldHits[0] as FakeField;
  let secret = field.value ?? "";
  if (query === "attribute=otp" || query === "attribute=totp") {
    if (field.type !== "otp") return fail("incompatibleTOTPQueryParameterField");
    secret = field.code ?? "";
  } else if (query === "ssh-format=openssh") {
    if (field.type !== "sshKey") return fail("incompatibleSshKeyQueryParameterField");
    secret = field.openssh ?? "";
  } else if (query !== undefined) {
    return fail("parsing", "invalid query parameter key");
  }
  return { content: { secret, itemId: item.id, vaultId: vault.id } };
}
