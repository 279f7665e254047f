/**
 * Fault latency on a node of another host against the same fault on a node of this machine (bench/fault-latency.ts's
 * kinds, call to verified effect and heal call to restored), in one run, interleaved so machine noise hits both alike.
 *
 * "Another host" is simulated here: a second Docker engine in a container of this machine (test/support/second-engine.ts),
 * joined by swarm, its address on docker0 as the host's address. So the figures show what the remote path costs in
 * the harness (a second API connection over TCP, events from a second stream, sidecars instead of nsenter, ports
 * reached at the host's address), not a network's latency between machines.
 *
 * Topology: havoc/testnode l1, l2 here and r1, r2 on host "remote", one overlay network; a toxiproxy link to l1 with
 * the proxy here, and (a second topology) a link to r3 with the proxy on "remote".
 *
 *   npx tsx bench/fault-latency-remote.ts [iterations=10] [kinds=all|kill,pause,...]
 */
import { RunClock } from "../core/clock.ts";
import { createLogger } from "../core/log.ts";
import { createRng } from "../core/rng.ts";
import { Topology } from "../core/topology.ts";
import { ensureEnvironment } from "../env/bootstrap/ensure-environment.ts";
import { connectEngines } from "../env/docker/connect-engines.ts";
import { ContainerEventWatcher } from "../env/docker/container-events.ts";
import { distributeImages } from "../env/docker/image-transfer.ts";
import { toolImages } from "../env/images/images.ts";
import { RunSecrets } from "../env/secrets.ts";
import { startTopology } from "../env/topology/start-topology.ts";
import type { StartedTopology } from "../env/topology/started-topology.ts";
import { newRunId } from "../engine/runner/run-id.ts";
import type { FaultContext, FaultHandle } from "../faults/fault.ts";
import { FaultSpec, injectFault, type FaultSpecInput } from "../faults/registry.ts";
import { startSecondEngine } from "../test/support/second-engine.ts";
import { BenchRecorder } from "./lib/results.ts";
import { describeStats, pairedRatios, ratio, stats, timed } from "./lib/stats.ts";

const args = process.argv.slice(2);
const iterations = Number(args[0] ?? 10);
const allKinds = ["kill", "pause", "isolate", "isolate-sidecar", "packet-loss", "bandwidth", "link-toxic"] as const;
type Kind = (typeof allKinds)[number];
const kinds: Kind[] = !args[1] || args[1] === "all" ? [...allKinds] : (args[1].split(",") as Kind[]);
const unknownKinds = kinds.filter((k) => !allKinds.includes(k));
if (unknownKinds.length) throw new Error(`unknown kind(s) ${unknownKinds.join(", ")}; known: ${allKinds.join(", ")}`);

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
const log = createLogger("bench");
const quiet = createLogger("bench", () => undefined);
const recorder = new BenchRecorder("fault-latency-remote", `npx tsx bench/fault-latency-remote.ts ${args.join(" ")}`.trim());
const testnode = (name: string, host?: string) => ({ name, image: "havoc/testnode:dev", ready: { kind: "exec", command: ["test", "-f", "/tmp/testnode-ready"] }, readyTimeoutMs: 30_000, ...(host ? { host } : {}) });
const mainSpec = Topology.parse({ nodes: [testnode("l1"), testnode("l2"), testnode("r1", "remote"), testnode("r2", "remote")], links: [{ name: "l-link", to: { node: "l1", port: 7000 } }] });
const proxySpec = Topology.parse({ nodes: [testnode("r3", "remote")], links: [{ name: "r-link", to: { node: "r3", port: 7000 } }], spread: { toxiproxy: ["remote"] } });

/** One side of a comparison: the fault, its targets, and the context it is injected with. */
interface Side {
  spec: DistributiveOmit<FaultSpecInput, "at">;
  targets: string[];
  ctx: () => FaultContext;
  /** The node a process fault leaves stopped or paused if a heal failed. */
  node?: string;
}

