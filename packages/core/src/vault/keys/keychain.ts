import { vaultlinkError } from "../../errors/index.js";
import type { WritableKeySource } from "../types.js";

type AsyncEntry = {
  getPassword(): Promise<string | null>;
  setPassword(password: string): Promise<void>;
  deletePassword(): Promise<boolean>;
};

/**
 * The vault key in the OS keychain (macOS Keychain, Windows Credential Manager, the Secret
 * Service on Linux) through @napi-rs/keyring, loaded only when this source is used. When no
 * keychain can be reached, `availability()` says why and the next source is tried.
 */
export function keychainKeySource(
  options: { service?: string; account?: string; env?: Record<string, string | undefined> } = {},
): WritableKeySource {
  const service = options.service ?? "vaultlink";
  const account = options.account ?? "default";
  const env = options.env ?? process.env;
  let entry: Promise<AsyncEntry> | undefined;
  const open = () => {
    entry ??= import("@napi-rs/keyring").then(
      (m) => new m.AsyncEntry(service, account) as AsyncEntry,
    );
    return entry;
  };
  const unreachable = (error: unknown) => {
    const detail = error instanceof Error ? error.message.split("\n")[0] : String(error);
    return `no OS keychain could be reached (${detail})`;
  };
  const precheck = (): string | undefined => {
    if (process.platform === "linux" && !env.DBUS_SESSION_BUS_ADDRESS) {
      return "no OS keychain (Secret Service) is running: there is no D-Bus session";
    }
    return undefined;
  };
  return {
    id: "keychain",
    async availability() {
      const reason = precheck();
      if (reason) return { available: false, reason };
      try {
        await (await open()).getPassword();
        return { available: true };
      } catch (error) {
        return { available: false, reason: unreachable(error) };
      }
    },
    async load() {
      if (precheck()) return undefined;
      try {
        return (await (await open()).getPassword()) ?? undefined;
      } catch {
        return undefined;
      }
    },
    async store(vaultKey) {
      const reason = precheck();
      if (reason) throw keychainUnavailable(reason);
      try {
        await (await open()).setPassword(vaultKey);
      } catch (error) {
        throw keychainUnavailable(unreachable(error), error);
      }
    },
    async forget() {
      const reason = precheck();
      if (reason) throw keychainUnavailable(reason);
      try {
        return await (await open()).deletePassword();
      } catch (error) {
        throw keychainUnavailable(unreachable(error), error);
      }
    },
  };
}

function keychainUnavailable(reason: string, cause?: unknown) {
  return vaultlinkError("KEY_SOURCE_UNAVAILABLE", `The OS keychain cannot be used: ${reason}.`, {
    hint: "Keep the vault key yourself and set VAULTLINK_VAULT_KEY, or start a keychain service.",
    ...(cause ? { cause } : {}),
  });
}
