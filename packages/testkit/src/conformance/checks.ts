import {
  isVaultlinkError,
  type ProviderErrorCode,
  type ProviderInstance,
  validateProvider,
} from "@vaultlink/core/plugin";
import { findSecretsIn } from "../secrets/find-secrets.js";
import { asText, check, describeThrown, fail } from "./assert.js";
import type { ConformanceRun } from "./run.js";
import type { ConformanceFaults, ConformanceFixtures } from "./types.js";

/** One behaviour every provider must have. Each becomes one test in the suite. */
export interface ConformanceCheck {
  id: string;
  title: string;
  /** False when the fixtures do not cover this check (an optional fixture is absent). */
  appliesTo?(fixtures: ConformanceFixtures): boolean;
  run(run: ConformanceRun): Promise<void>;
}

const MIN_MESSAGE_LENGTH = 10;

const fixturesCheck: ConformanceCheck = {
  id: "fixtures",
  title: "fixtures describe a usable service",
  async run({ fixtures }) {
    check(fixtures.secrets.length >= 2, "fixtures.secrets needs at least two secrets.");
    const values = new Set(fixtures.secrets.map((s) => s.value));
    check(
      values.size === fixtures.secrets.length,
      "fixtures.secrets values must differ from each other, or a mixed-up batch would pass.",
    );
    check(fixtures.validReferences.length > 0, "fixtures.validReferences is empty.");
    check(fixtures.invalidReferences.length > 0, "fixtures.invalidReferences is empty.");
  },
};

const validatesCheck: ConformanceCheck = {
  id: "validate",
  title: "passes core's validateProvider",
  async run({ provider }) {
    const validated = validateProvider(provider, "the conformance harness's provider");
    check(validated === provider, "validateProvider should accept the definition as it is.");
  },
};

const metaCheck: ConformanceCheck = {
  id: "meta",
  title: "declares meta name and version",
  async run({ provider }) {
    check(
      typeof provider.meta?.name === "string" && provider.meta.name.trim() !== "",
      "meta.name must be the plugin's package name.",
    );
    check(
      typeof provider.meta.version === "string" && provider.meta.version.trim() !== "",
      "meta.version must be the plugin's package version.",
    );
    check(
      typeof provider.title === "string" && provider.title.trim() !== "",
      "title must be a non-empty display name.",
    );
  },
};

const parseValidCheck: ConformanceCheck = {
  id: "parse-valid",
  title: "parses valid references to a stable canonical form",
  async run(run) {
    const { provider, fixtures } = run;
    const inputs = [
      ...fixtures.validReferences,
      ...provider.referenceExamples,
      ...fixtures.secrets.map((s) => s.reference),
      fixtures.missingReference,
    ];
    for (const input of inputs) {
      const parsed = run.parse(input);
      check(
        typeof parsed?.canonical === "string" && parsed.canonical !== "",
        `parseReference("${input}") returned no canonical string.`,
      );
      check(
        run.parse(input).canonical === parsed.canonical,
        `parseReference("${input}") gave different canonical forms on two calls.`,
      );
      const again = run.parse(parsed.canonical);
      check(
        again.canonical === parsed.canonical,
        `The canonical form of "${input}" is not stable: "${parsed.canonical}" parses to "${again.canonical}".`,
      );
      check(
        parsed.version === undefined || typeof parsed.version === "string",
        `parseReference("${input}") returned a version that is not a string.`,
      );
      try {
        JSON.stringify(parsed);
      } catch {
        fail(`parseReference("${input}") returned a value that is not JSON-serialisable.`);
      }
    }
  },
};

