import type { LeaderChange, ProbeSeries } from "../../core/history.ts";
import { escapeXml as esc } from "./escape.ts";

/**
 * The system's own signals under the traffic (same x scale as the traffic timelines): per leader probe one row per
 * node, filled while it leads (grey while it did not answer); per series probe one line per node and series.
 * Hooks: `svg.probe[data-probe]`, `rect.leader[data-node]`, `path.probe-series[data-node][data-series]`.
 */
const WIDTH = 960;
const MARGIN = { left: 60, right: 64, top: 30, bottom: 30 };
const PLOT_W = WIDTH - MARGIN.left - MARGIN.right;
const ROW_H = 18;
const SERIES_H = 140;
const PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"];

const n = (v: number) => (Math.round(v * 10) / 10).toString();

/** An axis label: as many digits as a small value needs (0.05 stays 0.05, not 0), thousands as 1.5k, 2M. */
export function tickLabel(v: number): string {
  if (v === 0) return "0";
  const abs = Math.abs(v);
  if (abs >= 1e6) return `${Number((v / 1e6).toPrecision(3))}M`;
  if (abs >= 1e4) return `${Number((v / 1e3).toPrecision(3))}k`;
  return String(Number(v.toPrecision(3)));
}

/** Path commands through the points; a null value (a sample the node did not give) breaks the line there. */
function gappedPath(points: readonly (readonly [number, number | null])[], x: (ms: number) => number, y: (v: number) => number): string {
  let d = "";
  let drawing = false;
  for (const [t, v] of points) {
    if (v === null) {
      drawing = false;
      continue;
    }
    d += `${drawing ? "L" : "M"}${n(x(t))} ${n(y(v))}`;
    drawing = true;
  }
  return d;
}

/** Spans of a series' states (from each state sample to the next sample), for bands: [fromMs, toMs, state]. */
function stateSpans(points: readonly (readonly [number, number | null])[], states: readonly (readonly [number, string])[]): [number, number, string][] {
  const times = points.map(([t]) => t);
  return states.map(([t, state]) => {
    const next = times.find((u) => u > t);
    return [t, next ?? t + 1_000, state];
  });
}

