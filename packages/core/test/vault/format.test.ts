import { readFile, writeFile } from "node:fs/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { integrationRecordProblem } from "../../src/vault/document-check.js";
import { encodeVaultFile, newVaultHeader } from "../../src/vault/format.js";
import {
  checkVaultDocument,
  emptyDocument,
  FileVaultStore,
  generateVaultKey,
  isSecretRecord,
  type VaultSession,
} from "../../src/vault/index.js";
import { parseVaultKey } from "../../src/vault/key.js";
import { rejectsWithCode, secret, tempDir } from "./helpers.js";

let dir: string;
let cleanup: () => Promise<void>;
let store: FileVaultStore;
let vaultKey: string;
let session: VaultSession;
let original: Buffer;

beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
  store = new FileVaultStore({ home: `${dir}/home` });
  ({ vaultKey, session } = await store.create());
  await session.update((doc) => {
    for (let i = 0; i < 20; i++) doc.secrets[`s${i}`] = secret(`s${i}`, `value-${i}`);
  });
  original = await readFile(store.paths.vaultFile);
});
afterEach(async () => {
  await cleanup();
});

describe("tamper, truncation and wrong key", () => {
  it("refuses 50 random single-byte flips with VAULT_CORRUPT and never writes", async () => {
    const file = store.paths.vaultFile;
    const positions = new Set<number>([0, 4, 5, 36, 37, 41, original.length - 1]);
    while (positions.size < 50) positions.add(Math.floor(Math.random() * original.length));
    for (const position of positions) {
      const damaged = Buffer.from(original);
      damaged[position] = (damaged[position] ?? 0) ^ (1 + Math.floor(Math.random() * 255));
      await writeFile(file, damaged);

      const opened = await rejectsWithCode(store.open(vaultKey), "VAULT_CORRUPT");
      expect(opened.hint).toContain("vault.vlt.bak");
      expect(opened.hint).not.toMatch(/reset|delete|remove/i);
      await rejectsWithCode(session.read(), "VAULT_CORRUPT");
      let ran = false;
      await rejectsWithCode(
        session.update((doc) => {
          ran = true;
          doc.secrets.extra = secret("extra", "x");
        }),
        "VAULT_CORRUPT",
      );
      expect(ran).toBe(false);
      expect(Buffer.compare(await readFile(file), damaged)).toBe(0);

      await writeFile(file, original);
    }
    // Restored: everything works again.
    expect(Object.keys((await store.open(vaultKey).then((s) => s.read())).secrets)).toHaveLength(
      20,
    );
  });

  it("refuses truncated files with VAULT_CORRUPT", async () => {
    const file = store.paths.vaultFile;
    for (const length of [
      0,
      1,
      4,
      5,
      36,
      40,
      41,
      60,
      Math.floor(original.length / 2),
      original.length - 17,
      original.length - 1,
    ]) {
      const cut = original.subarray(0, length);
      await writeFile(file, cut);
      await rejectsWithCode(store.open(vaultKey), "VAULT_CORRUPT");
      await rejectsWithCode(
        session.update(() => {}),
        "VAULT_CORRUPT",
      );
      expect(Buffer.compare(await readFile(file), cut)).toBe(0);
    }
  });

  it("refuses extra trailing bytes with VAULT_CORRUPT", async () => {
    await writeFile(store.paths.vaultFile, Buffer.concat([original, Buffer.from([0])]));
    await rejectsWithCode(store.open(vaultKey), "VAULT_CORRUPT");
  });

  it("tells a wrong key apart (VAULT_WRONG_KEY) and changes nothing", async () => {
    const error = await rejectsWithCode(store.open(generateVaultKey()), "VAULT_WRONG_KEY");
    expect(error.hint).toBeTruthy();
    expect(Buffer.compare(await readFile(store.paths.vaultFile), original)).toBe(0);
    await rejectsWithCode(store.open("not-a-key"), "INVALID_KEY");
  });

  it("an open session refuses to overwrite a vault re-created with another key", async () => {
    const other = new FileVaultStore({ home: `${dir}/other` });
    await other.create();
    const foreign = await readFile(other.paths.vaultFile);
    await writeFile(store.paths.vaultFile, foreign);
    await rejectsWithCode(
      session.update(() => {}),
      "VAULT_WRONG_KEY",
    );
    expect(Buffer.compare(await readFile(store.paths.vaultFile), foreign)).toBe(0);
  });

  it("a decrypted document that breaks the schema is VAULT_CORRUPT", async () => {
    const keyBytes = parseVaultKey(vaultKey);
    const { header, dataKey } = newVaultHeader(keyBytes);
    const broken = { ...emptyDocument(), secrets: { a: { name: "a", value: 42 } } };
    await writeFile(
      store.paths.vaultFile,
      encodeVaultFile(header, dataKey, broken as unknown as ReturnType<typeof emptyDocument>),
    );
    const error = await rejectsWithCode(store.open(vaultKey), "VAULT_CORRUPT");
    expect(error.message).toContain("secrets.a");
    const wrongVersion = { ...emptyDocument(), formatVersion: 2 };
    await writeFile(
      store.paths.vaultFile,
      encodeVaultFile(header, dataKey, wrongVersion as unknown as ReturnType<typeof emptyDocument>),
    );
    await rejectsWithCode(store.open(vaultKey), "VAULT_CORRUPT");
  });
});

