import { existsSync } from "node:fs";
import type { Command } from "commander";
import { CliError, ExitCode, usage } from "../errors.js";
import { askConfirm, askSecret, chompOne, readStdin } from "../io/input.js";
import { err, interactive, out, paint, printJson } from "../io/term.js";
import { keychainFor, keySources, openVault, unlockKey } from "../vault-access.js";
import { globals, type Opts, withVault } from "./common.js";

async function keychainState(dir: string) {
  const kc = await keychainFor(dir);
  const a = await kc
    .availability()
    .catch((e: Error) => ({ available: false as const, reason: e.message }));
  return { kc, availability: a };
}

/** Offer to keep a new key in the keychain; returns what happened, never throws. */
async function offerKeychain(
  dir: string,
  key: string,
  wanted: boolean,
  json: boolean,
): Promise<{ stored: boolean; reason?: string }> {
  if (!wanted) return { stored: false, reason: "--no-keychain was given" };
  const { kc, availability } = await keychainState(dir);
  if (!availability.available)
    return { stored: false, reason: `no OS keychain: ${availability.reason}` };
  if (interactive() && !json) {
    const yes = await askConfirm(
      "Save the vault key in the OS keychain, so the vault unlocks without typing it?",
      true,
    );
    if (!yes) return { stored: false, reason: "you chose not to" };
  }
  try {
    await kc.store(key);
    return { stored: true };
  } catch (error) {
    return { stored: false, reason: `the keychain refused it: ${(error as Error).message}` };
  }
}

function showKey(key: string, title: string): void {
  if (process.stdout.isTTY) {
    out("");
    out(paint.bold(process.stdout, title));
    out("");
    out(`    ${paint.cyan(process.stdout, key)}`);
    out("");
    out(
      paint.yellow(
        process.stdout,
        "This key is shown once. Keep it somewhere safe (a password manager): without it the vault cannot be opened, and nothing can recover it.",
      ),
    );
  } else out(key);
}

export async function create(opts: Opts, cmd: Command): Promise<void> {
  const o = await openVault({ global: globals(cmd), unlock: false });
  try {
    const { vaultKey } = await o.vault.create();
    const json = opts.json === true;
    if (json) {
      const keychain = await offerKeychain(
        o.vault.paths.dir,
        vaultKey,
        opts.keychain !== false,
        true,
      );
      printJson({ vaultKey, home: o.vault.paths.dir, keychain });
      return;
    }
    showKey(vaultKey, `Vault created in ${o.vault.paths.dir}. Your vault key:`);
    const keychain = await offerKeychain(
      o.vault.paths.dir,
      vaultKey,
      opts.keychain !== false,
      false,
    );
    if (keychain.stored)
      err("The vault key is stored in the OS keychain; the vault unlocks without it.");
    else
      err(
        `The vault key was not stored in the OS keychain (${keychain.reason}). Unlock with VAULTLINK_VAULT_KEY, or later run: vaultlink vault key store`,
      );
  } finally {
    await o.close();
  }
}

export async function keyShow(opts: Opts, cmd: Command): Promise<void> {
  await withVault(cmd, async (o) => {
    if (opts.json === true) printJson({ vaultKey: o.vaultKey, source: o.source });
    else out(o.vaultKey);
  });
}

export async function keyStore(opts: Opts, cmd: Command): Promise<void> {
  const o = await openVault({ global: globals(cmd), unlock: false });
  try {
    if (!(await o.vault.exists())) {
      const { vaultlinkError } = await import("@vaultlink/core");
      throw vaultlinkError("VAULT_NOT_FOUND", `There is no vault in ${o.vault.paths.dir}.`, {
        hint: "Create one with vaultlink vault create.",
      });
    }
    const key = process.stdin.isTTY
      ? await askSecret("Vault key (vlk_…)")
      : chompOne(await readStdin()).trim();
    if (key === "")
      throw usage(
        "No vault key given on stdin.",
        "Pipe the key on stdin, or run on a terminal to type it.",
      );
    await o.vault.unlock(key);
    const { kc, availability } = await keychainState(o.vault.paths.dir);
    if (!availability.available) {
      throw new CliError(`No OS keychain is available: ${availability.reason}.`, {
        hint: "Set VAULTLINK_VAULT_KEY instead (in CI, from the CI's secret store).",
        exitCode: ExitCode.other,
        code: "KEY_SOURCE_UNAVAILABLE",
      });
    }
    await kc.store(key);
    if (opts.json === true) printJson({ keychain: "stored" });
    else err("The vault key is stored in the OS keychain.");
  } finally {
    await o.close();
  }
}

export async function keyForget(opts: Opts, cmd: Command): Promise<void> {
  const o = await openVault({ global: globals(cmd), unlock: false });
  try {
    const { kc, availability } = await keychainState(o.vault.paths.dir);
    if (!availability.available) {
      throw new CliError(`No OS keychain is available: ${availability.reason}.`, {
        exitCode: ExitCode.other,
        code: "KEY_SOURCE_UNAVAILABLE",
      });
    }
    const removed = await kc.forget();
    if (opts.json === true) return printJson({ keychain: removed ? "removed" : "held no key" });
    err(
      removed
        ? "The vault key was removed from the OS keychain."
        : "The OS keychain held no key for this vault.",
    );
  } finally {
    await o.close();
  }
}

