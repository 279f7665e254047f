import { describe, expect, it } from "vitest";
import type { ProbeSeries } from "../../core/history.ts";
import { renderSeriesSvg, tickLabel } from "../../reports/reporters/probes-svg.ts";

const series = (points: [number, number | null][], states?: [number, string][]): ProbeSeries => ({ probe: "replication-lag-seconds", node: "pg-2", series: "lag_s", unit: "s", points, ...(states ? { states } : {}) });

describe("series probe charts", () => {
  it("label small values as they are, never 0 for a non-zero tick", () => {
    expect([0.05, 0.1, 0.125, 1, 1.5, 12_500, 2_000_000].map(tickLabel)).toEqual(["0.05", "0.1", "0.125", "1", "1.5", "12.5k", "2M"]);
    const svg = renderSeriesSvg("lag", [series([[0, 0.02], [1_000, 0.08]])], 10_000);
    const labels = [...svg.matchAll(/text-anchor="end">([^<]+)</g)].map((m) => m[1]);
    expect(labels).toEqual(["0", "0.05", "0.1"]);
  });

  it("break the line where the node gave no sample, instead of drawing across the time it was down", () => {
    const svg = renderSeriesSvg("lag", [series([[0, 1], [1_000, 1], [2_000, null], [3_000, null], [4_000, 2]])], 10_000);
    const d = /<path class="probe-series"[^>]* d="([^"]+)"/.exec(svg)![1]!;
    expect(d.match(/M/g)).toHaveLength(2);
    expect(d.match(/L/g)).toHaveLength(1);
  });

  it("draw a state (a disconnected standby) as a band over the samples that named it", () => {
    const svg = renderSeriesSvg("lag", [series([[0, 0.1], [1_000, 1.1], [2_000, 2.1], [3_000, 0.1]], [[1_000, "disconnected"], [2_000, "disconnected"]])], 10_000);
    const bands = [...svg.matchAll(/<rect class="probe-state" data-node="pg-2" data-state="disconnected"/g)];
    expect(bands).toHaveLength(2);
  });
});
