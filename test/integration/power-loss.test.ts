import { readFile, stat } from "node:fs/promises";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RunClock } from "../../core/clock.ts";
import { createLogger } from "../../core/log.ts";
import { Topology } from "../../core/topology.ts";
import { ensureImages } from "../../env/bootstrap/images.ts";
import { lazyfsTool, projectToolPath } from "../../env/bootstrap/project-go-tools.ts";
import { lazyFsVolume, lazyFsVolumePaths } from "../../env/disks/lazyfs-volume.ts";
import { diskPaths } from "../../env/disks/run-disks.ts";
import { ContainerEventWatcher } from "../../env/docker/container-events.ts";
import { execInContainer } from "../../env/docker/exec.ts";
import { imageSpecOf } from "../../env/images/images.ts";
import { RunSecrets } from "../../env/secrets.ts";
import { startTopology } from "../../env/topology/start-topology.ts";
import type { StartedTopology } from "../../env/topology/started-topology.ts";
import { PowerLossFault } from "../../faults/power-loss.ts";
import { KillFault } from "../../faults/process-kill.ts";
import type { FaultContext } from "../../faults/fault.ts";
import { injectFault } from "../../faults/registry.ts";
import { checkWriteSets } from "../../judge/data-loss.ts";
import { identityServerImage } from "../../systems/identity/images.ts";

/**
 * power-loss for real: nodes whose data directory is on lazyfs (a loop-ext4 disk with the lazyfs daemon over it).
 * 1. The effect: a write that was fsynced survives the fault, one that was not is gone; a SIGKILL alone (the `kill`
 *    fault) loses neither, which is why kill cannot test a durability claim.
 * 2. Redis's AOF under a power cut while writes are acknowledged: appendfsync everysec loses acknowledged writes
 *    (counted with the harness's set arithmetic, judge/data-loss.ts), appendfsync always loses none.
 * One topology of three nodes (Debian's redis-server from the identity image), started once.
 */
const image = imageSpecOf(identityServerImage);
const REDIS_PORT = 6379;

const redisNode = (name: string, appendfsync: "everysec" | "always") => ({
  name,
  image: identityServerImage.image,
  command: ["redis-server", "--bind", "0.0.0.0", "--protected-mode", "no", "--dir", "/data", "--save", "", "--appendonly", "yes", "--appendfsync", appendfsync],
  ports: [REDIS_PORT],
  ready: { kind: "exec" as const, command: ["redis-cli", "ping"] },
  dataVolume: { path: "/data", sizeMb: 64, kind: "lazyfs" as const },
});

