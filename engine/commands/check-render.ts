import { formatDuration } from "../../core/duration.ts";
import type { CheckedFile, CheckedPlan } from "./check-scenarios.ts";

/** `havoc check`'s text: one block per file, the plan of a valid one, every problem of an invalid one. */

/** Fixed-width columns, two spaces apart; the last column is not padded. */
function table(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((cells) => cells.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd());
}

const seedNotes: Record<CheckedPlan["seedFrom"], string> = {
  option: "(--seed)",
  scenario: "(the scenario's seed)",
  none: "(the scenario has no seed: a run draws one, so its random picks may differ; pass --seed N to see another)",
};

export function renderPlan(file: string, plan: CheckedPlan): string {
  const label = (name: string) => `  ${name.padEnd(9)} `;
  const indent = " ".repeat(12);
  const out = [`ok       ${file}`, `${label("scenario")}${plan.scenario}${plan.tags.length > 0 ? ` (tags: ${plan.tags.join(", ")})` : ""}`];
  out.push(`${label("seed")}${plan.seed} ${seedNotes[plan.seedFrom]}`);
  const traffic = plan.traffic.map((t) => `${t.name} (${t.script}, ${formatDuration(t.durationMs)})`).join(", ");
  out.push(`${label("traffic")}${traffic}; ends at ${formatDuration(plan.trafficEndMs)}, fault-free tail ${formatDuration(plan.tailMs)}`);
  if (plan.faults.length === 0) out.push(`${label("faults")}none (a control run: traffic only)`);
  else {
    const rows = table([["id", "kind", "inject", "heal", "targets"], ...plan.faults.map((f) => [f.id, f.kind, `${f.whenText ? "from " : ""}${formatDuration(f.atMs)}${f.whenText ? ` ${f.whenText}` : ""}`, formatDuration(f.healAtMs), f.targetsText])]);
    out.push(`${label("faults")}${rows[0]}`, ...rows.slice(1).map((r) => indent + r));
  }
  out.push(`${label("slos")}${plan.slos.map((s) => s.id).join(", ")}`);
  return out.join("\n");
}

export function renderProblems(file: string, problems: readonly string[], hint?: string): string {
  return [`INVALID  ${file}`, ...problems.map((p) => `  ${p}`), ...(hint ? [`  hint: ${hint}`] : [])].join("\n");
}

export function renderCheck(files: readonly CheckedFile[], wallMs: number, options: { quiet?: boolean } = {}): { text: string; invalid: number } {
  const blocks: string[] = [];
  for (const f of files) {
    if (f.ok && f.plan) {
      if (!options.quiet) blocks.push(renderPlan(f.file, f.plan));
    } else blocks.push(renderProblems(f.file, f.problems ?? ["invalid"], f.hint));
  }
  const invalid = files.filter((f) => !f.ok);
  const seconds = `${(wallMs / 1000).toFixed(1)} s`;
  const summary =
    invalid.length === 0
      ? `checked ${files.length} scenario file(s) in ${seconds}: all valid; nothing was started`
      : `checked ${files.length} scenario file(s) in ${seconds}: ${invalid.length} invalid (${invalid.map((f) => f.file).join(", ")}), ${files.length - invalid.length} valid`;
  blocks.push(summary);
  return { text: blocks.join("\n\n") + "\n", invalid: invalid.length };
}
