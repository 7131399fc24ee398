import { vaultlinkError } from "../errors/index.js";
import type { AuthMethod, OptionSpec, ProviderDefinition } from "../plugin/contract.js";
import { withCoreSettings } from "../plugin/define-provider.js";

/** Find an auth method by id, or the provider's first when none is given. */
export function pickAuthMethod(
  provider: ProviderDefinition,
  methodId: string | undefined,
): AuthMethod {
  const method = methodId
    ? provider.authMethods.find((m) => m.id === methodId)
    : provider.authMethods[0];
  if (!method) {
    throw vaultlinkError("INVALID_INPUT", `${provider.title} has no auth method "${methodId}".`, {
      hint: `Methods: ${provider.authMethods.map((m) => m.id).join(", ")}.`,
      provider: provider.id,
    });
  }
  return method;
}

/**
 * Check option values against the specs of the provider's settings and the auth method, and
 * split them into non-secret settings and secrets. Unknown options are refused.
 */
export function splitOptions(
  provider: ProviderDefinition,
  method: AuthMethod,
  values: Record<string, unknown>,
  options: { enforceRequired?: boolean; applyDefaults?: boolean } = {},
): { settings: Record<string, unknown>; secrets: Record<string, unknown> } {
  // Core's settings too, for a provider defined by another copy of core.
  const specs: OptionSpec[] = [...withCoreSettings(provider.settings), ...method.options];
  const byName = new Map(specs.map((s) => [s.name, s]));
  const settings: Record<string, unknown> = {};
  const secrets: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(values)) {
    if (raw === undefined) continue;
    const spec = byName.get(name);
    if (!spec) {
      throw vaultlinkError(
        "INVALID_INPUT",
        `${provider.title} (${method.id}) has no option "${name}".`,
        {
          hint: `Options: ${specs.map((s) => s.name).join(", ") || "none"}.`,
          provider: provider.id,
        },
      );
    }
    (spec.secret ? secrets : settings)[name] = coerce(provider, spec, raw);
  }
  for (const spec of specs) {
    const target = spec.secret ? secrets : settings;
    if (
      (options.applyDefaults ?? true) &&
      target[spec.name] === undefined &&
      spec.default !== undefined
    )
      target[spec.name] = spec.default;
    const enforce = options.enforceRequired ?? true;
    if (enforce && spec.required && (target[spec.name] === undefined || target[spec.name] === "")) {
      throw vaultlinkError(
        "INVALID_INPUT",
        `${provider.title} (${method.id}) needs "${spec.name}" (${spec.title}).`,
        {
          hint: spec.secret
            ? `It is secret: it is asked for at the prompt, or read from ${spec.env ?? "stdin"}.`
            : `Pass it as --${spec.name} <value>.`,
          provider: provider.id,
        },
      );
    }
  }
  return { settings, secrets };
}

function coerce(provider: ProviderDefinition, spec: OptionSpec, raw: unknown): unknown {
  const bad = (what: string) =>
    vaultlinkError("INVALID_INPUT", `Option "${spec.name}" of ${provider.title} ${what}.`, {
      provider: provider.id,
      hint: spec.choices
        ? `Choose one of: ${spec.choices.join(", ")}.`
        : spec.type === "number" || spec.type === "integer"
          ? numberHint(spec)
          : (spec.description ?? ""),
    });
  switch (spec.type) {
    case "string":
      if (typeof raw !== "string") throw bad("must be text");
      if (spec.pattern !== undefined && !new RegExp(`^(?:${spec.pattern})$`, "u").test(raw))
        throw bad(
          spec.secret
            ? "does not have the expected form"
            : `does not have the expected form ("${raw.slice(0, 60)}")`,
        );
      return raw;
    case "number":
    case "integer": {
      const n =
        typeof raw === "number"
          ? raw
          : typeof raw === "string" && raw.trim() !== ""
            ? Number(raw)
            : Number.NaN;
      const whole = spec.type === "integer";
      if (!Number.isFinite(n) || (whole && !Number.isInteger(n))) {
        throw bad(`must be ${whole ? "a whole number" : "a number"}, not "${String(raw)}"`);
      }
      if (spec.min !== undefined && n < spec.min)
        throw bad(`must be at least ${spec.min}, not ${n}`);
      if (spec.max !== undefined && n > spec.max)
        throw bad(`must be at most ${spec.max}, not ${n}`);
      return n;
    }
    case "boolean":
      if (typeof raw === "boolean") return raw;
      if (raw === "true" || raw === "yes" || raw === "1") return true;
      if (raw === "false" || raw === "no" || raw === "0") return false;
      throw bad("must be true or false");
    case "enum":
      if (typeof raw !== "string" || !spec.choices?.includes(raw))
        throw bad(`must be one of ${spec.choices?.join(", ")}`);
      return raw;
  }
}

/** "Type a whole number from 1 to 64, for example --concurrency 8." plus the description. */
function numberHint(spec: OptionSpec): string {
  const kind = spec.type === "integer" ? "a whole number" : "a number";
  const range =
    spec.min !== undefined && spec.max !== undefined
      ? ` from ${spec.min} to ${spec.max}`
      : spec.min !== undefined
        ? ` of at least ${spec.min}`
        : spec.max !== undefined
          ? ` of at most ${spec.max}`
          : "";
  const example = typeof spec.default === "number" ? spec.default : (spec.min ?? spec.max ?? 1);
  const about = spec.description ? ` ${spec.description}` : "";
  return `Type ${kind}${range}, for example --${spec.name} ${example}.${about}`;
}

/**
 * The settings of an integration after a reconfiguration: its current settings with `changes`
 * applied, each change checked against the plugin's OptionSpecs (unknown, secret or malformed
 * options refused), and every required setting of `method` present in the result. Only what
 * changes needs to be given; hosts never resend the rest.
 */
export function mergeSettings(
  provider: ProviderDefinition,
  method: AuthMethod,
  current: Readonly<Record<string, unknown>>,
  changes: Record<string, unknown>,
): Record<string, unknown> {
  const { settings, secrets } = splitOptions(provider, method, changes, {
    enforceRequired: false,
    applyDefaults: false,
  });
  const secret = Object.keys(secrets)[0];
  if (secret !== undefined)
    throw vaultlinkError(
      "INVALID_INPUT",
      `"${secret}" of ${provider.title} is secret: it is given when signing in, not configured.`,
      {
        hint: "Sign in again to change it: vaultlink integration reauth <id>.",
        provider: provider.id,
      },
    );
  const merged = { ...current, ...settings };
  for (const spec of [...withCoreSettings(provider.settings), ...method.options]) {
    if (spec.secret || !spec.required) continue;
    if (merged[spec.name] === undefined || merged[spec.name] === "")
      throw vaultlinkError(
        "INVALID_INPUT",
        `${provider.title} (${method.id}) needs "${spec.name}" (${spec.title}).`,
        { hint: `Pass it as --${spec.name} <value>.`, provider: provider.id },
      );
  }
  return merged;
}