describe("power-loss on lazyfs data volumes (integration)", () => {
  const runId = `it-power-${process.pid}`;
  const log = createLogger("power-loss");
  const clock = new RunClock();
  const events = new ContainerEventWatcher(runId);
  let topology: StartedTopology;
  let ctx: FaultContext;
  const figures: Record<string, number | string> = {};

  const sh = async (node: string, script: string) => {
    const r = await execInContainer(topology.container(node), ["sh", "-c", script], 10_000);
    if (r.exitCode !== 0) throw new Error(`${node}: ${script}: exit ${r.exitCode}: ${r.output}`);
    return r.output;
  };

  beforeAll(async () => {
    // The lazyfs binary is built at bootstrap (havoc setup); without it nothing here can run.
    expect(await stat(projectToolPath(lazyfsTool)).catch(() => undefined), `lazyfs binary at ${projectToolPath(lazyfsTool)} (run havoc setup)`).toBeDefined();
    await ensureImages([image], log);
    const spec = Topology.parse({
      nodes: [
        { name: "files", image: identityServerImage.image, command: ["sleep", "infinity"], dataVolume: { path: "/data", sizeMb: 16, kind: "lazyfs" } },
        redisNode("r-everysec", "everysec"),
        redisNode("r-always", "always"),
      ],
    });
    topology = await startTopology({ runId, topology: spec, secrets: new RunSecrets([]), log });
    await events.start();
    clock.start();
    ctx = { topology, clock, events, log };
  }, 120_000);

  afterAll(async () => {
    events.stop();
    await topology?.teardown();
    console.table(figures);
  });

  it("the data directory is a lazyfs mount bind-mounted into the container", async () => {
    const mounts = await readFile("/proc/self/mountinfo", "utf8");
    expect(mounts).toMatch(new RegExp(` ${lazyFsVolumePaths(runId, "files").mountDir} .* - fuse\\.lazyfs `));
    expect(await sh("files", "grep ' /data ' /proc/mounts")).toContain("fuse.lazyfs");
  });

  it("a SIGKILL alone loses no write: the unfsynced one is still there after kill and start", async () => {
    await sh("files", "printf durable > /data/synced && sync /data/synced && printf volatile > /data/unsynced");
    const handle = await injectFault(ctx, KillFault.parse({ kind: "kill", target: { names: ["files"] }, at: "0s" }), ["files"]);
    await handle.heal();
    expect(await sh("files", "cat /data/synced; echo; cat /data/unsynced")).toBe("durable\nvolatile");
    expect((await lazyFsVolume(runId, "files")!.stats()).dirtyBytes).toBe(8);
  });

  it("power-loss: the fsynced write survives, the unfsynced one is gone, and the notes say what was dropped", async () => {
    let started = Date.now();
    const handle = await injectFault(ctx, PowerLossFault.parse({ kind: "power-loss", target: { names: ["files"] }, at: "0s" }), ["files"]);
    figures["files: inject ms"] = Date.now() - started;
    expect(handle.mechanism).toContain("lazyfs lose");
    expect(handle.notes.join("; ")).toMatch(/files: died \d+ ms after the call \(exit 137\); 8 unfsynced bytes in 1 file\(s\) dropped/);
    // The container is down until the heal, as after a power cut.
    expect((await topology.container("files").inspect()).State.Running).toBe(false);
    started = Date.now();
    await handle.heal();
    figures["files: heal ms"] = Date.now() - started;
    // The name stays (metadata is persisted at once), the bytes do not.
    expect(await sh("files", "cat /data/synced; echo; wc -c < /data/unsynced")).toBe("durable\n0\n");
    expect(await handle.heal()).toBeGreaterThan(0);
  });

  it("Redis AOF: everysec loses acknowledged writes in a power cut, always loses none", async () => {
    const nodes = ["r-everysec", "r-always"] as const;
    const clients = nodes.map((n) => new Redis({ host: "127.0.0.1", port: topology.hostPort(n, REDIS_PORT), lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null, commandTimeout: 2_000 }));
    clients.forEach((c) => c.on("error", () => undefined));
    await Promise.all(clients.map((c) => c.connect()));
    const sets = nodes.map(() => ({ acknowledged: [] as string[], unknown: [] as string[], failed: [] as string[] }));
    let stop = false;
    // 8 writers per node, each writing its next key once the last is acknowledged, until the cut ends them.
    const writers = clients.flatMap((client, i) =>
      Array.from({ length: 8 }, async (_, w) => {
        for (let n = 0; !stop; n++) {
          const id = `w${w}-${n}`;
          try {
            await client.set(`k:${id}`, "1");
            sets[i]!.acknowledged.push(id);
          } catch {
            sets[i]!.unknown.push(id);
            return;
          }
        }
      }),
    );
    // Writes flow before the cut: at least 3 s of them on each node (three everysec fsyncs).
    const since = Date.now();
    const deadline = since + 20_000;
    while (Math.min(...sets.map((s) => s.acknowledged.length)) < 200 || Date.now() - since < 3_000) {
      if (Date.now() > deadline) throw new Error(`writes did not flow: ${sets.map((s) => s.acknowledged.length).join(", ")} acknowledged`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const started = Date.now();
    const handle = await injectFault(ctx, PowerLossFault.parse({ kind: "power-loss", target: { names: [...nodes] }, at: "0s" }), [...nodes]);
    figures["redis: inject ms"] = Date.now() - started;
    stop = true;
    await Promise.all(writers);
    clients.forEach((c) => c.disconnect());
    const healStarted = Date.now();
    await handle.heal();
    figures["redis: heal ms"] = Date.now() - healStarted;
    log.info(handle.notes.join("; "));

    const counts = await Promise.all(
      nodes.map(async (node, i) => {
        const reader = new Redis({ host: "127.0.0.1", port: topology.hostPort(node, REDIS_PORT), maxRetriesPerRequest: 1 });
        try {
          const stored = (await reader.keys("k:*")).map((k) => k.slice(2));
          return checkWriteSets({ ...sets[i]!, stored });
        } finally {
          reader.disconnect();
        }
      }),
    );
    const dropped = (node: string) => Number(new RegExp(`${node}: died .*?; (\\d+) unfsynced bytes`).exec(handle.notes.join("; "))?.[1]);
    for (const [i, node] of nodes.entries()) {
      figures[`${node}: acknowledged`] = counts[i]!.acknowledged;
      figures[`${node}: lost`] = counts[i]!.lost ?? "unread";
      figures[`${node}: bytes dropped`] = dropped(node);
    }
    const [everysec, always] = counts;
    expect(everysec!.acknowledged).toBeGreaterThanOrEqual(200);
    expect(always!.acknowledged).toBeGreaterThanOrEqual(200);
    // everysec: the AOF was written but fsynced only once a second; the cut drops the rest, acknowledged writes with it.
    expect(dropped("r-everysec")).toBeGreaterThan(0);
    expect(everysec!.lost).toBeGreaterThan(0);
    // always: every acknowledged write was fsynced first. Nothing lost, nothing unexpected.
    expect(always!.lost).toBe(0);
    expect(always!.unexpected).toBe(0);
    expect(everysec!.unexpected).toBe(0);
  }, 60_000);

  it("teardown stops the lazyfs daemons and removes the disks: nothing of the run stays mounted", async () => {
    const runDir = diskPaths(runId, "files").runDir;
    const pids = ["files", "r-everysec", "r-always"].map((n) => lazyFsVolume(runId, n)!.pid);
    await topology.teardown();
    expect(await readFile("/proc/self/mountinfo", "utf8")).not.toContain(runDir);
    expect(await stat(runDir).catch(() => undefined)).toBeUndefined();
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
    expect(lazyFsVolume(runId, "files")).toBeUndefined();
  });
});
