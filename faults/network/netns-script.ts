import { endianness } from "node:os";

/**
 * Pure builders and parsers of the bash script a network fault runs in a namespace when one command is not enough
 * (the cut probe around the rules, qdiscs on every interface, the heal's delete + listing). Everything is one
 * process start, on the host via nsenter or in a sidecar, because starting processes is most of what a fault costs
 * beyond the kernel's own work: interfaces are found by reading /proc/net with bash builtins, the probe datagram is
 * bash's own /dev/udp, so only nft and tc are started.
 *
 * Each step prints `@@step <id>@@`, its output (stderr folded in) and `@@exit <code>@@`; parseSteps() splits that.
 */

/** One step of a script: a command (quoted here), or a bash snippet built by this module (trusted text). */
export type ScriptStep = { id: string; command: readonly string[]; stdin?: string } | { id: string; bash: string };

/** A qdisc to put on every interface carrying one of `addresses` (interfaces get renamed across reconnects). */
export interface QdiscStep {
  addresses: readonly { ip: string; family: 4 | 6 }[];
  /** tc arguments after `dev <iface>`, e.g. ["root", "tbf", "rate", "1000kbit", ...]. */
  args: readonly string[];
  /** Where the namespace's routes and IPv6 addresses are read (tests point these at files). */
  procNet?: { route: string; ifInet6: string };
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
  let run: string;
  if ("bash" in step) run = `{ ${step.bash}; }`;
  else {
    const command = step.command.map(shellQuote).join(" ");
    run = step.stdin === undefined ? `${command} </dev/null` : `${command} <<<${shellQuote(step.stdin)}`;
  }
  return `echo '@@step ${safeId(step.id)}@@'; ${run}; rc=$?; echo; echo "@@exit $rc@@"\n`;
}

/** An IPv4 address as /proc/net/route prints addresses: the 32-bit value in host byte order, %08X. */
export function routeHex(ip: string, order: "LE" | "BE" = endianness()): string {
  const bytes = ip.split(".").map(Number);
  if (bytes.length !== 4 || bytes.some((b) => !Number.isInteger(b) || b < 0 || b > 255)) throw new Error(`not an IPv4 address: "${ip}"`);
  const ordered = order === "LE" ? [...bytes].reverse() : bytes;
  return ordered.map((b) => b.toString(16).toUpperCase().padStart(2, "0")).join("");
}

/** An IPv6 address as /proc/net/if_inet6 prints it: 32 lowercase hex digits. */
export function inet6Hex(ip: string): string {
  if (!/^[0-9a-fA-F:]+$/.test(ip) || ip.split("::").length > 2) throw new Error(`not an IPv6 address: "${ip}"`);
  const [head, tail] = ip.includes("::") ? ip.split("::") : [ip, undefined];
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const groups = tail === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill("0"), ...right];
  if (groups.length !== 8 || groups.some((g) => g.length === 0 || g.length > 4)) throw new Error(`not an IPv6 address: "${ip}"`);
  return groups.map((g) => g.toLowerCase().padStart(4, "0")).join("");
}

/** tc batch lines (`tc -batch -`): one tc process for every interface, then a dump of what the kernel holds. */
export function qdiscBatch(action: "replace" | "del", ifaces: readonly string[], args: readonly string[] = ["root"]): string {
  const bad = [...ifaces, ...args].find((t) => !/^[A-Za-z0-9_.%:@-]+$/.test(t));
  if (bad !== undefined) throw new Error(`not a plain tc token: "${bad}"`);
  // `qdisc show dev X` prints no "dev X"; the plain show names every device.
  return [...ifaces.map((i) => `qdisc ${action} dev ${i} ${args.join(" ")}`), "qdisc show"].join("\n") + "\n";
}

/**
 * Step `qdisc-batch`: `tc -batch -` replacing the root qdisc on every interface carrying one of the addresses and
 * then showing all qdiscs. IPv4: the interface of the connected route (no gateway) whose destination/mask covers the
 * address, from /proc/net/route; IPv6: the interface listed with the address in /proc/net/if_inet6. /proc/net is the
 * reading process's network namespace, so this is read inside it, by bash builtins: tc is the only process started.
 */
