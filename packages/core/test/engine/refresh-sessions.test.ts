import { afterEach, describe, expect, it } from "vitest";
import type { VaultEvents } from "../../src/index.js";
import { connectedVault, TestClock, type TestVault } from "../helpers/fake-provider.js";

describe("refreshSessions (background renewal for long-lived hosts)", () => {
  let t: TestVault;
  afterEach(async () => t?.cleanup());

  async function setup(refresh: "ok" | "AUTH_EXPIRED" | "UNREACHABLE" | undefined) {
    const clock = new TestClock();
    const c = await connectedVault({
      values: { "fake://a": "value-a" },
      token: "tok-renew-1",
      clock,
    });
    t = c;
    c.fake.refresh = refresh;
    const events: Array<[keyof VaultEvents, unknown]> = [];
    t.vault.events.onAny((type, payload) => events.push([type, payload]));
    return { ...c, clock, events };
  }

  it("asks each connected integration's plugin to renew and returns the earliest next time", async () => {
    const { fake, clock } = await setup("ok");
    fake.refreshNextAt = clock.now() + 40_000;
    const r = await t.vault.refreshSessions();
    expect(r).toEqual({ nextAt: clock.now() + 40_000, refreshed: 1, failed: 0 });
    expect(fake.calls.refresh).toBe(1);
    expect((await t.vault.integrations.status("fake")).status).toBe("connected");
  });

  it("a plugin without refreshSession is left alone", async () => {
    const { fake } = await setup(undefined);
    expect(await t.vault.refreshSessions()).toEqual({ refreshed: 0, failed: 0 });
    expect(fake.calls.refresh).toBe(0);
  });

  it("a renewal the service refuses (AUTH_EXPIRED) marks the integration auth-expired, once", async () => {
    const { events } = await setup("AUTH_EXPIRED");
    expect(await t.vault.refreshSessions()).toMatchObject({ refreshed: 0, failed: 1 });
    expect((await t.vault.integrations.status("fake")).status).toBe("auth-expired");
    expect(events.filter(([type]) => type === "AuthExpired")).toHaveLength(1);
    // Not connected any more: nothing to renew, no second AuthExpired.
    expect(await t.vault.refreshSessions()).toEqual({ refreshed: 0, failed: 0 });
    expect(events.filter(([type]) => type === "AuthExpired")).toHaveLength(1);
    expect(JSON.stringify(events)).not.toContain("tok-renew-1");
  });

  it("a provider outage during renewal keeps the integration connected (tried again later)", async () => {
    const { events } = await setup("UNREACHABLE");
    expect(await t.vault.refreshSessions()).toMatchObject({ refreshed: 0, failed: 1 });
    expect((await t.vault.integrations.status("fake")).status).toBe("connected");
    expect(events.some(([type]) => type === "AuthExpired")).toBe(false);
  });
});
