import { formatSeconds } from "../../core/duration.ts";
import type { ContainerEvent, LeaderChange, TimelineBucket } from "../../core/history.ts";
import { mergeHistograms, percentileMs, type LatencyHistogram } from "../../core/latency-histogram.ts";
import type { ReportFault } from "../../judge/report-schema.ts";
import { describeFault } from "../../judge/slos/window.ts";
import { escapeXml as esc } from "./escape.ts";

/**
 * One traffic class over the run as an inline SVG (built here, so report.html needs no script):
 * requests per second as bars and errors per second (fail + unknown) as a line on the left axis,
 * p50/p95 latency per second on the right axis (ms), fault intervals as shaded bands, container
 * events as vertical markers. Stable hooks for tests and styling:
 * `svg.timeline[data-traffic]`, `g.fault-band[data-fault-id]`, `line.container-event[data-node][data-action]`,
 * `path.throughput-bars`, `path.error-line`, `path.latency-p50`, `path.latency-p95`.
 * Colours are presentation attributes, so the SVG also renders when cut out of the page.
 */
export interface TimelineSvgInput {
  traffic: string;
  /** Buckets of any class; only `traffic`'s are drawn. */
  buckets: readonly TimelineBucket[];
  faults: readonly ReportFault[];
  containerEvents: readonly ContainerEvent[];
  /** ms from traffic start. */
  trafficEndMs: number;
  /** Leader changes from the topology's leader probes, drawn as solid markers. */
  leaderChanges?: readonly LeaderChange[];
}

const WIDTH = 960;
const HEIGHT = 300;
const MARGIN = { left: 60, right: 64, top: 44, bottom: 40 };
const PLOT_W = WIDTH - MARGIN.left - MARGIN.right;
const PLOT_H = HEIGHT - MARGIN.top - MARGIN.bottom;
const COLOURS = { bars: "#9bb7d4", errors: "#d62728", p50: "#1f77b4", p95: "#7b3fa0", fault: "#ff9f1c", event: "#555555", leader: "#2e7d32", axis: "#333333", grid: "#e5e5e5" };

