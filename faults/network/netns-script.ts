/**
 * Pure builders and parsers of the one shell script a network fault runs per namespace and action: applying a
 * fault's rules, checking them and probing the cut all happen in a single `sh` (one process start, on the host via
 * nsenter or in a sidecar), because starting processes is most of what a fault costs beyond the kernel's own work.
 *
 * Each step prints `@@step <id>@@`, its output (stderr folded in) and `@@exit <code>@@`; parseSteps() splits that.
 */

/** One command of a script. */
export interface ScriptStep {
  /** Unique in the script; letters, digits, '-', '_', '.'. */
  id: string;
  command: readonly string[];
  /** Fed to the command's stdin (e.g. an nft ruleset for `nft -f -`). */
  stdin?: string;
}

/** A qdisc to put on every interface carrying one of `addresses` (interfaces get renamed across reconnects). */
export interface QdiscStep {
  addresses: readonly string[];
  /** tc arguments after `dev <iface>`, e.g. ["root", "tbf", "rate", "1000kbit", ...]. */
  args: readonly string[];
}

export interface StepResult {
  exitCode: number;
  output: string;
}

export interface ParsedScript {
  steps: Map<string, StepResult>;
  /** Interfaces the qdisc loop found (in order), when the script had one. */
  ifaces: string[];
}

/** POSIX shell single-quoting: safe for any text, rulesets included. */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

const safeId = (id: string) => {
  if (!/^[A-Za-z0-9_.-]+$/.test(id)) throw new Error(`script step id "${id}" must be letters, digits, '-', '_', '.'`);
  return id;
};

function stepLines(step: ScriptStep): string {
  const command = step.command.map(shellQuote).join(" ");
  const run = step.stdin === undefined ? `${command} </dev/null` : `printf '%s' ${shellQuote(step.stdin)} | ${command}`;
  return `echo '@@step ${safeId(step.id)}@@'; ${run}; rc=$?; echo; echo "@@exit $rc@@"\n`;
}

/**
 * `qdisc-<iface>` (tc qdisc replace) and `qdisc-show-<iface>` (tc qdisc show) for every interface carrying one of
 * the addresses, found with `ip -o addr show to <address>` (field 2 is the interface name, `@<peer>` stripped).
 */
function qdiscLines(q: QdiscStep): string {
  const addresses = q.addresses.map(shellQuote).join(" ");
  const args = q.args.map(shellQuote).join(" ");
  return (
    `ifaces=''\n` +
    `for a in ${addresses}; do\n` +
    `  set -- $(ip -o addr show to "$a")\n` +
    `  [ $# -ge 2 ] || continue\n` +
    `  i="\${2%%@*}"; [ "$i" = lo ] && continue\n` +
    `  case " $ifaces " in *" $i "*) ;; *) ifaces="$ifaces $i" ;; esac\n` +
    `done\n` +
    `echo "@@ifaces $ifaces@@"\n` +
    `for i in $ifaces; do\n` +
    `  echo "@@step qdisc-$i@@"; tc qdisc replace dev "$i" ${args} </dev/null; rc=$?; echo; echo "@@exit $rc@@"\n` +
    `  echo "@@step qdisc-show-$i@@"; tc qdisc show dev "$i" </dev/null; rc=$?; echo; echo "@@exit $rc@@"\n` +
    `done\n`
  );
}

/** The whole script: steps in order, then the qdisc loop if any, then `after` steps. Every step runs. */
export function buildScript(steps: readonly ScriptStep[], qdisc?: QdiscStep, after: readonly ScriptStep[] = []): string {
  const ids = [...steps, ...after].map((s) => s.id);
  const dup = ids.find((id, i) => ids.indexOf(id) !== i);
  if (dup) throw new Error(`script step id "${dup}" used twice`);
  return "exec 2>&1\n" + steps.map(stepLines).join("") + (qdisc ? qdiscLines(qdisc) : "") + after.map(stepLines).join("");
}

/** Splits a script's output into its steps (output trimmed); a step without its exit line (the script died) gets exit code -1. */
export function parseSteps(output: string): ParsedScript {
  const steps = new Map<string, StepResult>();
  let ifaces: string[] = [];
  let current: { id: string; lines: string[] } | undefined;
  for (const line of output.split("\n")) {
    const step = /^@@step (\S+)@@$/.exec(line);
    const exit = /^@@exit (-?\d+)@@$/.exec(line);
    const found = /^@@ifaces ?(.*)@@$/.exec(line);
    if (step) {
      if (current) steps.set(current.id, { exitCode: -1, output: current.lines.join("\n").trim() });
      current = { id: step[1]!, lines: [] };
    } else if (exit && current) {
      steps.set(current.id, { exitCode: Number(exit[1]), output: current.lines.join("\n").trim() });
      current = undefined;
    } else if (found) ifaces = found[1]!.trim().split(/\s+/).filter(Boolean);
    else current?.lines.push(line);
  }
  if (current) steps.set(current.id, { exitCode: -1, output: current.lines.join("\n").trim() });
  return { steps, ifaces };
}

/** The probe step: one datagram from this namespace to `address`; a cut in this namespace's output refuses it (EPERM). */
export function probeStep(address: string, port: number): ScriptStep {
  return { id: "probe", command: ["bash", "-c", 'echo havoc-probe > "/dev/udp/$1/$2"', "bash", address, String(port)] };
}

/** True when the probe's datagram was refused by a local drop rule (bash prints the write error, EPERM). */
export function probeRefused(result: StepResult | undefined): boolean {
  return result !== undefined && result.exitCode !== 0 && /Operation not permitted/i.test(result.output);
}

/** Packets counted by the rule matching `@<set>` in an `nft list table` output (rules carry a counter), or undefined. */
export function counterOf(listing: string, set: string): number | undefined {
  const match = new RegExp(`@${set} counter packets (\\d+)`).exec(listing);
  return match ? Number(match[1]) : undefined;
}
