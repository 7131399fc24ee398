import { createHash, timingSafeEqual } from "node:crypto";
import { type VaultlinkError, vaultlinkError } from "../errors/index.js";
import { deriveKey, KEY_BYTES, openBytes, randomKey, sealBytes } from "./crypto.js";
import { checkVaultDocument } from "./document-check.js";
import { type VaultDocument, withNameMaps } from "./model.js";

/*
 * Vault file layout (all integers big-endian):
 *
 *   offset  size  field
 *   0       4     magic "VLTV"
 *   4       1     format version (1)
 *   5       32    SHA-256 of bytes [0,5) followed by bytes [37,end)
 *   37      4     header length n
 *   41      n     header JSON {"v":1,"kid":…,"wk":…}  (the AAD of the body)
 *   41+n    rest  body: iv (12) || AES-256-GCM ciphertext of the document JSON || tag (16)
 *
 * kid = HKDF(vaultKey, "key-id") truncated to 16 bytes: tells a wrong key from a damaged file.
 * wk  = the random data key sealed with HKDF(vaultKey, "wrap"), AAD "vaultlink:data-key:<kid>".
 * The body is sealed with HKDF(dataKey, "vault"); the cache uses HKDF(dataKey, "cache").
 *
 * Opening order: size/magic/checksum → VAULT_CORRUPT; key id → VAULT_WRONG_KEY; GCM →
 * VAULT_CORRUPT. The checksum covers every byte but itself (and a flipped checksum byte no
 * longer matches), so any accidental single-byte change is VAULT_CORRUPT before the key is
 * even looked at; GCM with the header as AAD catches deliberate tampering.
 */

export const VAULT_MAGIC = Buffer.from("VLTV", "ascii");
export const VAULT_FORMAT_VERSION = 1;
const CHECKSUM_OFFSET = 5;
const CHECKSUM_BYTES = 32;
const LENGTH_OFFSET = CHECKSUM_OFFSET + CHECKSUM_BYTES; // 37
const HEADER_OFFSET = LENGTH_OFFSET + 4; // 41
const MAX_HEADER_BYTES = 64 * 1024;
const KEY_ID_BYTES = 16;

interface VaultHeader {
  v: 1;
  kid: string;
  wk: string;
}

/** The header is exactly {v: 1, kid: 22 base64url chars, wk: base64url}; anything else is damage. */
function parseHeader(json: unknown): VaultHeader {
  if (typeof json !== "object" || json === null || Array.isArray(json))
    throw new Error("not an object");
  const h = json as Record<string, unknown>;
  const keys = Object.keys(h).sort().join(",");
  if (keys !== "kid,v,wk") throw new Error("unexpected header fields");
  if (h.v !== 1) throw new Error("unknown header version");
  if (typeof h.kid !== "string" || !/^[A-Za-z0-9_-]{22}$/.test(h.kid))
    throw new Error("bad key id");
  if (typeof h.wk !== "string" || !/^[A-Za-z0-9_-]+$/.test(h.wk))
    throw new Error("bad wrapped key");
  return h as unknown as VaultHeader;
}

/** What opening a vault file yields; reused for every later write of the same vault. */
export interface DecodedVault {
  document: VaultDocument;
  /** The unwrapped data key (never written anywhere in the clear). */
  dataKey: Uint8Array;
  /** The exact header bytes; rewritten unchanged so the wrapped key stays as it is. */
  header: Uint8Array;
  /** The checksum field of the file these came from (identifies that generation). */
  checksum: Buffer;
}

export interface FileLabel {
  /** The file's path, used in messages. */
  file?: string;
  /** The backup file's path, suggested in the hint of VAULT_CORRUPT. */
  backupFile?: string;
}

/** The key id stored in the header for a vault key: 16 bytes derived with HKDF. */
export function vaultKeyId(vaultKeyBytes: Uint8Array): Buffer {
  return Buffer.from(deriveKey(vaultKeyBytes, "key-id", KEY_ID_BYTES));
}

