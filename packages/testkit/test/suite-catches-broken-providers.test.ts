import { type FetchResult, type ProviderSession, vaultlinkError } from "@vaultlink/core/plugin";
import { describe, expect, it } from "vitest";
import {
  conformanceChecks,
  memoryFixtures,
  memoryHarness,
  runConformanceChecks,
} from "../src/index.js";
import {
  codeOf,
  failingChecks,
  failureOf,
  mapFetchErrors,
  mapResults,
  patched,
  variant,
  withFetch,
  withInstance,
  wrapInstances,
} from "./helpers.js";

type Secret = { reference: string; value: string };

const FETCHES = ["fetch-one", "fetch-many", "not-found"];
const FAULTS = [
  "fault-auth-expired",
  "fault-permission-denied",
  "fault-throttled",
  "fault-unreachable",
];

describe("runConformanceChecks", () => {
  it("passes every check for the memory provider", async () => {
    const report = await runConformanceChecks(memoryHarness, memoryFixtures);
    expect(report.failed).toEqual([]);
    expect(report.passed).toEqual(conformanceChecks.map((c) => c.id));
  });

  it("runs only the checks asked for, in suite order", async () => {
    const report = await runConformanceChecks(memoryHarness, memoryFixtures, {
      only: ["no-leaks", "not-found"],
    });
    expect(report.passed).toEqual(["not-found", "no-leaks"]);
  });

  it("disposes every instance it created and stops the harness afterwards", async () => {
    const harness = await memoryHarness();
    let created = 0;
    let disposed = 0;
    let stopped = 0;
    const provider = wrapInstances(harness.provider, (inner) => {
      created++;
      return {
        ...inner,
        dispose() {
          disposed++;
          return inner.dispose();
        },
      };
    });
    const report = await runConformanceChecks(
      { ...harness, provider, stop: async () => void stopped++ },
      memoryFixtures,
      { only: ["fetch-one", "stored-session"] },
    );
    expect(report.failed).toEqual([]);
    expect(harness.memory.calls.fetch).toBeGreaterThan(0);
    expect(created).toBe(2);
    expect(disposed).toBe(created);
    expect(stopped).toBe(1);
  });
});

describe("the suite catches providers that leak secrets", () => {
  it("a failure whose details dump the whole response", async () => {
    const leaky = mapResults((results) => {
      const body = JSON.stringify(results);
      return results.map(
        (r): FetchResult => (r.ok ? r : { ...r, details: { responseBody: body } }),
      );
    });
    expect(await failingChecks(leaky, [...FETCHES, "no-leaks"])).toEqual(["no-leaks"]);
    const message = await failureOf(leaky, ["not-found", "no-leaks"], "no-leaks");
    expect(message).toContain("NOT_FOUND error from fetch");
    // The report names where the secret is, not the secret itself.
    for (const { value } of memoryFixtures.secrets) expect(message).not.toContain(value);
  });

  it("a thrown error that quotes the sign-in token", async () => {
    const leaky = mapFetchErrors(() =>
      vaultlinkError("THROTTLED", "Slow down (token memory-conformance-token)."),
    );
    expect(await failingChecks(leaky, ["fault-throttled", "no-leaks"])).toEqual(["no-leaks"]);
  });

  it("a value written to the logger", async () => {
    const chatty = mapResults((results, _requests, ctx) => {
      for (const r of results) if (r.ok) ctx.logger.debug("fetched", { value: r.value });
      return results;
    });
    const message = await failureOf(chatty, ["fetch-one", "not-found", "no-leaks"], "no-leaks");
    expect(message).toMatch(/Log line \d+ \(debug\) contains a secret value at fields\.value/);
  });
});

