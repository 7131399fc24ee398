import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const PACKAGE = join(import.meta.dirname, "..");
let dir: string;
let hook: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "vaultlink-aws-lazy-"));
  hook = join(dir, "record-sdk-imports.mjs");
  // A module resolve hook that reports every @aws-sdk import the process makes.
  await writeFile(
    hook,
    `export async function resolve(specifier, context, next) {
      if (specifier.startsWith("@aws-sdk/")) process._rawDebug("SDK-IMPORT " + specifier);
      return next(specifier, context);
    }`,
  );
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Run a script in a fresh Node process (the built plugin, as a host loads it); list SDK imports. */
async function sdkImportsOf(script: string): Promise<string[]> {
  const program = `
    import { register } from "node:module";
    register(${JSON.stringify(pathToFileURL(hook).href)});
    const { default: provider } = await import(${JSON.stringify(pathToFileURL(join(PACKAGE, "dist/index.js")).href)});
    ${script}
  `;
  const { stderr } = await run(process.execPath, ["--input-type=module", "-e", program], {
    cwd: PACKAGE,
    env: { ...process.env, AWS_EC2_METADATA_DISABLED: "true" },
  });
  return stderr
    .split("\n")
    .filter((line) => line.startsWith("SDK-IMPORT "))
    .map((line) => line.slice("SDK-IMPORT ".length));
}

describe("the AWS SDK is imported lazily (run `tsc -p tsconfig.json` first)", () => {
  it("loading the plugin, parsing references and creating an instance import no SDK", async () => {
    const imports = await sdkImportsOf(`
      provider.parseReference("prod/db");
      const instance = await provider.create({
        integration: { id: "i", authMethod: "access-key", settings: {} },
        pluginOptions: {}, logger: console, clock: { now: Date.now }, saveSession: async () => {},
      });
      await instance.dispose();
    `);
    expect(imports).toEqual([]);
  });

  it("a fetch imports the Secrets Manager client, and only then", async () => {
    const imports = await sdkImportsOf(`
      const instance = await provider.create({
        integration: { id: "i", authMethod: "access-key", settings: { region: "us-east-1", endpoint: "http://127.0.0.1:9" } },
        session: { credentials: { accessKeyId: "AKIDLAZYTEST", secretAccessKey: "not-a-real-secret" } },
        pluginOptions: { maxAttempts: 1 }, logger: console, clock: { now: Date.now }, saveSession: async () => {},
      });
      await instance.fetch([{ id: "a", reference: provider.parseReference("prod/db") }]);
      await instance.dispose();
    `);
    expect(imports).toContain("@aws-sdk/client-secrets-manager");
    expect(imports).not.toContain("@aws-sdk/client-sts");
  });

  it("an access-key sign-in imports IAM (the MFA check comes first), not Secrets Manager", async () => {
    const imports = await sdkImportsOf(`
      const settings = { region: "us-east-1", endpoint: "http://127.0.0.1:9" };
      const instance = await provider.create({
        integration: { id: "i", authMethod: "access-key", settings },
        pluginOptions: { maxAttempts: 1 }, logger: console, clock: { now: Date.now }, saveSession: async () => {},
      });
      await instance.authenticate({
        method: "access-key", settings,
        secrets: { accessKeyId: "AKIDLAZYTEST", secretAccessKey: "not-a-real-secret" },
      }).catch(() => undefined);
      await instance.dispose();
    `);
    expect(imports).toContain("@aws-sdk/client-iam");
    expect(imports).not.toContain("@aws-sdk/client-secrets-manager");
  });
});
