import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  BIN,
  COLLECTION,
  FIXTURES as fixtures,
  runBin,
  runNode,
  SECRETS,
  useRunSetup,
  VAULTLINK_BIN,
} from "./helpers.js";

describe("the vaultlink-newman binary", () => {
  const setup = useRunSetup();
  const cli = (args: string[], env: Record<string, string> = {}) => runBin(setup, args, env);

  it("runs like `newman run`, prints no secret, writes the junit file and lists unresolved references", async () => {
    const junit = join(setup.out, "report.xml");
    const r = await cli(
      [
        "run",
        join(fixtures, "collection.json"),
        "-e",
        join(fixtures, "environment.json"),
        "-d",
        join(fixtures, "data.json"),
        "--env-var",
        `port=${setup.server.port}`,
        "--env-var",
        "expectVault=Vault access denied",
        "-r",
        "cli,junit",
        "--reporter-junit-export",
        junit,
        "--timeout-request",
        "10000",
      ],
      { VAULTLINK_VAULT_KEY: setup.t.vaultKey },
    );
    expect(r.stderr).toContain(
      '{{vault:scoped}} in "wrong host" (domain-not-allowed, sent as written)',
    );
    expect(r.stderr).toContain("fix: add it: vaultlink secret add not-there");
    expect(r.stdout).toContain("↳ bearer");
    expect(r.stdout).toContain("********");
    // The script logs the token to the console: it is masked there.
    expect(r.stdout).toMatch(/sent to[\s\S]*q=[\s\S]*\*{8}/);
    expect(r.status).toBe(0);
    expect(setup.server.arrivals).toHaveLength(12);
    const junitText = readFileSync(junit, "utf8");
    expect(junitText).toContain("<testsuites");
    for (const value of Object.values(SECRETS)) {
      expect(r.stdout).not.toContain(value);
      expect(r.stderr).not.toContain(value);
      expect(junitText).not.toContain(value);
    }
  });

  it("masks a value pm.vault.set wrote during the run in the cli, json and junit reporters", async () => {
    // Built at run time, so the collection itself never holds the whole value.
    const made = "script-set-7c41e09b2d";
    const collection = {
      info: {
        name: "set then print",
        schema: "https://schema.getpostman.com/json/collection/v2.1.0/collection.json",
      },
      item: [
        {
          name: "makes a secret",
          request: { method: "GET", url: "http://127.0.0.1:{{port}}/made" },
          event: [
            {
              listen: "prerequest",
              script: {
                exec: [
                  "const made = ['script-set-', '7c41e0', '9b2d'].join('');",
                  "await pm.vault.set('made-by-script', made);",
                  "console.log('the new secret is', made);",
                  "pm.request.headers.add({ key: 'X-Made', value: made });",
                  "pm.environment.set('made', made);",
                ],
              },
            },
            {
              listen: "test",
              script: {
                exec: [
                  "pm.test('saw ' + pm.environment.get('made'), () => pm.response.to.have.status(200));",
                ],
              },
            },
          ],
        },
      ],
    };
    const file = join(setup.out, "made.json");
    writeFileSync(file, JSON.stringify(collection));
    const junit = join(setup.out, "made.xml");
    const json = join(setup.out, "made-run.json");
    const r = await cli(
      [
        "run",
        file,
        "--env-var",
        `port=${setup.server.port}`,
        "--vault-scripts",
        "--vault-grant",
        "-r",
        "cli,json,junit",
        "--reporter-json-export",
        json,
        "--reporter-junit-export",
        junit,
      ],
      { VAULTLINK_VAULT_KEY: setup.t.vaultKey },
    );
    expect(r.status, r.stderr.split(made).join("***")).toBe(0);
    // The value really went out (masking is for output, not for requests) and into the vault.
    expect(setup.server.arrivals.map((a) => a.headers["x-made"])).toEqual([made]);
    expect(await setup.t.vault.resolve("made-by-script")).toMatchObject({ value: made });
    const junitText = readFileSync(junit, "utf8");
    const jsonText = readFileSync(json, "utf8");
    expect(r.stdout).toContain("the new secret is");
    expect(r.stdout).toContain("saw ********");
    expect(junitText).toContain("saw ********");
    expect(jsonText).toContain("********");
    for (const text of [r.stdout, r.stderr, junitText, jsonText]) expect(text).not.toContain(made);
  });

  it("exits 1 when --vault-unresolved=error stops a request", async () => {
    const r = await cli(
      [
        "run",
        join(fixtures, "collection.json"),
        "--env-var",
        `port=${setup.server.port}`,
        "-r",
        "cli",
        "--vault-unresolved",
        "error",
      ],
      { VAULTLINK_VAULT_KEY: setup.t.vaultKey },
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("request not sent");
  });

  it("refuses to run, before any request, when newman was loaded first on its own engine", async () => {
    const pkg = join(import.meta.dirname, "..");
    const script = [
      'import { createRequire } from "node:module";',
      `createRequire(${JSON.stringify(join(pkg, "package.json"))})("newman");`,
      `const { run } = await import(${JSON.stringify(join(pkg, "dist", "index.js"))});`,
      "try {",
      `  await run({ collection: ${JSON.stringify(COLLECTION)}, envVar: [{ key: "port", value: "${setup.server.port}" }] });`,
      '  console.log("ran");',
      "} catch (error) { console.log(error.message); }",
    ].join("\n");
    const r = await runNode(["--input-type=module", "-e", script], {
      HOME: setup.out,
      VAULTLINK_HOME: setup.t.home,
      VAULTLINK_VAULT_KEY: setup.t.vaultKey,
    });
    expect(r.stdout).toContain("newman was loaded in this process before @vaultlink/newman");
    expect(r.stdout).not.toMatch(/^ran$/m);
    expect(setup.server.arrivals).toHaveLength(0);
  });

  it("imported first, it runs beside a newman the app loads itself afterwards (the refusal's own advice)", async () => {
    const pkg = join(import.meta.dirname, "..");
    const script = [
      'import { createRequire } from "node:module";',
      `const { run } = await import(${JSON.stringify(join(pkg, "dist", "index.js"))});`,
      `const newman = createRequire(${JSON.stringify(join(pkg, "package.json"))})("newman");`,
      `await new Promise((ok, fail) => newman.run({ collection: ${JSON.stringify(COLLECTION)}, envVar: [{ key: "port", value: "${setup.server.port}" }], reporters: [] }, (e) => (e ? fail(e) : ok())));`,
      `const result = await run({ collection: ${JSON.stringify(COLLECTION)}, envVar: [{ key: "port", value: "${setup.server.port}" }], reporters: [] });`,
      'console.log(result.resolvedSecrets > 0 ? "ran" : "resolved nothing");',
    ].join("\n");
    const r = await runNode(["--input-type=module", "-e", script], {
      HOME: setup.out,
      VAULTLINK_HOME: setup.t.home,
      VAULTLINK_VAULT_KEY: setup.t.vaultKey,
    });
    expect(r.stdout, r.stderr).toMatch(/^ran$/m);
    expect(r.stdout + r.stderr).not.toContain("newman was loaded in this process before");
    // The plain run sent the reference as written; ours sent the value.
    const tokens = setup.server.arrivals.map((a) => a.headers.authorization).filter(Boolean);
    expect(tokens).toContain("Bearer {{vault:api-token}}");
    expect(tokens).toContain(`Bearer ${SECRETS["api-token"]}`);
  });

  it("a locked vault is a clear error naming what to do, exit 2", async () => {
    const r = await cli(["run", join(fixtures, "collection.json")]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("locked");
    expect(r.stderr).toContain("VAULTLINK_VAULT_KEY");
    expect(r.stderr).not.toContain("    at ");
    expect(setup.server.arrivals).toHaveLength(0);
  });

  it("with `vaultlink agent` running, runs without the vault key; pm.vault then asks for the key", async () => {
    const vaultlink = (args: string[], env: Record<string, string> = {}) =>
      runNode([VAULTLINK_BIN, ...args], { HOME: setup.out, VAULTLINK_HOME: setup.t.home, ...env });
    const started = await vaultlink(["agent", "start"], { VAULTLINK_VAULT_KEY: setup.t.vaultKey });
    expect(started.status, started.stderr).toBe(0);
    try {
      writeFileSync(
        join(setup.out, "one.json"),
        JSON.stringify({
          info: { name: "one", schema: "https://schema.getpostman.com/json/collection/v2.1.0/" },
          item: [
            {
              name: "one",
              request: {
                method: "GET",
                url: `http://127.0.0.1:${setup.server.port}/agent`,
                header: [{ key: "x-token", value: "{{vault:api-token}}" }],
              },
            },
          ],
        }),
      );
      // No VAULTLINK_VAULT_KEY: the agent holds the vault open and resolves for the run.
      const r = await cli(["run", join(setup.out, "one.json")]);
      expect(r.status, r.stderr).toBe(0);
      expect(setup.server.arrivals.map((a) => a.headers["x-token"])).toEqual([
        SECRETS["api-token"],
      ]);
      expect(r.stdout + r.stderr).not.toContain(SECRETS["api-token"]);
      // pm.vault reads grants from and writes to the vault file: that needs the key here.
      const scripts = await cli(["run", join(setup.out, "one.json"), "--vault-scripts"]);
      expect(scripts.status).toBe(2);
      expect(scripts.stderr).toContain("pm.vault in scripts needs the vault key in this process");
      expect(scripts.stderr).toContain("VAULTLINK_VAULT_KEY");
      expect(setup.server.arrivals).toHaveLength(1);
    } finally {
      const stopped = await vaultlink(["agent", "stop"]);
      expect(stopped.status, stopped.stderr).toBe(0);
    }
  });

  it("on Node 20 it says which Node it needs, instead of failing on an import", async () => {
    const r = await runNode(
      ["--require", join(fixtures, "node-20.cjs"), BIN, "run", join(fixtures, "collection.json")],
      { HOME: setup.out, VAULTLINK_HOME: setup.t.home, VAULTLINK_VAULT_KEY: setup.t.vaultKey },
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(
      "vaultlink-newman: needs Node 22 or 24 (22.22.2+, 24.15+); this is Node 20.20.2",
    );
    expect(r.stderr).not.toMatch(/SyntaxError|^\s+at /m);
    expect(setup.server.arrivals).toHaveLength(0);
  });

  it("bad options are refused before anything runs", async () => {
    const r = await cli(["run", join(fixtures, "collection.json"), "--vault-unresolved", "maybe"], {
      VAULTLINK_VAULT_KEY: setup.t.vaultKey,
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("maybe");
  });
});