const parseInvalidCheck: ConformanceCheck = {
  id: "parse-invalid",
  title: "rejects invalid references with INVALID_REFERENCE",
  async run(run) {
    for (const input of run.fixtures.invalidReferences) {
      let parsed: unknown;
      try {
        parsed = run.provider.parseReference(input);
      } catch (error) {
        run.record("parseReference", error);
        check(
          isVaultlinkError(error),
          `parseReference("${input}") threw ${describeThrown(error)}; throw a VaultlinkError with code INVALID_REFERENCE.`,
        );
        check(
          error.code === "INVALID_REFERENCE",
          `parseReference("${input}") threw code ${error.code}; expected INVALID_REFERENCE.`,
        );
        check(
          error.message.trim().length >= MIN_MESSAGE_LENGTH && error.message !== error.code,
          `parseReference("${input}") threw an error whose message does not say what is wrong.`,
        );
        continue;
      }
      fail(
        `parseReference("${input}") accepted an invalid reference (canonical "${String((parsed as { canonical?: unknown })?.canonical)}").`,
      );
    }
  },
};

const authenticateCheck: ConformanceCheck = {
  id: "authenticate",
  title: "authenticate returns a storable session",
  async run(run) {
    const { provider, harness } = run;
    const method = provider.authMethods.find((m) => m.id === harness.authenticate.method);
    check(
      method,
      `The harness signs in with "${harness.authenticate.method}", which authMethods does not offer.`,
    );
    for (const name of Object.keys(harness.authenticate.secrets)) {
      const spec = method.options.find((o) => o.name === name);
      check(spec, `The harness passes secret "${name}", which auth method "${method.id}" lacks.`);
      check(
        spec.secret === true,
        `Option "${name}" of auth method "${method.id}" carries a secret but is not marked secret: true.`,
      );
    }
    const { session } = await run.signIn();
    check(session && typeof session === "object", "authenticate must resolve to a session.");
    const { credentials, expiresAt, identity, settings } = session;
    check(
      credentials !== null && typeof credentials === "object" && !Array.isArray(credentials),
      "session.credentials must be an object.",
    );
    check(
      expiresAt === undefined || (expiresAt instanceof Date && !Number.isNaN(expiresAt.getTime())),
      "session.expiresAt must be a valid Date or absent.",
    );
    check(
      identity === undefined || typeof identity === "string",
      "session.identity must be a string or absent.",
    );
    check(
      settings === undefined || (settings !== null && typeof settings === "object"),
      "session.settings must be an object or absent.",
    );
    try {
      JSON.stringify({ credentials, settings });
    } catch {
      fail("session.credentials and session.settings must be JSON-serialisable to be stored.");
    }
  },
};

const fetchOneCheck: ConformanceCheck = {
  id: "fetch-one",
  title: "fetches one secret",
  async run(run) {
    const { instance } = await run.shared();
    await expectFirstSecret(run, instance, "only");
  },
};

const fetchManyCheck: ConformanceCheck = {
  id: "fetch-many",
  title: "fetches many secrets in one call, one result per request id",
  async run(run) {
    const { instance } = await run.shared();
    const secrets = run.fixtures.secrets;
    // Ids that sort differently from the request order, sent in reverse, so a provider that
    // answers by position or by sorted id gets caught.
    const ids = secrets.map((_, i) => `req-${String.fromCharCode(122 - i)}-${i}`);
    const requests = secrets.map((s, i) => run.request(ids[i] as string, s.reference)).reverse();
    for (const order of [requests, [...requests].reverse()]) {
      const values = await run.fetchValues(instance, order);
      secrets.forEach((s, i) => {
        expectValue(values.get(ids[i] as string)?.value, s.value, s.reference);
      });
    }
  },
};

const storedSessionCheck: ConformanceCheck = {
  id: "stored-session",
  title: "a new instance created with a stored session fetches without signing in",
  async run(run) {
    const shared = await run.shared();
    const session = shared.context.session ?? shared.session;
    // What a host does on its next start: the session comes back from the vault as JSON.
    const stored = JSON.parse(JSON.stringify(session)) as typeof session;
    if (session.expiresAt) stored.expiresAt = new Date(session.expiresAt);
    const { instance } = await run.create(stored);
    await expectFirstSecret(run, instance, "restored");
  },
};

