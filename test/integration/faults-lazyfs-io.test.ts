import { stat } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RunClock } from "../../core/clock.ts";
import { createLogger } from "../../core/log.ts";
import { Topology } from "../../core/topology.ts";
import { ensureImages } from "../../env/bootstrap/images.ts";
import { lazyfsTool, projectToolPath } from "../../env/bootstrap/project-go-tools.ts";
import { lazyFsVolume } from "../../env/disks/lazyfs-volume.ts";
import { ContainerEventWatcher } from "../../env/docker/container-events.ts";
import { execInContainer } from "../../env/docker/exec.ts";
import { imageSpecOf } from "../../env/images/images.ts";
import { RunSecrets } from "../../env/secrets.ts";
import { startTopology } from "../../env/topology/start-topology.ts";
import type { StartedTopology } from "../../env/topology/started-topology.ts";
import type { FaultContext } from "../../faults/fault.ts";
import { IoErrorFault } from "../../faults/io-error.ts";
import { IoLatencyFault } from "../../faults/io-latency.ts";
import { injectFault } from "../../faults/registry.ts";
import { identityServerImage } from "../../systems/identity/images.ts";
import { nightly } from "../support/nightly.ts";

/**
 * io-error and io-latency for real, on one node whose /data is a lazyfs volume: the calls of a process in the
 * container fail with EIO (reads, writes, fsyncs of the chosen paths only) or wait the added time while the fault
 * is on, lazyfs counts what it injected, and after the heal every call is plain again. One container that sleeps,
 * but 20-41 s of wall time measured on the shared machine (an idle write rule waits its 3 s for a first hit): nightly.
 */
const image = imageSpecOf(identityServerImage);

