import type { FetchResult } from "@vaultlink/core/plugin";
import type { RunningAzureEmulator } from "@vaultlink/emulators";
import { beforeAll, describe, expect, it } from "vitest";
import { instanceFor, request, signedIn, useVault } from "./support/azure.js";

let emu: RunningAzureEmulator;
let vault: string;

const kv = useVault("errors-db-password");
beforeAll(() => {
  emu = kv.emu();
  vault = emu.vaultUrl;
});

function failed(result: FetchResult | undefined) {
  if (!result || result.ok) throw new Error("expected a failed result");
  return result;
}

/** Sign in, let `setup` break something on the vault, read db-password: the failure. */
async function failedRead(setup: () => void) {
  const { instance } = await signedIn(emu);
  setup();
  const [result] = await instance.fetch([request("a", `${vault}/secrets/db-password`)]);
  return failed(result);
}

describe("Key Vault errors become core codes", () => {
  it("a disabled secret fails PROVIDER_ERROR saying it is disabled in Azure", async () => {
    const f = await failedRead(() => emu.disableSecret("db-password"));
    expect(f.code).toBe("PROVIDER_ERROR");
    expect(f.message).toContain("is disabled in Azure Key Vault");
    expect(f.hint).toContain("--enabled true");
    expect(f.details).toMatchObject({ reason: "secret-disabled", azureCode: "SecretDisabled" });
  });

  it("RBAC denial fails PERMISSION_DENIED naming the Key Vault Secrets User role", async () => {
    const f = await failedRead(() => emu.denyAccess("db-password"));
    expect(f.code).toBe("PERMISSION_DENIED");
    expect(f.message).toContain("ForbiddenByRbac");
    expect(f.hint).toContain('"Key Vault Secrets User"');
    expect(f.hint).toContain("firewall");
    expect(f.details).toMatchObject({
      action: "Microsoft.KeyVault/vaults/secrets/getSecret/action",
    });
  });

  it("a firewall denial fails PERMISSION_DENIED with a network hint", async () => {
    const f = await failedRead(() =>
      emu.inject({
        operation: "secrets.get",
        times: 1,
        error: {
          status: 403,
          body: {
            error: {
              code: "Forbidden",
              message:
                "Client address is not authorized and caller is not a trusted service.\r\nClient address: 203.0.113.7",
              innererror: { code: "ForbiddenByFirewall" },
            },
          },
        },
      }),
    );
    expect(f.code).toBe("PERMISSION_DENIED");
    expect(f.message).toContain("firewall");
    expect(f.hint).toContain("public IP");
  });

  it("a missing version fails NOT_FOUND naming the version", async () => {
    const { instance } = await signedIn(emu);
    const version = "0".repeat(32);
    const [result] = await instance.fetch([
      request("a", `${vault}/secrets/db-password/${version}`),
    ]);
    const f = failed(result);
    expect(f.code).toBe("NOT_FOUND");
    expect(f.message).toContain(version);
  });

  it("the pipeline retries a 429 (after its Retry-After) before giving up", async () => {
    const { instance } = await signedIn(emu, { maxRetries: 1 });
    await instance.fetch([request("warm", `${vault}/secrets/db-password`)]);
    emu.requests.reset();
    emu.inject({ operation: "secrets.get", error: "throttled", times: 1 });
    const [ok] = await instance.fetch([request("a", `${vault}/secrets/db-password`)]);
    expect(ok?.ok).toBe(true);
    expect(emu.requests.count("secrets.get")).toBe(2);

    emu.inject({ operation: "secrets.get", error: "throttled" });
    const [throttled] = await instance.fetch([request("b", `${vault}/secrets/db-password`)]);
    expect(failed(throttled).code).toBe("THROTTLED");
  });

  it("a 500 fails PROVIDER_ERROR with the status", async () => {
    const f = await failedRead(() => emu.inject({ operation: "secrets.get", error: "internal" }));
    expect(f.code).toBe("PROVIDER_ERROR");
    expect(f.message).toContain("500");
  });

  it("a vault whose TLS certificate is not trusted fails UNREACHABLE with a CA hint", async () => {
    const { instance, context } = await instanceFor(emu, { settings: { caFile: undefined } });
    // Sign in is skipped: the stored session is enough to reach the vault.
    await context.saveSession({
      credentials: { clientSecret: "unused" },
      settings: { tenantId: emu.tenantId, clientId: "x" },
    });
    const [result] = await instance.fetch([request("a", `${vault}/secrets/db-password`)]);
    const f = failed(result);
    expect(f.code).toBe("UNREACHABLE");
    expect(f.hint).toContain("caFile");
  });
});

describe("references the integration's settings do not allow", () => {
  it("refuses a local vault host unless allowCustomVaultHosts is set, without a request", async () => {
    const { instance } = await instanceFor(emu, { settings: { allowCustomVaultHosts: false } });
    const [result] = await instance.fetch([request("a", `${vault}/secrets/db-password`)]);
    const f = failed(result);
    expect(f.code).toBe("INVALID_REFERENCE");
    expect(f.hint).toContain("allowCustomVaultHosts");
    expect(emu.requests.count()).toBe(0);
  });

  it("refuses a vault of another cloud than the integration's", async () => {
    const { instance } = await instanceFor(emu, { settings: { cloud: "china" } });
    const [result] = await instance.fetch([
      request("a", "https://contoso.vault.azure.net/secrets/x"),
    ]);
    const f = failed(result);
    expect(f.code).toBe("INVALID_REFERENCE");
    expect(f.message).toContain("Azure China");
  });
});
