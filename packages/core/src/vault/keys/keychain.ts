import { vaultlinkError } from "../../errors/index.js";
import { parseVaultKey } from "../key.js";
import { resolveVaultPaths } from "../paths.js";
import type { WritableKeySource } from "../types.js";

export interface KeychainKeySourceOptions {
  /** Keychain service name. Default "vaultlink". */
  service?: string;
  /** Keychain account. Default: the vault directory path, so each vault has its own entry. */
  account?: string;
  /** Environment used to find the vault directory and the D-Bus session. Default process.env. */
  env?: Record<string, string | undefined>;
  /** Platform to behave as. Default process.platform. */
  platform?: NodeJS.Platform;
  /** Give up on a keychain call after this long. Default 10000 ms. */
  timeoutMs?: number;
}

type KeyringModule = typeof import("@napi-rs/keyring");
type AsyncEntry = InstanceType<KeyringModule["AsyncEntry"]>;

let keyringModule: Promise<KeyringModule> | undefined;

/** Load @napi-rs/keyring on first use only: hosts that never touch the keychain never load it. */
function loadKeyring(): Promise<KeyringModule> {
  keyringModule ??= import("@napi-rs/keyring");
  return keyringModule;
}

const NO_SECRET_SERVICE = "no OS keychain (Secret Service) is running";

/**
 * The vault key in the OS keychain: macOS Keychain, Windows Credential Manager, or the
 * Secret Service (gnome-keyring, KWallet) on Linux.
 */
export function keychainKeySource(options: KeychainKeySourceOptions = {}): WritableKeySource {
  const env = options.env ?? process.env;
  const platform = options.platform ?? process.platform;
  const service = options.service ?? "vaultlink";
  const account = options.account ?? resolveVaultPaths({ env }).dir;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const usesSecretService = platform !== "darwin" && platform !== "win32";

  /** The entry, or the reason there is none. Never throws. */
  async function entry(): Promise<{ entry: AsyncEntry } | { reason: string }> {
    if (usesSecretService && !env.DBUS_SESSION_BUS_ADDRESS) {
      return {
        reason: `${NO_SECRET_SERVICE}: there is no D-Bus session (DBUS_SESSION_BUS_ADDRESS is not set)`,
      };
    }
    let mod: KeyringModule;
    try {
      mod = await loadKeyring();
    } catch (error) {
      return { reason: `the OS keychain module could not be loaded (${describe(error)})` };
    }
    try {
      // Pin Linux to the Secret Service: the kernel keyring fallback forgets keys on reboot.
      return {
        entry: new mod.AsyncEntry(service, account, { linux: { store: "secret-service" } }),
      };
    } catch (error) {
      return { reason: reasonFor(error) };
    }
  }

  async function withEntry<T>(
    action: string,
    run: (entry: AsyncEntry, signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    const found = await entry();
    if ("reason" in found) throw unavailable(action, found.reason);
    try {
      return await run(found.entry, AbortSignal.timeout(timeoutMs));
    } catch (error) {
      throw unavailable(action, reasonFor(error), error);
    }
  }

  return {
    id: "keychain",
    async availability() {
      const found = await entry();
      if ("reason" in found) return { available: false, reason: found.reason };
      try {
        // A read is the cheapest call that proves the keychain answers.
        await found.entry.getPassword(AbortSignal.timeout(timeoutMs));
        return { available: true };
      } catch (error) {
        return { available: false, reason: reasonFor(error) };
      }
    },
    async load() {
      const value = await withEntry("read the vault key from", (e, signal) =>
        e.getPassword(signal),
      );
      return value?.trim() ? value.trim() : undefined;
    },
    async store(vaultKey: string) {
      parseVaultKey(vaultKey);
      await withEntry("store the vault key in", (e, signal) =>
        e.setPassword(vaultKey.trim(), signal),
      );
    },
    async forget() {
      return withEntry("remove the vault key from", (e, signal) => e.deletePassword(signal));
    },
  };
}

function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split("\n")[0]?.slice(0, 200) ?? "unknown error";
}

function reasonFor(error: unknown): string {
  const message = describe(error);
  if (
    /Failed to connect to socket|ServiceUnknown|org\.freedesktop\.secrets|autolaunch|No such file or directory|Connection refused/i.test(
      message,
    )
  ) {
    return `${NO_SECRET_SERVICE} (${message})`;
  }
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) {
    return "the OS keychain did not answer in time (it may be waiting for an unlock prompt)";
  }
  return `the OS keychain could not be used (${message})`;
}

function unavailable(action: string, reason: string, cause?: unknown) {
  return vaultlinkError(
    "KEY_SOURCE_UNAVAILABLE",
    `Could not ${action} the OS keychain: ${reason}.`,
    {
      hint: "Set VAULTLINK_VAULT_KEY instead, or start an OS keychain (Secret Service such as gnome-keyring) and retry.",
      ...(cause === undefined ? {} : { cause }),
    },
  );
}
