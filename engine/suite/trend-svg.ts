import type { Verdict } from "../../core/verdict.ts";
import { escapeXml as esc } from "../../reports/reporters/escape.ts";

/**
 * Small inline SVGs for index.html (no script, like report.html): a strip of verdicts, one square per past run, and
 * a sparkline per key figure. Stable hooks for tests: `svg.verdict-strip rect[data-verdict]`,
 * `svg.trend[data-figure] circle[data-value]`, `.regressed` on a regressed run's square and point.
 */

export interface TrendPoint {
  /** null: not measured in that run (a gap in the line). */
  value: number | null;
  verdict: Verdict;
  /** Tooltip: when, which run, the value as text. */
  title: string;
  /** This suite's own run: drawn larger. */
  current: boolean;
  regressed: boolean;
  /** Link to the run's report.html, relative to the page; "" for none. */
  href: string;
}

const COLOURS: Record<Verdict, string> = { pass: "#2e7d32", fail: "#c62828", unknown: "#757575", error: "#6a1b9a" };
const n = (v: number) => (Math.round(v * 10) / 10).toString();

function linked(href: string, inner: string): string {
  return href ? `<a href="${esc(href)}">${inner}</a>` : inner;
}

export function renderVerdictStrip(points: readonly TrendPoint[]): string {
  const size = 14;
  const gap = 3;
  const width = Math.max(1, points.length) * (size + gap);
  const squares = points.map((p, i) => {
    const x = i * (size + gap);
    const stroke = p.regressed ? ` stroke="#ff9f1c" stroke-width="3"` : p.current ? ` stroke="#222" stroke-width="2"` : "";
    const rect = `<rect x="${x + 1.5}" y="1.5" width="${size - 3}" height="${size - 3}" fill="${COLOURS[p.verdict]}"${stroke} class="${p.regressed ? "regressed" : ""}" data-verdict="${p.verdict}"><title>${esc(p.title)}</title></rect>`;
    return linked(p.href, rect);
  });
  return `<svg class="verdict-strip" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${size}" viewBox="0 0 ${width} ${size}" role="img" aria-label="verdicts of the last ${points.length} runs">${squares.join("")}</svg>`;
}

/**
 * One figure over the runs: a line through the measured values (broken where a run did not measure it), a dot per
 * run coloured by its verdict, the current run ringed, and the range written beside it.
 */
export function renderSparkline(figure: string, points: readonly TrendPoint[], format: (v: number) => string): string {
  const width = 180;
  const height = 44;
  const pad = { left: 4, right: 4, top: 6, bottom: 6 };
  const known = points.map((p) => p.value).filter((v): v is number => v !== null);
  const lo = known.length > 0 ? Math.min(...known) : 0;
  const hi = known.length > 0 ? Math.max(...known) : 1;
  const span = hi - lo;
  const x = (i: number) => pad.left + (points.length <= 1 ? (width - pad.left - pad.right) / 2 : (i * (width - pad.left - pad.right)) / (points.length - 1));
  // A flat series sits in the middle rather than on an edge.
  const y = (v: number) => (span === 0 ? height / 2 : pad.top + ((hi - v) * (height - pad.top - pad.bottom)) / span);
  const segments: string[] = [];
  let current = "";
  points.forEach((p, i) => {
    if (p.value === null) {
      if (current) segments.push(current);
      current = "";
      return;
    }
    current += `${current ? "L" : "M"}${n(x(i))},${n(y(p.value))}`;
  });
  if (current) segments.push(current);
  const line = segments.length > 0 ? `<path d="${segments.join(" ")}" fill="none" stroke="#1f77b4" stroke-width="1.5"/>` : "";
  const dots = points.map((p, i) => {
    if (p.value === null) return "";
    const r = p.current ? 4 : 2.5;
    const ring = p.regressed ? ` stroke="#ff9f1c" stroke-width="2"` : p.current ? ` stroke="#222" stroke-width="1.5"` : "";
    const dot = `<circle cx="${n(x(i))}" cy="${n(y(p.value))}" r="${r}" fill="${COLOURS[p.verdict]}"${ring} class="${p.regressed ? "regressed" : ""}" data-value="${p.value}"><title>${esc(`${p.title}: ${format(p.value)}`)}</title></circle>`;
    return linked(p.href, dot);
  });
  const last = [...points].reverse().find((p) => p.value !== null);
  const caption = known.length === 0 ? "not measured" : `${format(last!.value!)} (range ${format(lo)} to ${format(hi)})`;
  return [
    `<figure class="trend"><figcaption>${esc(figure)}: ${esc(caption)}</figcaption>`,
    `<svg class="trend" data-figure="${esc(figure)}" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(figure)} over the last ${points.length} runs">`,
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#fafafa" stroke="#ddd"/>`,
    line,
    ...dots,
    `</svg></figure>`,
  ].join("");
}