/** Axis maximum that reads well (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8 x 10^k) at or above `v`. */
function niceCeil(v: number): number {
  if (!(v > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(v));
  for (const step of [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (step * power >= v) return step * power;
  return 10 * power;
}

/** Room above the highest value for the fault labels. */
const HEADROOM = 1.2;

/** Seconds between x ticks: at most ~10 ticks. */
function tickStepSeconds(domainSeconds: number): number {
  for (const step of [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600]) if (domainSeconds / step <= 10) return step;
  return 7200;
}

const n = (v: number) => (Math.round(v * 10) / 10).toString();

interface Second {
  requests: number;
  errors: number;
  latency: LatencyHistogram;
}

function perSecond(buckets: readonly TimelineBucket[], traffic: string): Map<number, Second> {
  const seconds = new Map<number, Second>();
  for (const b of buckets) {
    if (b.traffic !== traffic) continue;
    const s = seconds.get(b.second) ?? { requests: 0, errors: 0, latency: {} };
    s.requests += b.requests;
    s.errors += b.fail + b.unknown;
    mergeHistograms(s.latency, b.latency);
    seconds.set(b.second, s);
  }
  return seconds;
}

/** A path through per-second points; a missing value (undefined) breaks the line. */
function linePath(points: readonly (readonly [number, number | undefined])[]): string {
  let d = "";
  let drawing = false;
  for (const [x, y] of points) {
    if (y === undefined) {
      drawing = false;
      continue;
    }
    d += `${drawing ? "L" : "M"}${n(x)} ${n(y)}`;
    drawing = true;
  }
  return d;
}

/** The chart's scales, shared by every drawing step. */
interface Plot {
  domainMs: number;
  bottom: number;
  maxRate: number;
  maxLatency: number;
  x(ms: number): number;
  yRate(v: number): number;
  yLatency(v: number): number;
}

export function renderTimelineSvg(input: TimelineSvgInput): string {
  const seconds = perSecond(input.buckets, input.traffic);
  // Loops, not Math.max(...spread): a long run has more seconds than a call may take arguments.
  let lastSecond = -1;
  let peakRate = 0;
  let peakP95Ms = 0;
  for (const [second, s] of seconds) {
    lastSecond = Math.max(lastSecond, second);
    peakRate = Math.max(peakRate, s.requests);
    peakP95Ms = Math.max(peakP95Ms, percentileMs(s.latency, 95) ?? 0);
  }
  const domainMs = Math.max(input.trafficEndMs, (lastSecond + 1) * 1000, 1000);
  const bottom = MARGIN.top + PLOT_H;
  const maxRate = niceCeil(peakRate * HEADROOM);
  const maxLatency = niceCeil(peakP95Ms * HEADROOM);
  const plot: Plot = {
    domainMs,
    bottom,
    maxRate,
    maxLatency,
    x: (ms) => MARGIN.left + (Math.min(Math.max(ms, 0), domainMs) / domainMs) * PLOT_W,
    yRate: (v) => bottom - (v / maxRate) * PLOT_H,
    yLatency: (v) => bottom - (v / maxLatency) * PLOT_H,
  };
  const id = `timeline-${input.traffic}`;
  return [
    `<svg class="timeline" id="${esc(id)}" data-traffic="${esc(input.traffic)}" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img" aria-labelledby="${esc(id)}-title" font-family="sans-serif" font-size="11">`,
    `<title id="${esc(id)}-title">${esc(`${input.traffic}: requests, errors and latency per second; faults shaded`)}</title>`,
    ...gridAndAxes(plot),
    throughputBars(seconds, plot),
    // Fault bands over the bars (translucent, so both stay readable) and under the lines.
    ...faultBands(input, plot),
    ...errorAndLatencyLines(seconds, lastSecond, plot),
    ...(seconds.size === 0 ? [`<text class="no-data" x="${MARGIN.left + PLOT_W / 2}" y="${MARGIN.top + PLOT_H / 2}" text-anchor="middle">no requests recorded</text>`] : []),
    ...markers(input, plot),
    legend((input.leaderChanges?.length ?? 0) > 1),
    `</svg>`,
  ].join("\n");
}

function gridAndAxes({ x, bottom, domainMs, maxRate, maxLatency }: Plot): string[] {
  const stepS = tickStepSeconds(domainMs / 1000);
  const xTicks: string[] = [];
  for (let s = 0; s * 1000 <= domainMs; s += stepS) {
    const tx = n(x(s * 1000));
    xTicks.push(`<line x1="${tx}" x2="${tx}" y1="${MARGIN.top}" y2="${bottom}" stroke="${COLOURS.grid}"/><text x="${tx}" y="${bottom + 14}" text-anchor="middle">${s} s</text>`);
  }
  const yTicks: string[] = [];
  for (const f of [0, 0.5, 1]) {
    const ty = n(bottom - f * PLOT_H);
    yTicks.push(
      `<line x1="${MARGIN.left}" x2="${MARGIN.left + PLOT_W}" y1="${ty}" y2="${ty}" stroke="${COLOURS.grid}"/>`,
      `<text x="${MARGIN.left - 6}" y="${ty}" dy="4" text-anchor="end">${n(f * maxRate)}</text>`,
      `<text x="${MARGIN.left + PLOT_W + 6}" y="${ty}" dy="4">${n(f * maxLatency)}</text>`,
    );
  }
  return [
    `<g class="grid">${xTicks.join("")}${yTicks.join("")}</g>`,
    `<g class="axes" stroke="${COLOURS.axis}"><line x1="${MARGIN.left}" x2="${MARGIN.left}" y1="${MARGIN.top}" y2="${bottom}"/><line x1="${MARGIN.left + PLOT_W}" x2="${MARGIN.left + PLOT_W}" y1="${MARGIN.top}" y2="${bottom}"/><line x1="${MARGIN.left}" x2="${MARGIN.left + PLOT_W}" y1="${bottom}" y2="${bottom}"/></g>`,
    `<text class="axis-label" x="${MARGIN.left + PLOT_W / 2}" y="${HEIGHT - 6}" text-anchor="middle">seconds from traffic start</text>`,
    `<text class="axis-label" transform="translate(14 ${MARGIN.top + PLOT_H / 2}) rotate(-90)" text-anchor="middle">requests/s</text>`,
    `<text class="axis-label" transform="translate(${WIDTH - 10} ${MARGIN.top + PLOT_H / 2}) rotate(90)" text-anchor="middle">latency (ms)</text>`,
  ];
}

/** Throughput bars: one path, not one element per second (a 1 h run would be 3600 rects). */
function throughputBars(seconds: ReadonlyMap<number, Second>, { x, yRate, bottom, domainMs }: Plot): string {
  const barW = PLOT_W / (domainMs / 1000);
  const gap = barW > 3 ? 1 : 0;
  let bars = "";
  for (const [second, s] of [...seconds.entries()].sort((a, b) => a[0] - b[0])) {
    if (second < 0 || s.requests === 0) continue;
    const x0 = x(second * 1000) + gap / 2;
    bars += `M${n(x0)} ${n(yRate(s.requests))}h${n(Math.max(0.5, barW - gap))}V${bottom}H${n(x0)}Z`;
  }
  return `<path class="throughput-bars" d="${bars}" fill="${COLOURS.bars}" fill-opacity="0.7"/>`;
}

function faultBands(input: TimelineSvgInput, { x }: Plot): string[] {
  return input.faults.flatMap((fault, i) => {
    const endMs = fault.healedAt ?? input.trafficEndMs;
    const x0 = x(fault.injectedAt);
    const width = Math.max(1, x(endMs) - x0);
    const label = describeFault(fault);
    const healed = fault.healedAt === null ? "never healed" : `to ${formatSeconds(fault.healedAt)}`;
    return [
      `<g class="fault-band" data-fault-id="${esc(fault.id)}">`,
      `<title>${esc(`${fault.id}: ${label}, ${formatSeconds(fault.injectedAt)} ${healed} (${fault.mechanism})`)}</title>`,
      `<rect x="${n(x0)}" y="${MARGIN.top}" width="${n(width)}" height="${PLOT_H}" fill="${COLOURS.fault}" fill-opacity="0.28" stroke="${COLOURS.fault}" stroke-opacity="0.6"/>`,
      `<text x="${n(x0 + 3)}" y="${MARGIN.top + 12 + (i % 4) * 12}" fill="#8a4f00">${esc(label)}</text>`,
      `</g>`,
    ];
  });
}

function errorAndLatencyLines(seconds: ReadonlyMap<number, Second>, lastSecond: number, { x, yRate, yLatency }: Plot): string[] {
  const centre = (second: number) => x(second * 1000 + 500);
  const range = Array.from({ length: lastSecond + 1 }, (_, i) => i);
  const errorD = linePath(range.map((second) => [centre(second), yRate(seconds.get(second)?.errors ?? 0)] as const));
  const latencyD = (q: number) =>
    linePath(
      range.map((second) => {
        const s = seconds.get(second);
        const v = s ? percentileMs(s.latency, q) : undefined;
        return [centre(second), v === undefined ? undefined : yLatency(v)] as const;
      }),
    );
  return [
    `<path class="error-line" d="${errorD}" fill="none" stroke="${COLOURS.errors}" stroke-width="1.5"/>`,
    `<path class="latency-p50" d="${latencyD(50)}" fill="none" stroke="${COLOURS.p50}" stroke-width="1.2"/>`,
    `<path class="latency-p95" d="${latencyD(95)}" fill="none" stroke="${COLOURS.p95}" stroke-width="1.2" stroke-dasharray="4 2"/>`,
  ];
}

/** Container events and leader changes inside the traffic period (setup events, at negative times, are in the table). */
function markers(input: TimelineSvgInput, { x, bottom, domainMs }: Plot): string[] {
  const parts: string[] = [];
  for (const e of input.containerEvents) {
    if (e.atMs < 0 || e.atMs > domainMs) continue;
    const ex = n(x(e.atMs));
    const exit = e.exitCode === undefined ? "" : ` (exit ${e.exitCode})`;
    parts.push(
      `<line class="container-event" data-node="${esc(e.node)}" data-action="${esc(e.action)}" x1="${ex}" x2="${ex}" y1="${MARGIN.top}" y2="${bottom}" stroke="${COLOURS.event}" stroke-width="1" stroke-dasharray="2 2"><title>${esc(`${formatSeconds(e.atMs)} ${e.node} ${e.action}${exit}`)}</title></line>`,
    );
  }
  // After the first sample, which only says who led at the start.
  for (const change of (input.leaderChanges ?? []).slice(1)) {
    if (change.atMs < 0 || change.atMs > domainMs) continue;
    const cx = n(x(change.atMs));
    const who = change.leaders.length === 0 ? "no leader" : change.leaders.join(" + ");
    parts.push(
      `<line class="leader-change" data-probe="${esc(change.probe)}" x1="${cx}" x2="${cx}" y1="${MARGIN.top}" y2="${bottom}" stroke="${COLOURS.leader}" stroke-width="1.5"><title>${esc(`${formatSeconds(change.atMs)} ${change.probe}: ${who}${change.previous.length > 0 ? ` (was ${change.previous.join(" + ")})` : ""}`)}</title></line>`,
    );
  }
  return parts;
}

/** The legend across the top margin. */
function legend(withLeaderChanges: boolean): string {
  const entries: [string, string][] = [
    ["requests/s", `<rect width="12" height="8" y="-8" fill="${COLOURS.bars}"/>`],
    ["errors/s (fail + unknown)", `<line x2="12" y1="-4" y2="-4" stroke="${COLOURS.errors}" stroke-width="2"/>`],
    ["p50 latency", `<line x2="12" y1="-4" y2="-4" stroke="${COLOURS.p50}" stroke-width="2"/>`],
    ["p95 latency", `<line x2="12" y1="-4" y2="-4" stroke="${COLOURS.p95}" stroke-width="2" stroke-dasharray="4 2"/>`],
    ["fault", `<rect width="12" height="8" y="-8" fill="${COLOURS.fault}" fill-opacity="0.4"/>`],
    ["container event", `<line x1="6" x2="6" y1="-10" y2="2" stroke="${COLOURS.event}" stroke-dasharray="2 2"/>`],
    ...(withLeaderChanges ? ([["leader change", `<line x1="6" x2="6" y1="-10" y2="2" stroke="${COLOURS.leader}" stroke-width="2"/>`]] as [string, string][]) : []),
  ];
  let lx = MARGIN.left;
  const items = entries.map(([text, swatch]) => {
    const item = `<g transform="translate(${lx} 18)">${swatch}<text x="16">${esc(text)}</text></g>`;
    lx += 28 + text.length * 6;
    return item;
  });
  return `<g class="legend">${items.join("")}</g>`;
}