function niceCeil(v: number): number {
  if (!(v > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(v));
  for (const step of [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (step * power >= v) return step * power;
  return 10 * power;
}

function xScale(trafficEndMs: number): (ms: number) => number {
  const domainMs = Math.max(trafficEndMs, 1000);
  return (ms) => MARGIN.left + (Math.min(Math.max(ms, 0), domainMs) / domainMs) * PLOT_W;
}

/** One leader probe: which node led when. */
export function renderLeaderSvg(probe: string, changes: readonly LeaderChange[], trafficEndMs: number): string {
  const nodes = [...new Set(changes.flatMap((c) => [...c.leaders, ...c.unreachable, ...c.previous]))].sort();
  const x = xScale(trafficEndMs);
  const height = MARGIN.top + MARGIN.bottom + Math.max(1, nodes.length) * ROW_H;
  const parts = [
    `<svg class="probe leader" data-probe="${esc(probe)}" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" role="img" font-family="sans-serif" font-size="11">`,
    `<title>${esc(`${probe}: which node leads (filled), did not answer (grey)`)}</title>`,
  ];
  nodes.forEach((node, row) => {
    const y = MARGIN.top + row * ROW_H;
    parts.push(`<text x="${MARGIN.left - 6}" y="${y + ROW_H / 2 + 4}" text-anchor="end">${esc(node)}</text>`);
    parts.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + PLOT_W}" y1="${y + ROW_H - 1}" y2="${y + ROW_H - 1}" stroke="#e5e5e5"/>`);
    changes.forEach((c, i) => {
      const endMs = changes[i + 1]?.atMs ?? trafficEndMs;
      const x0 = x(c.atMs);
      const w = Math.max(1, x(endMs) - x0);
      if (c.leaders.includes(node))
        parts.push(`<rect class="leader" data-node="${esc(node)}" x="${n(x0)}" y="${y + 2}" width="${n(w)}" height="${ROW_H - 5}" fill="${c.leaders.length > 1 ? "#d62728" : "#2e7d32"}"><title>${esc(`${node} leads from ${(c.atMs / 1000).toFixed(3)} s${c.leaders.length > 1 ? ` together with ${c.leaders.filter((l) => l !== node).join(", ")} (split brain)` : ""}`)}</title></rect>`);
      else if (c.unreachable.includes(node))
        parts.push(`<rect class="no-answer" data-node="${esc(node)}" x="${n(x0)}" y="${y + 2}" width="${n(w)}" height="${ROW_H - 5}" fill="#bdbdbd"><title>${esc(`${node} did not answer from ${(c.atMs / 1000).toFixed(3)} s`)}</title></rect>`);
    });
  });
  parts.push(axis(x, trafficEndMs, height - MARGIN.bottom), `<text x="${MARGIN.left}" y="16" font-weight="bold">${esc(probe)}</text>`, `</svg>`);
  return parts.join("\n");
}

/** One series probe: a line per node and series. */
export function renderSeriesSvg(probe: string, series: readonly ProbeSeries[], trafficEndMs: number): string {
  const x = xScale(trafficEndMs);
  let peak = 0;
  for (const s of series) for (const [, v] of s.points) if (v !== null) peak = Math.max(peak, v);
  const max = niceCeil(peak * 1.1);
  const bottom = MARGIN.top + SERIES_H;
  const y = (v: number) => bottom - (Math.max(0, v) / max) * SERIES_H;
  const height = bottom + MARGIN.bottom;
  const unit = series[0]?.unit ?? "";
  const parts = [
    `<svg class="probe series" data-probe="${esc(probe)}" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" role="img" font-family="sans-serif" font-size="11">`,
    `<title>${esc(`${probe} (${unit}) per node`)}</title>`,
  ];
  for (const f of [0, 0.5, 1]) {
    const ty = n(bottom - f * SERIES_H);
    parts.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + PLOT_W}" y1="${ty}" y2="${ty}" stroke="#e5e5e5"/><text x="${MARGIN.left - 6}" y="${ty}" dy="4" text-anchor="end">${tickLabel(f * max)}</text>`);
  }
  let lx = MARGIN.left + 160;
  series.forEach((s, i) => {
    const colour = PALETTE[i % PALETTE.length]!;
    const d = gappedPath(s.points, x, y);
    const label = s.series.includes(s.node) ? s.series : `${s.node} ${s.series}`;
    for (const [from, to, state] of stateSpans(s.points, s.states ?? []))
      parts.push(`<rect class="probe-state" data-node="${esc(s.node)}" data-state="${esc(state)}" x="${n(x(from))}" y="${MARGIN.top}" width="${n(Math.max(1, x(to) - x(from)))}" height="${SERIES_H}" fill="${colour}" fill-opacity="0.12"><title>${esc(`${label}: ${state} at ${(from / 1000).toFixed(1)} s`)}</title></rect>`);
    parts.push(`<path class="probe-series" data-node="${esc(s.node)}" data-series="${esc(s.series)}" d="${d}" fill="none" stroke="${colour}" stroke-width="1.4"><title>${esc(label)}</title></path>`);
    parts.push(`<g transform="translate(${lx} 16)"><line x2="12" y1="-4" y2="-4" stroke="${colour}" stroke-width="2"/><text x="16">${esc(label)}</text></g>`);
    lx += 30 + label.length * 6;
  });
  parts.push(axis(x, trafficEndMs, bottom), `<text x="${MARGIN.left}" y="16" font-weight="bold">${esc(`${probe} (${unit})`)}</text>`, `</svg>`);
  return parts.join("\n");
}

function axis(x: (ms: number) => number, trafficEndMs: number, y: number): string {
  const seconds = Math.max(1, trafficEndMs / 1000);
  const step = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600].find((s) => seconds / s <= 10) ?? 7200;
  const ticks: string[] = [`<line x1="${MARGIN.left}" x2="${MARGIN.left + PLOT_W}" y1="${y}" y2="${y}" stroke="#333"/>`];
  for (let s = 0; s <= seconds; s += step) ticks.push(`<text x="${n(x(s * 1000))}" y="${y + 14}" text-anchor="middle">${s} s</text>`);
  return `<g class="axis">${ticks.join("")}</g>`;
}
