import { readFile } from "node:fs/promises";
import { afterEach, describe, expect, it } from "vitest";
import { findMalformedReferences, secretNameProblem } from "../../src/index.js";
import { makeVault, type TestVault } from "../helpers/fake-provider.js";

describe("secret names", () => {
  let t: TestVault;
  afterEach(async () => t?.cleanup());

  it.each([
    ["-x", "starts with '-'"],
    ["--value", "starts with '-'"],
    [".", "only dots"],
    ["..", "only dots"],
    ["...", "only dots"],
    ["__proto__", "reserved"],
    ["constructor", "reserved"],
    ["prototype", "reserved"],
    ["bad name", "not a valid secret name"],
    ["", "not a valid secret name"],
  ])("refuses %j (%s)", async (name, words) => {
    expect(secretNameProblem(name)?.message).toContain(words);
    t = await makeVault();
    await expect(t.vault.secrets.add(name, { value: "v" })).rejects.toMatchObject({
      code: "INVALID_NAME",
    });
    expect(await t.vault.secrets.list()).toEqual([]);
  });

  it.each(["a", "x-", ".env", "a..b", "v1.2", "_private", "proto", "Constructor"])(
    "accepts %j",
    (name) => {
      expect(secretNameProblem(name)).toBeUndefined();
    },
  );

  it("refuses to rename a secret to a reserved name, and to its own name without a write", async () => {
    t = await makeVault();
    await t.vault.secrets.add("a", { value: "v" });
    await expect(t.vault.secrets.rename("a", "-a")).rejects.toMatchObject({ code: "INVALID_NAME" });
    const before = await readFile(t.vault.paths.vaultFile);
    const error = await t.vault.secrets.rename("a", "a").then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: "INVALID_INPUT", message: '"a" already has that name.' });
    expect((error as { hint: string }).hint).toBe(
      "Give a different new name: vaultlink secret rename a <new-name>.",
    );
    expect(await readFile(t.vault.paths.vaultFile)).toEqual(before);
    expect(await t.vault.secrets.renames()).toEqual([]);
    await expect(t.vault.secrets.rename("nope", "nope")).rejects.toMatchObject({
      code: "SECRET_NOT_FOUND",
    });
  });
});

describe("malformed references in templates", () => {
  let t: TestVault;
  afterEach(async () => t?.cleanup());

  it("finds empty, badly named and unterminated references", () => {
    expect(
      findMalformedReferences(
        "a {{vault:}} b {{vault:bad name}} c {{vault:ok}} d {{vault:tok\n{{vault:x{{vault:y}}",
      ),
    ).toEqual([
      { written: "{{vault:}}", problem: "empty-name" },
      { written: "{{vault:bad name}}", problem: "bad-name" },
      { written: "{{vault:tok", problem: "unterminated" },
      { written: "{{vault:x", problem: "unterminated" },
    ]);
    expect(findMalformedReferences("{{vault:ok}} and {{vault:a.b-c_d}}")).toEqual([]);
    expect(findMalformedReferences(`{{vault:${"a".repeat(129)}}}`)).toMatchObject([
      { problem: "bad-name" },
    ]);
  });

  it("stays linear on a text made of openers, and reports each distinct one once", () => {
    const text = "{{vault:".repeat(200_000);
    const found = findMalformedReferences(text);
    expect(found).toEqual([{ written: "{{vault:", problem: "unterminated" }]);
  });

  it("resolveTemplate reports them as unresolved and leaves them as written", async () => {
    t = await makeVault();
    await t.vault.secrets.add("tok", { value: "the-value" });
    const text = "x={{vault:tok}} y={{vault:}} z={{vault:bad name}} w={{vault:tok";
    const result = await t.vault.resolveTemplate(text);
    expect(result.text).toBe("x=the-value y={{vault:}} z={{vault:bad name}} w={{vault:tok");
    expect(result.resolved).toEqual(["tok"]);
    expect(result.unresolved.map((u) => [u.reason, u.written])).toEqual([
      ["malformed", "{{vault:}}"],
      ["malformed", "{{vault:bad name}}"],
      ["malformed", "{{vault:tok"],
    ]);
    expect(result.unresolved[2]?.message).toBe(
      "{{vault:tok is not a valid reference: it has no closing }}.",
    );
    const only = await t.vault.resolveTemplate("{{vault:}}");
    expect(only.unresolved).toHaveLength(1);
  });
});
