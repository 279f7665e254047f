import type { ClassTotals } from "../../load/start-traffic.ts";

export interface StatusSnapshot {
  phase: string;
  elapsedMs: number;
  totals: ReadonlyMap<string, ClassTotals>;
  activeFaults: string[];
}

/** One line: "traffic  32.0 s | devices 1,580 req, 3 err (0.19%) | faults: kill-0 on app-2". */
export function formatStatus(s: StatusSnapshot): string {
  const classes = [...s.totals].map(([name, t]) => {
    const errors = t.fail + t.unknown;
    const rate = t.requests > 0 ? ((100 * errors) / t.requests).toFixed(2) : "0.00";
    return `${name} ${t.requests.toLocaleString("en-US")} req, ${errors.toLocaleString("en-US")} err (${rate}%)`;
  });
  const faults = s.activeFaults.length > 0 ? s.activeFaults.join("; ") : "none";
  return `${s.phase.padEnd(8)} ${(s.elapsedMs / 1000).toFixed(1).padStart(6)} s | ${classes.join(" | ")} | faults: ${faults}`;
}

/**
 * Prints the status every second: rewritten in place on a terminal, a plain line every 5 s otherwise
 * (CI logs stay short).
 */
export function startStatusTicker(snapshot: () => StatusSnapshot, stream: NodeJS.WriteStream = process.stderr): () => void {
  const tty = stream.isTTY === true;
  let ticks = 0;
  const timer = setInterval(() => {
    ticks++;
    const line = formatStatus(snapshot());
    if (tty) stream.write(`\r\x1b[2K${line}`);
    else if (ticks % 5 === 0) stream.write(`[havoc] ${line}\n`);
  }, 1_000);
  return () => {
    clearInterval(timer);
    if (tty) stream.write("\r\x1b[2K");
  };
}
