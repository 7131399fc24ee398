import { describe, expect, it } from "vitest";
import { noStack, vaultWithProvider } from "./helpers.js";

describe("integration remove", () => {
  it("removes only a disconnected integration with no links; refusals change nothing", async () => {
    const v = await vaultWithProvider({ k: "remove-test-value-41" });
    try {
      expect((await v.run(["secret", "link", "linked", "json", "json://k"])).code).toBe(0);

      const connected = await v.run(["integration", "remove", "json"]);
      expect(connected.code).toBe(2);
      expect(connected.stderr).toMatch(/only a disconnected integration can be removed/);
      expect(connected.stderr).toMatch(
        /hint: Disconnect it first: vaultlink integration disconnect json/,
      );
      expect(noStack(connected.stderr)).toBe(true);

      expect((await v.run(["integration", "disconnect", "json"])).code).toBe(0);
      const before = v.vaultHash();
      const linked = await v.run(["integration", "remove", "json"]);
      expect(linked.code).toBe(2);
      expect(linked.stderr).toMatch(/still linked from the secret linked/);
      expect(linked.stderr).toMatch(/hint: .*vaultlink secret delete/);
      expect(v.vaultHash()).toBe(before);

      expect((await v.run(["secret", "delete", "linked", "--yes"])).code).toBe(0);
      const removed = await v.run(["integration", "remove", "json", "--json"]);
      expect(removed.stderr).toBe("");
      expect(JSON.parse(removed.stdout)).toEqual({ removed: "json" });
      const list = JSON.parse((await v.run(["integration", "list", "--json"])).stdout) as unknown;
      expect(JSON.stringify(list)).not.toContain('"json"');

      const again = await v.run(["integration", "remove", "json"]);
      expect(again.code).not.toBe(0);
      expect(again.stderr).toMatch(/There is no integration "json"/);
    } finally {
      v.cleanup();
    }
  });
});
