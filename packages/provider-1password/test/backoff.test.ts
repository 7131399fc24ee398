import { describe, expect, it } from "vitest";
import { withBackoff } from "../src/backoff.js";

const throttled = new Error("rate limit exceeded");
const isThrottled = (error: unknown) => error === throttled;

describe("withBackoff", () => {
  it("doubles the wait after each rate limit, with jitter, up to the cap, then gives up", async () => {
    const delays: number[] = [];
    let calls = 0;
    const failing = withBackoff(
      async () => {
        calls += 1;
        throw throttled;
      },
      isThrottled,
      { retries: 4, baseDelayMs: 4, maxDelayMs: 10 },
      (delayMs) => delays.push(delayMs),
    );
    await expect(failing).rejects.toBe(throttled);
    expect(calls).toBe(5);
    expect(delays).toHaveLength(4);
    // Each wait lies between half and all of its ceiling: 4, 8, then the cap of 10.
    const ceilings = [4, 8, 10, 10];
    delays.forEach((delay, i) => {
      expect(delay).toBeGreaterThanOrEqual((ceilings[i] as number) / 2);
      expect(delay).toBeLessThanOrEqual(ceilings[i] as number);
    });
  });

  it("returns the first success, and throws other failures at once", async () => {
    let calls = 0;
    const value = await withBackoff(
      async () => {
        calls += 1;
        if (calls < 3) throw throttled;
        return "value";
      },
      isThrottled,
      { retries: 2, baseDelayMs: 1, maxDelayMs: 1 },
    );
    expect(value).toBe("value");
    expect(calls).toBe(3);

    const other = new Error("forbidden");
    let otherCalls = 0;
    await expect(
      withBackoff(
        async () => {
          otherCalls += 1;
          throw other;
        },
        isThrottled,
        { retries: 2, baseDelayMs: 1, maxDelayMs: 1 },
      ),
    ).rejects.toBe(other);
    expect(otherCalls).toBe(1);
  });
});