function qdiscLines(q: QdiscStep): string {
  const v4 = q.addresses.filter((a) => a.family === 4).map((a) => routeHex(a.ip));
  const v6 = q.addresses.filter((a) => a.family === 6).map((a) => inet6Hex(a.ip));
  const route = shellQuote(q.procNet?.route ?? "/proc/net/route");
  const ifInet6 = shellQuote(q.procNet?.ifInet6 ?? "/proc/net/if_inet6");
  qdiscBatch("replace", ["x"], q.args); // validates the arguments as plain tokens
  const args = q.args.join(" ");
  return (
    `ifaces=''\n` +
    `add_iface() { [ "$1" = lo ] && return; case " $ifaces " in *" $1 "*) ;; *) ifaces="$ifaces $1" ;; esac; }\n` +
    `v4=(${v4.join(" ")}); v6=(${v6.join(" ")})\n` +
    `while read -r iface dest gw _ _ _ _ mask _; do\n` +
    `  [[ $dest =~ ^[0-9A-Fa-f]{8}$ && $gw == 00000000 && $mask != 00000000 ]] || continue\n` +
    `  for a in "\${v4[@]}"; do (( (0x$a & 0x$mask) == 0x$dest )) && add_iface "$iface"; done\n` +
    `done < ${route}\n` +
    `if [ \${#v6[@]} -gt 0 ] && [ -r ${ifInet6} ]; then\n` +
    `  while read -r addr _ _ _ _ iface; do for a in "\${v6[@]}"; do [[ $addr == "$a" ]] && add_iface "$iface"; done; done < ${ifInet6}\n` +
    `fi\n` +
    `echo "@@ifaces $ifaces@@"\n` +
    `batch=''; for i in $ifaces; do batch+="qdisc replace dev $i ${args}"$'\\n'; done\n` +
    `batch+="qdisc show"$'\\n'\n` +
    `if [ -n "$ifaces" ]; then echo '@@step qdisc-batch@@'; tc -batch - <<<"$batch"; rc=$?; echo; echo "@@exit $rc@@"; fi\n`
  );
}

/** Does `tc qdisc show` output list a root qdisc of `kind` on `iface`? */
export function hasRootQdisc(tcQdiscShow: string, iface: string, kind: string): boolean {
  const escaped = iface.replace(/[.]/g, "\\.");
  return tcQdiscShow.split("\n").some((line) => new RegExp(`^qdisc ${kind} \\S+ dev ${escaped} root\\b`).test(line.trim()));
}

/** The whole bash script: steps in order, then the qdisc loop if any, then `after` steps. Every step runs. */
export function buildScript(steps: readonly ScriptStep[], qdisc?: QdiscStep, after: readonly ScriptStep[] = []): string {
  const ids = [...steps, ...after].map((s) => s.id).concat(qdisc ? ["qdisc-batch"] : []);
  const dup = ids.find((id, i) => ids.indexOf(id) !== i);
  if (dup) throw new Error(`script step id "${dup}" used twice`);
  return "exec 2>&1\n" + steps.map(stepLines).join("") + (qdisc ? qdiscLines(qdisc) : "") + after.map(stepLines).join("");
}

/** Splits a script's output into its steps (output trimmed); a step without its exit line (the script died) gets exit code -1. */
export function parseSteps(output: string): ParsedScript {
  const steps = new Map<string, StepResult>();
  let ifaces: string[] = [];
  let current: { id: string; lines: string[] } | undefined;
  const close = (exitCode: number) => {
    if (current) steps.set(current.id, { exitCode, output: current.lines.join("\n").trim() });
    current = undefined;
  };
  for (const line of output.split("\n")) {
    const step = /^@@step (\S+)@@$/.exec(line);
    const exit = /^@@exit (-?\d+)@@$/.exec(line);
    const found = /^@@ifaces ?(.*)@@$/.exec(line);
    if (step) {
      close(-1);
      current = { id: step[1]!, lines: [] };
    } else if (exit && current) close(Number(exit[1]));
    else if (found) ifaces = found[1]!.trim().split(/\s+/).filter(Boolean);
    else current?.lines.push(line);
  }
  close(-1);
  return { steps, ifaces };
}

/** A probe step: one datagram from this namespace to `address` (bash's /dev/udp, no process started). */
export function probeStep(id: string, address: string, port: number): ScriptStep {
  if (!/^[0-9a-fA-F.:]+$/.test(address)) throw new Error(`not an IP address: "${address}"`);
  return { id, bash: `echo havoc-probe > /dev/udp/${address}/${port}` };
}

/** True when the probe's datagram was refused by a local drop rule (bash prints the write error, EPERM). */
export function probeRefused(result: StepResult | undefined): boolean {
  return result !== undefined && result.exitCode !== 0 && /Operation not permitted/i.test(result.output);
}

/** Does an nft listing or `nft --echo` output name `address` as a whole token (10.0.0.1 is not in 10.0.0.12)? */
export function mentionsAddress(nftOutput: string, address: string): boolean {
  const escaped = address.replace(/[.]/g, "\\.");
  return new RegExp(`(^|[^0-9a-fA-F.:])${escaped}($|[^0-9a-fA-F.:])`, "m").test(nftOutput);
}
