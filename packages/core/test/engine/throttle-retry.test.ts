import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  DEFAULT_THROTTLE_RETRY,
  retryWhileThrottled,
  throttleRetryOf,
} from "../../src/plugin/index.js";

// What a Connect-style client rejects with: a plain object, not an Error.
const rateLimited = { status: 429, message: "Too many requests" };
const isThrottled = (error: unknown) => error === rateLimited;

describe("retryWhileThrottled", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  it("waits up to twice as long after each rate limit, capped, then throws what was thrown", async () => {
    // The jitter at its top: every wait is its whole ceiling (4, 8, then the cap of 10).
    vi.spyOn(Math, "random").mockReturnValue(0.999_999);
    let calls = 0;
    const retries: number[] = [];
    const settled = retryWhileThrottled(
      async () => {
        calls += 1;
        throw rateLimited;
      },
      isThrottled,
      { retries: 4, baseDelayMs: 4, maxDelayMs: 10 },
      (retry) => retries.push(retry),
    ).catch((error: unknown) => ({ thrown: error }));
    const callsAt = async (ms: number) => {
      await vi.advanceTimersByTimeAsync(ms);
      return calls;
    };
    expect(await callsAt(0)).toBe(1);
    expect(await callsAt(3)).toBe(1);
    expect(await callsAt(1)).toBe(2); // 4 ms
    expect(await callsAt(7)).toBe(2);
    expect(await callsAt(1)).toBe(3); // + 8 ms
    expect(await callsAt(10)).toBe(4); // + 10 ms (capped)
    expect(await callsAt(10)).toBe(5); // + 10 ms (capped)
    // The very object that was thrown, not a wrapper.
    expect(((await settled) as { thrown: unknown }).thrown).toBe(rateLimited);
    expect(retries).toEqual([1, 2, 3, 4]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(calls).toBe(5);
  });

  it("returns the first success, and throws any other failure at once", async () => {
    let calls = 0;
    const value = retryWhileThrottled(
      async () => {
        calls += 1;
        if (calls < 3) throw rateLimited;
        return "value";
      },
      isThrottled,
      { retries: 2, baseDelayMs: 1, maxDelayMs: 1 },
    );
    await vi.advanceTimersByTimeAsync(5);
    expect(await value).toBe("value");
    expect(calls).toBe(3);

    const forbidden = new Error("forbidden");
    let otherCalls = 0;
    await expect(
      retryWhileThrottled(
        async () => {
          otherCalls += 1;
          throw forbidden;
        },
        isThrottled,
        { retries: 2, baseDelayMs: 1, maxDelayMs: 1 },
      ),
    ).rejects.toBe(forbidden);
    expect(otherCalls).toBe(1);
  });

  it("retries 0 times when told to", async () => {
    let calls = 0;
    await expect(
      retryWhileThrottled(
        async () => {
          calls += 1;
          throw rateLimited;
        },
        isThrottled,
        { retries: 0, baseDelayMs: 1, maxDelayMs: 1 },
      ),
    ).rejects.toBe(rateLimited);
    expect(calls).toBe(1);
  });
});

describe("throttleRetryOf", () => {
  it("reads throttleRetries and throttleBaseDelayMs, keeping defaults for anything unusable", () => {
    expect(throttleRetryOf({})).toEqual(DEFAULT_THROTTLE_RETRY);
    expect(throttleRetryOf({ throttleRetries: 5, throttleBaseDelayMs: "20" })).toEqual({
      retries: 5,
      baseDelayMs: 20,
      maxDelayMs: DEFAULT_THROTTLE_RETRY.maxDelayMs,
    });
    expect(throttleRetryOf({ throttleRetries: -1, throttleBaseDelayMs: "soon" })).toEqual(
      DEFAULT_THROTTLE_RETRY,
    );
    expect(throttleRetryOf({ throttleRetries: 2.7 }).retries).toBe(2);
  });
});
