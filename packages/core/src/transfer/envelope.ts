import { createCipheriv, createDecipheriv, randomBytes, scrypt } from "node:crypto";
import { vaultlinkError } from "../errors/index.js";
import { type ExportPayload, parsePayload } from "./payload.js";

/** Identifies a vaultlink export file. */
export const EXPORT_FORMAT = "vaultlink-export" as const;
/** Version of the envelope this core writes and reads. */
export const EXPORT_VERSION = 1 as const;
/** Shortest export password accepted. */
export const MIN_EXPORT_PASSWORD_LENGTH = 12;

/**
 * scrypt cost: N=2^17, r=8, p=1 needs 128 MiB and about half a second, which makes guessing
 * an export password expensive. `maxmem` is raised above Node's 32 MiB default to allow it.
 */
export const EXPORT_KDF = { name: "scrypt", N: 2 ** 17, r: 8, p: 1 } as const;
const MAXMEM = 256 * 1024 * 1024;

export interface ScryptParams {
  name: "scrypt";
  N: number;
  r: number;
  p: number;
  salt: string;
}

export interface EncryptedEnvelope {
  format: typeof EXPORT_FORMAT;
  version: number;
  encrypted: true;
  createdAt: string;
  kdf: ScryptParams;
  cipher: { name: "aes-256-gcm"; iv: string; tag: string };
  data: string;
}

export interface PlaintextEnvelope {
  format: typeof EXPORT_FORMAT;
  version: number;
  encrypted: false;
  createdAt: string;
  payload: ExportPayload;
}

export type ExportEnvelope = EncryptedEnvelope | PlaintextEnvelope;

export interface EncodeOptions {
  /** Required unless `plaintext` is true. At least 12 characters. */
  password?: string;
  /** Write the secrets unencrypted. Only on an explicit request. */
  plaintext?: boolean;
  /** For tests: a lower scrypt cost. Never lower it for real exports. */
  kdf?: { N: number; r: number; p: number };
  now?: Date;
}

/** Refuse passwords shorter than 12 characters (EXPORT_PASSWORD). */
export function checkExportPassword(password: string | undefined): string {
  if (password === undefined || password.length < MIN_EXPORT_PASSWORD_LENGTH) {
    throw vaultlinkError(
      "EXPORT_PASSWORD",
      `The export password must have at least ${MIN_EXPORT_PASSWORD_LENGTH} characters.`,
      { hint: "Choose a longer password, or a passphrase of several words." },
    );
  }
  return password;
}

function deriveKey(password: string, kdf: Omit<ScryptParams, "name">): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(
      password.normalize("NFC"),
      Buffer.from(kdf.salt, "base64"),
      32,
      { N: kdf.N, r: kdf.r, p: kdf.p, maxmem: MAXMEM },
      (error, key) => (error ? reject(error) : resolve(key)),
    );
  });
}

/** The header fields the cipher authenticates, so none can be changed undetected. */
function aad(
  env: Pick<EncryptedEnvelope, "format" | "version" | "createdAt" | "kdf"> & { iv: string },
): Buffer {
  return Buffer.from(
    JSON.stringify([
      env.format,
      env.version,
      env.createdAt,
      env.kdf.name,
      env.kdf.N,
      env.kdf.r,
      env.kdf.p,
      env.kdf.salt,
      env.iv,
    ]),
  );
}

/** Serialise a payload to the text of an export file (JSON). */
export async function encodeExport(
  payload: ExportPayload,
  options: EncodeOptions,
): Promise<string> {
  const createdAt = (options.now ?? new Date()).toISOString();
  if (options.plaintext === true) {
    const env: PlaintextEnvelope = {
      format: EXPORT_FORMAT,
      version: EXPORT_VERSION,
      encrypted: false,
      createdAt,
      payload,
    };
    return `${JSON.stringify(env, null, 2)}\n`;
  }
  const password = checkExportPassword(options.password);
  const cost = options.kdf ?? EXPORT_KDF;
  const kdf: ScryptParams = {
    name: "scrypt",
    N: cost.N,
    r: cost.r,
    p: cost.p,
    salt: randomBytes(16).toString("base64"),
  };
  const iv = randomBytes(12).toString("base64");
  const key = await deriveKey(password, kdf);
  try {
    const cipher = createCipheriv("aes-256-gcm", key, Buffer.from(iv, "base64"));
    cipher.setAAD(aad({ format: EXPORT_FORMAT, version: EXPORT_VERSION, createdAt, kdf, iv }));
    const data = Buffer.concat([cipher.update(JSON.stringify(payload), "utf8"), cipher.final()]);
    const env: EncryptedEnvelope = {
      format: EXPORT_FORMAT,
      version: EXPORT_VERSION,
      encrypted: true,
      createdAt,
      kdf,
      cipher: { name: "aes-256-gcm", iv, tag: cipher.getAuthTag().toString("base64") },
      data: data.toString("base64"),
    };
    return `${JSON.stringify(env, null, 2)}\n`;
  } finally {
    key.fill(0);
  }
}

