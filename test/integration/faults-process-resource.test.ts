import { describe, expect, it } from "vitest";
import { RunClock } from "../../core/clock.ts";
import { CrashLoopFault } from "../../faults/process-crash-loop.ts";
import { KillFault } from "../../faults/process-kill.ts";
import { RestartFault } from "../../faults/process-restart.ts";
import { CpuStressFault, MemoryStressFault } from "../../faults/resource-stress.ts";
import { MemoryLimitFault } from "../../faults/resource-memory-limit.ts";
import { createLogger } from "../../core/log.ts";
import { Topology, type NodeSpecInput } from "../../core/topology.ts";
import { ensureImages } from "../../env/bootstrap/images.ts";
import { dockerClient } from "../../env/docker/client.ts";
import { ContainerEventWatcher } from "../../env/docker/container-events.ts";
import { RUN_LABEL } from "../../env/docker/labels.ts";
import { RunSecrets } from "../../env/secrets.ts";
import { stressImage } from "../../env/images/resource-clock-images.ts";
import { startTopology } from "../../env/topology/start-topology.ts";
import type { FaultContext } from "../../faults/fault.ts";
import { processCrashLoop } from "../../faults/process-crash-loop.ts";
import { processKill } from "../../faults/process-kill.ts";
import { processRestart } from "../../faults/process-restart.ts";
import { memoryLimit } from "../../faults/resource-memory-limit.ts";
import { cpuStress, memoryStress } from "../../faults/resource-stress.ts";
import { SIDECAR_LABEL, measureCores, memoryUsageMb } from "../../faults/resource-sidecar.ts";
import { newRunId } from "../../engine/runner/run-id.ts";

/**
 * Process and resource faults for real, each on its own tiny topology (debian:bookworm running `sleep infinity`,
 * or perl holding 48 MiB), with its own run id. Every test ends by proving heal left no sidecar and teardown
 * left nothing labelled with its run id. Latencies (call -> effect verified, heal call -> healed) are printed.
 */
const log = createLogger("faults-process-resource");
const latencies: Record<string, { injectMs: number; healMs: number }> = {};
const idle: NodeSpecInput = { name: "victim", image: "debian:bookworm", command: ["sleep", "infinity"], ready: { kind: "exec", command: ["true"] }, readyTimeoutMs: 15_000 };

async function labelled(filter: string): Promise<number> {
  return (await dockerClient().listContainers({ all: true, filters: JSON.stringify({ label: [filter] }) })).length;
}

async function withTopology(nodes: NodeSpecInput[], body: (ctx: FaultContext, runId: string) => Promise<void>): Promise<void> {
  const runId = newRunId();
  const topology = await startTopology({ runId, topology: Topology.parse({ nodes }), secrets: new RunSecrets([]), log });
  const events = new ContainerEventWatcher(runId);
  try {
    await events.start();
    const clock = new RunClock();
    clock.start();
    await body({ topology, clock, events, log }, runId);
    // heal removed every sidecar of this run
    expect(await labelled(`${RUN_LABEL}=${runId}`)).toBe(nodes.length);
    const sidecars = await dockerClient().listContainers({ all: true, filters: JSON.stringify({ label: [SIDECAR_LABEL, `${RUN_LABEL}=${runId}`] }) });
    expect(sidecars).toHaveLength(0);
  } finally {
    events.stop();
    await topology.teardown();
    const networks = await dockerClient().listNetworks({ filters: JSON.stringify({ label: [`${RUN_LABEL}=${runId}`] }) });
    expect({ containers: await labelled(`${RUN_LABEL}=${runId}`), networks: networks.length }).toEqual({ containers: 0, networks: 0 });
  }
}

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const value = await work();
  return [value, Math.round(performance.now() - started)];
}

const onVictim = { target: { names: ["victim"] }, at: "0s" };

