import { readFile, stat } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RunClock } from "../../core/clock.ts";
import { DiskFillFault } from "../../faults/disk-fill.ts";
import { createLogger } from "../../core/log.ts";
import { Topology } from "../../core/topology.ts";
import { ensureImages } from "../../env/bootstrap/images.ts";
import { ContainerEventWatcher } from "../../env/docker/container-events.ts";
import { execInContainer } from "../../env/docker/exec.ts";
import { diskPaths } from "../../env/disks/run-disks.ts";
import { RunSecrets } from "../../env/secrets.ts";
import { trackrImages } from "../../systems/trackr/images.ts";
import { startTopology } from "../../env/topology/start-topology.ts";
import type { StartedTopology } from "../../env/topology/started-topology.ts";
import type { FaultContext, FaultHandle } from "../../faults/fault.ts";
import { injectFault } from "../../faults/registry.ts";
import { imageSpecOf } from "../../env/images/images.ts";

/**
 * disk-fill for real on a 32 MiB loop-mounted ext4 data volume: writes inside the container fail with ENOSPC, the
 * fullness and the data survive kill+start, heal frees the space, teardown leaves no mount and no image file.
 * The node runs as `nobody` (havoc/trackr-app:dev), so the volume is given uid/gid 65534.
 */
const NODE_IMAGE = "havoc/trackr-app:dev";
const nodeImage = imageSpecOf(trackrImages.app);
const NOBODY = 65534;

describe("disk-fill on a loop-ext4 data volume (integration)", () => {
  const runId = `it-disk-${process.pid}`;
  const log = createLogger("faults-disk");
  const clock = new RunClock();
  const events = new ContainerEventWatcher(runId);
  let topology: StartedTopology;
  let ctx: FaultContext;
  let handle: FaultHandle;
  const timings: Record<string, number> = {};

  const sh = async (script: string) => execInContainer(topology.container("store"), ["sh", "-c", script], 10_000);
  const write = () => sh("dd if=/dev/zero of=/data/probe bs=64k count=1 2>&1 && sync /data/probe; s=$?; rm -f /data/probe; exit $s");

  beforeAll(async () => {
    await ensureImages([nodeImage], log);
    const spec = Topology.parse({
      nodes: [{ name: "store", image: NODE_IMAGE, command: ["sleep", "infinity"], dataVolume: { path: "/data", sizeMb: 32, uid: NOBODY, gid: NOBODY } }],
    });
    topology = await startTopology({ runId, topology: spec, secrets: new RunSecrets([]), log });
    await events.start();
    clock.start();
    ctx = { topology, clock, events, log };
  });

  afterAll(async () => {
    events.stop();
    await topology?.teardown();
    console.table(timings);
  });

  it("fill: a write inside the container fails with No space left on device", async () => {
    expect((await sh("echo kept > /data/marker && cat /data/marker")).output.trim()).toBe("kept");
    expect((await write()).exitCode).toBe(0);
    const started = Date.now();
    handle = await injectFault(ctx, DiskFillFault.parse({ kind: "disk-fill", target: { names: ["store"] }, at: "0s" }), ["store"]);
    timings.injectMs = Date.now() - started;
    log.info(handle.notes.join("; "));
    const failed = await write();
    expect(failed.exitCode).not.toBe(0);
    expect(failed.output).toContain("No space left on device");
  });

  it("kill + start: the marker and the fullness survive", async () => {
    await topology.container("store").kill({ signal: "SIGKILL" });
    await topology.container("store").start();
    expect((await sh("cat /data/marker")).output.trim()).toBe("kept");
    expect((await write()).output).toContain("No space left on device");
  });

  it("heal: the filler is gone and writes work again (idempotent)", async () => {
    const started = Date.now();
    await handle.heal();
    timings.healMs = Date.now() - started;
    log.info(handle.notes.join("; "));
    expect((await write()).exitCode).toBe(0);
    await handle.heal();
    expect((await sh("ls -A /data")).output.trim()).toBe("marker");
  });

  it("leaveFreeBytes leaves that much space (statfs inside the container agrees)", async () => {
    const partial = await injectFault(ctx, DiskFillFault.parse({ kind: "disk-fill", target: { names: ["store"] }, at: "0s", leaveFreeBytes: 4 * 1024 * 1024 }), ["store"]);
    const freeKb = Number((await sh("df -k --output=avail /data | tail -1")).output.trim());
    expect(freeKb).toBeGreaterThanOrEqual(4 * 1024 - 16);
    expect(freeKb).toBeLessThanOrEqual(4 * 1024 + 32);
    await partial.heal();
  });

  it("teardown unmounts and deletes the disk", async () => {
    const paths = diskPaths(runId, "store");
    expect(await readFile("/proc/mounts", "utf8")).toContain(paths.mountDir);
    await topology.teardown();
    expect(await readFile("/proc/mounts", "utf8")).not.toContain(paths.runDir);
    expect(await stat(paths.image).catch(() => undefined)).toBeUndefined();
    expect(await stat(paths.runDir).catch(() => undefined)).toBeUndefined();
  });
});

