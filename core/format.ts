/** Number formatting shared by checks and reporters, so a value reads the same in every report. */

/** 12000 -> "12,000". Locale-independent on purpose: reports must not change with the CI machine's locale. */
export function formatCount(n: number): string {
  const [whole, fraction] = String(n).split(".");
  const grouped = whole!.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return fraction === undefined ? grouped : `${grouped}.${fraction}`;
}

/**
 * ok/total in percent, truncated (not rounded) to 2 decimals, so that a value below a target with at most
 * 2 decimals never prints as meeting it (98.996 % shows as 98.99 %, not 99.00 %).
 */
export function truncatedPercent(ok: number, total: number): number {
  return Math.floor((ok * 10_000) / total) / 100;
}

/** 97.2 -> "97.20%". */
export function formatPercent(percent: number): string {
  return `${percent.toFixed(2)}%`;
}

/** Latency in ms with one decimal: "12.3 ms". */
export function formatLatencyMs(ms: number): string {
  return `${ms.toFixed(1)} ms`;
}

/** An SLO's observed value in its unit: "97.21%", "3 writes", "12.3 ms", "4.0 s", "n/a" when it could not be measured. */
export function formatObserved(observed: number | null, unit: string): string {
  if (observed === null) return "n/a";
  if (unit === "%") return formatPercent(observed);
  // Durations (outage, failover) read better in seconds; latencies stay in ms.
  if (unit === "ms") return observed >= 1_000 ? `${(observed / 1000).toFixed(1)} s` : formatLatencyMs(observed);
  return `${formatCount(observed)} ${unit}`;
}
