import { describe, expect, it } from "vitest";
import { REDACTED, Redactor, redactText } from "../../src/redaction/index.js";

describe("redactText", () => {
  it("removes every known value, longest first, in raw, JSON-escaped and URL-encoded form", () => {
    const value = 'pa"ss/w0rd&more';
    const text = `raw ${value} json ${JSON.stringify(value)} url ?v=${encodeURIComponent(value)}`;
    const out = redactText(text, [value, "pa"]);
    expect(out).not.toContain("w0rd");
    expect(out).toBe(`raw ${REDACTED} json "${REDACTED}" url ?v=${REDACTED}`);
  });

  it("removes the leaves of a JSON value, so a key of it echoed alone is gone too", () => {
    const value = JSON.stringify({ username: "app-user", password: "json-leaf-secret-1" });
    expect(redactText("denied for json-leaf-secret-1", [value])).toBe(`denied for ${REDACTED}`);
  });

  it("leaves values shorter than 4 characters alone (documented limit)", () => {
    expect(redactText("the key abc is on", ["abc", "on"])).toBe("the key abc is on");
  });

  it.each([
    ["a bearer token", "Authorization: Bearer abc.DEF-ghi_jkl~mno", "abc.DEF"],
    [
      "a JWT",
      "token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyIn0.c2lnbmF0dXJlLXBhcnQ was refused",
      "eyJzdWIiOiJ1c2VyIn0",
    ],
    ["a Vault token", "lookup of hvs.CAESIJ0abcdefghijklmnopqrstuv failed", "CAESIJ0abc"],
    ["a short Vault token", "token hvs.emulator-root denied", "emulator-root"],
    ["a legacy Vault token", "bad token s.AbCdEfGhIjKlMnOpQrStUvWx here", "AbCdEfGhIj"],
    [
      "a 1Password service account token",
      "ops_eyJzaWduSW5BZGRyZXNzIjoibXkuMXBhc3N3b3JkLmNvbSJ9",
      "ops_eyJ",
    ],
    ["an AWS access key id", "key AKIAIOSFODNN7EXAMPLE is unknown", "AKIAIOSFODNN7EXAMPLE"],
    [
      "an AWS secret access key",
      "secret wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY leaked",
      "wJalrXUtnFEMI",
    ],
    [
      "an echoed X-Vault-Token header",
      '{"x-vault-token":"opaque-token-1234"}',
      "opaque-token-1234",
    ],
    ["an echoed client_secret field", "client_secret=plainsecretvalue&grant", "plainsecretvalue"],
    [
      "an echoed AWS SigV4 signature (replayable for 15 minutes)",
      "SignedHeaders=host;x-amz-date, Signature=0027554e99b7273bb4b41301ffd77daf8eebccd87f7fe3735319bb96677093d5;",
      "0027554e99b7",
    ],
    [
      "a presigned URL's signature",
      "GET /?X-Amz-Date=20261205T062719Z&X-Amz-Signature=b2ebb86f84c4a9549656ea9abd8deb0a6902b12fe7041d06355db80805fa58a6",
      "b2ebb86f84c4",
    ],
    [
      "an echoed x-amz-security-token header",
      "x-amz-security-token: IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJH",
      "IQoJb3JpZ2lu",
    ],
  ])("removes %s the vault never stored", (_what, text, secretPart) => {
    const out = redactText(text, []);
    expect(out).not.toContain(secretPart);
    expect(out).toContain(REDACTED);
  });

  it("keeps ordinary error text intact", () => {
    const text =
      'The secret "prod/db" was not found in region us-east-1 (HTTP 404, request 3f2a-11). Check the name.';
    expect(redactText(text, ["unrelated-value"])).toBe(text);
  });
});

describe("Redactor", () => {
  it("knows what its sources report now plus everything remembered in this process", () => {
    let stored = ["stored-value-1"];
    const r = new Redactor(() => stored);
    r.remember({ credentials: { token: "remembered-token", nested: ["deep-secret"] } });
    const text = "stored-value-1 remembered-token deep-secret stored-value-2";
    expect(r.redact(text)).toBe(`${REDACTED} ${REDACTED} ${REDACTED} stored-value-2`);
    stored = ["stored-value-2"];
    expect(r.redact(text)).toBe(`stored-value-1 ${REDACTED} ${REDACTED} ${REDACTED}`);
  });
});
