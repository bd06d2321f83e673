/** Latency summary in milliseconds, from raw samples. */
export interface LatencySummary {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export function summarize(samples: ArrayLike<number>): LatencySummary {
  const sorted = Float64Array.from(samples).sort();
  const at = (q: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! : NaN);
  const round = (v: number) => Math.round(v * 100) / 100;
  return {
    n: sorted.length,
    p50: round(at(0.5)),
    p95: round(at(0.95)),
    p99: round(at(0.99)),
    max: round(sorted.length ? sorted[sorted.length - 1]! : NaN),
  };
}

/** Wall-clock milliseconds with sub-millisecond resolution, comparable across processes of one machine. */
export const nowMs = () => performance.timeOrigin + performance.now();

export const ratio = (a: number, b: number) => (b > 0 ? Math.round((a / b) * 100) / 100 : NaN);

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** The q-quantile of samples (nearest rank), as summarize computes p99. */
export function quantile(samples: ArrayLike<number>, q: number): number {
  const sorted = Float64Array.from(samples).sort();
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/**
 * A 95 % bootstrap confidence interval of quantile(b, q) / quantile(a, q): both sample sets are
 * resampled with replacement `rounds` times (a fixed-seed generator, so a run is reproducible).
 */
export function bootstrapRatioCI(a: number[], b: number[], q: number, rounds = 1000): { low: number; high: number } {
  let seed = 42;
  const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
  const resample = (xs: number[]) => Float64Array.from({ length: xs.length }, () => xs[Math.floor(random() * xs.length)]!);
  const ratios = Array.from({ length: rounds }, () => quantile(resample(b), q) / quantile(resample(a), q)).sort((x, y) => x - y);
  const round = (v: number) => Math.round(v * 100) / 100;
  return { low: round(ratios[Math.floor(0.025 * rounds)]!), high: round(ratios[Math.floor(0.975 * rounds)]!) };
}
