import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import { CliError, ExitCode, usage } from "../errors.js";
import { refuseVaultDirOutput, writePrivateFile } from "../io/files.js";
import { askSecret, askSelect, chompOne, readStdin, withSpinner } from "../io/input.js";
import { err, interactive, out, printJson } from "../io/term.js";
import { type Opts, withVault } from "./common.js";

const PASSWORD_ENV = "VAULTLINK_EXPORT_PASSWORD";

/** The export password: env, a masked prompt (twice when choosing one), or stdin. */
async function exportPassword(choosing: boolean, stdinFree: boolean): Promise<string> {
  const fromEnv = process.env[PASSWORD_ENV];
  if (fromEnv) return fromEnv;
  if (interactive()) {
    const { MIN_EXPORT_PASSWORD_LENGTH } = await import("@vaultlink/core");
    const first = await askSecret(
      choosing ? "Export password (12+ characters)" : "Export password",
      (v) =>
        choosing && v.length < MIN_EXPORT_PASSWORD_LENGTH
          ? `At least ${MIN_EXPORT_PASSWORD_LENGTH} characters.`
          : v === ""
            ? "A password is required."
            : undefined,
    );
    if (choosing && (await askSecret("Repeat the export password")) !== first) {
      throw usage(
        "The two passwords differ.",
        "Run the command again and type the same password twice.",
      );
    }
    return first;
  }
  if (stdinFree && !process.stdin.isTTY) {
    const pw = chompOne(await readStdin());
    if (pw !== "") return pw;
  }
  throw new CliError("No export password given.", {
    hint: `Set ${PASSWORD_ENV}, pipe it on stdin, or run on a terminal to be asked.`,
    exitCode: ExitCode.usage,
    code: "EXPORT_PASSWORD",
  });
}

export async function exportCmd(opts: Opts, cmd: Command): Promise<void> {
  if (typeof opts.out === "string") await refuseVaultDirOutput(opts.out);
  const plaintext = opts.plaintext === true;
  const password = plaintext ? undefined : await exportPassword(true, true);
  if (password !== undefined) (await import("@vaultlink/core")).checkExportPassword(password);
  await withVault(cmd, async (o) => {
    const { text, secrets: count } = await withSpinner("Encrypting the export", () =>
      o.vault.exportSecrets(plaintext ? { plaintext: true } : { password: password as string }),
    );
    if (typeof opts.out === "string") {
      await refuseVaultDirOutput(opts.out);
      await writePrivateFile(opts.out, text);
      if (opts.json === true)
        return printJson({ file: opts.out, secrets: count, encrypted: !plaintext });
      err(
        `Exported ${count} secret${count === 1 ? "" : "s"} to ${opts.out}${plaintext ? " UNENCRYPTED: anyone who reads the file reads the values" : ""}. Integration credentials are not exported.`,
      );
    } else process.stdout.write(text);
  });
}

export async function importCmd(file: string, opts: Opts, cmd: Command): Promise<void> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new CliError(
      `Cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`,
      { exitCode: ExitCode.usage },
    );
  }
  const core = await import("@vaultlink/core");
  const encrypted = core.isEncryptedExport(text);
  const password = encrypted ? await exportPassword(false, true) : undefined;
  const payload = await withSpinner("Decrypting the export", () =>
    core.decodeExport(text, password === undefined ? {} : { password }),
  );
  await withVault(cmd, async (o) => {
    const policy = opts.onConflict as "skip" | "replace" | "rename" | undefined;
    const report = await o.vault.importSecrets(payload, {
      onConflict:
        policy ??
        (async (name: string) => {
          if (!interactive()) {
            throw usage(
              `"${name}" already exists in this vault.`,
              "Choose what to do with --on-conflict skip|replace|rename.",
            );
          }
          return askSelect(`"${name}" already exists. What should happen?`, [
            { value: "skip", label: "keep mine (skip)" },
            { value: "replace", label: "replace it with the imported one" },
            { value: "rename", label: `keep both (import as ${name}-imported)` },
          ]);
        }),
    });
    if (opts.json === true) return printJson(report);
    err(
      `Imported ${report.created.length} new, replaced ${report.replaced.length}, renamed ${report.renamed.length}, skipped ${report.skipped.length}.`,
    );
    for (const r of report.renamed) out(`renamed: ${r.from} → ${r.to}`);
    for (const n of report.needsConnect) {
      out(
        `needs an integration: ${n.names.join(", ")} link to "${n.integration}" (${n.provider}); run vaultlink integration connect ${n.provider}${n.integration !== n.provider ? ` --id ${n.integration}` : ""}`,
      );
    }
  });
}