function corrupt(detail: string) {
  return vaultlinkError("EXPORT_CORRUPT", `This is not a readable vaultlink export: ${detail}.`, {
    hint: "Check that you picked the right file; if it was copied, copy it again whole.",
  });
}

const B64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Parse the outer JSON envelope without decrypting. Throws EXPORT_CORRUPT. */
export function parseEnvelope(text: string): ExportEnvelope {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw corrupt("the file is not JSON");
  }
  if (!value || typeof value !== "object") throw corrupt("the file is not a JSON object");
  const env = value as Record<string, unknown>;
  if (env.format !== EXPORT_FORMAT) throw corrupt("the format marker is missing");
  if (env.version !== EXPORT_VERSION) {
    throw vaultlinkError(
      "EXPORT_CORRUPT",
      `The export has format version ${String(env.version)}; this vaultlink reads version ${EXPORT_VERSION}.`,
      {
        hint: "Import it with the vaultlink version that wrote it, or a newer one.",
      },
    );
  }
  if (typeof env.createdAt !== "string") throw corrupt("the creation time is missing");
  if (env.encrypted === false) return env as unknown as PlaintextEnvelope;
  if (env.encrypted !== true) throw corrupt("the encrypted flag is missing");
  const kdf = env.kdf as Record<string, unknown> | undefined;
  const cipher = env.cipher as Record<string, unknown> | undefined;
  const okKdf =
    kdf?.name === "scrypt" &&
    Number.isInteger(kdf.N) &&
    (kdf.N as number) >= 2 &&
    (kdf.N as number) <= 2 ** 20 &&
    Number.isInteger(kdf.r) &&
    (kdf.r as number) >= 1 &&
    (kdf.r as number) <= 32 &&
    Number.isInteger(kdf.p) &&
    (kdf.p as number) >= 1 &&
    (kdf.p as number) <= 16 &&
    typeof kdf.salt === "string" &&
    B64.test(kdf.salt);
  if (!okKdf) throw corrupt("the key-derivation parameters are damaged");
  const okCipher =
    cipher?.name === "aes-256-gcm" &&
    typeof cipher.iv === "string" &&
    B64.test(cipher.iv) &&
    typeof cipher.tag === "string" &&
    B64.test(cipher.tag) &&
    Buffer.from(cipher.tag, "base64").length === 16;
  if (!okCipher || typeof env.data !== "string" || !B64.test(env.data))
    throw corrupt("the cipher fields are damaged");
  return env as unknown as EncryptedEnvelope;
}

/** True when the export file needs a password. Throws EXPORT_CORRUPT for unreadable files. */
export function isEncryptedExport(text: string): boolean {
  return parseEnvelope(text).encrypted;
}

/**
 * Read an export file: check the envelope, derive the key, decrypt and validate. A wrong
 * password throws EXPORT_PASSWORD; a damaged file throws EXPORT_CORRUPT. (AES-GCM cannot tell
 * the two apart for damage inside the ciphertext; the message says so.)
 */
export async function decodeExport(
  text: string,
  options: { password?: string } = {},
): Promise<ExportPayload> {
  const env = parseEnvelope(text);
  if (!env.encrypted) return parsePayload((env as PlaintextEnvelope).payload);
  if (options.password === undefined || options.password === "") {
    throw vaultlinkError("EXPORT_PASSWORD", "This export is encrypted and needs its password.", {
      hint: "Give the password it was exported with (prompted on a terminal, or VAULTLINK_EXPORT_PASSWORD).",
    });
  }
  const key = await deriveKey(options.password, env.kdf);
  let plain: Buffer;
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(env.cipher.iv, "base64"));
    decipher.setAAD(aad({ ...env, iv: env.cipher.iv }));
    decipher.setAuthTag(Buffer.from(env.cipher.tag, "base64"));
    plain = Buffer.concat([decipher.update(Buffer.from(env.data, "base64")), decipher.final()]);
  } catch {
    throw vaultlinkError(
      "EXPORT_PASSWORD",
      "The export password is wrong, or the file was changed after export.",
      {
        hint: "Check the password (it is case-sensitive); if it is right, the file is damaged: export it again.",
      },
    );
  } finally {
    key.fill(0);
  }
  let json: unknown;
  try {
    json = JSON.parse(plain.toString("utf8"));
  } catch {
    throw corrupt("the decrypted contents are not JSON");
  }
  return parsePayload(json);
}
