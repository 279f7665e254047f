import { ContainerEventWatcher } from "../../../env/docker/container-events.ts";
import { startTopology } from "../../../env/topology/start-topology.ts";
import type { RunState } from "../run-state.ts";

/** Stage "starting": Docker's events watched (exact fault times), then the topology started and ready. */
export async function start(run: RunState): Promise<void> {
  const { scenario, clock, events, log } = run;
  run.setPhase("starting");
  run.watcher = new ContainerEventWatcher(
    run.runId,
    (event) =>
      events.write({
        type: "container",
        event: { atMs: clock.toRunMs(event.epochMs) ?? event.epochMs - run.startedAt.getTime(), node: event.node, action: event.action, ...(event.exitCode !== undefined ? { exitCode: event.exitCode } : {}) },
      }),
    run.engines,
  );
  await run.watcher.start();
  const topology = await log.step(`starting topology (${scenario.topology.nodes.length} nodes)`, () =>
    startTopology({ runId: run.runId, topology: run.pinned!.apply(scenario.topology), secrets: run.secrets, log, logDir: run.path("logs"), engines: run.engines, imageOn: (host, image) => run.imageOn(host, image) }),
  );
  run.topology = topology;
  const placed = [...topology.nodes.values()].some((n) => !topology.isLocal(n.name));
  events.write({
    type: "topology-started",
    nodes: Object.fromEntries([...topology.nodes].map(([n, node]) => [n, Object.fromEntries([...node.hostPorts].map(([c, h]) => [String(c), h]))])),
    ...(placed ? { hosts: Object.fromEntries([...topology.nodes.values()].map((n) => [n.name, n.host ?? "local"])) } : {}),
  });
  run.throwIfAborted();
}
