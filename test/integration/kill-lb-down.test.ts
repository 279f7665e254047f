import { describe, expect, it } from "vitest";
import { RunClock } from "../../core/clock.ts";
import { KillFault } from "../../faults/process-kill.ts";
import { createLogger } from "../../core/log.ts";
import { Topology } from "../../core/topology.ts";
import { ContainerEventWatcher } from "../../env/docker/container-events.ts";
import { RunSecrets } from "../../env/secrets.ts";
import { trackrSecrets, trackrTopology } from "../../systems/trackr/topology.ts";
import { assertOwnTarget } from "../../env/target-guard.ts";
import { startTopology } from "../../env/topology/start-topology.ts";
import type { StartedTopology } from "../../env/topology/started-topology.ts";
import { processKill } from "../../faults/process-kill.ts";
import { newRunId } from "../../engine/runner/run-id.ts";
import { leftovers } from "../support/run-cli.ts";
import { pollUntil } from "../support/spawn-havoc.ts";

const log = createLogger("kill-lb-test");

/** Status haproxy reports for a backend server ("UP", "DOWN", "UP 1/2", ...), from its stats CSV on 127.0.0.1. */
async function serverStatus(topology: StartedTopology, server: string): Promise<string> {
  const url = `${topology.baseUrl("lb", 8404)}/stats;csv`;
  assertOwnTarget(url, topology, "haproxy stats");
  const csv = await (await fetch(url, { signal: AbortSignal.timeout(1_000) })).text();
  const [header, ...rows] = csv.replace(/^# /, "").trim().split("\n").map((l) => l.split(","));
  const status = header!.indexOf("status");
  const row = rows.find((r) => r[0] === "apps" && r[1] === server);
  return row?.[status] ?? "missing";
}

describe("kill in a real topology (integration)", () => {
  it("SIGKILL gives exit 137 and haproxy marks the node DOWN; heal brings it back UP", async () => {
    const runId = newRunId();
    const events = new ContainerEventWatcher(runId);
    await events.start();
    const topology = await startTopology({ runId, topology: Topology.parse(trackrTopology()), secrets: new RunSecrets(trackrSecrets), log });
    try {
      expect(await serverStatus(topology, "app-2")).toMatch(/^UP/);
      const clock = new RunClock();
      clock.start();
      const calledAt = Date.now();
      const handle = await processKill.inject({ topology, clock, events, log }, KillFault.parse({ kind: "kill", target: { names: ["app-2"] }, at: "0s" }), ["app-2"]);
      const death = await events.waitFor("app-2", "die", calledAt, 1_000);
      expect(death?.exitCode).toBe(137);
      expect(await pollUntil(async () => (await serverStatus(topology, "app-2")).startsWith("DOWN"), 10_000)).toBe(true);
      const downAfterMs = Date.now() - calledAt;
      expect(await serverStatus(topology, "app-1")).toMatch(/^UP/);
      const healCalledAt = Date.now();
      await handle.heal();
      expect(await pollUntil(async () => (await serverStatus(topology, "app-2")) === "UP", 15_000)).toBe(true);
      log.info(`haproxy marked app-2 DOWN ${downAfterMs} ms after the kill call, UP ${Date.now() - healCalledAt} ms after the heal call`);
    } finally {
      events.stop();
      await topology.teardown();
    }
    expect(await leftovers(runId)).toEqual({ containers: 0, networks: 0 });
  });
});