describe("process and resource faults (integration)", () => {
  it("kill SIGKILL: die with exit 137; heal starts it again", async () => {
    await withTopology([idle], async (ctx) => {
      const since = Date.now();
      const [handle, injectMs] = await timed(() => processKill.inject(ctx, KillFault.parse({ kind: "kill", ...onVictim }), ["victim"]));
      const die = await ctx.events.waitFor("victim", "die", since, 1_000);
      expect(die?.exitCode).toBe(137);
      expect((await ctx.topology.container("victim").inspect()).State.Running).toBe(false);
      const [, healMs] = await timed(() => handle.heal());
      expect((await ctx.topology.container("victim").inspect()).State.Running).toBe(true);
      latencies.kill = { injectMs, healMs };
    });
  });

  it("restart: die then start events; heal waits ready and it is running", async () => {
    await withTopology([idle], async (ctx) => {
      const since = Date.now();
      const [handle, injectMs] = await timed(() => processRestart.inject(ctx, RestartFault.parse({ kind: "restart", ...onVictim, timeoutMs: 1_000 }), ["victim"]));
      const die = await ctx.events.waitFor("victim", "die", since, 1_000);
      const start = await ctx.events.waitFor("victim", "start", die!.epochMs, 1_000);
      expect(start).toBeDefined();
      // sleep as PID 1 ignores SIGTERM: Docker SIGKILLs it after the 1 s timeout
      expect(die!.exitCode).toBe(137);
      const [, healMs] = await timed(() => handle.heal());
      expect((await ctx.topology.container("victim").inspect()).State.Running).toBe(true);
      latencies.restart = { injectMs, healMs };
    });
  });

  it("crash-loop every 1.5 s for 7 s: 5 kills (exit 137), each started again; heal leaves it running", async () => {
    await withTopology([idle], async (ctx) => {
      const since = Date.now();
      const spec = CrashLoopFault.parse({ kind: "crash-loop", ...onVictim, for: "7s", everyMs: 1_500, restartDelayMs: 300 });
      const [handle, injectMs] = await timed(() => processCrashLoop.inject(ctx, spec, ["victim"]));
      await new Promise((r) => setTimeout(r, 7_500));
      const [, healMs] = await timed(() => handle.heal());
      log.info(handle.notes.join("\n"));
      const deaths = ctx.events.events.filter((e) => e.node === "victim" && e.action === "die" && e.epochMs >= since);
      const starts = ctx.events.events.filter((e) => e.node === "victim" && e.action === "start" && e.epochMs >= since);
      // kills at 0, 1.5, 3, 4.5, 6 s (7.5 s would be past `for`)
      expect(deaths.map((d) => d.exitCode)).toEqual([137, 137, 137, 137, 137]);
      expect(starts.length).toBe(5);
      const gaps = deaths.slice(1).map((d, i) => d.epochMs - deaths[i]!.epochMs);
      for (const gap of gaps) expect(Math.abs(gap - 1_500)).toBeLessThan(400);
      expect(handle.notes.filter((n) => / died at \+\d+ ms \(Docker event/.test(n))).toHaveLength(5);
      expect((await ctx.topology.container("victim").inspect()).State.Running).toBe(true);
      latencies["crash-loop"] = { injectMs, healMs };
    });
  });

  it("crash-loop healed early: the loop stops at heal and the target is running", async () => {
    await withTopology([idle], async (ctx) => {
      const since = Date.now();
      const spec = CrashLoopFault.parse({ kind: "crash-loop", ...onVictim, everyMs: 1_000, restartDelayMs: 200 });
      const handle = await processCrashLoop.inject(ctx, spec, ["victim"]);
      await new Promise((r) => setTimeout(r, 2_300));
      await handle.heal();
      const killsAtHeal = ctx.events.events.filter((e) => e.node === "victim" && e.action === "die" && e.epochMs >= since).length;
      expect(killsAtHeal).toBe(3);
      await new Promise((r) => setTimeout(r, 1_500));
      expect(ctx.events.events.filter((e) => e.node === "victim" && e.action === "die" && e.epochMs >= since)).toHaveLength(killsAtHeal);
      expect((await ctx.topology.container("victim").inspect()).State.Running).toBe(true);
      expect(await handle.heal()).toBeGreaterThan(0); // idempotent
    });
  });

  it("cpu-stress: the target's cgroup CPU use rises (docker stats), heal removes the sidecar and it falls back", async () => {
    await ensureImages([stressImage], log);
    await withTopology([idle], async (ctx, runId) => {
      const target = ctx.topology.container("victim");
      const before = await measureCores(target, 1_000);
      const [handle, injectMs] = await timed(() => cpuStress.inject(ctx, CpuStressFault.parse({ kind: "cpu-stress", ...onVictim, workers: 2, loadPercent: 100 }), ["victim"]));
      const during = await measureCores(target, 1_000);
      expect(await labelled(`${SIDECAR_LABEL}`)).toBeGreaterThanOrEqual(1);
      const [, healMs] = await timed(() => handle.heal());
      const after = await measureCores(target, 1_000);
      log.info(`cpu-stress: ${before.toFixed(2)} -> ${during.toFixed(2)} -> ${after.toFixed(2)} cores; ${handle.notes.join("; ")}`);
      expect(before).toBeLessThan(0.1);
      // 2 x 100% asks both cores; they are shared with other work here (load average up to 18 measured), so only a
      // clear rise is asserted; the fault's note carries the achieved figure.
      expect(during).toBeGreaterThan(before + 0.1);
      expect(after).toBeLessThan(0.1);
      expect((await dockerClient().listContainers({ all: true, filters: JSON.stringify({ label: [`${RUN_LABEL}=${runId}`, SIDECAR_LABEL] }) })).length).toBe(0);
      latencies["cpu-stress"] = { injectMs, healMs };
    });
  });

  it("memory-stress 64 MiB: the target's memory use rises by ~64 MiB; heal frees it", async () => {
    await ensureImages([stressImage], log);
    await withTopology([{ ...idle, memoryMb: 256 }], async (ctx) => {
      const target = ctx.topology.container("victim");
      const before = await memoryUsageMb(target);
      const [handle, injectMs] = await timed(() => memoryStress.inject(ctx, MemoryStressFault.parse({ kind: "memory-stress", ...onVictim, megabytes: 64 }), ["victim"]));
      const during = await memoryUsageMb(target);
      const [, healMs] = await timed(() => handle.heal());
      const after = await memoryUsageMb(target);
      log.info(`memory-stress: ${before.toFixed(1)} -> ${during.toFixed(1)} -> ${after.toFixed(1)} MiB; ${handle.notes.join("; ")}`);
      expect(during - before).toBeGreaterThan(64 * 0.8);
      expect(during - before).toBeLessThan(64 * 1.5);
      expect(after - before).toBeLessThan(8);
      latencies["memory-stress"] = { injectMs, healMs };
    });
  });

  it("memory-limit 16 MiB under 48 MiB in use: OOM kill (oom event, exit 137); heal restores 256 MiB and starts it", async () => {
    await ensureImages([stressImage], log);
    const hog: NodeSpecInput = { ...idle, memoryMb: 256, command: ["perl", "-e", '$x = "a" x (48 * 1024 * 1024); sleep 1 while 1']};
    await withTopology([hog], async (ctx) => {
      const target = ctx.topology.container("victim");
      const original = (await target.inspect()).HostConfig;
      expect(await memoryUsageMb(target)).toBeGreaterThan(40);
      const since = Date.now();
      const [handle, injectMs] = await timed(() => memoryLimit.inject(ctx, MemoryLimitFault.parse({ kind: "memory-limit", ...onVictim, megabytes: 16 }), ["victim"]));
      log.info(handle.notes.join("\n"));
      expect(await ctx.events.waitFor("victim", "oom", since, 1)).toBeDefined();
      expect((await ctx.events.waitFor("victim", "die", since, 1_000))?.exitCode).toBe(137);
      const dead = (await target.inspect()).State;
      expect(dead.Running).toBe(false);
      expect(dead.OOMKilled).toBe(true);
      const [, healMs] = await timed(() => handle.heal());
      const healed = await target.inspect();
      expect(healed.State.Running).toBe(true);
      expect(healed.HostConfig.Memory).toBe(original.Memory);
      expect(healed.HostConfig.Memory).toBe(256 * 1024 * 1024);
      expect(healed.HostConfig.MemorySwap).toBe(original.MemorySwap);
      latencies["memory-limit"] = { injectMs, healMs };
    });
  });

  it("memory-limit above the usage: the limit is set, no OOM; heal restores it", async () => {
    await withTopology([{ ...idle, memoryMb: 256 }], async (ctx) => {
      const target = ctx.topology.container("victim");
      const since = Date.now();
      const handle = await memoryLimit.inject(ctx, MemoryLimitFault.parse({ kind: "memory-limit", ...onVictim, megabytes: 32 }), ["victim"]);
      expect((await target.inspect()).HostConfig.Memory).toBe(32 * 1024 * 1024);
      expect(await ctx.events.waitFor("victim", "oom", since, 500)).toBeUndefined();
      await handle.heal();
      expect((await target.inspect()).HostConfig.Memory).toBe(256 * 1024 * 1024);
      expect((await target.inspect()).State.Running).toBe(true);
    });
  });

  it("prints the latency table", () => {
    console.table(latencies);
  });
});