/** A header for a new vault: a fresh random data key wrapped under the vault key. */
export function newVaultHeader(vaultKeyBytes: Uint8Array): {
  header: Uint8Array;
  dataKey: Uint8Array;
} {
  const dataKey = randomKey();
  const kid = vaultKeyId(vaultKeyBytes).toString("base64url");
  const wrapped = sealBytes(deriveKey(vaultKeyBytes, "wrap"), dataKey, wrapAad(kid));
  const header = Buffer.from(
    JSON.stringify({
      v: VAULT_FORMAT_VERSION,
      kid,
      wk: Buffer.from(wrapped).toString("base64url"),
    }),
    "utf8",
  );
  return { header: new Uint8Array(header), dataKey };
}

/** The bytes of a vault file holding `document`. Only the body nonce changes between writes. */
export function encodeVaultFile(
  header: Uint8Array,
  dataKey: Uint8Array,
  document: VaultDocument,
): Buffer {
  const body = sealBytes(
    deriveKey(dataKey, "vault"),
    Buffer.from(JSON.stringify(document), "utf8"),
    header,
  );
  const out = Buffer.allocUnsafe(HEADER_OFFSET + header.length + body.length);
  VAULT_MAGIC.copy(out, 0);
  out[4] = VAULT_FORMAT_VERSION;
  out.writeUInt32BE(header.length, LENGTH_OFFSET);
  out.set(header, HEADER_OFFSET);
  out.set(body, HEADER_OFFSET + header.length);
  computeChecksum(out).copy(out, CHECKSUM_OFFSET);
  return out;
}

/** The checksum field of a vault file, or undefined when the bytes are too short to hold one. */
export function storedChecksum(bytes: Uint8Array): Buffer | undefined {
  if (bytes.length < HEADER_OFFSET) return undefined;
  return Buffer.from(bytes.buffer, bytes.byteOffset + CHECKSUM_OFFSET, CHECKSUM_BYTES);
}

/**
 * Verify the outer structure and checksum of a vault file without any key. Returns the stored
 * checksum. Throws VAULT_CORRUPT.
 */
export function verifyVaultFile(bytes: Uint8Array, label: FileLabel = {}): Buffer {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  if (buf.length < HEADER_OFFSET) {
    throw corrupt(label, `it is only ${buf.length} bytes long (truncated or empty)`);
  }
  if (!buf.subarray(0, 4).equals(VAULT_MAGIC)) {
    throw corrupt(label, "it does not start with the vaultlink vault signature");
  }
  const stored = buf.subarray(CHECKSUM_OFFSET, CHECKSUM_OFFSET + CHECKSUM_BYTES);
  if (!computeChecksum(buf).equals(stored)) {
    throw corrupt(label, "its checksum does not match its contents (damaged or truncated)");
  }
  const format = buf[4];
  if (format !== VAULT_FORMAT_VERSION) {
    throw vaultlinkError(
      "VAULT_CORRUPT",
      `The vault file${where(label)} uses format version ${format}, which this version of vaultlink cannot read.`,
      { hint: "Upgrade vaultlink to open it; the file was left unchanged.", details: { format } },
    );
  }
  return Buffer.from(stored);
}

/**
 * Open a vault file with a vault key (the 32 bytes from `parseVaultKey`).
 * Throws VAULT_CORRUPT or VAULT_WRONG_KEY.
 */
export function decodeVaultFile(
  bytes: Uint8Array,
  vaultKeyBytes: Uint8Array,
  label: FileLabel = {},
): DecodedVault {
  const checksum = verifyVaultFile(bytes, label);
  const { header, dataKey } = unwrapHeader(bytes, vaultKeyBytes, label);
  const document = decodeBody(bytes, header, dataKey, label);
  return { document, dataKey, header, checksum };
}

/**
 * Decrypt the body of a file whose header is known to be `header` (same vault, already
 * unwrapped). Used on re-reads so the data key is not unwrapped again.
 * Assumes `verifyVaultFile` passed. Throws VAULT_CORRUPT or VAULT_WRONG_KEY.
 */
export function decodeWithDataKey(
  bytes: Uint8Array,
  known: { header: Uint8Array; dataKey: Uint8Array },
  vaultKeyBytes: Uint8Array,
  label: FileLabel = {},
): DecodedVault {
  const checksum = verifyVaultFile(bytes, label);
  const header = readHeaderBytes(bytes, label);
  if (Buffer.compare(header, known.header) === 0) {
    const document = decodeBody(bytes, known.header, known.dataKey, label);
    return { document, dataKey: known.dataKey, header: known.header, checksum };
  }
  // A different header: the vault was re-created or re-keyed since it was opened.
  const unwrapped = unwrapHeader(bytes, vaultKeyBytes, label);
  const document = decodeBody(bytes, unwrapped.header, unwrapped.dataKey, label);
  return { document, ...unwrapped, checksum };
}

