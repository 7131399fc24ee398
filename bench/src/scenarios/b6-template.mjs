import { createMemoryVault, makeHome } from "../lib/fixtures.mjs";
import { benchTasks } from "../lib/tiny.mjs";

const REFERENCES = 1000;
const TEMPLATE_BYTES = 1024 * 1024;

/** A 1 MiB text with `names.length` references spread evenly through filler lines. */
export function buildTemplate(names, bytes = TEMPLATE_BYTES) {
  const refs = names.map((n) => `{{vault:${n}}}`);
  const refBytes = refs.reduce((s, r) => s + r.length, 0);
  const gap = Math.floor((bytes - refBytes) / refs.length);
  const filler = "lorem ipsum dolor sit amet, {not a ref} consectetur {{ also: not }} elit\n";
  let text = "";
  for (const ref of refs) text += filler.repeat(Math.ceil(gap / filler.length)).slice(0, gap) + ref;
  return text.padEnd(bytes, "-");
}

/** B6: inject a 1 MiB template holding 1,000 references, all cached. */
export async function b6(ctx) {
  const values = {};
  for (let i = 0; i < REFERENCES; i++) {
    values[`tpl/${String(i).padStart(4, "0")}`] = `tpl-value-${i}-0123456789abcdef`;
  }
  const { vault, memory, names } = await createMemoryVault(await makeHome("b6"), values);
  try {
    const warm = await vault.resolveMany(names);
    const bad = warm.find((r) => !r.ok);
    if (bad) throw new Error(`B6: ${bad.name} did not resolve (${bad.reason}: ${bad.message})`);
    const text = buildTemplate(names);
    const fetchesBefore = memory.calls.fetch;
    const check = await vault.resolveTemplate(text);
    if (check.resolved.length !== REFERENCES || check.unresolved.length > 0) {
      throw new Error(`B6: ${check.resolved.length} resolved, ${check.unresolved.length} not`);
    }
    const stats = await benchTasks(
      {
        resolveTemplate: async () => {
          await vault.resolveTemplate(text);
        },
      },
      ctx.quick ? { rounds: 1, iterations: 5 } : { rounds: 2, iterations: 15 },
    );
    const mbps = TEMPLATE_BYTES / (1024 * 1024) / (stats.resolveTemplate.median / 1000);
    return {
      id: "B6",
      title: `inject a 1 MiB template with ${REFERENCES.toLocaleString("en")} references, all cached`,
      ours: { label: "vault.resolveTemplate(1 MiB)", ...stats.resolveTemplate },
      peer: undefined,
      metric: { name: "throughput (MiB/s)", value: mbps, display: `${mbps.toFixed(1)} MiB/s` },
      target: "≥ 50 MB/s",
      pass: mbps >= 50 && memory.calls.fetch === fetchesBefore,
      details: {
        templateBytes: text.length,
        providerFetchesDuring: memory.calls.fetch - fetchesBefore,
      },
    };
  } finally {
    await vault.dispose();
  }
}
