import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generate } from "selfsigned";

/** A throw-away certificate authority and a server certificate it signed, all PEM. */
export interface TestCertificates {
  /** The CA certificate: what clients trust (`tlsOptions: { ca }`, NODE_EXTRA_CA_CERTS). */
  caPem: string;
  /** The CA's private key, kept so more server certificates can be issued from the same CA. */
  caKey: string;
  /** Server certificate for `localhost` and 127.0.0.1, signed by the CA. */
  cert: string;
  /** The server certificate's private key. */
  key: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** Key and validity every certificate here shares: RSA 2048, SHA-256, two days from an hour ago. */
function keyAndValidity() {
  // Backdated one hour against clock drift.
  const notBeforeDate = new Date(Date.now() - 60 * 60 * 1000);
  return {
    keySize: 2048,
    algorithm: "sha256",
    notBeforeDate,
    notAfterDate: new Date(notBeforeDate.getTime() + 2 * DAY_MS),
  } as const;
}

/** Create a CA. */
async function generateCa(): Promise<{ cert: string; key: string }> {
  const ca = await generate([{ name: "commonName", value: "vaultlink emulator test CA" }], {
    ...keyAndValidity(),
    extensions: [
      { name: "basicConstraints", cA: true, critical: true },
      {
        name: "keyUsage",
        keyCertSign: true,
        cRLSign: true,
        digitalSignature: true,
        critical: true,
      },
    ],
  });
  return { cert: ca.cert, key: ca.private };
}

/** Issue a `localhost` / 127.0.0.1 server certificate from `ca`. */
export async function issueServerCertificate(ca: {
  caPem: string;
  caKey: string;
}): Promise<{ cert: string; key: string }> {
  const server = await generate([{ name: "commonName", value: "localhost" }], {
    ...keyAndValidity(),
    ca: { key: ca.caKey, cert: ca.caPem },
    extensions: [
      { name: "basicConstraints", cA: false },
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
      { name: "extKeyUsage", serverAuth: true },
      {
        name: "subjectAltName",
        altNames: [
          { type: 2, value: "localhost" },
          { type: 7, ip: "127.0.0.1" },
        ],
      },
    ],
  });
  return { cert: server.cert, key: server.private };
}

/** Generate a fresh CA and a server certificate signed by it. */
export async function generateTestCertificates(): Promise<TestCertificates> {
  const ca = await generateCa();
  const server = await issueServerCertificate({ caPem: ca.cert, caKey: ca.key });
  return { caPem: ca.cert, caKey: ca.key, cert: server.cert, key: server.key };
}

/**
 * A self-signed certificate an app registration can sign in with (ClientCertificateCredential):
 * `pem` holds the certificate and its private key, as the credential reads them.
 */
export async function generateClientCertificate(
  commonName = "vaultlink emulator client",
): Promise<{ certificatePem: string; privateKeyPem: string; pem: string }> {
  const made = await generate([{ name: "commonName", value: commonName }], keyAndValidity());
  return {
    certificatePem: made.cert,
    privateKeyPem: made.private,
    pem: `${made.cert}\n${made.private}`,
  };
}

/**
 * Write a CA certificate to a new temp file and return its path, for processes that trust it
 * through NODE_EXTRA_CA_CERTS (read by Node only when a process starts).
 */
export async function writeCaFile(caPem: string, dir?: string): Promise<string> {
  const folder = dir ?? (await mkdtemp(join(tmpdir(), "vaultlink-emulator-ca-")));
  const file = join(folder, "ca.pem");
  await writeFile(file, caPem, { mode: 0o644 });
  return file;
}