describe("the suite catches wrong fetch answers", () => {
  it("not-found mapped to PROVIDER_ERROR", async () => {
    const wrongCode = mapResults((results) =>
      results.map(
        (r): FetchResult =>
          !r.ok && r.code === "NOT_FOUND" ? { ...r, code: "PROVIDER_ERROR" } : r,
      ),
    );
    expect(await failingChecks(wrongCode, FETCHES)).toEqual(["not-found"]);
    expect(await failureOf(wrongCode, ["not-found"], "not-found")).toContain(
      "failed with PROVIDER_ERROR; expected NOT_FOUND",
    );
  });

  it("one missing secret failing the whole batch", async () => {
    const allOrNothing = mapResults((results) => {
      if (results.some((r) => !r.ok))
        throw vaultlinkError("NOT_FOUND", "Some secrets do not exist.");
      return results;
    });
    expect(await failingChecks(allOrNothing, FETCHES)).toEqual(["not-found"]);
  });

  it("results matched to requests by position after reordering", async () => {
    const byPosition = withFetch(async (inner, requests) => {
      const sorted = [...requests].sort((a, b) =>
        a.reference.canonical.localeCompare(b.reference.canonical),
      );
      const results = await inner.fetch(sorted);
      return results.map((r, i) => ({ ...r, id: (requests[i] as { id: string }).id }));
    });
    expect(await failingChecks(byPosition, ["fetch-one", "fetch-many"])).toEqual(["fetch-many"]);
  });

  it("a duplicated result", async () => {
    const doubled = mapResults((results) =>
      results.length > 1 ? [...results, results[0] as FetchResult] : results,
    );
    expect(await failureOf(doubled, ["fetch-many"], "fetch-many")).toContain(
      "more than one result",
    );
  });

  it("a missing result", async () => {
    const dropping = mapResults((results) => results.slice(1));
    expect(await failingChecks(dropping, ["fetch-one", "fetch-many"])).toEqual([
      "fetch-one",
      "fetch-many",
    ]);
  });

  it("a JSON value handed back re-encoded", async () => {
    const reencoded = mapResults((results) =>
      results.map((r) =>
        r.ok && typeof r.value === "string" && r.value.startsWith("{")
          ? { ...r, value: Buffer.from(r.value).toString("base64") }
          : r,
      ),
    );
    expect(await failureOf(reencoded, ["json-key"], "json-key")).toContain(
      'extractJsonKey could not read key "db.password"',
    );
  });

  it("a requested version ignored", async () => {
    const latestOnly = withFetch((inner, requests) =>
      inner.fetch(requests.map(({ version: _, ...r }) => r)),
    );
    expect(await failingChecks(latestOnly, ["fetch-one", "versions"])).toEqual(["versions"]);
  });
});

describe("the suite catches broken reference parsing", () => {
  it("a parser that accepts anything", async () => {
    const lax = patched(() => ({
      parseReference: (input) => ({ canonical: input || "mem://x", name: input }),
    }));
    expect(await failingChecks(lax, ["parse-valid", "parse-invalid"])).toEqual(["parse-invalid"]);
  });

  it("a canonical form that changes when parsed again", async () => {
    const drifting = patched((base) => ({
      parseReference: (input) => {
        const parsed = base.parseReference(input);
        return { ...parsed, canonical: `${parsed.canonical}.` };
      },
    }));
    expect(await failureOf(drifting, ["parse-valid"], "parse-valid")).toContain("not stable");
  });

  it("a parser that throws a plain Error", async () => {
    const plain = patched((base) => ({
      parseReference: (input) => {
        if (!input.startsWith("mem://")) throw new Error("bad reference");
        return base.parseReference(input);
      },
    }));
    expect(await failureOf(plain, ["parse-invalid"], "parse-invalid")).toContain(
      "throw a VaultlinkError with code INVALID_REFERENCE",
    );
  });
});

