/** Pure builders of tc commands for egress qdiscs on one interface (found by address, never assumed eth0). */

/** tbf bucket: 20 ms of traffic at the rate, at least two full Ethernet frames. */
export function defaultBurstBytes(rateKbit: number): number {
  return Math.max(3200, Math.round((rateKbit * 1000) / 8 / 50));
}

export function tbfCommand(iface: string, rateKbit: number, burstBytes = defaultBurstBytes(rateKbit)): string[] {
  return ["tc", "qdisc", "replace", "dev", iface, "root", "tbf", "rate", `${rateKbit}kbit`, "burst", String(burstBytes), "latency", "50ms"];
}

export function netemDelayCommand(iface: string, delayMs: number, jitterMs: number): string[] {
  const jitter = jitterMs > 0 ? [`${jitterMs}ms`] : [];
  return ["tc", "qdisc", "replace", "dev", iface, "root", "netem", "delay", `${delayMs}ms`, ...jitter];
}

export function netemLossCommand(iface: string, percent: number): string[] {
  return ["tc", "qdisc", "replace", "dev", iface, "root", "netem", "loss", `${percent}%`];
}

/** Back to the kernel's default root qdisc. */
export function qdiscDeleteCommand(iface: string): string[] {
  return ["tc", "qdisc", "del", "dev", iface, "root"];
}

/** The qdisc kind tc would print for a command built above ("tbf", "netem"). */
export function qdiscKind(command: readonly string[]): string {
  return command[6] ?? "";
}
