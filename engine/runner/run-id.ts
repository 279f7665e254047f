import { randomBytes } from "node:crypto";

/** "20261122-031502-a1b2c3": sortable by time, unique per run, short enough for Docker names. */
export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
  return `${stamp}-${randomBytes(3).toString("hex")}`;
}