describe("the suite catches fault mapping and recovery bugs", () => {
  it("throttling reported as a generic provider error", async () => {
    const generic = mapFetchErrors((error) =>
      codeOf(error) === "THROTTLED" ? vaultlinkError("PROVIDER_ERROR", "HTTP 429.") : error,
    );
    expect(await failingChecks(generic, FAULTS)).toEqual(["fault-throttled"]);
  });

  it("an instance that keeps its first session after reauthentication", async () => {
    const sticky = withInstance((inner) => {
      let first: ProviderSession | undefined;
      return {
        async authenticate(input) {
          // Signs in once and then only hands back the old session, like a cached client.
          first ??= await inner.authenticate(input);
          return first;
        },
      };
    });
    const message = await failureOf(sticky, ["fault-auth-expired"], "fault-auth-expired");
    expect(message).toContain("AUTH_EXPIRED");
  });

  it("expired credentials reported as a failed sign-in", async () => {
    const confused = mapFetchErrors((error) =>
      codeOf(error) === "AUTH_EXPIRED" ? vaultlinkError("AUTH_FAILED", "HTTP 401.") : error,
    );
    // The failed check clears its fault, so the next fault check starts from a clean state.
    expect(
      await failingChecks(confused, ["fault-auth-expired", "fault-permission-denied"]),
    ).toEqual(["fault-auth-expired"]);
  });
});

describe("the suite catches contract and lifecycle bugs", () => {
  it("a definition without the brand", async () => {
    const unbranded = variant((base) => ({ ...base, brand: "something-else" }) as never);
    expect(await failingChecks(unbranded, ["validate", "meta"])).toEqual(["validate"]);
  });

  it("empty meta", async () => {
    const anonymous = patched(() => ({ meta: { name: "", version: "" } }));
    expect(await failingChecks(anonymous, ["meta"])).toEqual(["meta"]);
  });

  it("an expiry that is not a Date", async () => {
    const stringly = withInstance((inner) => ({
      async authenticate(input) {
        const session = await inner.authenticate(input);
        return { ...session, expiresAt: "tomorrow" as unknown as Date };
      },
    }));
    expect(await failureOf(stringly, ["authenticate"], "authenticate")).toContain(
      "expiresAt must be a valid Date",
    );
  });

  it("a secret option not marked secret", async () => {
    const unmasked = patched(() => ({
      authMethods: [
        {
          id: "token",
          title: "Token",
          options: [{ name: "token", title: "Token", type: "string" }],
        },
      ],
    }));
    expect(await failureOf(unmasked, ["authenticate"], "authenticate")).toContain(
      "not marked secret",
    );
  });

  it("an instance that ignores the stored session", async () => {
    const forgetful = patched((base) => ({
      create: ({ session: _, ...ctx }) => base.create(ctx as typeof ctx & { session?: never }),
    }));
    expect(await failingChecks(forgetful, ["fetch-one", "stored-session"])).toEqual([
      "stored-session",
    ]);
  });

  it("a dispose that throws", async () => {
    const grumpy = withInstance(() => ({
      dispose() {
        throw new Error("socket already closed");
      },
    }));
    expect(await failingChecks(grumpy, ["dispose"])).toEqual(["dispose"]);
  });

  it("version fixtures for a provider without versions", async () => {
    const unversioned = patched((base) => ({
      capabilities: { ...base.capabilities, versions: false },
    }));
    expect(await failureOf(unversioned, ["versions"], "versions")).toContain(
      "fixtures.versions must be absent",
    );
    const { versions: _, ...withoutVersions } = memoryFixtures;
    expect(await failingChecks(unversioned, ["versions"], withoutVersions)).toEqual([]);
  });

  it("a versioned provider without version fixtures", async () => {
    const { versions: _, ...withoutVersions } = memoryFixtures;
    expect(await failureOf(memoryHarness, ["versions"], "versions", withoutVersions)).toContain(
      "fixtures.versions must list versions",
    );
  });

  it("fixtures with one secret, or two equal values", async () => {
    const [one, two] = memoryFixtures.secrets as [Secret, Secret];
    expect(
      await failingChecks(memoryHarness, ["fixtures"], { ...memoryFixtures, secrets: [one] }),
    ).toEqual(["fixtures"]);
    expect(
      await failingChecks(memoryHarness, ["fixtures"], {
        ...memoryFixtures,
        secrets: [one, { reference: two.reference, value: one.value }],
      }),
    ).toEqual(["fixtures"]);
  });

  it("the leak check refuses to pass vacuously", async () => {
    expect(await failureOf(memoryHarness, ["no-leaks"], "no-leaks")).toContain(
      "No failure was observed",
    );
  });
});
