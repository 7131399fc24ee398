import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { EmulatorRequest } from "../shared/index.js";

const sha256 = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");
const hmac = (key: string | Buffer, data: string) =>
  createHmac("sha256", key).update(data).digest();

/** RFC 3986 encoding, as SigV4 wants it for query names and values. */
const encode = (value: string) =>
  encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );

interface ParsedAuthorization {
  accessKeyId: string;
  scope: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

export function parseAuthorization(value: string | undefined): ParsedAuthorization | undefined {
  const match =
    /^AWS4-HMAC-SHA256\s+Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request,\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})$/.exec(
      (value ?? "").trim(),
    );
  if (!match) return undefined;
  const [, accessKeyId, date, region, service, headers, signature] = match as unknown as string[];
  return {
    accessKeyId: accessKeyId as string,
    date: date as string,
    region: region as string,
    service: service as string,
    scope: `${date}/${region}/${service}/aws4_request`,
    signedHeaders: (headers as string).split(";"),
    signature: signature as string,
  };
}

/** Recompute the request's SigV4 signature with `secretAccessKey` and compare (section A.4). */
export function signatureMatches(req: EmulatorRequest, secretAccessKey: string): boolean {
  const auth = parseAuthorization(req.headers.authorization);
  const amzDate = req.headers["x-amz-date"];
  if (!auth || typeof amzDate !== "string") return false;
  const query = [...req.url.searchParams.entries()]
    .map(([k, v]) => [encode(k), encode(v)] as const)
    .sort(([a, x], [b, y]) => (a === b ? (x < y ? -1 : 1) : a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
  const headerLines = auth.signedHeaders.map((name) => {
    const raw = req.headers[name];
    const value = Array.isArray(raw) ? raw.join(",") : (raw ?? "");
    return `${name}:${value.trim().replace(/\s+/g, " ")}\n`;
  });
  const canonical = [
    req.method,
    req.url.pathname,
    query,
    headerLines.join(""),
    auth.signedHeaders.join(";"),
    sha256(req.body),
  ].join("\n");
  const toSign = ["AWS4-HMAC-SHA256", amzDate, auth.scope, sha256(canonical)].join("\n");
  let key = hmac(`AWS4${secretAccessKey}`, auth.date);
  for (const part of [auth.region, auth.service, "aws4_request"]) key = hmac(key, part);
  const expected = Buffer.from(createHmac("sha256", key).update(toSign).digest("hex"));
  const given = Buffer.from(auth.signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
