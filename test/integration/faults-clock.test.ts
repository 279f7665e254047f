import { describe, expect, it } from "vitest";
import { RunClock } from "../../core/clock.ts";
import { ClockSkewFault } from "../../faults/clock-skew.ts";
import { createLogger } from "../../core/log.ts";
import { Topology } from "../../core/topology.ts";
import { ensureImages } from "../../env/bootstrap/images.ts";
import { dockerClient } from "../../env/docker/client.ts";
import { ContainerEventWatcher } from "../../env/docker/container-events.ts";
import { RUN_LABEL } from "../../env/docker/labels.ts";
import { RunSecrets } from "../../env/secrets.ts";
import { faketimeImage, faketimeTestnodeImage } from "../../env/images/resource-clock-images.ts";
import { startTopology } from "../../env/topology/start-topology.ts";
import { clockSkew } from "../../faults/clock-skew.ts";
import { faketimeOffset, measureSkewMs } from "../../faults/clock-skew.ts";
import { SIDECAR_LABEL } from "../../faults/resource-sidecar.ts";
import { newRunId } from "../../engine/runner/run-id.ts";

/**
 * clock-skew for real: a node built FROM havoc/faketime:dev gets its wall clock moved by libfaketime while the
 * host and a plain neighbour keep real time; heal brings it back. A node without libfaketime is refused with a
 * message that says how to opt in.
 */
const log = createLogger("faults-clock");

describe("clock-skew (integration)", () => {
  it("offset text for libfaketime", () => {
    expect(faketimeOffset(30_000)).toBe("+30");
    expect(faketimeOffset(-90_500)).toBe("-90.500");
    expect(faketimeOffset(0)).toBe("+0");
    expect(faketimeOffset(7)).toBe("+0.007");
  });

  it("moves one node's clock by +30 s and -90.5 s, the host and the neighbour stay; heal restores", async () => {
    await ensureImages([faketimeImage, faketimeTestnodeImage], log);
    const runId = newRunId();
    const topology = await startTopology({
      runId,
      topology: Topology.parse({
        nodes: [
          { name: "skewed", image: faketimeTestnodeImage.tag, ready: { kind: "exec", command: ["true"] }, readyTimeoutMs: 15_000 },
          { name: "plain", image: "debian:bookworm", command: ["sleep", "infinity"], ready: { kind: "exec", command: ["true"] }, readyTimeoutMs: 15_000 },
        ],
      }),
      secrets: new RunSecrets([]),
      log,
    });
    const events = new ContainerEventWatcher(runId);
    const latencies: Record<string, { injectMs: number; healMs: number }> = {};
    try {
      await events.start();
      const clock = new RunClock();
      clock.start();
      const ctx = { topology, clock, events, log };
      const skewed = topology.container("skewed");
      expect(Math.abs(await measureSkewMs(skewed))).toBeLessThan(1_000);

      for (const offsetMs of [30_000, -90_500]) {
        const spec = ClockSkewFault.parse({ kind: "clock-skew", target: { names: ["skewed"] }, at: "0s", offsetMs });
        let started = performance.now();
        const handle = await clockSkew.inject(ctx, spec, ["skewed"]);
        const injectMs = Math.round(performance.now() - started);
        log.info(handle.notes.join("; "));
        expect(Math.abs((await measureSkewMs(skewed)) - offsetMs)).toBeLessThan(1_000);
        expect(Math.abs(await measureSkewMs(topology.container("plain")))).toBeLessThan(1_000);
        started = performance.now();
        await handle.heal();
        const healMs = Math.round(performance.now() - started);
        expect(Math.abs(await measureSkewMs(skewed))).toBeLessThan(1_000);
        await handle.heal(); // idempotent
        latencies[`clock-skew ${offsetMs} ms`] = { injectMs, healMs };
      }

      // The offset lives in the container's writable layer: a node killed while skewed comes back skewed.
      const spec = ClockSkewFault.parse({ kind: "clock-skew", target: { names: ["skewed"] }, at: "0s", offsetMs: 5_000 });
      const handle = await clockSkew.inject(ctx, spec, ["skewed"]);
      await skewed.kill({ signal: "SIGKILL" });
      await skewed.start();
      expect(Math.abs((await measureSkewMs(skewed)) - 5_000)).toBeLessThan(1_000);
      await handle.heal();
      expect(Math.abs(await measureSkewMs(skewed))).toBeLessThan(1_000);

      // A node without libfaketime: refused, with the way to opt in.
      const plainSpec = ClockSkewFault.parse({ kind: "clock-skew", target: { names: ["plain"] }, at: "0s", offsetMs: 1_000 });
      await expect(clockSkew.inject(ctx, plainSpec, ["plain"])).rejects.toThrow(/havoc\/faketime:dev/);
      expect((await dockerClient().listContainers({ all: true, filters: JSON.stringify({ label: [SIDECAR_LABEL, `${RUN_LABEL}=${runId}`] }) })).length).toBe(0);
      console.table(latencies);
    } finally {
      events.stop();
      await topology.teardown();
      const filters = JSON.stringify({ label: [`${RUN_LABEL}=${runId}`] });
      const [containers, networks] = await Promise.all([dockerClient().listContainers({ all: true, filters }), dockerClient().listNetworks({ filters })]);
      expect({ containers: containers.length, networks: networks.length }).toEqual({ containers: 0, networks: 0 });
    }
  });
});
