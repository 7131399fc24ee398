import type { ProviderInstance, ProviderSession } from "@vaultlink/core/plugin";
import { type AwsEmulator, type AwsSeedSecret, startAwsEmulator } from "@vaultlink/emulators";
import { createTestContext, FakeClock, type TestContext } from "@vaultlink/testkit";
import { afterAll, afterEach, beforeAll } from "vitest";
import awsProvider from "../../src/index.js";

export { awsProvider };

/** Settings that point the plugin at an emulator. */
export function emulatorSettings(emulator: AwsEmulator, region = emulator.region) {
  return { region, endpoint: emulator.url };
}

export interface SignedInAws {
  instance: ProviderInstance;
  context: TestContext<FakeClock>;
  session: ProviderSession;
}

/** A fresh instance signed in with a new access key from the emulator. */
export async function signInWithAccessKey(
  emulator: AwsEmulator,
  options: {
    settings?: Record<string, unknown>;
    pluginOptions?: Record<string, unknown>;
    integrationId?: string;
  } = {},
): Promise<SignedInAws> {
  const settings = options.settings ?? emulatorSettings(emulator);
  const context = createTestContext<FakeClock>({
    integration: { id: options.integrationId ?? "aws-test", authMethod: "access-key", settings },
    pluginOptions: options.pluginOptions ?? { maxAttempts: 1 },
    clock: new FakeClock(Date.now()),
  });
  const instance = await awsProvider.create(context);
  const session = await instance.authenticate({
    method: "access-key",
    settings,
    secrets: { ...emulator.issueCredentials() },
  });
  await context.saveSession(session);
  return { instance, context, session };
}

/** `count` secrets named `<prefix>/NN` with distinct values; returns references and values. */
export function numberedSecrets(
  prefix: string,
  count: number,
): Array<AwsSeedSecret & { value: string }> {
  return Array.from({ length: count }, (_, i) => {
    const n = String(i).padStart(2, "0");
    return { name: `${prefix}/${n}`, value: `${prefix}-value-${n}` };
  });
}

export { startAwsEmulator };

/**
 * One emulator for a test file: started and seeded before the first test, stopped after the
 * last. After each test the instances it signed in are disposed and faults and counters cleared.
 */
export function useAwsEmulator(seed: (emulator: AwsEmulator) => Promise<void> = async () => {}) {
  let started: AwsEmulator | undefined;
  const instances: ProviderInstance[] = [];
  const emulator = (): AwsEmulator => {
    if (!started) throw new Error("the AWS emulator is not running (used outside a test?)");
    return started;
  };

  beforeAll(async () => {
    started = await startAwsEmulator();
    await seed(started);
  });
  afterEach(async () => {
    for (const instance of instances.splice(0)) await instance.dispose();
    started?.clearFaults();
    started?.requests.reset();
  });
  afterAll(async () => {
    await started?.stop();
  });

  return {
    emulator,
    /** Dispose this instance after the test. */
    track<T extends ProviderInstance>(instance: T): T {
      instances.push(instance);
      return instance;
    },
    /** A fresh instance signed in with a new key, counters reset so only the test's calls count. */
    async signedIn(options: Parameters<typeof signInWithAccessKey>[1] = {}): Promise<SignedInAws> {
      const signed = await signInWithAccessKey(emulator(), options);
      instances.push(signed.instance);
      emulator().requests.reset();
      return signed;
    },
  };
}
