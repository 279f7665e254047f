import { spawn } from "node:child_process";
import { once } from "node:events";
import { PassThrough } from "node:stream";
import type Dockerode from "dockerode";
import { z } from "zod";
import { nearest } from "../core/did-you-mean.ts";
import { SystemStepError, errorMessage } from "../core/errors.ts";
import type { BackupRecord } from "../core/history.ts";
import { selectorPool } from "../core/selector.ts";
import { NodeName, backupOf, type BackupSpec } from "../core/topology.ts";
import { execInContainer } from "../env/docker/exec.ts";
import { splitDockerStream } from "../env/docker/exec-stream.ts";
import { NodeNotReadyError } from "../env/topology/ready-probe.ts";
import { scheduled } from "./fault-fields.ts";
import { StepCondition, stepConditionProblems } from "./step-condition.ts";
import { healOnce, ignoreDockerNoop, runMs, type FaultContext, type FaultHandle, type FaultKind } from "./fault.ts";
import { hostVolumeDir, wipeDir } from "./volume-wipe.ts";

/**
 * A recovery step, scheduled like a fault (`at`, or `when` a condition holds; the report lists it with the faults and the timeline draws it from
 * its start to the restored nodes being ready): each target, a node whose data a backup of `topology.backups` keeps,
 * is rebuilt from that backup on a fresh disk: stopped if it runs, its data volume emptied, the backup node's export
 * written onto it; then every target is started at once and must become ready by its probe (the nodes of a
 * replicated store may be ready only together, e.g. Sentinels that need a quorum). A step the system fails (no
 * backup to restore, a restored node that never becomes ready) is a failed row `<id>-node-ready`, not a void run;
 * the notes say how far it got.
 */
export const RestoreStep = z
  .object({
    kind: z.literal("restore"),
    ...scheduled,
    /** Name of a backup in `topology.backups` whose `of` holds every target. */
    backup: NodeName,
    /**
     * "last-backup" (default): the newest completed base backup, as it was when that backup ended.
     * "newest-archived": that backup plus every log record archived since (point-in-time recovery to the newest
     * archived point); needs the backup's `archiveTimeout` (a continuous archive).
     */
    point: z.enum(["last-backup", "newest-archived"]).default("last-backup"),
    /**
     * Start the step when a condition on the traffic holds, as an operator would ("restore once writes have failed
     * for 10 s"), rather than at a fixed time: `at` is then the earliest start, and the step waits from `at` until
     * the condition holds, at most `within`. Seconds before `at` count toward the condition. A condition that never
     * held by `at + within` is the system's failure (a failed row `<id>-when`, the run stays valid), never a hang.
     * Omitted: the step starts at `at`.
     */
    when: StepCondition.optional(),
  })
  .strict();
export type RestoreStep = z.infer<typeof RestoreStep>;

/** Reading the catalog is a `cat`; export and copy of a small database take seconds; bounded all the same. */
const CATALOG_TIMEOUT_MS = 10_000;
const EXPORT_TIMEOUT_MS = 120_000;
const DEATH_DEADLINE_MS = 5_000;

/** What a restore step needs of its scenario: a declared backup of the target, with an archive for "newest-archived". */
export function restoreProblems(spec: Pick<RestoreStep, "backup" | "point">, backups: readonly BackupSpec[]): { field: "backup" | "point"; message: string } | undefined {
  if (backups.length === 0) return { field: "backup", message: `restore needs a backup, and topology.backups declares none; add one (node, of, every, catalog, export)` };
  const backup = backups.find((b) => b.name === spec.backup);
  if (!backup) {
    const meant = nearest(spec.backup, backups.map((b) => b.name));
    return { field: "backup", message: `unknown backup "${spec.backup}"${meant ? `; did you mean "${meant}"?` : ""} (topology.backups: ${backups.map((b) => b.name).join(", ")})` };
  }
  if (spec.point === "newest-archived" && backup.archiveTimeout === undefined)
    return { field: "point", message: `point "newest-archived" needs a continuous archive, and backup "${backup.name}" has no archiveTimeout; restore "last-backup" or declare one` };
  return undefined;
}

