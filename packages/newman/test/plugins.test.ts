/**
 * vaultlink-newman loads provider plugins as the `vaultlink` CLI does (core's plugin registry:
 * the config file's plugins beside the first-party ones), so a secret linked to a third-party
 * provider resolves in a collection run. The plugin is the CLI plugin tests' JSON-file provider.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ProviderDefinition } from "@vaultlink/core";
import { describe, expect, it } from "vitest";
import { runBin, SECRETS, useRunSetup } from "./helpers.js";

const PLUGIN = join(import.meta.dirname, "..", "..", "cli", "test", "fixtures", "json-provider.js");
const BROKEN = join(import.meta.dirname, "..", "..", "cli", "test", "fixtures", "broken-plugin.js");
const PLUGIN_VALUE = "json-plugin-value-3d9a61f0c2";

describe("vaultlink-newman with a third-party provider plugin from the config file", () => {
  const setup = useRunSetup(async () => [
    ((await import(PLUGIN)) as { default: ProviderDefinition }).default,
  ]);

  /** The collection: one request carrying a linked secret and one a local secret. */
  function collection(): string {
    const file = join(setup.out, "plugin.json");
    const base = `http://127.0.0.1:${setup.server.port}`;
    writeFileSync(
      file,
      JSON.stringify({
        info: {
          name: "plugin",
          schema: "https://schema.getpostman.com/json/collection/v2.1.0/collection.json",
        },
        item: [1, 2].map((i) => ({
          name: `linked ${i}`,
          request: {
            method: "GET",
            url: `${base}/linked/${i}`,
            header: [
              { key: "X-Linked", value: "{{vault:from-plugin}}" },
              { key: "X-Local", value: "{{vault:api-token}}" },
            ],
          },
        })),
      }),
    );
    return file;
  }

  async function linkThroughPlugin(): Promise<string> {
    const values = join(setup.t.home, "values.json");
    writeFileSync(values, JSON.stringify({ "db-password": PLUGIN_VALUE }));
    await setup.t.vault.integrations.connect({
      provider: "jsonfile",
      method: "token",
      options: { token: "good-token", file: values },
    });
    await setup.t.vault.links.link("from-plugin", {
      integration: "jsonfile",
      reference: "json://db-password",
    });
    return values;
  }

  it("resolves a secret linked to the plugin (fetched once for the run) and masks it", async () => {
    const values = await linkThroughPlugin();
    writeFileSync(join(setup.t.home, "config.json"), JSON.stringify({ plugins: [PLUGIN] }));
    const r = await runBin(setup, ["run", collection(), "-r", "cli", "--verbose"], {
      VAULTLINK_VAULT_KEY: setup.t.vaultKey,
    });
    expect(r.status, r.stderr.split(PLUGIN_VALUE).join("***")).toBe(0);
    expect(setup.server.arrivals.map((a) => a.headers["x-linked"])).toEqual([
      PLUGIN_VALUE,
      PLUGIN_VALUE,
    ]);
    expect(setup.server.arrivals.map((a) => a.headers["x-local"])).toEqual([
      SECRETS["api-token"],
      SECRETS["api-token"],
    ]);
    // One fetch through the plugin for two requests.
    expect(readFileSync(`${values}.count`, "utf8").split("\n").filter(Boolean)).toHaveLength(1);
    expect(r.stdout).not.toContain(PLUGIN_VALUE);
    expect(r.stderr).not.toContain(PLUGIN_VALUE);
    expect(r.stderr).not.toContain("warning");
  });

  it("without the plugin in the config, the linked secret is reported unresolved, not sent", async () => {
    const values = await linkThroughPlugin();
    const r = await runBin(setup, ["run", collection(), "-r", "cli"], {
      VAULTLINK_VAULT_KEY: setup.t.vaultKey,
    });
    expect(setup.server.arrivals.map((a) => a.headers["x-linked"])).toEqual([
      "{{vault:from-plugin}}",
      "{{vault:from-plugin}}",
    ]);
    expect(r.stderr).toContain("{{vault:from-plugin}}");
    expect(existsSync(`${values}.count`)).toBe(false);
  });

  it("a plugin that cannot load is a warning naming it; local secrets still resolve", async () => {
    writeFileSync(join(setup.t.home, "config.json"), JSON.stringify({ plugins: [BROKEN] }));
    const r = await runBin(setup, ["run", collection(), "-r", "cli"], {
      VAULTLINK_VAULT_KEY: setup.t.vaultKey,
    });
    expect(r.stderr).toContain("warning: the provider plugin");
    expect(r.stderr).toContain("broken-plugin.js");
    expect(r.stderr).not.toMatch(/\n\s{4}at /);
    expect(setup.server.arrivals.map((a) => a.headers["x-local"])).toEqual([
      SECRETS["api-token"],
      SECRETS["api-token"],
    ]);
  });

  it("a config file that is not valid JSON is a warning, as in the CLI; local secrets still resolve", async () => {
    writeFileSync(join(setup.t.home, "config.json"), "{ plugins: ");
    const r = await runBin(setup, ["run", collection(), "-r", "cli"], {
      VAULTLINK_VAULT_KEY: setup.t.vaultKey,
    });
    expect(r.stderr).toContain("config.json cannot be used: it is not valid JSON");
    expect(r.stderr).toContain("Its plugins are not loaded");
    expect(r.stderr).not.toMatch(/\n\s{4}at /);
    expect(setup.server.arrivals.map((a) => a.headers["x-local"])).toEqual([
      SECRETS["api-token"],
      SECRETS["api-token"],
    ]);
  });
});
