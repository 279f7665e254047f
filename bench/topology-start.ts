/**
 * Topology start and teardown: trackr (PostgreSQL, 3 apps, haproxy) ready under havoc (startTopology: networks,
 * containers created through dockerode (env/topology/node-create.ts), each layer gated by its ready probe) against the same containers started and
 * waited for by plain `docker` commands in the same script (the floor): `docker network create`, `docker run -d`
 * per node with the same image, env, aliases and 127.0.0.1 ports, the same start order (db; the apps at once; lb),
 * each node polled every 100 ms with the same probe (`docker exec` for exec probes, an HTTP GET for http ones).
 * Teardown: havoc's teardown (label sweep) against `docker rm -f` + `docker network rm`. Sides alternate.
 *
 *   npx tsx bench/topology-start.ts [repetitions=5]
 */
import { connect } from "node:net";
import { createLogger } from "../core/log.ts";
import { Topology, type NodeSpec, type ReadyProbe } from "../core/topology.ts";
import { ensureEnvironment } from "../env/bootstrap/ensure-environment.ts";
import { runLabels } from "../env/docker/labels.ts";
import { freePorts } from "../env/free-port.ts";
import { RunSecrets } from "../env/secrets.ts";
import { trackrImages } from "../systems/trackr/images.ts";
import { trackrSecrets, trackrTopology } from "../systems/trackr/topology.ts";
import { startLayers } from "../env/topology/start-order.ts";
import { startTopology } from "../env/topology/start-topology.ts";
import { newRunId } from "../engine/runner/run-id.ts";
import { BenchRecorder } from "./lib/results.ts";
import { spawnCollect, spawnOk } from "./lib/spawn.ts";
import { describeStats, pairedRatios, ratio, stats, timed } from "./lib/stats.ts";
import { imageSpecOf } from "../env/images/images.ts";

const repetitions = Number(process.argv[2] ?? 5);
const DOCKER = "/usr/bin/docker";
const POLL_MS = 100;
const READY_DEADLINE_MS = 60_000;
const log = createLogger("bench");
const quiet = createLogger("bench", () => undefined);
const recorder = new BenchRecorder("topology-start", `npx tsx bench/topology-start.ts ${process.argv.slice(2).join(" ")}`.trim());
const topology = Topology.parse(trackrTopology());

await ensureEnvironment({ docker: true, baseImage: true, images: Object.values(trackrImages).map(imageSpecOf) }, log);

async function probeOnce(name: string, probe: ReadyProbe, ports: ReadonlyMap<number, number>): Promise<boolean> {
  switch (probe.kind) {
    case "exec":
      return (await spawnCollect(DOCKER, ["exec", name, ...probe.command])).code === 0;
    case "http":
      return fetch(`http://127.0.0.1:${ports.get(probe.port)}${probe.path}`, { signal: AbortSignal.timeout(1_000) })
        .then(async (r) => (await r.arrayBuffer(), r.status === probe.status))
        .catch(() => false);
    case "tcp":
      return new Promise((resolve) => {
        const socket = connect({ host: "127.0.0.1", port: ports.get(probe.port)!, timeout: 1_000 });
        const done = (ok: boolean) => (socket.destroy(), resolve(ok));
        socket.once("connect", () => done(true)).once("timeout", () => done(false)).once("error", () => done(false));
      });
  }
}

async function waitReady(name: string, spec: NodeSpec, ports: ReadonlyMap<number, number>): Promise<void> {
  if (!spec.ready) return;
  const deadline = Date.now() + READY_DEADLINE_MS;
  while (!(await probeOnce(name, spec.ready, ports))) {
    if (Date.now() > deadline) throw new Error(`${name} not ready within ${READY_DEADLINE_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** The floor: plain docker commands. Returns the teardown. */
async function plainDocker(runId: string): Promise<() => Promise<void>> {
  const secrets = new RunSecrets(trackrSecrets);
  const network = `havoc-${runId}-main`;
  const labels = Object.entries(runLabels(runId)).flatMap(([k, v]) => ["--label", `${k}=${v}`]);
  const names: string[] = [];
  const teardown = async () => {
    if (names.length) await spawnCollect(DOCKER, ["rm", "-f", ...names]);
    await spawnCollect(DOCKER, ["network", "rm", network]);
  };
  try {
    await spawnOk(DOCKER, ["network", "create", ...labels, network]);
    for (const layer of startLayers(topology.nodes)) {
      await Promise.all(
        layer.map(async (spec) => {
          const name = `havoc-${runId}-${spec.name}`;
          names.push(name);
          const hostPorts = await freePorts(spec.ports.length);
          const ports = new Map(spec.ports.map((p, i) => [p, hostPorts[i]!]));
          const env = Object.entries(secrets.resolveRecord(spec.env)).flatMap(([k, v]) => ["-e", `${k}=${v}`]);
          const publish = [...ports].flatMap(([c, h]) => ["-p", `127.0.0.1:${h}:${c}`]);
          await spawnOk(DOCKER, ["run", "-d", "--name", name, ...labels, "--network", network, "--network-alias", spec.name, ...env, ...publish, spec.image, ...(spec.command ?? [])]);
          await waitReady(name, spec, ports);
        }),
      );
    }
  } catch (error) {
    await teardown();
    throw error;
  }
  return teardown;
}

async function underHavoc(runId: string): Promise<() => Promise<void>> {
  const started = await startTopology({ runId, topology, secrets: new RunSecrets(trackrSecrets), log: quiet });
  return () => started.teardown();
}

const samples = { havocStart: [] as number[], havocDown: [] as number[], plainStart: [] as number[], plainDown: [] as number[] };
const once = async (side: "havoc" | "plain") => {
  const runId = newRunId();
  const start = await timed(() => (side === "havoc" ? underHavoc(runId) : plainDocker(runId)));
  const down = await timed(start.value);
  samples[`${side}Start`].push(start.ms);
  samples[`${side}Down`].push(down.ms);
  console.log(`${side.padEnd(6)} start ${start.ms.toFixed(0)} ms, teardown ${down.ms.toFixed(0)} ms`);
};
console.log(`trackr (${topology.nodes.map((n) => n.name).join(", ")}), ${repetitions} starts per side, alternating`);
for (let i = 0; i < repetitions; i++) {
  if (i % 2 === 0) {
    await once("havoc");
    await once("plain");
  } else {
    await once("plain");
    await once("havoc");
  }
}
const row = (id: string, figure: string, havoc: number[], plain: number[], what: string) => {
  const h = stats(havoc, 0);
  const p = stats(plain, 0);
  console.log(`${figure}: havoc ${describeStats(h)} vs plain docker ${describeStats(p)}: ratio ${ratio(h.p50, p.p50)}`);
  recorder.add({ id, figure, unit: "ms", havoc: h, baseline: { what, stats: p }, ratio: ratio(h.p50, p.p50), pairedRatio: pairedRatios(havoc, plain) });
};
row("topology.trackr.start", "trackr start, call -> lb ready (havoc startTopology)", samples.havocStart, samples.plainStart, "docker network create + docker run per node, same order and probes");
row("topology.trackr.teardown", "trackr teardown (havoc label sweep)", samples.havocDown, samples.plainDown, "docker rm -f + docker network rm");
recorder.write();
