import { parse } from "@cdktf/hcl2json";
import { CAPABILITIES, type Capability, type VaultPolicy } from "./policies.js";

/** A policy text Vault would refuse; the message is what Vault's 400 says. */
export class PolicyParseError extends Error {}

/** The old `policy = "…"` shorthand and the capabilities it stands for. */
const SHORTHAND: Record<string, Capability[]> = {
  deny: ["deny"],
  read: ["read", "list"],
  write: ["create", "read", "update", "delete", "list"],
  sudo: ["create", "read", "update", "delete", "list", "sudo"],
};

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === "object" && !Array.isArray(value);

/**
 * Parse a Vault ACL policy written in HCL (or JSON, as Vault also accepts) into its path rules:
 * `path "<pattern>" { capabilities = [...] }`, or the older `policy = "read"` form. Anything
 * Vault would refuse (bad syntax, unknown capability, a `*` not at the end) throws
 * PolicyParseError.
 */
export async function parsePolicyText(text: string): Promise<VaultPolicy> {
  let tree: unknown;
  const trimmed = text.trim();
  if (trimmed.startsWith("{")) {
    try {
      tree = JSON.parse(trimmed);
    } catch (error) {
      throw new PolicyParseError(`failed to parse policy: ${(error as Error).message}`);
    }
  } else {
    try {
      tree = await parse("policy.hcl", text);
    } catch (error) {
      const message = (error as Error).message.replace(/^parse config: /, "");
      throw new PolicyParseError(`failed to parse policy: ${message}`);
    }
  }
  if (!isObject(tree)) throw new PolicyParseError("failed to parse policy: not an object");
  const paths: Record<string, Capability[]> = {};
  const blocks = tree.path;
  if (blocks === undefined) return { paths };
  if (!isObject(blocks))
    throw new PolicyParseError('failed to parse policy: "path" must be a block');
  for (const [pattern, raw] of Object.entries(blocks)) {
    const bodies = Array.isArray(raw) ? raw : [raw];
    if (pattern.includes("*") && pattern.indexOf("*") !== pattern.length - 1) {
      throw new PolicyParseError(
        `failed to parse policy: path "${pattern}": the glob character "*" may only be at the end`,
      );
    }
    const caps = new Set<Capability>(paths[pattern] ?? []);
    for (const body of bodies) {
      if (!isObject(body)) continue;
      const list = body.capabilities;
      if (list !== undefined) {
        if (!Array.isArray(list)) {
          throw new PolicyParseError(
            `failed to parse policy: path "${pattern}": capabilities must be a list`,
          );
        }
        for (const cap of list) {
          if (!CAPABILITIES.includes(cap as Capability)) {
            throw new PolicyParseError(
              `failed to parse policy: path "${pattern}": invalid capability "${String(cap)}"`,
            );
          }
          caps.add(cap as Capability);
        }
      }
      if (body.policy !== undefined) {
        const shorthand = SHORTHAND[String(body.policy)];
        if (!shorthand) {
          throw new PolicyParseError(
            `failed to parse policy: path "${pattern}": invalid policy "${String(body.policy)}"`,
          );
        }
        for (const cap of shorthand) caps.add(cap);
      }
    }
    paths[pattern] = caps.has("deny") ? ["deny"] : [...caps];
  }
  return { paths };
}
