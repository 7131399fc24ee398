import { describe, expect, it } from "vitest";
import { parseCacheTtlMinutes } from "../../src/index.js";

describe("cache time setting", () => {
  it.each([
    ["60", 60],
    [0, 0],
    ["0", 0],
    [10080, 10080],
    [" 15 ", 15],
  ])("accepts %j", (input, expected) => {
    expect(parseCacheTtlMinutes(input)).toBe(expected);
  });
  it.each([
    ["-1", /negative/],
    [1.5, /whole number/],
    ["1.5", /whole number/],
    ["abc", /not a number/],
    [10081, /longer than one week/],
    ["", /not a number/],
    [Number.NaN, /not a number/],
  ])("refuses %j", (input, message) => {
    expect(() => parseCacheTtlMinutes(input)).toThrowError(message);
  });
});
