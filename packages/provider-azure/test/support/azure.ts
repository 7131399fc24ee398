import type { ProviderSession } from "@vaultlink/core/plugin";
import {
  type AzureEmulatorOptions,
  type RunningAzureEmulator,
  startAzureEmulator,
} from "@vaultlink/emulators";
import {
  createTestContext,
  type FakeClock,
  systemClock,
  type TestContext,
} from "@vaultlink/testkit";
import { afterAll, afterEach, beforeAll } from "vitest";
import azure from "../../src/index.js";

export const CLIENT_ID = "0b3e5a8c-7d41-4f6e-9a2b-5c6d7e8f9012";
export const CLIENT_SECRET = "sp-secret-for-tests-0001";

/** An emulated vault with one service principal that may sign in. */
export function startVault(options: AzureEmulatorOptions = {}): Promise<RunningAzureEmulator> {
  return startAzureEmulator({
    vaultName: "kv-provider-test",
    servicePrincipals: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }],
    ...options,
  });
}

/** Settings that point the provider at an emulator (what a CLI's --option flags would set). */
export function emulatorSettings(emu: RunningAzureEmulator, extra: Record<string, unknown> = {}) {
  return {
    authorityHost: emu.authorityHost,
    caFile: emu.caFile,
    allowCustomVaultHosts: true,
    maxRetries: 0,
    ...extra,
  };
}

export const servicePrincipal = (emu: RunningAzureEmulator, secret = CLIENT_SECRET) => ({
  method: "client-secret",
  settings: { tenantId: emu.tenantId, clientId: CLIENT_ID },
  secrets: { clientSecret: secret },
});

/** A provider instance with a test context, signed in or not. */
export async function instanceFor(
  emu: RunningAzureEmulator,
  options: {
    method?: string;
    settings?: Record<string, unknown>;
    session?: ProviderSession;
    clock?: FakeClock;
    pluginOptions?: Record<string, unknown>;
  } = {},
) {
  const context: TestContext<FakeClock | typeof systemClock> = createTestContext<
    FakeClock | typeof systemClock
  >({
    integration: {
      id: "azure-test",
      authMethod: options.method ?? "client-secret",
      settings: emulatorSettings(emu, options.settings),
    },
    clock: options.clock ?? systemClock,
    ...(options.session ? { session: options.session } : {}),
    ...(options.pluginOptions ? { pluginOptions: options.pluginOptions } : {}),
  });
  const instance = await azure.create(context);
  return { instance, context };
}

/** Sign in with the service principal and store the session the way a host does. */
export async function signedIn(emu: RunningAzureEmulator, settings: Record<string, unknown> = {}) {
  const { instance, context } = await instanceFor(emu, { settings });
  const session = await instance.authenticate(servicePrincipal(emu));
  await context.saveSession(session);
  return { instance, context, session };
}

export function request(id: string, reference: string, version?: string) {
  return { id, reference: azure.parseReference(reference), ...(version ? { version } : {}) };
}

/**
 * One emulated vault for a test file holding `db-password` = `value`: started before the first
 * test, reset after each, stopped after the last. `ref()` is that secret's identifier.
 */
export function useVault(value: string) {
  let started: RunningAzureEmulator | undefined;
  const emu = (): RunningAzureEmulator => {
    if (!started) throw new Error("the Azure emulator is not running (used outside a test?)");
    return started;
  };
  beforeAll(async () => {
    started = await startVault({ secrets: [{ name: "db-password", value }] });
  });
  afterEach(() => {
    started?.reset();
  });
  afterAll(async () => {
    await started?.stop();
  });
  return { emu, ref: () => `${emu().vaultUrl}/secrets/db-password` };
}
