import { describe, expect, it } from "vitest";
import { networkErrorCode, reauthHint } from "../../src/plugin/index.js";

describe("networkErrorCode", () => {
  it("finds socket, DNS and TLS codes on the error, in causes and in AggregateErrors", () => {
    expect(networkErrorCode(Object.assign(new Error("x"), { code: "ECONNREFUSED" }))).toBe(
      "ECONNREFUSED",
    );
    const wrapped = new Error("fetch failed", {
      cause: Object.assign(new Error("dns"), { code: "ENOTFOUND" }),
    });
    expect(networkErrorCode(wrapped)).toBe("ENOTFOUND");
    const dualStack = new AggregateError([
      Object.assign(new Error("v6"), { code: "ENETUNREACH" }),
      Object.assign(new Error("v4"), { code: "ECONNREFUSED" }),
    ]);
    expect(networkErrorCode(dualStack)).toBe("ENETUNREACH");
    expect(
      networkErrorCode(Object.assign(new Error("tls"), { code: "DEPTH_ZERO_SELF_SIGNED_CERT" })),
    ).toBe("DEPTH_ZERO_SELF_SIGNED_CERT");
  });

  it("is undefined for errors that are not about the network", () => {
    expect(
      networkErrorCode(Object.assign(new Error("x"), { code: "ResourceNotFoundException" })),
    ).toBeUndefined();
    expect(networkErrorCode(new Error("plain"))).toBeUndefined();
    expect(networkErrorCode("text")).toBeUndefined();
    const loop: { cause?: unknown } = {};
    loop.cause = loop;
    expect(networkErrorCode(loop)).toBeUndefined();
  });

  it("words the reauth hint once for every provider", () => {
    expect(reauthHint("aws")).toBe("run vaultlink integration reauth aws");
  });
});
