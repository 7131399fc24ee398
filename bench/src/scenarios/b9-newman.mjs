import { createServer } from "node:http";
import { run as vaultRun } from "@vaultlink/newman";
import newman from "newman";
import { createMemoryVault, makeHome } from "../lib/fixtures.mjs";
import { ratioDisplay, ratioInterval, summarize } from "../lib/stats.mjs";

const REQUESTS = 1000;
const SECRETS = 10;
const TARGET = 1.1;

/** A v2.1 collection of `REQUESTS` GETs to `base`, each with a bearer token and an API-key header. */
function collection(base, token, key) {
  return {
    info: {
      name: "b9",
      schema: "https://schema.getpostman.com/json/collection/v2.1.0/collection.json",
    },
    item: Array.from({ length: REQUESTS }, (_, i) => ({
      name: `r${i}`,
      request: {
        method: "GET",
        url: `${base}/items/${i}`,
        auth: { type: "bearer", bearer: [{ key: "token", value: token(i), type: "string" }] },
        header: [{ key: "x-api-key", value: key(i) }],
      },
    })),
  };
}

function newmanRun(options) {
  return new Promise((resolve, reject) => {
    newman.run(options, (error, summary) => (error ? reject(error) : resolve(summary)));
  });
}

/**
 * B9: a 1,000-request collection on Newman whose requests carry `{{vault:…}}` references (ten
 * linked secrets of the testkit's in-memory provider), run through `@vaultlink/newman`, against
 * the same collection with the values written in, run by plain `newman.run`. Both hit one local
 * HTTP server; the server checks every request carried the right values. The provider counts
 * its fetches: each linked secret once per run.
 */
export async function b9(ctx) {
  const values = Object.fromEntries(
    Array.from({ length: SECRETS }, (_, i) => [
      `b9/${String(i).padStart(4, "0")}`,
      `b9-value-${i}-0123456789abcdef`,
    ]),
  );
  const names = Object.keys(values).map((n) => n.replace("/", "-"));
  const expected = Object.values(values);
  let wrong = 0;
  let seen = 0;
  const server = createServer((req, res) => {
    const i = Number(req.url.split("/").pop());
    const want = expected[i % SECRETS];
    if (
      req.headers.authorization !== `Bearer ${want}` ||
      req.headers["x-api-key"] !== expected[(i + 1) % SECRETS]
    )
      wrong++;
    seen++;
    res.writeHead(200, { "content-type": "application/json" }).end("{}");
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const base = `http://127.0.0.1:${server.address().port}`;
  const home = await makeHome("b9");
  const { vault, memory } = await createMemoryVault(home, values);
  const withRefs = collection(
    base,
    (i) => `{{vault:${names[i % SECRETS]}}}`,
    (i) => `{{vault:${names[(i + 1) % SECRETS]}}}`,
  );
  const literal = collection(
    base,
    (i) => expected[i % SECRETS],
    (i) => expected[(i + 1) % SECRETS],
  );
  const rounds = ctx.quick ? 2 : 5;
  const times = { vaultlink: [], literal: [] };
  const fetchesPerRun = [];
  try {
    for (let round = 0; round < rounds + 1; round++) {
      const order = round % 2 ? ["literal", "vaultlink"] : ["vaultlink", "literal"];
      for (const which of order) {
        await vault.cache.reset(); // every run starts cold: its fetches are counted
        const requested = memory.calls.requests;
        const t0 = performance.now();
        if (which === "vaultlink") {
          const r = await vaultRun({
            collection: withRefs,
            vault,
            reporters: [],
            maskOutput: false,
          });
          if (r.failed || r.unresolved.length > 0) throw new Error("B9: the vault run failed");
        } else {
          const summary = await newmanRun({ collection: literal, reporters: [] });
          if (summary.run.failures.length > 0) throw new Error("B9: the literal run failed");
        }
        const ms = performance.now() - t0;
        if (round > 0) times[which].push(ms); // round 0 warms both up
        if (which === "vaultlink") fetchesPerRun.push(memory.calls.requests - requested);
      }
    }
  } finally {
    await vault.dispose();
    await new Promise((r) => server.close(r));
  }
  if (wrong > 0) throw new Error(`B9: ${wrong} of ${seen} requests carried wrong values`);
  const ours = summarize(times.vaultlink);
  const peer = summarize(times.literal);
  const ratio = ours.median / peer.median;
  const interval = ratioInterval(ours, peer);
  const maxFetches = Math.max(...fetchesPerRun);
  const minFetches = Math.min(...fetchesPerRun);
  return {
    id: "B9",
    title: `a ${REQUESTS.toLocaleString("en")}-request collection with vault references (${SECRETS} linked secrets) on Newman`,
    ours: { label: "vaultlink-newman, {{vault:…}}", ...ours },
    peer: { label: "newman, values written in", ...peer },
    metric: {
      name: "median ratio; provider fetches per run",
      value: ratio,
      interval,
      display: `${ratioDisplay(ratio, interval)}; ${maxFetches} secrets fetched per run`,
    },
    target: `≤ ${TARGET}× and each linked secret fetched once per run`,
    // Ten linked secrets: ten provider requests per run, no more (each once), no fewer.
    pass: ratio <= TARGET && maxFetches === SECRETS && minFetches === SECRETS,
    details: { requestsPerRun: REQUESTS, secretsFetchedPerRun: fetchesPerRun, requestsSeen: seen },
  };
}
