import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createVault } from "@vaultlink/core";
import type { RunningAzureEmulator } from "@vaultlink/emulators";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import azure from "../src/index.js";
import { CLIENT_ID, CLIENT_SECRET, startVault } from "./support/azure.js";

let emu: RunningAzureEmulator;
let home: string;

beforeAll(async () => {
  emu = await startVault({
    secrets: [
      { name: "db-password", value: "embed-db-password" },
      { name: "api-key", value: "embed-api-key" },
    ],
  });
  home = await mkdtemp(join(tmpdir(), "vaultlink-azure-embed-"));
});
afterAll(async () => {
  await emu?.stop();
  if (home) await rm(home, { recursive: true, force: true });
});

describe("embedded in core, as the README shows", () => {
  it("connects, links, resolves, and resolves again from a reopened vault's stored session", async () => {
    const open = () =>
      createVault({ home, providers: [azure], pluginOptions: { azure: { ca: emu.caPem } } });
    const vault = open();
    const { vaultKey } = await vault.create();
    try {
      const info = await vault.integrations.connect({
        provider: "azure",
        method: "client-secret",
        options: {
          tenantId: emu.tenantId,
          clientId: CLIENT_ID,
          clientSecret: CLIENT_SECRET,
          authorityHost: emu.authorityHost,
          allowCustomVaultHosts: true,
        },
      });
      expect(info.status).toBe("connected");
      await vault.links.link("db-password", {
        integration: "azure",
        reference: `${emu.vaultUrl}/secrets/db-password`,
      });
      await vault.links.link("api-key", {
        integration: "azure",
        reference: `${emu.vaultUrl}/secrets/api-key`,
      });
      expect(await vault.resolve("db-password")).toMatchObject({
        ok: true,
        value: "embed-db-password",
        source: "provider",
      });
    } finally {
      await vault.dispose();
    }

    const reopened = open();
    await reopened.unlock(vaultKey);
    try {
      const tokensBefore = emu.requests.count("token.aad");
      expect(await reopened.resolve("api-key")).toMatchObject({
        ok: true,
        value: "embed-api-key",
        source: "provider",
      });
      // A new process signs nothing in: the stored client secret gets a token quietly.
      expect(emu.requests.count("token.aad")).toBe(tokensBefore + 1);
    } finally {
      await reopened.dispose();
    }
  });
});
