import { readFile } from "node:fs/promises";

export interface LoadFigures {
  reqPerS: number;
  p50Ms: number;
  p99Ms: number;
  dropped: number;
}

/**
 * Request rate and latency from a k6 --summary-export file (legacy format: metrics[name] holds the values). The
 * percentiles are the ones havoc's scripts ask k6 for (summaryTrendStats avg, p(50), p(99), max); NaN when absent.
 */
export async function k6SummaryFigures(summaryPath: string, seconds: number): Promise<LoadFigures> {
  const metrics = JSON.parse(await readFile(summaryPath, "utf8")).metrics as Record<string, Record<string, number>>;
  const duration = metrics.http_req_duration ?? {};
  return {
    reqPerS: (metrics.http_reqs?.count ?? 0) / seconds,
    p50Ms: duration["p(50)"] ?? duration.med ?? Number.NaN,
    p99Ms: duration["p(99)"] ?? Number.NaN,
    dropped: metrics.dropped_iterations?.count ?? 0,
  };
}
