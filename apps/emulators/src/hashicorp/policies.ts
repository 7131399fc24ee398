export type Capability =
  | "create"
  | "read"
  | "update"
  | "patch"
  | "delete"
  | "list"
  | "sudo"
  | "deny";

export const CAPABILITIES: readonly Capability[] = [
  "create",
  "read",
  "update",
  "patch",
  "delete",
  "list",
  "sudo",
  "deny",
];

/**
 * A Vault ACL policy reduced to its path rules. A `*` at the end of a pattern is a prefix glob,
 * a `+` segment stands for exactly one path segment.
 */
export interface VaultPolicy {
  paths: Record<string, Capability[]>;
}

/** What Vault's built-in "default" policy grants that the emulator serves. */
export const DEFAULT_POLICY: VaultPolicy = {
  paths: {
    "auth/token/lookup-self": ["read"],
    "auth/token/renew-self": ["update"],
    "auth/token/revoke-self": ["update"],
    "sys/capabilities-self": ["update"],
    "identity/oidc/provider/+/authorize": ["read", "update"],
    "cubbyhole/*": ["create", "read", "update", "delete", "list"],
  },
};

/** The HCL text the emulator reports for the default policy. */
export const DEFAULT_POLICY_TEXT = Object.entries(DEFAULT_POLICY.paths)
  .map(([path, caps]) => `path "${path}" {\n  capabilities = ${JSON.stringify(caps)}\n}\n`)
  .join("\n");

/** Does the pattern cover `path`? `+` is one whole segment; a trailing `*` matches any rest. */
export function covers(pattern: string, path: string): boolean {
  const glob = pattern.endsWith("*");
  const fixed = glob ? pattern.slice(0, -1) : pattern;
  const patternParts = fixed.split("/");
  const pathParts = path.split("/");
  if (!glob && patternParts.length !== pathParts.length) return false;
  if (glob && pathParts.length < patternParts.length) return false;
  return patternParts.every((part, i) => {
    const actual = pathParts[i] as string;
    if (part === "+") return true;
    const last = i === patternParts.length - 1;
    return glob && last ? actual.startsWith(part) : actual === part;
  });
}

function firstWildcard(pattern: string): number {
  const parts = pattern.split("/");
  const plus = parts.indexOf("+");
  const plusAt =
    plus === -1 ? Infinity : plus === 0 ? 0 : parts.slice(0, plus).join("/").length + 1;
  const starAt = pattern.endsWith("*") ? pattern.length - 1 : Infinity;
  return Math.min(plusAt, starAt);
}

const plusCount = (pattern: string) => pattern.split("/").filter((p) => p === "+").length;

/**
 * Vault's priority between two patterns that both match a path (negative: `a` is lower).
 * Lower when: the first wildcard comes earlier; it ends in `*` and the other does not; it has
 * more `+` segments; it is shorter; it is smaller lexicographically. An exact pattern (no
 * wildcard) beats every wildcard one.
 */
export function comparePriority(a: string, b: string): number {
  const wa = firstWildcard(a);
  const wb = firstWildcard(b);
  if (wa !== wb) return wa < wb ? -1 : 1;
  const ga = a.endsWith("*");
  const gb = b.endsWith("*");
  if (ga !== gb) return ga ? -1 : 1;
  const pa = plusCount(a);
  const pb = plusCount(b);
  if (pa !== pb) return pa > pb ? -1 : 1;
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

interface StoredPolicy {
  policy: VaultPolicy;
  /** The text it was written with (HCL or JSON); generated for policies made from objects. */
  text: string;
}

const textOf = (policy: VaultPolicy) =>
  Object.entries(policy.paths)
    .map(([path, caps]) => `path "${path}" {\n  capabilities = ${JSON.stringify(caps)}\n}\n`)
    .join("\n");

/**
 * Named ACL policies. A token's policies are merged as Vault merges them: capabilities of the
 * same pattern add up across policies, then the single highest-priority pattern matching the
 * request path decides; `deny` in it wins.
 */
export class PolicyStore {
  #policies = new Map<string, StoredPolicy>();

  constructor() {
    this.clear();
  }

  set(name: string, policy: VaultPolicy, text?: string): void {
    if (name === "root") throw new Error('the "root" policy is built in');
    this.#policies.set(name, {
      policy: { paths: { ...policy.paths } },
      text: text ?? textOf(policy),
    });
  }

  get(name: string): StoredPolicy | undefined {
    return this.#policies.get(name);
  }

  delete(name: string): void {
    this.#policies.delete(name);
  }

  names(): string[] {
    return ["root", ...[...this.#policies.keys()].filter((n) => n !== "root")].sort();
  }

  clear(): void {
    this.#policies.clear();
    this.#policies.set("default", { policy: DEFAULT_POLICY, text: DEFAULT_POLICY_TEXT });
  }

  /**
   * The capabilities the named policies give on `path` (sorted, as capabilities-self reports
   * them): ["root"] for a root token, ["deny"] when nothing matches or the match denies.
   */
  capabilities(policyNames: string[], path: string): string[] {
    if (policyNames.includes("root")) return ["root"];
    const merged = new Map<string, Set<Capability>>();
    for (const name of policyNames) {
      const stored = this.#policies.get(name);
      if (!stored) continue;
      for (const [pattern, caps] of Object.entries(stored.policy.paths)) {
        if (!covers(pattern, path)) continue;
        const set = merged.get(pattern) ?? new Set<Capability>();
        for (const cap of caps) set.add(cap);
        merged.set(pattern, set);
      }
    }
    let best: string | undefined;
    for (const pattern of merged.keys()) {
      if (best === undefined || comparePriority(pattern, best) > 0) best = pattern;
    }
    const caps = best === undefined ? undefined : merged.get(best);
    if (!caps || caps.size === 0 || caps.has("deny")) return ["deny"];
    return [...caps].sort();
  }

  /**
   * Whether the policies give any access inside a mount (Vault's check for
   * `sys/internal/ui/mounts/<path>`): a rule that is not a plain deny on a path in the mount,
   * or a glob reaching into it.
   */
  hasMountAccess(policyNames: string[], mountPath: string): boolean {
    if (policyNames.includes("root")) return true;
    for (const name of policyNames) {
      const stored = this.#policies.get(name);
      if (!stored) continue;
      for (const [pattern, caps] of Object.entries(stored.policy.paths)) {
        if (caps.length === 0 || caps.includes("deny")) continue;
        if (pattern.startsWith(mountPath) || covers(pattern, `${mountPath}x`)) {
          const probe = pattern.startsWith(mountPath)
            ? pattern.replace(/\*$/, "x").replace(/(^|\/)\+(?=\/|$)/g, "$1x")
            : `${mountPath}x`;
          if (!this.capabilities(policyNames, probe).includes("deny")) {
            return true;
          }
        }
      }
    }
    return false;
  }

  /** Whether the policies grant one of `capability` on `path` (and `sudo` too when asked). */
  allows(
    policyNames: string[],
    path: string,
    capability: Capability | Capability[],
    options: { sudo?: boolean } = {},
  ): boolean {
    const caps = this.capabilities(policyNames, path);
    if (caps[0] === "root") return true;
    if (caps[0] === "deny") return false;
    if (options.sudo && !caps.includes("sudo")) return false;
    const wanted = Array.isArray(capability) ? capability : [capability];
    return wanted.some((cap) => caps.includes(cap));
  }
}
