import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FileVaultStore } from "../../src/vault/index.js";
import { secret, tempDir } from "./helpers.js";

/*
 * Storage is prototype-safe whatever names reach it (the name rules refuse these at add time,
 * but a vault written before them, an import or an embedder's own change may hold them): a
 * record named like an Object.prototype key is stored, written and read back like any other,
 * and looking up an absent one finds nothing.
 */

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterEach(async () => {
  await cleanup();
});

const CTOR: string = "constructor";
const PROTO: string = "__proto__";
const SPECIAL = ["__proto__", "constructor", "prototype", "toString", "hasOwnProperty"];

describe("names that are Object.prototype keys", () => {
  it("are kept as secrets, integrations and renames across writes and reopening", async () => {
    const store = new FileVaultStore({ home: dir });
    const { vaultKey, session } = await store.create();
    // Absent names find nothing, not Object.prototype's members.
    const empty = await session.read();
    for (const name of SPECIAL) {
      expect(empty.secrets[name]).toBeUndefined();
      expect(empty.integrations[name]).toBeUndefined();
    }
    await session.update((doc) => {
      for (const name of SPECIAL) doc.secrets[name] = secret(name, `value-of-${name}`);
      doc.secrets.plain = secret("plain", "p");
    });
    await session.update((doc) => {
      // As the engine makes it (rememberRename): a map without a prototype.
      doc.renames = Object.create(null) as Record<string, string>;
      doc.renames[PROTO] = "plain";
      doc.integrations[CTOR] = {
        id: "constructor",
        provider: "memory",
        scope: "personal",
        authMethod: "none",
        settings: {},
        status: "connected",
        connectedAt: "2024-01-01T00:00:00.000Z",
        updatedAt: "2024-01-01T00:00:00.000Z",
      };
    });
    const reopened = await (await new FileVaultStore({ home: dir }).open(vaultKey)).read();
    expect(Object.keys(reopened.secrets).sort()).toEqual([...SPECIAL, "plain"].sort());
    for (const name of SPECIAL) {
      expect(Object.hasOwn(reopened.secrets, name)).toBe(true);
      expect(reopened.secrets[name]?.value).toBe(`value-of-${name}`);
    }
    expect(Object.getPrototypeOf(reopened.secrets)).toBeNull();
    expect(reopened.integrations[CTOR]?.provider).toBe("memory");
    expect(Object.entries(reopened.renames ?? {})).toEqual([["__proto__", "plain"]]);
    // Changing and deleting them works like any other name.
    await session.update((doc) => {
      const record = doc.secrets[PROTO];
      if (record) record.value = "changed";
      delete doc.secrets[CTOR];
    });
    const after = await (await new FileVaultStore({ home: dir }).open(vaultKey)).read();
    expect(after.secrets[PROTO]?.value).toBe("changed");
    expect(Object.hasOwn(after.secrets, "constructor")).toBe(false);
    expect(Object.keys(after.secrets)).toHaveLength(SPECIAL.length);
  });
});
