import { describe, expect, it } from "vitest";
import { ErrorCodes, isVaultlinkError, VaultlinkError, vaultlinkError } from "../../src/index.js";

describe("VaultlinkError", () => {
  it("carries a stable code, the cause, the provider, a hint and details", () => {
    const cause = new Error("socket hang up");
    const error = vaultlinkError("UNREACHABLE", "Could not reach the service.", {
      cause,
      provider: "aws",
      hint: "Check the network and retry.",
      details: { host: "127.0.0.1" },
    });
    expect(error).toBeInstanceOf(Error);
    expect(error).toBeInstanceOf(VaultlinkError);
    expect(error).toMatchObject({
      name: "VaultlinkError",
      code: "UNREACHABLE",
      message: "Could not reach the service.",
      provider: "aws",
      hint: "Check the network and retry.",
      details: { host: "127.0.0.1" },
    });
    expect(error.cause).toBe(cause);
    // What hosts print or send on: no stack, no cause.
    expect(error.toJSON()).toEqual({
      code: "UNREACHABLE",
      message: "Could not reach the service.",
      hint: "Check the network and retry.",
      provider: "aws",
      details: { host: "127.0.0.1" },
    });
  });

  it("every code is its own name, so codes stay stable strings", () => {
    for (const [name, code] of Object.entries(ErrorCodes)) expect(code).toBe(name);
  });

  it("isVaultlinkError is structural: it accepts an error from another copy of core", () => {
    expect(isVaultlinkError(vaultlinkError("NOT_FOUND", "gone"))).toBe(true);
    // What a plugin bundling its own copy of core would throw: same shape, another class.
    class VaultlinkErrorCopy extends Error {
      code = "AUTH_EXPIRED";
      override name = "VaultlinkError";
    }
    expect(isVaultlinkError(new VaultlinkErrorCopy("expired"))).toBe(true);
    expect(isVaultlinkError(Object.assign(new Error("x"), { code: "ENOENT" }))).toBe(false);
    expect(isVaultlinkError({ name: "VaultlinkError", message: "no code" })).toBe(false);
    expect(isVaultlinkError(null)).toBe(false);
    expect(isVaultlinkError("VaultlinkError")).toBe(false);
  });
});
