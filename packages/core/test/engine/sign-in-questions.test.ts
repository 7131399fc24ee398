import { afterEach, describe, expect, it } from "vitest";
import { withPausableDeadline } from "../../src/deadline/index.js";
import { fakeProvider, makeVault, type TestVault } from "../helpers/fake-provider.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("a deadline that stops while a person answers", () => {
  it("times out without a pause, and not while paused; after the answer the clock runs again", async () => {
    const timeout = () => {
      throw new Error("timed out");
    };
    await expect(withPausableDeadline(50, () => sleep(200), timeout)).rejects.toThrow("timed out");
    // 200 ms inside a pause under a 50 ms deadline: fine.
    await expect(
      withPausableDeadline(
        50,
        async (_signal, pause) => pause(() => sleep(200).then(() => "ok")),
        timeout,
      ),
    ).resolves.toBe("ok");
    // After the pause a full deadline applies again, and it still cuts off slow work.
    await expect(
      withPausableDeadline(
        50,
        async (_signal, pause) => {
          await pause(() => sleep(100));
          await sleep(200);
          return "late";
        },
        timeout,
      ),
    ).rejects.toThrow("timed out");
  });
});

describe("sign-in questions", () => {
  let t: TestVault;
  afterEach(async () => t?.cleanup());

  it("connect asks through `ask` and signs in with the answer; the deadline waits for the person", async () => {
    const fake = fakeProvider();
    t = await makeVault({ providers: [fake.provider] });
    const asked: string[] = [];
    const info = await t.vault.integrations.connect({
      provider: "fake",
      options: { token: "needs-code", timeoutSeconds: 1 },
      ask: async (q) => {
        asked.push(`${q.name}:${q.secret === true}`);
        await sleep(1500); // longer than the 1 s deadline: the clock is stopped meanwhile
        return "246810";
      },
    });
    expect(info.status).toBe("connected");
    expect(asked).toEqual(["code:true"]);
  });

  it("without `ask` the provider says which option to give; a secret answer is redacted", async () => {
    const fake = fakeProvider();
    t = await makeVault({ providers: [fake.provider] });
    await expect(
      t.vault.integrations.connect({ provider: "fake", options: { token: "needs-code" } }),
    ).rejects.toMatchObject({ code: "AUTH_FAILED", message: "A code is needed: give --code." });
    const wrong = "135791-typed-by-the-person";
    const error = await t.vault.integrations
      .connect({ provider: "fake", options: { token: "needs-code" }, ask: async () => wrong })
      .catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/The code .* was refused/);
    expect((error as Error).message).not.toContain(wrong);
  });
});
