import { vaultlinkError } from "@vaultlink/core/plugin";
import { describe, expect, it } from "vitest";
import { vaultlinkRejection } from "../src/index.js";

describe("vaultlinkRejection", () => {
  it("hands back the VaultlinkError a call rejected with", async () => {
    const error = await vaultlinkRejection(
      Promise.reject(vaultlinkError("NOT_FOUND", "No such secret.", { hint: "Check it." })),
    );
    expect(error).toMatchObject({
      code: "NOT_FOUND",
      message: "No such secret.",
      hint: "Check it.",
    });
  });

  it("fails when the call resolves, and passes any other error through whole", async () => {
    await expect(vaultlinkRejection(Promise.resolve("value"))).rejects.toThrow(
      "Expected the call to reject with a VaultlinkError, but it resolved.",
    );
    const sdkError = new TypeError("socket hang up");
    await expect(vaultlinkRejection(Promise.reject(sdkError))).rejects.toBe(sdkError);
  });
});
