import type { Clock } from "@vaultlink/core/plugin";

/**
 * A clock that moves only when a test moves it, so expiry and TTL behaviour can be pinned
 * down without sleeping.
 */
export class FakeClock implements Clock {
  #now: number;

  /** Starts at `start` (epoch ms or a Date); defaults to the real time at construction. */
  constructor(start: number | Date = Date.now()) {
    this.#now = typeof start === "number" ? start : start.getTime();
  }

  now(): number {
    return this.#now;
  }

  /** The current fake time as a Date. */
  date(): Date {
    return new Date(this.#now);
  }

  /** Move forward by `ms` milliseconds; returns the new time. */
  advance(ms: number): number {
    if (!Number.isFinite(ms) || ms < 0) {
      throw new RangeError(`FakeClock.advance needs a finite, non-negative number, got ${ms}.`);
    }
    this.#now += ms;
    return this.#now;
  }

  /** Jump to an absolute time (forwards or backwards). */
  set(time: number | Date): void {
    this.#now = typeof time === "number" ? time : time.getTime();
  }
}

/** The real clock, for contexts that talk to real services or emulators. */
export const systemClock: Clock = { now: () => Date.now() };