export async function reset(opts: Opts, cmd: Command): Promise<void> {
  const o = await openVault({ global: globals(cmd), unlock: false });
  try {
    if (opts.yes !== true) {
      if (!interactive()) {
        throw usage(
          "Resetting destroys every secret and needs confirmation.",
          "Pass --yes to confirm in a script.",
        );
      }
      const yes = await askConfirm(
        `Destroy every secret, integration and cached value in ${o.vault.paths.dir}? This cannot be undone.`,
        false,
      );
      if (!yes)
        throw new CliError("Reset cancelled; nothing was changed.", {
          exitCode: ExitCode.other,
          code: "CANCELLED",
        });
    }
    const { vaultKey } = await o.vault.reset({ confirm: true });
    // A key kept in the keychain for this vault is now useless: replace it.
    const { kc, availability } = await keychainState(o.vault.paths.dir);
    let keychain: { stored: boolean; reason?: string } = { stored: false, reason: "not requested" };
    if (availability.available && opts.keychain !== false) {
      try {
        await kc.store(vaultKey);
        keychain = { stored: true };
      } catch (error) {
        keychain = { stored: false, reason: (error as Error).message };
      }
    } else if (!availability.available) keychain = { stored: false, reason: availability.reason };
    else {
      await kc.forget().catch(() => false);
      keychain = { stored: false, reason: "--no-keychain was given" };
    }
    if (opts.json === true) {
      printJson({ vaultKey, home: o.vault.paths.dir, keychain });
      return;
    }
    showKey(vaultKey, "The vault was reset. Your new vault key:");
    // --no-keychain asked us to leave the keychain out of it: say nothing about it.
    if (opts.keychain === false) err("Unlock the vault with this key (VAULTLINK_VAULT_KEY).");
    else
      err(
        keychain.stored
          ? "The new key is stored in the OS keychain."
          : `The new key is not in the OS keychain (${keychain.reason}).`,
      );
  } finally {
    await o.close();
  }
}

export async function restore(opts: Opts, cmd: Command): Promise<void> {
  const o = await openVault({ global: globals(cmd), unlock: false });
  try {
    const { dir, backupFile } = o.vault.paths;
    const found = await unlockKey(await keySources(dir), dir);
    // Open the backup before asking anything: a backup that does not open is never restored.
    const held = await o.vault.inspectBackup(found.vaultKey);
    const what = `${held.secrets} secret${held.secrets === 1 ? "" : "s"}, ${held.integrations} integration${held.integrations === 1 ? "" : "s"}`;
    if (opts.yes !== true) {
      if (!interactive()) {
        throw usage(
          "Restoring replaces the vault with its backup and needs confirmation.",
          "Pass --yes to confirm in a script.",
        );
      }
      const yes = await askConfirm(
        `Replace the vault in ${dir} with its backup (${what})? The current vault file becomes the backup.`,
        false,
      );
      if (!yes)
        throw new CliError("Restore cancelled; nothing was changed.", {
          exitCode: ExitCode.other,
          code: "CANCELLED",
        });
    }
    const result = await o.vault.restore({ confirm: true }, found.vaultKey);
    if (opts.json === true) {
      printJson({ restored: true, home: dir, ...held, ...result });
      return;
    }
    const replaced =
      result.replaced === "kept-as-backup"
        ? ` The vault file it replaced is now ${backupFile} (run restore again to undo).`
        : result.replaced === "set-aside"
          ? ` The vault file it replaced did not open with this key and was kept as ${String(result.setAsideAs)}.`
          : "";
    err(`Restored the vault from ${backupFile} (${what}).${replaced}`);
  } finally {
    await o.close();
  }
}

export async function status(opts: Opts, cmd: Command): Promise<void> {
  const o = await openVault({ global: globals(cmd), unlock: false });
  try {
    const exists = await o.vault.exists();
    const result: Record<string, unknown> = { home: o.vault.paths.dir, exists };
    if (!exists) result.backup = existsSync(o.vault.paths.backupFile);
    if (exists) {
      const { reportKeySources } = await import("@vaultlink/core");
      const sources = await keySources(o.vault.paths.dir);
      // Never prompt from status: only non-interactive sources.
      const { found, outcomes } = await reportKeySources(sources.filter((s) => s.id !== "prompt"));
      if (found) {
        try {
          await o.vault.unlock(found.vaultKey);
          result.unlocked = true;
          result.unlockedBy = found.source;
          result.secrets = (await o.vault.secrets.list()).length;
          result.integrations = (await o.vault.integrations.list()).length;
          result.cacheTtlMinutes = (await o.vault.settings.get()).cacheTtlMinutes;
        } catch (error) {
          result.unlocked = false;
          result.problem = (error as Error).message;
        }
      } else {
        result.unlocked = false;
        // The JSON shape of before: { id, available, reason } per source.
        result.keySources = outcomes.map((r) => ({
          id: r.source,
          available: r.available,
          reason: r.reason,
        }));
      }
    }
    if (opts.json === true) {
      printJson(result);
      return;
    }
    out(`vault:        ${o.vault.paths.dir}`);
    if (!exists) {
      out(
        result.backup === true
          ? `state:        vault.vlt is missing but its backup is here: restore it with vaultlink vault restore`
          : "state:        no vault here (create one with vaultlink vault create)",
      );
      return;
    }
    if (result.unlocked) {
      out(`state:        unlocks with the ${String(result.unlockedBy)} key source`);
      out(`secrets:      ${String(result.secrets)}`);
      out(`integrations: ${String(result.integrations)}`);
      out(`cache time:   ${String(result.cacheTtlMinutes)} minutes`);
    } else {
      out(`state:        locked${result.problem ? ` (${String(result.problem)})` : ""}`);
      for (const r of (result.keySources as Array<{ id: string; reason?: string }> | undefined) ??
        [])
        out(`  ${r.id}: ${r.reason ?? ""}`);
    }
  } finally {
    await o.close();
  }
}
