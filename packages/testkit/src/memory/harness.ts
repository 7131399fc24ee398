import type { ConformanceFixtures, ConformanceHarness } from "../conformance/types.js";
import {
  createMemoryProvider,
  type MemoryProvider,
  type MemoryProviderOptions,
} from "./provider.js";

const CONFORMANCE_TOKEN = "memory-conformance-token";

/** References and values the memory harness seeds; also a worked example of fixtures. */
export const memoryFixtures = {
  validReferences: ["mem://db/password", "MEM://api-key", "mem://svc.v2/token_1", "mem://app#3"],
  invalidReferences: [
    "",
    "db/password",
    "mem://",
    "mem://has space",
    "mem://a//b",
    "mem:///leading-slash",
    "https://example.com/secret",
    "mem://name#",
  ],
  secrets: [
    { reference: "mem://db/password", value: "pw-7Hq!x9-db" },
    { reference: "mem://api-key", value: "ak_live_5f2c9e" },
    { reference: "mem://svc.v2/token_1", value: "tök€n-ünïcode-✓" },
  ],
  missingReference: "mem://does/not/exist",
  json: {
    reference: "mem://app/config",
    key: "db.password",
    expected: "json-nested-pw",
  },
  versions: [
    { reference: "mem://rotated", version: "1", value: "rotated-first" },
    { reference: "mem://rotated", version: "2", value: "rotated-second" },
  ],
} satisfies ConformanceFixtures;

const JSON_VALUE = JSON.stringify({
  db: { user: "app", password: memoryFixtures.json.expected },
  port: 5432,
});

export interface MemoryHarness extends ConformanceHarness {
  /** The memory provider behind the harness, for assertions on calls and the store. */
  memory: MemoryProvider;
}

/**
 * A conformance harness over a fresh memory provider seeded with `memoryFixtures`.
 * Pass it as the factory: `describeProviderConformance(t, memoryHarness, memoryFixtures)`.
 */
export async function memoryHarness(options: MemoryProviderOptions = {}): Promise<MemoryHarness> {
  const memory = createMemoryProvider({
    ...options,
    tokens: [...(options.tokens ?? ["memory-token"]), CONFORMANCE_TOKEN],
  });
  seedMemoryFixtures(memory);
  return {
    memory,
    provider: memory.provider,
    authenticate: { method: "token", settings: {}, secrets: { token: CONFORMANCE_TOKEN } },
    faults: {
      expireCredentials: async () => memory.faults.expireCredentials(),
      denyPermission: async () => memory.faults.failAlways("PERMISSION_DENIED"),
      throttle: async () => memory.faults.failAlways("THROTTLED"),
      makeUnreachable: async () => memory.faults.failAlways("UNREACHABLE"),
      clear: async () => memory.faults.clear(),
    },
  };
}

/** Put the fixture secrets, JSON value and versions into a memory provider's store. */
export function seedMemoryFixtures(memory: MemoryProvider): void {
  const name = (reference: string) => reference.slice("mem://".length);
  for (const { reference, value } of memoryFixtures.secrets)
    memory.store.set(name(reference), value);
  memory.store.set(name(memoryFixtures.json.reference), JSON_VALUE);
  for (const { reference, version, value } of memoryFixtures.versions) {
    memory.store.set(name(reference), value, { version });
  }
}
