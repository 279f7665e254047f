/**
 * Pure builders of tc commands for egress qdiscs on one interface (found by address, never assumed eth0). The
 * `...Args` builders give what follows `tc qdisc replace dev <iface>`, for a script that finds the interfaces itself.
 */

/** tbf bucket: 20 ms of traffic at the rate, at least two full Ethernet frames. */
export function defaultBurstBytes(rateKbit: number): number {
  return Math.max(3200, Math.round((rateKbit * 1000) / 8 / 50));
}

export function tbfArgs(rateKbit: number, burstBytes = defaultBurstBytes(rateKbit)): string[] {
  return ["root", "tbf", "rate", `${rateKbit}kbit`, "burst", String(burstBytes), "latency", "50ms"];
}

export function netemDelayArgs(delayMs: number, jitterMs: number): string[] {
  const jitter = jitterMs > 0 ? [`${jitterMs}ms`] : [];
  return ["root", "netem", "delay", `${delayMs}ms`, ...jitter];
}

export function netemLossArgs(percent: number): string[] {
  return ["root", "netem", "loss", `${percent}%`];
}

/** `tc qdisc replace dev <iface> <args>`. */
export function qdiscReplaceCommand(iface: string, args: readonly string[]): string[] {
  return ["tc", "qdisc", "replace", "dev", iface, ...args];
}

export function tbfCommand(iface: string, rateKbit: number, burstBytes = defaultBurstBytes(rateKbit)): string[] {
  return qdiscReplaceCommand(iface, tbfArgs(rateKbit, burstBytes));
}

/** Back to the kernel's default root qdisc. */
export function qdiscDeleteCommand(iface: string): string[] {
  return ["tc", "qdisc", "del", "dev", iface, "root"];
}

/** The qdisc kind tc prints for args built above ("tbf", "netem"). */
export function qdiscKindOfArgs(args: readonly string[]): string {
  return args[1] ?? "";
}
