import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createVault, roleAccessPolicy, type TeamRole } from "@vaultlink/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import provider from "../src/index.js";
import { SEED, useRig } from "./support.js";

describe("team scope through core: admins set up, members authenticate", () => {
  const rig = useRig();
  let home: string;
  beforeEach(async () => {
    home = await mkdtemp(join(tmpdir(), "vaultlink-hashicorp-"));
  });
  afterEach(async () => {
    await rm(home, { recursive: true, force: true });
  });

  it("connect, configure and disconnect need an admin; a member can reauthenticate", async () => {
    const as: { role: TeamRole } = { role: "admin" };
    const vault = createVault({
      home,
      providers: [provider],
      keySources: [],
      clock: rig.clock,
      accessPolicy: roleAccessPolicy(() => ({ user: "sam", role: as.role })),
    });
    await vault.create();
    try {
      expect(provider.scope).toBe("team");
      const connected = await vault.integrations.connect({
        provider: "hashicorp",
        method: "userpass",
        options: { address: rig.emu.url, username: "alice", password: SEED.readerPassword },
      });
      expect(connected.status).toBe("connected");
      await vault.links.link("db-password", {
        integration: "hashicorp",
        reference: "secret/app/db#password",
      });
      const resolved = await vault.resolve("db-password");
      expect(resolved.ok && resolved.value).toBe(SEED.dbPassword);

      as.role = "member";
      await expect(
        vault.integrations.connect({
          provider: "hashicorp",
          id: "hashicorp-2",
          method: "token",
          options: { address: rig.emu.url, token: rig.emu.rootToken },
        }),
      ).rejects.toMatchObject({ code: "ACCESS_DENIED" });
      await expect(
        vault.integrations.configure("hashicorp", { namespace: "team-a" }),
      ).rejects.toMatchObject({
        code: "ACCESS_DENIED",
      });
      await expect(vault.integrations.disconnect("hashicorp")).rejects.toMatchObject({
        code: "ACCESS_DENIED",
      });

      // Signing in personally may not carry a change to the team setup.
      await expect(
        vault.integrations.reauthenticate("hashicorp", {
          options: { password: SEED.readerPassword, namespace: "team-a" },
        }),
      ).rejects.toMatchObject({ code: "ACCESS_DENIED" });
      await expect(
        vault.integrations.reauthenticate("hashicorp", {
          options: { password: SEED.readerPassword, address: "http://127.0.0.1:1" },
        }),
      ).rejects.toMatchObject({ code: "ACCESS_DENIED" });
      expect((await vault.integrations.status("hashicorp")).settings).toMatchObject({
        address: rig.emu.url,
      });
      expect((await vault.integrations.status("hashicorp")).settings).not.toHaveProperty(
        "namespace",
      );

      rig.emu.expireCredentials();
      const reauthed = await vault.integrations.reauthenticate("hashicorp", {
        options: { password: SEED.readerPassword },
      });
      expect(reauthed.status).toBe("connected");
      expect(rig.emu.requests.count("login.userpass")).toBe(2);

      as.role = "super-admin";
      const { unresolved } = await vault.integrations.disconnect("hashicorp");
      expect(unresolved).toEqual(["db-password"]);
      expect((await vault.integrations.status("hashicorp")).status).toBe("disconnected");
    } finally {
      await vault.dispose();
    }
  });
});
