import { vaultlinkError } from "../errors/index.js";
import type { TeamSetup } from "../plugin/contract.js";

/**
 * A join code: what a member needs to find and sign in to a team's setup, and nothing secret
 * (an address, a namespace, where the setup lives, the auth method and its public settings).
 * `vlj1.` + base64url of a small JSON object, short enough to paste in a chat or commit to a
 * repository; the same object as JSON is a join file.
 */
export interface JoinInfo {
  provider: string;
  setup: TeamSetup;
}

const PREFIX = "vlj1.";
const MAX_LENGTH = 4096;

/** Settings never carried by a join code, whatever a provider hands in. */
const SECRET_LIKE = /(token|secret|password|jwt|key)$/i;

function clean(settings: Record<string, unknown>): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(settings)) {
    if (SECRET_LIKE.test(k) && k !== "caCert") continue;
    if (typeof v === "string" ? v !== "" : typeof v === "number" || typeof v === "boolean")
      out[k] = v as string | number | boolean;
  }
  return out;
}

/** The JSON object of a join file. */
export function joinFileObject(info: JoinInfo): Record<string, unknown> {
  return {
    vaultlinkJoin: 1,
    provider: info.provider,
    authMethod: info.setup.authMethod,
    settings: clean(info.setup.settings),
  };
}

export function encodeJoinCode(info: JoinInfo): string {
  return PREFIX + Buffer.from(JSON.stringify(joinFileObject(info))).toString("base64url");
}

function invalid(why: string): Error {
  return vaultlinkError("INVALID_JOIN_CODE", `The join code or file cannot be used: ${why}.`, {
    hint: "Ask your team admin for the join code (vlj1.…) or the join file printed by vaultlink integration setup / connect.",
  });
}

/** Read a join code (`vlj1.…`) or the text of a join file (JSON). */
export function decodeJoinCode(text: string): JoinInfo {
  const trimmed = text.trim();
  if (trimmed.length > MAX_LENGTH) throw invalid(`it is longer than ${MAX_LENGTH} characters`);
  let json: string;
  if (trimmed.startsWith(PREFIX)) {
    const body = trimmed.slice(PREFIX.length);
    if (!/^[A-Za-z0-9_-]+$/.test(body)) throw invalid("it has characters a join code never has");
    json = Buffer.from(body, "base64url").toString("utf8");
  } else if (trimmed.startsWith("{")) json = trimmed;
  else throw invalid('it neither starts with "vlj1." nor is a JSON join file');
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw invalid("it is not valid JSON inside");
  }
  const v = value as Record<string, unknown> | null;
  if (!v || typeof v !== "object" || v.vaultlinkJoin !== 1)
    throw invalid("it is not a vaultlink join code (version 1)");
  if (typeof v.provider !== "string" || !/^[a-z0-9][a-z0-9-]*$/.test(v.provider))
    throw invalid("it names no provider");
  if (typeof v.authMethod !== "string" || v.authMethod === "")
    throw invalid("it names no auth method");
  const settings = v.settings;
  if (!settings || typeof settings !== "object" || Array.isArray(settings))
    throw invalid('"settings" must be an object');
  return {
    provider: v.provider,
    setup: { authMethod: v.authMethod, settings: clean(settings as Record<string, unknown>) },
  };
}
