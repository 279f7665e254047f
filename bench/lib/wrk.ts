import type { Logger } from "../../core/log.ts";
import { aptInstall, isExecutable } from "../../env/bootstrap/shared.ts";

export const WRK_PATH = "/usr/bin/wrk";

/** Debian's wrk, installed by apt when missing (idempotent: a check in ms when present). Bench-only, so not a bootstrap step. */
export async function ensureWrk(logger: Logger): Promise<string> {
  if (await isExecutable(WRK_PATH)) {
    logger.info(`wrk: present (${WRK_PATH})`);
    return WRK_PATH;
  }
  logger.info("wrk: missing, installing Debian's wrk");
  await aptInstall("wrk", ["wrk"], logger);
  if (!(await isExecutable(WRK_PATH))) throw new Error(`wrk installed but ${WRK_PATH} is missing`);
  return WRK_PATH;
}

/** "456.78us" | "1.23ms" | "1.02s" -> ms. */
export function wrkDurationMs(text: string): number {
  const match = /^([\d.]+)(us|ms|s|m)$/.exec(text.trim());
  if (!match) throw new Error(`not a wrk duration: "${text}"`);
  const value = Number(match[1]);
  return match[2] === "us" ? value / 1000 : match[2] === "ms" ? value : match[2] === "s" ? value * 1000 : value * 60_000;
}

/** Requests/sec and the --latency distribution's 50% and 99% from wrk's output. */
export function parseWrk(output: string): { reqPerS: number; p50Ms: number; p99Ms: number; non2xx: number; errors: string } {
  const reqPerS = Number(/Requests\/sec:\s+([\d.]+)/.exec(output)?.[1]);
  const p50 = /^\s+50%\s+(\S+)/m.exec(output)?.[1];
  const p99 = /^\s+99%\s+(\S+)/m.exec(output)?.[1];
  if (!Number.isFinite(reqPerS) || !p50 || !p99) throw new Error(`unexpected wrk output:\n${output}`);
  return {
    reqPerS,
    p50Ms: wrkDurationMs(p50),
    p99Ms: wrkDurationMs(p99),
    non2xx: Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(output)?.[1] ?? 0),
    errors: /Socket errors:.*$/m.exec(output)?.[0] ?? "",
  };
}
