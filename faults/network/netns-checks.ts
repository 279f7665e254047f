import type { ExecResult } from "../../env/docker/exec.ts";
import { hasRootQdisc, mentionsAddress, probeRefused, type ParsedScript } from "./netns-script.ts";
import type { NodeAddress } from "./peers.ts";
import { qdiscKindOfArgs } from "./tc-commands.ts";

function stepError(node: string, what: string, parsed: ParsedScript, id: string): string | undefined {
  const step = parsed.steps.get(id);
  if (!step) return `${node}: ${what}: the script did not reach it`;
  if (step.exitCode !== 0) return `${node}: ${what} exited ${step.exitCode}: ${step.output.slice(0, 400)}`;
  return undefined;
}

export interface AppliedScript {
  node: string;
  /** The fault's key, for messages. */
  key: string;
  table: string;
  parsed: ParsedScript;
  raw: ExecResult;
  /** Whether an nft table was applied. */
  nft: boolean;
  /** Texts the kernel's echo of the table must contain (e.g. the peer addresses). */
  expectInTable: readonly string[];
  probeTo: string | undefined;
  probeIp: string | undefined;
  qdisc: { args: readonly string[] } | undefined;
  own: readonly NodeAddress[];
}

/**
 * Whether an apply script did what it had to, from its output alone: the kernel's echo of the table names every
 * expected address, the cut probe left before the rules and was refused after them, every interface carrying the
 * node's addresses shows our root qdisc. Returns the problems (each throws the fault) and the notes of what holds.
 */
export function checkApplied(a: AppliedScript): { errors: string[]; applied: string[] } {
  const { node, parsed, table } = a;
  const errors: string[] = [];
  const applied: string[] = [];
  if (a.nft) {
    const failed = stepError(node, `nft -f (table ${table})`, parsed, "nft-apply");
    if (failed) errors.push(failed);
    else {
      const echo = parsed.steps.get("nft-apply")!.output;
      const missing = [`add table inet ${table}`, ...a.expectInTable].filter((text) => (/^[0-9a-fA-F.:]+$/.test(text) ? !mentionsAddress(echo, text) : !echo.includes(text)));
      if (missing.length) errors.push(`${node}: the kernel's echo of table ${table} lacks ${missing.join(", ")}: ${echo.slice(0, 400)}`);
      if (a.probeTo && a.probeIp) {
        const before = parsed.steps.get("probe-before");
        const after = parsed.steps.get("probe");
        const datagram = `a datagram ${node} -> ${a.probeTo} (${a.probeIp})`;
        if (!probeRefused(after)) errors.push(`${a.key}: cut not in effect: ${datagram} was not refused after the rules were applied (exit ${after?.exitCode ?? "none"} ${after?.output ?? ""})`);
        else if (probeRefused(before)) applied.push(`cut verified: ${datagram} is refused, but was already refused before this fault's rules (another fault or the system's own rules?)`);
        else if (before?.exitCode !== 0) applied.push(`cut verified: ${datagram} was refused after the rules ("${after!.output}"); before them it failed otherwise (${before?.output ?? "not sent"})`);
        else applied.push(`cut verified: ${datagram} left ${node}'s namespace before the rules and was refused after them ("${after!.output}")`);
      } else if (a.probeTo) applied.push(`probe ${node} -> ${a.probeTo} skipped: ${a.probeTo} has no address`);
    }
  }
  if (a.qdisc) {
    const kind = qdiscKindOfArgs(a.qdisc.args);
    if (parsed.ifaces.length === 0) errors.push(`${node}: no interface carries its addresses ${a.own.map((x) => x.ip).join(", ")}${a.raw.exitCode !== 0 ? ` (${a.raw.output.trim().slice(0, 300)})` : ""}`);
    if (parsed.ifaces.length > 0) {
      const failed = stepError(node, `tc -batch (qdisc replace on ${parsed.ifaces.join(", ")})`, parsed, "qdisc-batch");
      if (failed) errors.push(failed);
      else {
        const shown = parsed.steps.get("qdisc-batch")!.output;
        const without = parsed.ifaces.filter((iface) => !hasRootQdisc(shown, iface, kind));
        if (without.length) errors.push(`${node}: ${without.join(", ")} show no root ${kind} qdisc after applying: ${shown}`);
      }
    }
  }
  return { errors, applied };
}

/** Whether a heal script removed what the fault put in (throws naming what is left). */
export function checkRemoved(table: string, state: { hasTable: boolean; qdiscs: readonly { iface: string; kind: string }[] }, parsed: ParsedScript, via: string): void {
  const unreachable = [...parsed.steps.values()].find((r) => r.exitCode >= 126 || /^nsenter: /m.test(r.output));
  if (parsed.steps.size === 0 || unreachable) throw new Error(`could not enter its network namespace or run its tools (${via}): ${(unreachable?.output ?? "").slice(0, 300)}`);
  if (state.hasTable) {
    const deleted = parsed.steps.get("nft-delete");
    // nft's own "No such file" (table absent), not nsenter's (namespace gone: handled by the caller, which inspects again).
    if (!deleted || (deleted.exitCode !== 0 && !/Error: Could not process rule: No such file or directory/.test(deleted.output))) throw new Error(`nft delete table ${table}: ${deleted?.output || "not reached"}`);
  }
  // Deleting what is already gone fails ("handle of zero", "Cannot find device"); what counts is the kernel's dump after.
  const batch = parsed.steps.get("qdisc-batch");
  const left = state.qdiscs.filter(({ iface, kind }) => !batch || hasRootQdisc(batch.output, iface, kind));
  if (left.length) throw new Error(`${left.map((q) => `${q.iface} still has a root ${q.kind} qdisc`).join(", ")}${batch ? `: ${batch.output.slice(0, 300)}` : ""}`);
}