export const restore: FaultKind<RestoreStep> = {
  kind: "restore",
  schema: RestoreStep,
  effect: "down",
  check(spec, view, report, path) {
    if (spec.when) for (const [field, message] of stepConditionProblems({ at: spec.at, when: spec.when }, view)) report([...path, "when", field], message);
    if (!view.topology) return;
    const problem = restoreProblems(spec, view.topology.backups);
    if (problem) return report([...path, problem.field], problem.message);
    const backup = view.topology.backups.find((b) => b.name === spec.backup)!;
    if (!view.nodesComplete || spec.target.names?.some((name) => !view.nodes?.has(name))) return;
    const pool = selectorPool(spec.target, view.topology.nodes);
    const of = backupOf(backup);
    const others = pool.filter((name) => !of.includes(name));
    if (others.length > 0)
      report([...path, "target"], `backup "${backup.name}" keeps the data of ${of.map((n) => `"${n}"`).join(", ")} only; the target also selects ${others.join(", ")} (write target: { names: ${JSON.stringify(of)} })`);
  },
  async inject(ctx: FaultContext, spec: RestoreStep, targets: readonly string[]): Promise<FaultHandle> {
    const backup = ctx.backups?.find((b) => b.name === spec.backup);
    if (!backup) throw new Error(`restore: no backup "${spec.backup}" in this run's topology`);
    const mechanism = `${backup.export.join(" ")} ${spec.point} on ${backup.node}, unpacked onto ${targets.join(", ")}'s emptied data volume, started, ready probe`;
    const startedAtMs = runMs(ctx.clock);
    const notes: string[] = [];
    const backups = await readCatalog(ctx, backup, notes);
    const failed = (message: string) => new SystemStepError(message, mechanism, notes, startedAtMs, backups);
    const started = Date.now();
    for (const target of targets) {
      const dir = hostVolumeDir(ctx.topology.runId, ctx.topology.node(target).spec.dataVolume, target);
      if (!dir) throw new Error(`restore: node "${target}" has no loop-ext4 or lazyfs data volume to restore onto`);
      const copyStarted = Date.now();
      // A fresh node: whatever runs there now is stopped and its disk emptied before the backup goes on it. A node a
      // storage-destroy left down has no death to wait for.
      const container = ctx.topology.container(target);
      const running = (await container.inspect()).State.Running;
      if (running) {
        const calledAt = ctx.clock.epochNow();
        await ignoreDockerNoop(container.kill({ signal: "SIGKILL" }));
        await ctx.events.waitFor(target, "die", calledAt, DEATH_DEADLINE_MS);
      }
      const wiped = await wipeDir(dir);
      const copy = await exportInto(ctx.topology.container(backup.node), [...backup.export, spec.point], dir);
      const said = copy.stderr.trim().split("\n").slice(-3).join(" / ");
      if (copy.exitCode !== 0) throw failed(`${backup.node} had nothing to restore (${backup.export.join(" ")} ${spec.point} exited ${copy.exitCode}: ${said || "no message"})`);
      if (copy.tarExitCode !== 0) throw failed(`the copy from ${backup.node} did not unpack (tar exited ${copy.tarExitCode}: ${copy.tarError.trim().slice(0, 300)})`);
      const restored = backups.find((b) => said.includes(b.label));
      if (restored) restored.restored = true;
      notes.push(`${target}: ${running ? "stopped; " : ""}${wiped} entries of its data volume deleted; ${backup.node} exported ${(copy.bytes / 1e6).toFixed(1)} MB (${said}) in ${Date.now() - copyStarted} ms`);
    }
    const startCall = Date.now();
    await Promise.all(targets.map((target) => ignoreDockerNoop(ctx.topology.container(target).start())));
    const readiness = await Promise.allSettled(targets.map((target) => ctx.topology.waitReady(target)));
    for (const [i, outcome] of readiness.entries()) {
      const target = targets[i]!;
      if (outcome.status === "fulfilled") {
        notes.push(`${target}: started on the restored data, ready ${Date.now() - startCall} ms after the start call (probe ${outcome.value} ms)`);
        continue;
      }
      if (outcome.reason instanceof NodeNotReadyError) throw failed(`${target} never became ready on the restored data: ${errorMessage(outcome.reason)}`);
      throw outcome.reason;
    }
    notes.push(`restore of ${targets.join(", ")} took ${Date.now() - started} ms`);
    const doneAtMs = runMs(ctx.clock);
    return {
      injectedAtMs: startedAtMs,
      mechanism,
      notes,
      backups,
      // Nothing to undo; the step's band on the timeline ends when the restored node was ready.
      heal: healOnce(async () => doneAtMs),
    };
  },
};