describe("document schema", () => {
  it("secret records: what is accepted and what is refused", () => {
    const base = secret("n", "v");
    const valid: unknown[] = [
      base,
      { ...base, value: undefined },
      { ...base, link: { integration: "aws", reference: "arn:x", linkedAt: "t" } },
      {
        ...base,
        link: { integration: "aws", reference: "arn:x", linkedAt: "t", jsonKey: "k", version: "1" },
      },
      { ...base, link: { integration: "aws", reference: "r", linkedAt: "t", options: { a: "b" } } },
      { ...base, extra: { kept: true } },
    ];
    const invalid: unknown[] = [
      { ...base, value: 1 },
      { ...base, name: "" },
      { ...base, enabled: "yes" },
      { ...base, allowedDomains: ["a", 2] },
      { ...base, allowedDomains: undefined },
      { ...base, createdAt: undefined },
      { ...base, link: { integration: "", reference: "r", linkedAt: "t" } },
      { ...base, link: { integration: "aws", reference: "r", linkedAt: "t", jsonKey: 5 } },
      { ...base, link: "op://x" },
      { ...base, link: { integration: "aws", reference: "r", linkedAt: "t", options: { a: 1 } } },
      { ...base, link: { integration: "aws", reference: "r" } },
      null,
      [],
      "text",
    ];
    for (const v of valid) expect(isSecretRecord(v), JSON.stringify(v)).toBe(true);
    for (const v of invalid) expect(isSecretRecord(v), JSON.stringify(v)).toBe(false);
  });

  it("reports paths, never values", () => {
    const doc = {
      ...emptyDocument(),
      secrets: { a: { ...secret("a", "topsecret-value"), enabled: "no" } },
    };
    const result = checkVaultDocument(doc);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.problems.join()).toContain("secrets.a.enabled");
      expect(result.problems.join()).not.toContain("topsecret");
    }
  });

  it("integration records: what is accepted and what is refused", () => {
    const base = {
      id: "aws",
      provider: "aws",
      scope: "personal",
      authMethod: "access-key",
      settings: {},
      status: "connected",
      connectedAt: "t",
      updatedAt: "t",
    };
    const valid: unknown[] = [
      base,
      { ...base, credentials: { k: 1 }, expiresAt: "t", statusReason: "r" },
      { ...base, scope: "team", team: { location: "secret/vaultlink", checkedAt: "t" } },
      { ...base, future: [1, 2] },
    ];
    const invalid: unknown[] = [
      { ...base, scope: "everyone" },
      { ...base, status: "paused" },
      { ...base, id: "" },
      { ...base, settings: [] },
      { ...base, credentials: "x" },
      { ...base, expiresAt: 5 },
      { ...base, connectedAt: "" },
      { ...base, authMethod: undefined },
      { ...base, team: "secret/vaultlink" },
      { ...base, team: { checkedAt: "t" } },
      { ...base, team: { location: "x", checkedAt: 5 } },
      null,
      [],
    ];
    for (const v of valid) expect(integrationRecordProblem(v), JSON.stringify(v)).toBeUndefined();
    for (const v of invalid)
      expect(integrationRecordProblem(v), JSON.stringify(v)).toMatch(/\(expected /);
  });

  it("whole documents: format version, settings, renames", () => {
    const doc = { ...emptyDocument(), secrets: { a: secret("a", "v") } };
    expect(checkVaultDocument(doc).ok).toBe(true);
    expect(checkVaultDocument({ ...doc, renames: { old: "new" } }).ok).toBe(true);
    for (const renames of [{ old: 5 }, ["old"], "old"])
      expect(checkVaultDocument({ ...doc, renames }).ok, JSON.stringify(renames)).toBe(false);
    const settings = (s: Record<string, unknown>) => ({ ...doc, settings: s });
    expect(checkVaultDocument(settings({ cacheTtlMinutes: 0, signIns: "memory" })).ok).toBe(true);
    for (const bad of [
      { cacheTtlMinutes: -1 },
      { cacheTtlMinutes: Number.POSITIVE_INFINITY },
      { cacheTtlMinutes: 5, staleIfErrorMinutes: "1" },
      { cacheTtlMinutes: 5, signIns: "disk" },
    ])
      expect(checkVaultDocument(settings(bad)).ok, JSON.stringify(bad)).toBe(false);
    const grant = { collection: "c1", label: "API tests", digest: "ab12", grantedAt: "t" };
    expect(checkVaultDocument({ ...doc, scriptGrants: { c1: grant } }).ok).toBe(true);
    for (const scriptGrants of [
      [grant],
      { c1: { ...grant, digest: 5 } },
      { c1: { ...grant, grantedAt: "" } },
    ])
      expect(checkVaultDocument({ ...doc, scriptGrants }).ok, JSON.stringify(scriptGrants)).toBe(
        false,
      );
    expect(checkVaultDocument({ ...doc, formatVersion: 2 })).toEqual({
      ok: false,
      problems: ["formatVersion (expected 1)"],
    });
  });
});
