/** Think times of people-style k6 classes (user-sessions, identity-people): closed model, exponential pauses. */
import { sleep } from "k6";

/** Sleeps `thinkMs`, but never past `deadlineMs` (epoch ms): a person's pause ends with the scenario. */
export function thinkUntil(deadlineMs: number, thinkMs: number): void {
  const ms = Math.min(thinkMs, deadlineMs - Date.now());
  if (ms > 0) sleep(ms / 1000);
}

/** Exponential think time with mean `meanMs`, capped at 10x the mean so one person cannot idle for ever. */
export function exponentialThinkMs(meanMs: number): number {
  return Math.min(10 * meanMs, -Math.log(1 - Math.random()) * meanMs);
}