/** Every backup the node's catalog lists, on the run clock; an unreadable catalog is noted (the export decides). */
async function readCatalog(ctx: FaultContext, backup: BackupSpec, notes: string[]): Promise<BackupRecord[]> {
  const result = await execInContainer(ctx.topology.container(backup.node), backup.catalog, CATALOG_TIMEOUT_MS).catch((error: unknown) => ({ exitCode: -1, output: errorMessage(error) }));
  if (result.exitCode !== 0) {
    notes.push(`${backup.node}: catalog unreadable (exit ${result.exitCode}: ${result.output.trim().slice(0, 200)})`);
    return [];
  }
  const backups: BackupRecord[] = [];
  for (const line of result.output.split("\n")) {
    const parsed = CatalogLine.safeParse(safeJson(line));
    if (!parsed.success) continue;
    const started = ctx.clock.toRunMs(parsed.data.startedAtMs);
    const completed = ctx.clock.toRunMs(parsed.data.completedAtMs);
    if (started === null || completed === null) continue;
    backups.push({ label: parsed.data.label, startedAtMs: Math.round(started), completedAtMs: Math.round(completed) });
  }
  const shown = backups.map((b) => `${b.label} (${(b.startedAtMs / 1000).toFixed(1)} s to ${(b.completedAtMs / 1000).toFixed(1)} s)`).join(", ");
  notes.push(`${backup.node}: ${backups.length} completed backup(s) listed${shown ? `: ${shown}` : ""}`);
  return backups;
}

const CatalogLine = z.object({ label: z.string().min(1), startedAtMs: z.number(), completedAtMs: z.number() });

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Runs `command` in the backup node and unpacks its stdout (a tar) into `dir` with this machine's tar. */
async function exportInto(container: Dockerode.Container, command: string[], dir: string): Promise<{ exitCode: number; stderr: string; bytes: number; tarExitCode: number; tarError: string }> {
  const exec = await container.exec({ Cmd: command, AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({ hijack: true, stdin: false });
  const tar = spawn("tar", ["-x", "-C", dir], { stdio: ["pipe", "ignore", "pipe"] });
  let tarError = "";
  tar.stderr.on("data", (chunk: Buffer) => (tarError += chunk.toString()));
  const tarDone = once(tar, "close") as Promise<[number | null]>;
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let bytes = 0;
  const errChunks: Buffer[] = [];
  stdout.on("data", (chunk: Buffer) => (bytes += chunk.length));
  stderr.on("data", (chunk: Buffer) => errChunks.push(chunk));
  // tar closing early (a broken archive) must not crash the run on EPIPE: its exit code says what happened.
  tar.stdin.on("error", () => undefined);
  stdout.pipe(tar.stdin);
  splitDockerStream(stream, stdout, stderr);
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      once(stream, "end"),
      new Promise((_, reject) => {
        timer = setTimeout(() => (stream.destroy(), reject(new Error(`${command.join(" ")} did not finish within ${EXPORT_TIMEOUT_MS} ms`))), EXPORT_TIMEOUT_MS);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
  stdout.end();
  const [tarExitCode] = await tarDone;
  const info = await exec.inspect();
  return { exitCode: info.ExitCode ?? -1, stderr: Buffer.concat(errChunks).toString("utf8"), bytes, tarExitCode: tarExitCode ?? -1, tarError };
}
