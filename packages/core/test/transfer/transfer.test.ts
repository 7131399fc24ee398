import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  decodeExport,
  EXPORT_KDF,
  encodeExport,
  exportVault,
  importVault,
  isEncryptedExport,
  parseEnvelope,
  renameTarget,
  toPayload,
} from "../../src/transfer/index.js";
import { FileVaultStore } from "../../src/vault/store.js";
import type { VaultSession } from "../../src/vault/types.js";

// A low scrypt cost keeps the suite fast; one test below runs the real cost once.
const FAST = { N: 2 ** 10, r: 8, p: 1 };
const PASSWORD = "correct horse battery";

/** The text of a hand-made plaintext export; `changes` replace (or, as undefined, drop) fields. */
function plainExport(payload: unknown, changes: Record<string, unknown> = {}): string {
  return JSON.stringify({
    format: "vaultlink-export",
    version: 1,
    encrypted: false,
    createdAt: "x",
    ...(payload === undefined ? {} : { payload }),
    ...changes,
  });
}

let dir: string;
let session: VaultSession;

async function seed(s: VaultSession): Promise<void> {
  await s.update((doc) => {
    const at = "2026-01-01T00:00:00.000Z";
    doc.secrets["api-key"] = {
      name: "api-key",
      value: "local-value-1",
      allowedDomains: ["api.example.com"],
      enabled: true,
      createdAt: at,
      updatedAt: at,
    };
    doc.secrets.off = {
      name: "off",
      value: "local-value-2",
      allowedDomains: [],
      enabled: false,
      createdAt: at,
      updatedAt: at,
    };
    doc.secrets.db = {
      name: "db",
      link: {
        integration: "aws",
        reference: "arn:aws:secretsmanager:us-east-1:1:secret:db",
        jsonKey: "password",
        version: "AWSCURRENT",
        linkedAt: at,
      },
      allowedDomains: [],
      enabled: true,
      createdAt: at,
      updatedAt: at,
    };
    doc.integrations.aws = {
      id: "aws",
      provider: "aws",
      scope: "personal",
      authMethod: "keys",
      settings: { region: "us-east-1" },
      credentials: { secretAccessKey: "credential-never-exported" },
      status: "connected",
      connectedAt: at,
      updatedAt: at,
    };
  });
}

async function freshVault(name: string): Promise<VaultSession> {
  const store = new FileVaultStore({ home: join(dir, name) });
  return (await store.create()).session;
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "vaultlink-transfer-"));
  session = await freshVault("source");
  await seed(session);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("export", () => {
  it("carries values, links, domains and the enabled flag, and never credentials", async () => {
    const text = await exportVault(session, { plaintext: true });
    expect(text).not.toContain("credential-never-exported");
    const payload = await decodeExport(text);
    expect(payload.secrets).toEqual([
      {
        name: "api-key",
        value: "local-value-1",
        allowedDomains: ["api.example.com"],
        enabled: true,
      },
      {
        name: "db",
        link: {
          integration: "aws",
          provider: "aws",
          reference: "arn:aws:secretsmanager:us-east-1:1:secret:db",
          jsonKey: "password",
          version: "AWSCURRENT",
        },
        allowedDomains: [],
        enabled: true,
      },
      { name: "off", value: "local-value-2", allowedDomains: [], enabled: false },
    ]);
  });

  it("encrypts by default: no value or name appears in the file", async () => {
    const text = await exportVault(session, { password: PASSWORD, kdf: FAST });
    expect(text).not.toContain("local-value-1");
    expect(text).not.toContain("api-key");
    expect(isEncryptedExport(text)).toBe(true);
    const env = parseEnvelope(text);
    expect(env).toMatchObject({
      format: "vaultlink-export",
      version: 1,
      encrypted: true,
      kdf: { name: "scrypt" },
      cipher: { name: "aes-256-gcm" },
    });
    expect((await decodeExport(text, { password: PASSWORD })).secrets).toHaveLength(3);
  });

  it("uses memory-hard scrypt parameters N=2^17 r=8 p=1 by default", async () => {
    expect(EXPORT_KDF).toEqual({ name: "scrypt", N: 131072, r: 8, p: 1 });
    const text = await encodeExport({ secrets: [] }, { password: PASSWORD });
    expect(parseEnvelope(text)).toMatchObject({ kdf: { N: 131072, r: 8, p: 1 } });
    expect(await decodeExport(text, { password: PASSWORD })).toEqual({ secrets: [] });
  });

  it.each(["", "short", "elevenchars"])(
    "refuses the password %j (under 12 characters)",
    async (pw) => {
      await expect(exportVault(session, { password: pw, kdf: FAST })).rejects.toMatchObject({
        code: "EXPORT_PASSWORD",
      });
    },
  );

  it("needs a password unless plaintext is asked for", async () => {
    await expect(exportVault(session, {})).rejects.toMatchObject({ code: "EXPORT_PASSWORD" });
  });
});

