import { describe, expect, it } from "vitest";
import { errorFrom, failureFrom, isVaultlinkError } from "../../src/plugin/index.js";

describe("mapped provider failures", () => {
  const denied = {
    code: "PERMISSION_DENIED" as const,
    message: "Reading prod/db was denied.",
    hint: "Grant secretsmanager:GetSecretValue on it.",
    details: { status: 403 },
  };

  it("become one request's failed result, hint and details kept", () => {
    expect(failureFrom("r1", denied)).toEqual({ id: "r1", ok: false, ...denied });
  });

  it("leave out a hint and details they do not have", () => {
    expect(failureFrom("r2", { code: "NOT_FOUND", message: "No such secret." })).toEqual({
      id: "r2",
      ok: false,
      code: "NOT_FOUND",
      message: "No such secret.",
    });
  });

  it("become an error naming the provider, with the cause when one is given", () => {
    const cause = new Error("AccessDeniedException");
    const error = errorFrom("aws", denied, { cause });
    expect(isVaultlinkError(error)).toBe(true);
    expect(error).toMatchObject({ ...denied, provider: "aws", cause });
    expect(errorFrom("aws", { code: "THROTTLED", message: "Slow down." }).hint).toBeUndefined();
  });
});
