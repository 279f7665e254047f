import { readdir, readFile } from "node:fs/promises";

/** Environment variable every load-generator process of a run carries: the pid of the havoc that started it. */
export const OWNER_PID_ENV = "HAVOC_OWNER_PID";
export const RUN_ID_ENV = "HAVOC_RUN_ID";

export interface LoadProcess {
  pid: number;
  runId: string;
  ownerPid: number;
}

/**
 * Load-generator processes (k6) started by havoc runs, found by their environment in /proc. A SIGKILLed
 * havoc cannot stop its k6 children; their own duration bounds them, and this lets a sweep stop them sooner.
 */
export async function findLoadProcesses(): Promise<LoadProcess[]> {
  const entries = await readdir("/proc").catch(() => [] as string[]);
  const found: LoadProcess[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const environ = await readFile(`/proc/${entry}/environ`, "latin1").catch(() => "");
    if (!environ.includes(OWNER_PID_ENV)) continue;
    const vars = new Map(environ.split("\0").map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]));
    const ownerPid = Number(vars.get(OWNER_PID_ENV));
    const runId = vars.get(RUN_ID_ENV);
    if (runId && Number.isInteger(ownerPid)) found.push({ pid: Number(entry), runId, ownerPid });
  }
  return found;
}

export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** SIGKILLs load processes whose owning havoc is dead (or all, with `all`); returns their run ids. */
export async function killOrphanLoad(options: { all?: boolean } = {}): Promise<string[]> {
  const runs = new Set<string>();
  for (const p of await findLoadProcesses()) {
    if (!options.all && processAlive(p.ownerPid)) continue;
    try {
      process.kill(p.pid, "SIGKILL");
      runs.add(p.runId);
    } catch {
      // Already gone.
    }
  }
  return [...runs];
}