describe("reading an export", () => {
  it("reports a wrong password as EXPORT_PASSWORD", async () => {
    const text = await exportVault(session, { password: PASSWORD, kdf: FAST });
    await expect(decodeExport(text, { password: "wrong password!!" })).rejects.toMatchObject({
      code: "EXPORT_PASSWORD",
    });
    await expect(decodeExport(text, {})).rejects.toMatchObject({ code: "EXPORT_PASSWORD" });
  });

  it("detects a changed header (authenticated data)", async () => {
    const env = JSON.parse(await exportVault(session, { password: PASSWORD, kdf: FAST }));
    env.createdAt = "2020-01-01T00:00:00.000Z";
    await expect(decodeExport(JSON.stringify(env), { password: PASSWORD })).rejects.toMatchObject({
      code: "EXPORT_PASSWORD",
    });
  });

  it.each([
    ["not JSON", () => "{ nope"],
    ["a JSON array", () => "[]"],
    ["no format marker", () => plainExport({ secrets: [] }, { format: undefined })],
    ["a future version", () => plainExport({ secrets: [] }, { version: 9 })],
    ["a bad payload", () => plainExport({ secrets: [{ name: "bad name!" }] })],
    [
      "a duplicate name",
      () =>
        plainExport({
          secrets: [
            { name: "a", value: "1", allowedDomains: [], enabled: true },
            { name: "a", value: "2", allowedDomains: [], enabled: true },
          ],
        }),
    ],
    [
      "damaged cipher fields",
      () =>
        plainExport(undefined, {
          encrypted: true,
          kdf: { name: "scrypt", N: 1024, r: 8, p: 1, salt: "AAAA" },
          cipher: { name: "aes-256-gcm", iv: "AAAA", tag: "short" },
          data: "",
        }),
    ],
  ])("refuses %s as EXPORT_CORRUPT", async (_label, make) => {
    await expect(decodeExport(make(), { password: PASSWORD })).rejects.toMatchObject({
      code: "EXPORT_CORRUPT",
    });
  });
});

describe("import", () => {
  it("imports into an empty vault and reports links whose integration is missing", async () => {
    const payload = await decodeExport(
      await exportVault(session, { password: PASSWORD, kdf: FAST }),
      { password: PASSWORD },
    );
    const target = await freshVault("target");
    const report = await importVault(target, payload, { onConflict: "skip" });
    expect(report.created.sort()).toEqual(["api-key", "db", "off"]);
    expect(report.needsConnect).toEqual([{ integration: "aws", provider: "aws", names: ["db"] }]);
    const doc = await target.read();
    expect(doc.secrets.off).toMatchObject({ value: "local-value-2", enabled: false });
    expect(doc.secrets["api-key"]?.allowedDomains).toEqual(["api.example.com"]);
    expect(doc.secrets.db?.link).toMatchObject({
      integration: "aws",
      jsonKey: "password",
      version: "AWSCURRENT",
    });
    expect(doc.integrations).toEqual({});
  });

  it("skips, replaces or renames conflicts", async () => {
    const payload = toPayload(await session.read());
    const skip = await importVault(session, payload, { onConflict: "skip" });
    expect(skip.skipped.sort()).toEqual(["api-key", "db", "off"]);
    expect(skip.needsConnect).toEqual([]);

    const rename = await importVault(
      session,
      { secrets: payload.secrets.slice(0, 1) },
      { onConflict: "rename" },
    );
    expect(rename.renamed).toEqual([{ from: "api-key", to: "api-key-imported" }]);
    const again = await importVault(
      session,
      { secrets: payload.secrets.slice(0, 1) },
      { onConflict: "rename" },
    );
    expect(again.renamed).toEqual([{ from: "api-key", to: "api-key-imported-2" }]);

    const changed = {
      secrets: [{ name: "off", value: "replaced-value", allowedDomains: [], enabled: true }],
    };
    const replace = await importVault(session, changed, { onConflict: "replace" });
    expect(replace.replaced).toEqual(["off"]);
    expect((await session.read()).secrets.off).toMatchObject({
      value: "replaced-value",
      enabled: true,
    });
  });

  it("asks per conflict when given a function", async () => {
    const asked: string[] = [];
    const payload = toPayload(await session.read());
    const report = await importVault(session, payload, {
      onConflict: (name) => {
        asked.push(name);
        return name === "db" ? "replace" : "skip";
      },
    });
    expect(asked.sort()).toEqual(["api-key", "db", "off"]);
    expect(report.replaced).toEqual(["db"]);
    expect(report.skipped.sort()).toEqual(["api-key", "off"]);
  });

  it("changes nothing when an entry is invalid", async () => {
    const file = session.paths.vaultFile;
    const before = await readFile(file);
    const bad = {
      secrets: [
        { name: "new-one", value: "v", allowedDomains: ["ftp://files.example.com"], enabled: true },
      ],
    };
    await expect(importVault(session, bad, { onConflict: "skip" })).rejects.toMatchObject({
      code: "INVALID_INPUT",
    });
    expect((await readFile(file)).equals(before)).toBe(true);
  });

  it("picks free -imported names", () => {
    const taken = new Set(["a-imported", "a-imported-2"]);
    expect(renameTarget("a", (n) => taken.has(n))).toBe("a-imported-3");
    expect(renameTarget("b", () => false)).toBe("b-imported");
    expect(renameTarget("x".repeat(128), () => false).length).toBeLessThanOrEqual(128);
  });
});