describe("disk-fill on a tmpfs data volume (integration)", () => {
  const runId = `it-tmpfs-${process.pid}`;
  const log = createLogger("faults-disk-tmpfs");
  const clock = new RunClock();
  const events = new ContainerEventWatcher(runId);
  let topology: StartedTopology;
  const timings: Record<string, number> = {};

  afterAll(async () => {
    events.stop();
    await topology?.teardown();
    console.table(timings);
  });

  it("fill through /proc/<pid>/root: writes fail with ENOSPC; heal frees the space", async () => {
    await ensureImages([nodeImage], log);
    const spec = Topology.parse({
      nodes: [{ name: "store", image: NODE_IMAGE, command: ["sleep", "infinity"], dataVolume: { path: "/data", sizeMb: 16, kind: "tmpfs", uid: NOBODY, gid: NOBODY } }],
    });
    topology = await startTopology({ runId, topology: spec, secrets: new RunSecrets([]), log });
    await events.start();
    clock.start();
    const ctx: FaultContext = { topology, clock, events, log };
    const write = () => execInContainer(topology.container("store"), ["sh", "-c", "dd if=/dev/zero of=/data/probe bs=64k count=1 2>&1; s=$?; rm -f /data/probe; exit $s"], 10_000);
    expect((await write()).exitCode).toBe(0);
    let started = Date.now();
    const handle = await injectFault(ctx, DiskFillFault.parse({ kind: "disk-fill", target: { names: ["store"] }, at: "0s" }), ["store"]);
    timings.injectMs = Date.now() - started;
    expect((await write()).output).toContain("No space left on device");
    started = Date.now();
    await handle.heal();
    timings.healMs = Date.now() - started;
    expect((await write()).exitCode).toBe(0);
  });
});

describe("disk-fill on trackr's postgres with a loop-ext4 data dir (integration)", () => {
  const runId = `it-pgdisk-${process.pid}`;
  const log = createLogger("faults-disk-pg");
  const clock = new RunClock();
  const events = new ContainerEventWatcher(runId);
  let topology: StartedTopology;
  const pgImage = imageSpecOf(trackrImages.postgres);

  afterAll(async () => {
    events.stop();
    await topology?.teardown();
  });

  it("INSERT fails with No space left on device while full; works after heal", async () => {
    await ensureImages([pgImage], log);
    const spec = Topology.parse({
      nodes: [
        {
          name: "db",
          image: pgImage.tag,
          env: { POSTGRES_PASSWORD: "${secret:db-password}", POSTGRES_DB: "trackr" },
          ports: [5432],
          ready: { kind: "exec", command: ["pg_isready", "-q", "-h", "127.0.0.1", "-U", "postgres", "-t", "1"] },
          // The entrypoint (root at first) chowns the mount to postgres before copying its template in.
          dataVolume: { path: "/var/lib/postgresql/data", sizeMb: 128 },
        },
      ],
    });
    topology = await startTopology({ runId, topology: spec, secrets: new RunSecrets(["db-password"]), log });
    await events.start();
    clock.start();
    const ctx: FaultContext = { topology, clock, events, log };
    const sql = (q: string) => execInContainer(topology.container("db"), ["psql", "-U", "postgres", "-d", "trackr", "-v", "ON_ERROR_STOP=1", "-c", q], 20_000);
    expect((await sql("CREATE TABLE filler (x text)")).exitCode).toBe(0);
    const insert = () => sql("INSERT INTO filler SELECT repeat(md5(g::text), 32) FROM generate_series(1, 2000) g");
    expect((await insert()).exitCode).toBe(0);
    const handle = await injectFault(ctx, DiskFillFault.parse({ kind: "disk-fill", target: { names: ["db"] }, at: "0s" }), ["db"]);
    const failed = await insert();
    expect(failed.exitCode).not.toBe(0);
    expect(failed.output).toContain("No space left on device");
    await handle.heal();
    const healed = await insert();
    expect(healed.exitCode, healed.output).toBe(0);
  });
});