const notFoundCheck: ConformanceCheck = {
  id: "not-found",
  title: "a missing secret fails NOT_FOUND for its request alone",
  async run(run) {
    const { instance } = await run.shared();
    const [first, second] = run.fixtures.secrets;
    check(first && second, "fixtures.secrets needs at least two secrets.");
    const requests = [
      run.request("present-1", first.reference),
      run.request("missing", run.fixtures.missingReference),
      run.request("present-2", second.reference),
    ];
    const outcome = await run.fetch(instance, requests);
    if (outcome.thrown) {
      fail(
        `fetch threw for a batch with one missing secret (${describeThrown(outcome.error)}); return NOT_FOUND for that request and values for the others.`,
      );
    }
    const missing = outcome.results.get("missing");
    check(
      missing && !missing.ok,
      `The missing reference "${run.fixtures.missingReference}" was reported as found.`,
    );
    check(
      missing.code === "NOT_FOUND",
      `The missing reference failed with ${missing.code}; expected NOT_FOUND.`,
    );
    for (const [id, secret] of [
      ["present-1", first],
      ["present-2", second],
    ] as const) {
      const result = outcome.results.get(id);
      check(
        result?.ok,
        `"${secret.reference}" failed in a batch with a missing secret (${result && !result.ok ? result.code : "no result"}); one missing secret must not fail the others.`,
      );
      expectValue(asText(result.value), secret.value, secret.reference);
    }
  },
};

const jsonCheck: ConformanceCheck = {
  id: "json-key",
  title: "a JSON value yields its key through core's extractJsonKey",
  appliesTo: (fixtures) => fixtures.json !== undefined,
  async run(run) {
    const json = run.fixtures.json;
    check(json, "fixtures.json is not set.");
    const { instance } = await run.shared();
    const values = await run.fetchValues(instance, [run.request("json", json.reference)]);
    const value = values.get("json")?.value;
    check(value !== undefined, `No value came back for "${json.reference}".`);
    // Loaded here so that only this check pulls in core's main entry; the memory provider
    // and the plugin-facing checks need nothing beyond @vaultlink/core/plugin.
    const { extractJsonKey } = await import("@vaultlink/core");
    let extracted: string;
    try {
      extracted = extractJsonKey(value, json.key);
    } catch (error) {
      fail(
        `extractJsonKey could not read key "${json.key}" from "${json.reference}": ${describeThrown(error)}`,
      );
    }
    expectValue(extracted, json.expected, `${json.reference} key ${json.key}`);
  },
};

const versionsCheck: ConformanceCheck = {
  id: "versions",
  title: "versions are fetchable when declared, and only then",
  async run(run) {
    const versions = run.fixtures.versions ?? [];
    if (!run.provider.capabilities.versions) {
      check(
        versions.length === 0,
        "capabilities.versions is false, so fixtures.versions must be absent: the provider cannot fetch versions.",
      );
      return;
    }
    check(
      versions.length > 0,
      "capabilities.versions is true, so fixtures.versions must list versions to fetch.",
    );
    const { instance } = await run.shared();
    const requests = versions.map((v, i) => run.request(`version-${i}`, v.reference, v.version));
    // One at a time, then all together: versions of one secret in one call is the hard case.
    for (const [i, request] of requests.entries()) {
      const values = await run.fetchValues(instance, [request]);
      expectVersion(values.get(request.id), versions[i] as (typeof versions)[number]);
    }
    const values = await run.fetchValues(instance, requests);
    versions.forEach((v, i) => {
      expectVersion(values.get(`version-${i}`), v);
    });
  },
};

