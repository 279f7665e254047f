/**
 * A mergeable latency histogram with logarithmic buckets: bucket i holds values in
 * [GROWTH^(i-1), GROWTH^i) ms, bucket 0 holds values below 1 ms. Relative error <= 5 %,
 * fixed memory per second of timeline, exact merge across seconds and processes.
 */
export type LatencyHistogram = Record<string, number>;

const GROWTH = 1.1;
const LOG_GROWTH = Math.log(GROWTH);

function computedBucketOf(latencyMs: number): number {
  if (!(latencyMs >= 1)) return 0;
  return Math.floor(Math.log(latencyMs) / LOG_GROWTH) + 1;
}

/**
 * Buckets of whole-ms latencies below 65,536 ms, computed once by the same formula: nearly every op's duration is a
 * whole ms (Date.now() differences), and a table read costs a fraction of Math.log on the per-op path.
 */
const WHOLE_MS_TABLE_SIZE = 65_536;
const wholeMsBuckets = Uint8Array.from({ length: WHOLE_MS_TABLE_SIZE }, (_, ms) => computedBucketOf(ms));

export function bucketOf(latencyMs: number): number {
  return Number.isInteger(latencyMs) && latencyMs >= 0 && latencyMs < WHOLE_MS_TABLE_SIZE ? wholeMsBuckets[latencyMs]! : computedBucketOf(latencyMs);
}

/** Representative value of a bucket (geometric middle), in ms. */
export function bucketValueMs(bucket: number): number {
  if (bucket <= 0) return 0.5;
  return Math.sqrt(GROWTH ** (bucket - 1) * GROWTH ** bucket);
}

export function recordLatency(histogram: LatencyHistogram, latencyMs: number): void {
  // A number key is the same property as its decimal string ("12"), without making the string on every op.
  const key = bucketOf(latencyMs);
  histogram[key] = (histogram[key] ?? 0) + 1;
}

export function mergeHistograms(into: LatencyHistogram, from: LatencyHistogram): LatencyHistogram {
  for (const [key, count] of Object.entries(from)) into[key] = (into[key] ?? 0) + count;
  return into;
}

/** Percentile (0..100) in ms, or undefined for an empty histogram. */
export function percentileMs(histogram: LatencyHistogram, percentile: number): number | undefined {
  const entries = Object.entries(histogram)
    .map(([key, count]) => [Number(key), count] as const)
    .sort((a, b) => a[0] - b[0]);
  const total = entries.reduce((sum, [, count]) => sum + count, 0);
  if (total === 0) return undefined;
  const rank = Math.max(1, Math.ceil((percentile / 100) * total));
  let seen = 0;
  for (const [bucket, count] of entries) {
    seen += count;
    if (seen >= rank) return bucketValueMs(bucket);
  }
  return bucketValueMs(entries[entries.length - 1]![0]);
}
