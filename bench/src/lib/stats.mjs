/** Summary statistics over samples in milliseconds. */
export function summarize(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q) => {
    if (sorted.length === 0) return Number.NaN;
    const i = Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1);
    return sorted[Math.max(0, i)];
  };
  const mean = sorted.reduce((s, x) => s + x, 0) / Math.max(1, sorted.length);
  const summary = {
    n: sorted.length,
    median: median(sorted),
    p95: at(0.95),
    min: sorted[0] ?? Number.NaN,
    max: sorted[sorted.length - 1] ?? Number.NaN,
    mean,
  };
  // The raw samples ride along for intervals, but stay out of JSON and spreads.
  Object.defineProperty(summary, "samples", { value: sorted, enumerable: false });
  return summary;
}

/**
 * 95% bootstrap interval of median(ours) / median(peer): both sample sets resampled with
 * replacement `reps` times (seeded, so a result file can be recomputed). Returns
 * { low, high } or undefined when either side has no samples.
 */
export function ratioInterval(ours, peer, reps = 2000) {
  const a = ours?.samples ?? [];
  const b = peer?.samples ?? [];
  if (a.length === 0 || b.length === 0) return undefined;
  let seed = 0x9e3779b9;
  const rand = () => {
    // xorshift32: deterministic, good enough for resampling indices.
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 2 ** 32;
  };
  const resampledMedian = (xs) => median(Array.from(xs, () => xs[Math.floor(rand() * xs.length)]));
  const ratios = [];
  for (let i = 0; i < reps; i++) ratios.push(resampledMedian(a) / resampledMedian(b));
  ratios.sort((x, y) => x - y);
  return { low: ratios[Math.floor(0.025 * reps)], high: ratios[Math.ceil(0.975 * reps) - 1] };
}

/** "1.31× (95% 1.22–1.40)" */
export function ratioDisplay(ratio, interval) {
  const base = `${ratio.toFixed(2)}×`;
  return interval ? `${base} (95% ${interval.low.toFixed(2)}–${interval.high.toFixed(2)})` : base;
}

export function median(samples) {
  const s = [...samples].sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Round for JSON and tables: 3 significant decimals below 10, else 2, else 1. */
export function round(x) {
  if (!Number.isFinite(x)) return x;
  if (Math.abs(x) < 10) return Math.round(x * 1000) / 1000;
  if (Math.abs(x) < 1000) return Math.round(x * 100) / 100;
  return Math.round(x * 10) / 10;
}

export function ms(x) {
  if (!Number.isFinite(x)) return "—";
  if (x >= 1000) return `${(x / 1000).toFixed(2)} s`;
  if (x >= 10) return `${x.toFixed(1)} ms`;
  return `${x.toFixed(2)} ms`;
}

/** Run `fn` `times` times, sequentially, returning each run's wall time (ms). */
export async function timeRuns(times, fn) {
  const out = [];
  for (let i = 0; i < times; i++) {
    const t0 = performance.now();
    await fn(i);
    out.push(performance.now() - t0);
  }
  return out;
}
