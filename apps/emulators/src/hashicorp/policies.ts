export type Capability =
  | "create"
  | "read"
  | "update"
  | "patch"
  | "delete"
  | "list"
  | "sudo"
  | "deny";

/** A Vault ACL policy reduced to its path rules; a `*` at the end of a path is a prefix glob. */
export interface VaultPolicy {
  paths: Record<string, Capability[]>;
}

/** Does the rule's path pattern cover `path`? `+` stands for one path segment. */
function covers(pattern: string, path: string): boolean {
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

/** The capabilities of the most specific rule of one policy that covers `path`. */
function rulesFor(policy: VaultPolicy, path: string): Capability[] {
  let best: { pattern: string; caps: Capability[] } | undefined;
  for (const [pattern, caps] of Object.entries(policy.paths)) {
    if (!covers(pattern, path)) continue;
    if (!pattern.endsWith("*")) return caps;
    if (!best || pattern.length > best.pattern.length) best = { pattern, caps };
  }
  return best?.caps ?? [];
}

export class PolicyStore {
  #policies = new Map<string, VaultPolicy>();

  constructor() {
    this.clear();
  }

  set(name: string, policy: VaultPolicy): void {
    if (name === "root") throw new Error('the "root" policy is built in');
    this.#policies.set(name, { paths: { ...policy.paths } });
  }

  clear(): void {
    this.#policies.clear();
    this.#policies.set("default", { paths: {} });
  }

  /** Union of the capabilities the named policies grant on `path`; "deny" anywhere wins. */
  allows(policyNames: string[], path: string, capability: Capability | Capability[]): boolean {
    if (policyNames.includes("root")) return true;
    const granted = new Set<Capability>();
    for (const name of policyNames) {
      const policy = this.#policies.get(name);
      if (policy) for (const cap of rulesFor(policy, path)) granted.add(cap);
    }
    if (granted.has("deny")) return false;
    const wanted = Array.isArray(capability) ? capability : [capability];
    return wanted.some((cap) => granted.has(cap));
  }
}