function faultCheck(
  id: string,
  fault: Exclude<keyof ConformanceFaults, "clear">,
  code: ProviderErrorCode,
): ConformanceCheck {
  return {
    id,
    title: `faults.${fault}() fails fetches with ${code}, and a new sign-in recovers`,
    async run(run) {
      const { instance, context } = await run.shared();
      const [first] = run.fixtures.secrets;
      check(first, "fixtures.secrets is empty.");
      let recovered = false;
      try {
        await run.harness.faults[fault]();
        const request = run.request("during-fault", first.reference);
        const outcome = await run.fetch(instance, [request]);
        if (outcome.thrown) {
          const error = outcome.error;
          check(
            isVaultlinkError(error),
            `During faults.${fault}() fetch threw ${describeThrown(error)}; expected a VaultlinkError with code ${code}.`,
          );
          check(
            error.code === code,
            `During faults.${fault}() fetch threw ${error.code}; expected ${code}.`,
          );
        } else {
          const result = outcome.results.get("during-fault");
          check(
            result && !result.ok,
            `During faults.${fault}() the fetch still succeeded; expected ${code}.`,
          );
          check(
            result.code === code,
            `During faults.${fault}() the fetch failed with ${result.code}; expected ${code}.`,
          );
        }
        await run.harness.faults.clear();
        const previous = context.session;
        await run.authenticate(instance, context, previous);
        await expectFirstSecret(run, instance, "after");
        recovered = true;
      } finally {
        if (!recovered) {
          await run.harness.faults.clear();
          run.forgetShared();
        }
      }
    },
  };
}

const disposeCheck: ConformanceCheck = {
  id: "dispose",
  title: "dispose resolves, whether or not the instance was used",
  async run(run) {
    const unused = await run.create();
    await run.dispose(unused.instance);
    const used = await run.signIn();
    await expectFirstSecret(run, used.instance, "before-dispose");
    await run.dispose(used.instance);
  },
};

const noLeaksCheck: ConformanceCheck = {
  id: "no-leaks",
  title: "no secret value appears in any error or log line",
  async run(run) {
    check(
      run.observed.length > 0,
      "No failure was observed, so there was nothing to check for leaks; run the other checks first.",
    );
    const secrets = run.secretValues();
    for (const failure of run.observed) {
      const matches = findSecretsIn(
        { message: failure.message, hint: failure.hint, details: failure.details },
        secrets,
      );
      check(
        matches.length === 0,
        `A ${failure.code} error from ${failure.source} contains a secret value at ${matches.map((m) => m.path).join(", ")}.`,
      );
    }
    for (const [i, line] of run.logger.lines.entries()) {
      const matches = findSecretsIn(line, secrets);
      check(
        matches.length === 0,
        `Log line ${i} (${line.level}) contains a secret value at ${matches.map((m) => m.path).join(", ")}.`,
      );
    }
  },
};

/** Every check, in the order the suite runs them. The leak check must stay last. */
export const conformanceChecks: readonly ConformanceCheck[] = [
  fixturesCheck,
  validatesCheck,
  metaCheck,
  parseValidCheck,
  parseInvalidCheck,
  authenticateCheck,
  fetchOneCheck,
  fetchManyCheck,
  storedSessionCheck,
  notFoundCheck,
  jsonCheck,
  versionsCheck,
  faultCheck("fault-auth-expired", "expireCredentials", "AUTH_EXPIRED"),
  faultCheck("fault-permission-denied", "denyPermission", "PERMISSION_DENIED"),
  faultCheck("fault-throttled", "throttle", "THROTTLED"),
  faultCheck("fault-unreachable", "makeUnreachable", "UNREACHABLE"),
  disposeCheck,
  noLeaksCheck,
];

/** Fetch the first fixture secret alone, under request id `id`, and check its value. */
async function expectFirstSecret(
  run: ConformanceRun,
  instance: ProviderInstance,
  id: string,
): Promise<void> {
  const [first] = run.fixtures.secrets;
  check(first, "fixtures.secrets is empty.");
  const values = await run.fetchValues(instance, [run.request(id, first.reference)]);
  expectValue(values.get(id)?.value, first.value, first.reference);
}

function expectValue(actual: string | undefined, expected: string, what: string): void {
  check(actual !== undefined, `No value came back for ${what}.`);
  // Lengths only: these are secret values and test output may be public.
  check(
    actual === expected,
    `The value fetched for ${what} differs from the fixture (${actual.length} chars, expected ${expected.length}).`,
  );
}

function expectVersion(
  got: { value: string; version?: string } | undefined,
  want: { reference: string; version: string; value: string },
): void {
  const what = `${want.reference} version ${want.version}`;
  expectValue(got?.value, want.value, what);
  check(
    got?.version === undefined || got.version === want.version,
    `Fetching ${what} reported version "${got?.version}".`,
  );
}