describe.runIf(nightly)("io-error and io-latency on a lazyfs data volume (integration, nightly)", () => {
  const runId = `it-iofault-${process.pid}`;
  const log = createLogger("io-faults");
  const clock = new RunClock();
  const events = new ContainerEventWatcher(runId);
  let topology: StartedTopology;
  let ctx: FaultContext;
  const figures: Record<string, number | string> = {};

  /** Runs a script in the container; returns its exit code and output (stdout and stderr). */
  const sh = (script: string) => execInContainer(topology.container("files"), ["sh", "-c", script], 15_000);
  const ok = async (script: string) => {
    const r = await sh(script);
    if (r.exitCode !== 0) throw new Error(`${script}: exit ${r.exitCode}: ${r.output}`);
    return r.output;
  };
  /** ms a script takes inside the container (its own clock, so exec's overhead is not counted). */
  const timed = async (script: string) => Number(await ok(`s=$(date +%s%N); ${script}; e=$(date +%s%N); echo $(( (e - s) / 1000000 ))`));

  beforeAll(async () => {
    expect(await stat(projectToolPath(lazyfsTool)).catch(() => undefined), `lazyfs binary at ${projectToolPath(lazyfsTool)} (run havoc setup)`).toBeDefined();
    await ensureImages([image], log);
    const spec = Topology.parse({
      nodes: [{ name: "files", image: identityServerImage.image, command: ["sleep", "infinity"], dataVolume: { path: "/data", sizeMb: 16, kind: "lazyfs" } }],
    });
    topology = await startTopology({ runId, topology: spec, secrets: new RunSecrets([]), log });
    await events.start();
    clock.start();
    ctx = { topology, clock, events, log };
    await ok("mkdir -p /data/bad /data/good && printf 12345678 > /data/bad/a && printf 12345678 > /data/good/a && sync /data/bad/a /data/good/a");
  }, 120_000);

  afterAll(async () => {
    events.stop();
    await topology?.teardown();
    console.table(figures);
  });

  it("io-error on reads of bad/**: verified by a read from the host, the container's reads there fail with EIO, others do not, heal ends it", async () => {
    const stats = () => lazyFsVolume(runId, "files")!.stats();
    const before = await stats();
    let started = Date.now();
    const handle = await injectFault(ctx, IoErrorFault.parse({ kind: "io-error", target: { names: ["files"] }, at: "0s", op: "read", paths: ["bad/**"] }), ["files"]);
    figures["io-error read: inject ms"] = Date.now() - started;
    expect(handle.notes.join("; ")).toMatch(/files: 1 rule\(s\) installed; first EIO counted \d+ ms later \(a read of bad\/a from the host, 1 probe\(s\)\)/);
    const bad = await sh("cat /data/bad/a");
    expect(bad.exitCode).not.toBe(0);
    expect(bad.output).toContain("Input/output error");
    expect(await ok("cat /data/good/a")).toBe("12345678");
    // One failed read each from the host and the container; the kernel may retry a failed read (readahead, then
    // the page itself), so each can count more than once.
    expect((await stats()).eioInjected - before.eioInjected).toBeGreaterThanOrEqual(2);
    started = Date.now();
    await handle.heal();
    figures["io-error read: heal ms"] = Date.now() - started;
    expect(handle.notes.join("; ")).toMatch(/files: \d+ EIO\(s\) injected in all; rules cleared/);
    expect(await ok("cat /data/bad/a")).toBe("12345678");
    expect((await stats()).rules).toBe(0);
  });

  it("io-error on writes and fsyncs: a write stores nothing, an fsync fails, both counted; 50 % fails about half the calls", async () => {
    const writes = await injectFault(ctx, IoErrorFault.parse({ kind: "io-error", target: { names: ["files"] }, at: "0s", op: "write", paths: ["bad/w*"] }), ["files"]);
    // Nothing read matches a write rule and the container is idle: installed, not yet hit.
    expect(writes.notes.join("; ")).toContain("files: 1 rule(s) installed; no matching call within 3000 ms");
    const w = await sh("printf x > /data/bad/w1");
    expect(w.exitCode).not.toBe(0);
    expect(w.output).toContain("I/O error");
    expect(await ok("wc -c < /data/bad/w1")).toBe("0\n");
    await writes.heal();
    const fsyncs = await injectFault(ctx, IoErrorFault.parse({ kind: "io-error", target: { names: ["files"] }, at: "0s", op: "fsync", percent: 50, paths: ["bad/s"] }), ["files"]);
    const results = await ok("printf y > /data/bad/s; ok=0; for i in $(seq 1 40); do sync /data/bad/s 2>/dev/null && ok=$((ok+1)); done; echo $ok");
    const failedPercent = ((40 - Number(results)) / 40) * 100;
    figures["io-error fsync 50 %: failed %"] = failedPercent;
    expect(failedPercent).toBeGreaterThan(20);
    expect(failedPercent).toBeLessThan(80);
    await fsyncs.heal();
    expect(fsyncs.notes.join("; ")).toMatch(/files: \d+ EIO\(s\) injected in all; rules cleared/);
    await ok("sync /data/bad/s");
  });

  it("io-latency: a read probe takes the added time, an fsync in the container too, and neither after the heal", async () => {
    const plainFsyncMs = await timed("sync /data/good/a");
    const reads = await injectFault(ctx, IoLatencyFault.parse({ kind: "io-latency", target: { names: ["files"] }, at: "0s", op: "read", latencyMs: 200, paths: ["good/**"] }), ["files"]);
    const note = reads.notes.join("; ");
    expect(note).toMatch(/files: probe read of good\/a: [\d.]+ ms before, [\d.]+ ms with the rules \(\+[\d.]+ ms, 200 asked\)/);
    figures["io-latency read: probe"] = note.match(/\(\+[\d.]+ ms, 200 asked\)/)![0];
    expect(await timed("cat /data/good/a > /dev/null")).toBeGreaterThanOrEqual(200);
    await reads.heal();
    expect(await timed("cat /data/good/a > /dev/null")).toBeLessThan(150);
    const fsyncs = await injectFault(ctx, IoLatencyFault.parse({ kind: "io-latency", target: { names: ["files"] }, at: "0s", op: "fsync", latencyMs: 300, paths: ["**"] }), ["files"]);
    const slowFsyncMs = await timed("sync /data/good/a");
    figures["io-latency fsync: plain ms"] = plainFsyncMs;
    figures["io-latency fsync +300: ms"] = slowFsyncMs;
    expect(slowFsyncMs).toBeGreaterThanOrEqual(300);
    await fsyncs.heal();
    expect(fsyncs.notes.join("; ")).toMatch(/files: [1-9]\d* call\(s\) delayed in all; rules cleared/);
    // After the heal no call is delayed any more (lazyfs's counter; a time on this shared machine would be noise).
    const delayed = (await lazyFsVolume(runId, "files")!.stats()).delaysInjected;
    await ok("sync /data/good/a && cat /data/good/a > /dev/null");
    expect((await lazyFsVolume(runId, "files")!.stats()).delaysInjected).toBe(delayed);
  });
});
