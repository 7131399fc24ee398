import { type HashicorpEmulator, startHashicorpEmulator } from "@vaultlink/emulators";
import hashicorp from "@vaultlink/provider-hashicorp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run } from "../src/index.js";
import { fixtureVault, recordingServer } from "./helpers.js";

const AWS_KEY_ID = "AKIANEWMANLINKED0001";
const AWS_SECRET = "newman-linked-aws-secret-5b9d2e7f01";
const API_TOKEN = "newman-linked-api-token-41c7aa";

/**
 * Linked secrets through a real provider: a HashiCorp Vault emulator holds the values, the
 * vault links to them, and a collection uses them in an AWS Signature auth helper and a
 * bearer token over five requests. Each linked secret is read from Vault once for the run.
 */
describe("vaultlink-newman with secrets linked to HashiCorp Vault (emulator)", () => {
  let emu: HashicorpEmulator;
  let server: Awaited<ReturnType<typeof recordingServer>>;
  let t: Awaited<ReturnType<typeof fixtureVault>>;

  beforeAll(async () => {
    emu = await startHashicorpEmulator();
    emu.writeKv("secret", "ci/aws", { id: AWS_KEY_ID, secret: AWS_SECRET });
    emu.writeKv("secret", "ci/api", { token: API_TOKEN });
    server = await recordingServer();
    t = await fixtureVault([hashicorp]);
    await t.vault.integrations.connect({
      provider: "hashicorp",
      method: "token",
      options: { address: emu.url, token: emu.rootToken },
    });
    for (const [name, reference] of [
      ["aws-key-id", "secret/ci/aws#id"],
      ["aws-secret", "secret/ci/aws#secret"],
      ["ci-token", "secret/ci/api#token"],
    ] as const) {
      await t.vault.links.link(name, { integration: "hashicorp", reference });
    }
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    await t?.cleanup();
    await emu?.stop();
  });

  it("signs requests with AWS Signature from linked values and reads each KV path from Vault once", async () => {
    const base = `http://127.0.0.1:${server.port}`;
    const collection = {
      info: {
        name: "linked",
        schema: "https://schema.getpostman.com/json/collection/v2.1.0/collection.json",
      },
      item: [
        ...Array.from({ length: 3 }, (_, i) => ({
          name: `signed ${i}`,
          request: {
            method: "GET",
            url: `${base}/signed/${i}`,
            auth: {
              type: "awsv4",
              awsv4: [
                { key: "accessKey", value: "{{vault:aws-key-id}}", type: "string" },
                { key: "secretKey", value: "{{vault:aws-secret}}", type: "string" },
                { key: "region", value: "eu-west-1", type: "string" },
                { key: "service", value: "execute-api", type: "string" },
              ],
            },
          },
        })),
        ...Array.from({ length: 2 }, (_, i) => ({
          name: `bearer ${i}`,
          request: {
            method: "GET",
            url: `${base}/bearer/${i}`,
            auth: {
              type: "bearer",
              bearer: [{ key: "token", value: "{{vault:ci-token}}", type: "string" }],
            },
          },
        })),
      ],
    };
    const readsBefore = emu.requests.count("kv.read");
    const result = await run({ collection, vault: t.vault, reporters: [] });
    expect(result.failed).toBe(false);
    expect(result.unresolved).toEqual([]);
    const signed = server.arrivals.filter((a) => a.url.startsWith("/signed/"));
    expect(signed).toHaveLength(3);
    for (const a of signed) {
      // SigV4 names the key id in the credential scope and never sends the secret key.
      expect(String(a.headers.authorization)).toMatch(
        new RegExp(
          `^AWS4-HMAC-SHA256 Credential=${AWS_KEY_ID}/\\d{8}/eu-west-1/execute-api/aws4_request, SignedHeaders=[^,]+, Signature=[0-9a-f]{64}$`,
        ),
      );
      expect(JSON.stringify(a)).not.toContain(AWS_SECRET);
      expect(JSON.stringify(a)).not.toContain("{{vault:");
    }
    const bearer = server.arrivals.filter((a) => a.url.startsWith("/bearer/"));
    expect(bearer.map((a) => a.headers.authorization)).toEqual([
      `Bearer ${API_TOKEN}`,
      `Bearer ${API_TOKEN}`,
    ]);
    // Three linked secrets on two KV paths, used by five requests: one read per path, once.
    expect(emu.requests.count("kv.read") - readsBefore).toBe(2);
  });
});
