import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { run } from "../src/index.js";
import {
  type Arrival,
  COLLECTION as collection,
  FIXTURES as fixtures,
  SECRETS,
  useRunSetup,
} from "./helpers.js";

describe("vaultlink-newman run (library): a real collection on Newman", () => {
  const setup = useRunSetup();
  const byPath = (path: string): Arrival[] =>
    setup.server.arrivals.filter((a) => a.url.startsWith(path));
  const baseOptions = (expectVault: string) => ({
    collection,
    environment: join(fixtures, "environment.json"),
    iterationData: join(fixtures, "data.json"),
    envVar: [
      { key: "port", value: String(setup.server.port) },
      { key: "expectVault", value: expectVault },
    ],
    vault: setup.t.vault,
  });

  it("resolves {{vault:…}} in URL, auth helpers, headers, body and variables; keeps the rest as written", async () => {
    const junit = join(setup.out, "junit.xml");
    const json = join(setup.out, "run.json");
    const result = await run({
      ...baseOptions("Vault access denied"),
      reporters: ["junit", "json"],
      reporter: { junit: { export: junit }, json: { export: json } },
    });
    // Two iterations (data file rows) of six requests.
    expect(setup.server.arrivals).toHaveLength(12);
    const bearer = byPath("/auth/bearer");
    expect(bearer[0]?.headers.authorization).toBe(`Bearer ${SECRETS["api-token"]}`);
    expect(bearer[0]?.url).toBe(`/auth/bearer?q=${SECRETS["api-token"]}`);
    const basic = byPath("/auth/basic");
    expect(basic[0]?.headers.authorization).toBe(
      `Basic ${Buffer.from(`alice:${SECRETS["basic-pass"]}`).toString("base64")}`,
    );
    expect(basic[1]?.headers.authorization).toBe(
      `Basic ${Buffer.from(`bob:${SECRETS["basic-pass"]}`).toString("base64")}`,
    );
    expect(JSON.parse(basic[0]?.body ?? "{}")).toEqual({ secret: SECRETS["api-token"] });
    const apikey = byPath("/auth/apikey");
    expect(apikey[0]?.headers["x-api-key"]).toBe(SECRETS["api-token"]);
    expect(apikey[0]?.headers["x-env"]).toBe(SECRETS["env-secret"]);
    // The domain-restricted secret is not sent to 127.0.0.1: the reference goes as written.
    expect(byPath("/restricted")[0]?.headers["x-scoped"]).toBe("{{vault:scoped}}");
    expect(byPath("/missing")[0]?.headers["x-missing"]).toBe("{{vault:not-there}}");
    expect(result.unresolved.map((u) => [u.name, u.reason, u.request])).toEqual([
      ["scoped", "domain-not-allowed", "wrong host"],
      ["not-there", "missing", "missing secret"],
    ]);
    expect(result.unresolved[0]?.fix).toContain(
      "vaultlink secret domains scoped --add http://127.0.0.1",
    );
    // Without --vault-scripts, pm.vault is denied the way Postman documents it.
    expect(result.summary.run.failures).toEqual([]);
    expect(result.written).toEqual([]);
    expect(await setup.t.vault.secrets.has("to-remove")).toBe(true);
    // Reports name the requests and assertions and hold no secret value.
    const junitText = readFileSync(junit, "utf8");
    expect(junitText).toContain('testsuite name="auth / bearer"');
    expect(junitText).toContain("status 200");
    const jsonText = readFileSync(json, "utf8");
    expect(jsonText).toContain('"bearer"');
    for (const value of Object.values(SECRETS)) {
      expect(junitText).not.toContain(value);
      expect(jsonText).not.toContain(value);
      expect(JSON.stringify(result.unresolved)).not.toContain(value);
    }
  });

  it("--vault-unresolved=error stops the request that carries an unresolved reference", async () => {
    const result = await run({
      ...baseOptions("Vault access denied"),
      reporters: [],
      vaultUnresolved: "error",
    });
    expect(byPath("/restricted")).toHaveLength(0);
    expect(byPath("/missing")).toHaveLength(0);
    expect(byPath("/auth/bearer")).toHaveLength(2);
    expect(result.failed).toBe(true);
    expect(result.unresolved.every((u) => u.stopped)).toBe(true);
  });

  it("pm.vault get/set/unset works with --vault-scripts and a grant, written after the script", async () => {
    const result = await run({
      ...baseOptions("granted"),
      reporters: [],
      vaultScripts: true,
      vaultGrant: true,
    });
    expect(result.summary.run.failures).toEqual([]);
    expect(result.written.sort()).toEqual(["to-remove", "written-by-script"]);
    expect(await setup.t.vault.resolve("written-by-script")).toMatchObject({
      ok: true,
      value: "from-script-value",
    });
    expect(await setup.t.vault.secrets.has("to-remove")).toBe(false);
  });

  it("pm.vault enabled but not granted: Vault access denied, the vault unchanged", async () => {
    const result = await run({
      ...baseOptions("Vault access denied"),
      reporters: [],
      vaultScripts: true,
    });
    expect(result.summary.run.failures).toEqual([]);
    expect(result.written).toEqual([]);
    expect(await setup.t.vault.secrets.has("written-by-script")).toBe(false);
  });
});