function readHeaderBytes(bytes: Uint8Array, label: FileLabel): Uint8Array {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  const length = buf.readUInt32BE(LENGTH_OFFSET);
  if (length === 0 || length > MAX_HEADER_BYTES || HEADER_OFFSET + length > buf.length) {
    throw corrupt(label, "its header length is out of range");
  }
  return new Uint8Array(buf.subarray(HEADER_OFFSET, HEADER_OFFSET + length));
}

function unwrapHeader(
  bytes: Uint8Array,
  vaultKeyBytes: Uint8Array,
  label: FileLabel,
): { header: Uint8Array; dataKey: Uint8Array } {
  const header = readHeaderBytes(bytes, label);
  let parsed: VaultHeader;
  try {
    parsed = parseHeader(JSON.parse(Buffer.from(header).toString("utf8")));
  } catch (cause) {
    throw corrupt(label, "its header is not valid", cause);
  }
  const expected = vaultKeyId(vaultKeyBytes);
  const actual = Buffer.from(parsed.kid, "base64url");
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) {
    throw vaultlinkError(
      "VAULT_WRONG_KEY",
      `The vault key does not belong to the vault${where(label)}.`,
      {
        hint: "Use the vault key shown when this vault was created (check VAULTLINK_VAULT_KEY and the OS keychain entry). The vault was left unchanged.",
      },
    );
  }
  let dataKey: Uint8Array;
  try {
    dataKey = openBytes(
      deriveKey(vaultKeyBytes, "wrap"),
      Buffer.from(parsed.wk, "base64url"),
      wrapAad(parsed.kid),
    );
  } catch (cause) {
    throw corrupt(label, "its wrapped data key failed the integrity check (tampered)", cause);
  }
  if (dataKey.length !== KEY_BYTES) {
    throw corrupt(label, "its wrapped data key has the wrong length");
  }
  return { header, dataKey };
}

function decodeBody(
  bytes: Uint8Array,
  header: Uint8Array,
  dataKey: Uint8Array,
  label: FileLabel,
): VaultDocument {
  const body = bytes.subarray(HEADER_OFFSET + header.length);
  let plaintext: Uint8Array;
  try {
    plaintext = openBytes(deriveKey(dataKey, "vault"), body, header);
  } catch (cause) {
    throw corrupt(label, "its contents failed the integrity check (tampered or damaged)", cause);
  }
  let value: unknown;
  try {
    value = JSON.parse(
      Buffer.from(plaintext.buffer, plaintext.byteOffset, plaintext.length).toString("utf8"),
    );
  } catch {
    // No cause: a JSON.parse message quotes the text around the error, which may be a secret.
    throw corrupt(label, "its decrypted contents are not valid JSON");
  }
  const check = checkVaultDocument(value);
  if (!check.ok) {
    throw corrupt(
      label,
      `its document does not match the vault schema (${check.problems.join("; ")})`,
    );
  }
  return withNameMaps(check.document);
}

function computeChecksum(buf: Buffer): Buffer {
  return createHash("sha256")
    .update(buf.subarray(0, CHECKSUM_OFFSET))
    .update(buf.subarray(CHECKSUM_OFFSET + CHECKSUM_BYTES))
    .digest();
}

function wrapAad(kid: string): Buffer {
  return Buffer.from(`vaultlink:data-key:${kid}`, "utf8");
}

function where(label: FileLabel): string {
  return label.file ? ` ${label.file}` : "";
}

function corrupt(label: FileLabel, reason: string, cause?: unknown): VaultlinkError {
  const backup = label.backupFile ?? "vault.vlt.bak";
  return vaultlinkError("VAULT_CORRUPT", `The vault file${where(label)} is damaged: ${reason}.`, {
    hint: `Keep this file as it is. Restore the previous generation by copying ${backup} over it, or import an export.`,
    details: { reason, ...(label.file ? { file: label.file } : {}) },
    ...(cause === undefined ? {} : { cause }),
  });
}