await ensureEnvironment({ docker: true, baseImage: true, toxiproxy: true, images: toolImages.filter((i) => ["havoc/netfault:dev", "havoc/testnode:dev", "havoc/toxiproxy:dev"].includes(i.tag)) }, log);
const engine = await startSecondEngine({ log });
const topologies: StartedTopology[] = [];
const watchers: ContainerEventWatcher[] = [];
try {
  await engine.joinSwarm();
  const engines = await connectEngines({ hosts: { remote: { docker: engine.url } }, used: new Set(["local", "remote"]), spansHosts: true });
  const images = await distributeImages(engines.local.docker, new Map([[engines.get("remote"), ["havoc/testnode:dev", "havoc/netfault:dev", "havoc/toxiproxy:dev"].map((ref) => ({ ref, cacheTag: ref }))]]), log);
  const imageOn = (host: string, image: string) => images.get(host)?.get(image)?.id ?? image;
  const clock = new RunClock();
  const start = async (spec: Topology) => {
    const runId = newRunId();
    const events = new ContainerEventWatcher(runId, () => undefined, engines);
    await events.start();
    watchers.push(events);
    const topology = await startTopology({ runId, topology: spec, secrets: new RunSecrets([]), log: quiet, engines, imageOn });
    topologies.push(topology);
    return { topology, events };
  };
  const main = await start(mainSpec);
  const proxied = kinds.includes("link-toxic") ? await start(proxySpec) : undefined;
  clock.start();
  const ctxOf = (t: { topology: StartedTopology; events: ContainerEventWatcher }, netnsAccess?: "sidecar"): FaultContext => ({ topology: t.topology, clock, events: t.events, log: quiet, ...(netnsAccess ? { netnsAccess } : {}) });
  const onNode = (spec: (node: string) => DistributiveOmit<FaultSpecInput, "at">, local: string, remote: string, access?: "sidecar"): [Side, Side] => [
    { spec: spec(local), targets: [local], ctx: () => ctxOf(main, access), node: local },
    { spec: spec(remote), targets: [remote], ctx: () => ctxOf(main), node: remote },
  ];
  const cases: Record<Kind, [Side, Side]> = {
    kill: onNode((n) => ({ kind: "kill", target: { names: [n] }, signal: "SIGKILL" }), "l2", "r2"),
    pause: onNode((n) => ({ kind: "pause", target: { names: [n] } }), "l1", "r1"),
    isolate: onNode((n) => ({ kind: "isolate", target: { names: [n] } }), "l1", "r1"),
    "isolate-sidecar": onNode((n) => ({ kind: "isolate", target: { names: [n] } }), "l1", "r1", "sidecar"),
    "packet-loss": onNode((n) => ({ kind: "packet-loss", target: { names: [n] }, percent: 30, direction: "egress" }), "l1", "r1"),
    bandwidth: onNode((n) => ({ kind: "bandwidth", target: { names: [n] }, rateKbit: 1000 }), "l1", "r1"),
    "link-toxic": [
      { spec: { kind: "link-toxic", link: "l-link", toxic: { type: "latency", latencyMs: 100 } }, targets: [], ctx: () => ctxOf(main) },
      { spec: { kind: "link-toxic", link: "r-link", toxic: { type: "latency", latencyMs: 100 } }, targets: [], ctx: () => ctxOf(proxied!) },
    ],
  };
  /** Outside the timers: a kill or pause target running and not paused (a failed heal must not skew the next sample). */
  const settle = async (side: Side) => {
    if (!side.node) return;
    const topology = side.ctx().topology;
    const state = (await topology.container(side.node).inspect()).State;
    if (state.Paused) await topology.container(side.node).unpause();
    if (!state.Running) {
      await topology.container(side.node).start();
      await topology.waitReady(side.node);
    }
  };
  console.log(`fault-latency-remote: ${iterations} injections per kind and side, kinds ${kinds.join(", ")}`);
  for (const kind of kinds) {
    const [local, remote] = cases[kind];
    const samples = { local: { inject: [] as number[], heal: [] as number[] }, remote: { inject: [] as number[], heal: [] as number[] } };
    const mechanisms = { local: "", remote: "" };
    const once = async (which: "local" | "remote", side: Side) => {
      await settle(side);
      const injected = await timed(() => injectFault({ ...side.ctx(), rng: createRng(7) }, FaultSpec.parse({ at: 0, ...side.spec }), side.targets));
      const handle: FaultHandle = injected.value;
      mechanisms[which] = handle.mechanism;
      samples[which].inject.push(injected.ms);
      samples[which].heal.push((await timed(() => handle.heal())).ms);
    };
    try {
      for (let i = 0; i < iterations; i++) {
        if (i % 2 === 0) {
          await once("local", local);
          await once("remote", remote);
        } else {
          await once("remote", remote);
          await once("local", local);
        }
      }
    } catch (error) {
      const message = `${kind}: stopped after ${samples.local.inject.length} local and ${samples.remote.inject.length} remote injections: ${error instanceof Error ? error.message : String(error)}`;
      console.log(message);
      recorder.notes.push(message);
      if (samples.local.heal.length === 0 || samples.remote.heal.length === 0) continue;
    }
    for (const phase of ["inject", "heal"] as const) {
      const r = stats(samples.remote[phase]);
      const l = stats(samples.local[phase]);
      console.log(`${kind.padEnd(16)} ${phase.padEnd(6)} remote ${describeStats(r)} vs local ${describeStats(l)}: ratio ${ratio(r.p50, l.p50)}`);
      recorder.add({
        id: `fault.remote.${kind}.${phase}`,
        figure: `${kind} ${phase === "inject" ? "inject, call -> effect verified" : "heal, call -> restored"} on a node of host "remote" (${mechanisms.remote})`,
        unit: "ms",
        havoc: r,
        baseline: { what: `the same on a node here (${mechanisms.local})`, stats: l },
        ratio: ratio(r.p50, l.p50),
        ...(samples.remote[phase].length === samples.local[phase].length ? { pairedRatio: pairedRatios(samples.remote[phase], samples.local[phase]) } : {}),
      });
    }
  }
  recorder.notes.push("the remote host is a second Docker engine in a container of this machine, joined by swarm (test/support/second-engine.ts): the ratio is the remote path's cost in the harness, without a network between machines");
  recorder.notes.push("isolate-sidecar: the local node's namespace entered by a sidecar too, so the pair differs only in the engine");
  recorder.write();
} finally {
  for (const w of watchers) w.stop();
  for (const t of topologies) await t.teardown().catch((e: unknown) => console.log(`teardown: ${String(e)}`));
  await engine.close();
}
