/**
 * Fault injection and heal latency per kind, call to verified effect, next to the raw mechanism run by hand in the
 * same process (same containers, same rules, interleaved so machine noise hits both sides alike):
 *
 * - kill / pause: havoc's fault (docker kill + the `die` event; pause + inspect + the `pause` event; heal = start +
 *   ready probe / unpause) against the bare Docker API call (kill; start + the same ready probe; pause; unpause);
 * - isolate, partition (halves), partition one-way, zone-cut, packet-loss: havoc (addresses resolved, rules applied,
 *   listed, cut probed) against `nsenter --net=<namespace> nft -f -` with the same ruleset in each namespace, and
 *   `nft delete table` to undo;
 * - bandwidth: havoc against `nsenter --net=<namespace> tc qdisc replace ... tbf` on the same interfaces;
 * - link-toxic: havoc against a POST (and DELETE) to toxiproxy's API.
 *
 * Topology: five havoc/testnode containers on three networks (main; za = n1 n2 n5; zb = n3 n4 n5) and one
 * toxiproxy link to n2. Each kind runs `iterations` times per side; the side going first alternates.
 *
 *   npx tsx bench/fault-latency.ts [iterations=20] [kinds=all|isolate,partition,...] [--access host|sidecar] [--out name.json]
 */
import { RunClock } from "../core/clock.ts";
import { FaultSpec, type FaultSpecInput } from "../faults/registry.ts";
import { createLogger } from "../core/log.ts";
import { createRng } from "../core/rng.ts";
import { Topology } from "../core/topology.ts";
import { ensureEnvironment } from "../env/bootstrap/ensure-environment.ts";
import { ContainerEventWatcher } from "../env/docker/container-events.ts";
import { execInContainer } from "../env/docker/exec.ts";
import { toolImages } from "../env/images/images.ts";
import { RunSecrets } from "../env/secrets.ts";
import { startTopology } from "../env/topology/start-topology.ts";
import type { StartedTopology } from "../env/topology/started-topology.ts";
import { newRunId } from "../engine/runner/run-id.ts";
import type { FaultContext, FaultHandle } from "../faults/fault.ts";
import { partitionGroups } from "../faults/network-partition.ts";
import { cutEffect, cutNodes } from "../faults/network/netns-fault.ts";
import { deleteTableCommand, lossTableBody, nftTableName, replaceTableScript } from "../faults/network/nft-rules.ts";
import { groupCutPairs, isolateCutPairs, type CutPair } from "../faults/network/partition-groups.ts";
import { interfacesFor, resolveAddresses } from "../faults/network/peers.ts";
import { qdiscDeleteCommand, tbfCommand } from "../faults/network/tc-commands.ts";
import { injectFault } from "../faults/registry.ts";
import { BenchRecorder } from "./lib/results.ts";
import { spawnOk } from "./lib/spawn.ts";
import { describeStats, pairedRatios, ratio, stats, timed } from "./lib/stats.ts";

const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const value = args[i + 1];
  args.splice(i, 2);
  return value;
};
const access = flag("--access") as "host" | "sidecar" | undefined;
const outFile = flag("--out");
const iterations = Number(args[0] ?? 20);
const allKinds = ["kill", "pause", "isolate", "partition", "partition-one-way", "zone-cut", "packet-loss", "bandwidth", "link-toxic"] as const;
type Kind = (typeof allKinds)[number];
const kinds: Kind[] = !args[1] || args[1] === "all" ? [...allKinds] : (args[1].split(",") as Kind[]);
const unknownKinds = kinds.filter((k) => !allKinds.includes(k));
if (unknownKinds.length) throw new Error(`unknown kind(s) ${unknownKinds.join(", ")}; known: ${allKinds.join(", ")}`);

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

const NODES = ["n1", "n2", "n3", "n4", "n5"];
const LINK = "n2-link";
const log = createLogger("bench");
const quiet = createLogger("bench", () => undefined);
const recorder = new BenchRecorder("fault-latency", `npx tsx bench/fault-latency.ts ${process.argv.slice(2).join(" ")}`.trim());

const topologySpec = Topology.parse({
  networks: ["main", "za", "zb"],
  nodes: NODES.map((name, i) => ({
    name,
    image: "havoc/testnode:dev",
    networks: ["main", ...([0, 1, 4].includes(i) ? ["za"] : []), ...([2, 3, 4].includes(i) ? ["zb"] : [])],
    ready: { kind: "exec", command: ["test", "-f", "/tmp/testnode-ready"] },
    readyTimeoutMs: 30_000,
  })),
  links: [{ name: LINK, to: { node: "n2", port: 7000 } }],
});

/** The fault spec of each kind, and what the same thing is by hand. */
interface Case {
  /** The fault as a scenario writes it, without `at`. */
  spec: DistributiveOmit<FaultSpecInput, "at">;
  targets: string[];
  /** Applies the mechanism by hand; returns the undo. Setup outside the timed part is done in prepare(). */
  prepare(): Promise<{ apply: () => Promise<unknown>; undo: () => Promise<unknown> }>;
  rawWhat: string;
}

await ensureEnvironment({ docker: true, baseImage: true, toxiproxy: true, images: toolImages.filter((i) => ["havoc/netfault:dev", "havoc/testnode:dev", "havoc/toxiproxy:dev"].includes(i.tag)) }, log);
const runId = newRunId();
const clock = new RunClock();
const events = new ContainerEventWatcher(runId);
let topology: StartedTopology | undefined;

async function sandboxKey(node: string): Promise<string> {
  const key = (await topology!.container(node).inspect()).NetworkSettings.SandboxKey;
  if (!key) throw new Error(`${node}: no network namespace (not running?)`);
  return key;
}

/** `nsenter --net=<ns> nft -f -` in every namespace of `nodes` at once, with the rules a cut fault would apply. */
async function nftByHand(nodes: readonly string[], body: (node: string) => string, key: string): Promise<{ apply: () => Promise<unknown>; undo: () => Promise<unknown> }> {
  const table = nftTableName(`byhand-${key}`);
  const targets = await Promise.all(nodes.map(async (node) => ({ ns: await sandboxKey(node), script: replaceTableScript(table, body(node)) })));
  return {
    apply: () => Promise.all(targets.map((t) => spawnOk("nsenter", [`--net=${t.ns}`, "nft", "-f", "-"], { input: t.script }))),
    undo: () => Promise.all(targets.map((t) => spawnOk("nsenter", [`--net=${t.ns}`, ...deleteTableCommand(table)]))),
  };
}

async function cutByHand(pairs: readonly CutPair[], nodes: readonly string[], key: string) {
  const book = await resolveAddresses(topology!, NODES);
  const effect = cutEffect(pairs);
  return nftByHand(nodes, (node) => effect(node, book).nftBody!, key);
}

async function dockerApiByHand(kind: "kill" | "pause", node: string) {
  const container = topology!.container(node);
  if (kind === "pause") return { apply: () => container.pause(), undo: () => container.unpause() };
  return {
    apply: () => container.kill({ signal: "SIGKILL" }),
    undo: async () => {
      await container.start();
      // The same probe the topology declares, polled as a person's loop would.
      for (;;) {
        if ((await execInContainer(container, ["test", "-f", "/tmp/testnode-ready"], 3_000).catch(() => ({ exitCode: 1 }))).exitCode === 0) return;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
  };
}

const cases: Record<Kind, Case> = {
  kill: { spec: { kind: "kill", target: { names: ["n5"] }, signal: "SIGKILL" }, targets: ["n5"], rawWhat: "Docker API kill SIGKILL / start + ready probe", prepare: () => dockerApiByHand("kill", "n5") },
  pause: { spec: { kind: "pause", target: { names: ["n4"] } }, targets: ["n4"], rawWhat: "Docker API pause / unpause", prepare: () => dockerApiByHand("pause", "n4") },
  isolate: {
    spec: { kind: "isolate", target: { names: ["n1"] } },
    targets: ["n1"],
    rawWhat: "nsenter nft -f (same ruleset, 1 namespace) / nft delete table",
    prepare: () => cutByHand(isolateCutPairs(["n1"], [...NODES, "toxiproxy"]), ["n1"], "isolate"),
  },
  partition: {
    spec: { kind: "partition", groups: { mode: "halves" } },
    targets: NODES,
    rawWhat: "nsenter nft -f (same ruleset, 5 namespaces at once) / nft delete table",
    prepare: () => {
      const pairs = groupCutPairs(partitionGroups({ groups: { mode: "halves" } }, NODES, createRng(7)).groups, "both");
      return cutByHand(pairs, cutNodes(pairs), "partition");
    },
  },
  "partition-one-way": {
    spec: { kind: "partition", groups: [["n1", "n2"], ["n3", "n4", "n5"]], direction: "one-way" },
    targets: NODES,
    rawWhat: "nsenter nft -f (same ruleset, 5 namespaces at once) / nft delete table",
    prepare: () => {
      const pairs = groupCutPairs([["n1", "n2"], ["n3", "n4", "n5"]], "one-way");
      return cutByHand(pairs, cutNodes(pairs), "oneway");
    },
  },
  "zone-cut": {
    spec: { kind: "zone-cut", zones: ["za", "zb"] },
    targets: NODES,
    rawWhat: "nsenter nft -f (same ruleset, 4 namespaces at once) / nft delete table",
    prepare: () => {
      const pairs = groupCutPairs([["n1", "n2"], ["n3", "n4"]], "both");
      return cutByHand(pairs, cutNodes(pairs), "zonecut");
    },
  },
  "packet-loss": {
    spec: { kind: "packet-loss", target: { names: ["n1"] }, percent: 30, direction: "egress" },
    targets: ["n1"],
    rawWhat: "nsenter nft -f (numgen drop, 1 namespace) / nft delete table",
    prepare: () => nftByHand(["n1"], () => lossTableBody({ percent: 30, ingress: false, egress: true }), "loss"),
  },
  bandwidth: {
    spec: { kind: "bandwidth", target: { names: ["n1"] }, rateKbit: 1000 },
    targets: ["n1"],
    rawWhat: "nsenter tc qdisc replace ... tbf on n1's interfaces / tc qdisc del",
    prepare: async () => {
      const ns = await sandboxKey("n1");
      const book = await resolveAddresses(topology!, ["n1"]);
      const ifaces = interfacesFor(await spawnOk("nsenter", [`--net=${ns}`, "ip", "-o", "addr", "show"]), (book.get("n1") ?? []).map((a) => a.ip));
      const script = (build: (iface: string) => string[]) => ifaces.map((i) => build(i).join(" ")).join(" && ");
      return {
        apply: () => spawnOk("nsenter", [`--net=${ns}`, "sh", "-c", script((i) => tbfCommand(i, 1000))]),
        undo: () => spawnOk("nsenter", [`--net=${ns}`, "sh", "-c", script(qdiscDeleteCommand)]),
      };
    },
  },
  "link-toxic": {
    spec: { kind: "link-toxic", link: LINK, toxic: { type: "latency", latencyMs: 100 } },
    targets: [],
    rawWhat: "toxiproxy API POST /proxies/<link>/toxics / DELETE",
    prepare: async () => {
      const api = topology!.toxiproxyApiUrl();
      const body = JSON.stringify({ name: "byhand", type: "latency", stream: "downstream", toxicity: 1, attributes: { latency: 100, jitter: 0 } });
      const call = async (method: string, path: string, payload?: string) => {
        const response = await fetch(`${api}${path}`, { method, body: payload, headers: payload ? { "Content-Type": "application/json" } : {} });
        await response.arrayBuffer();
        if (!response.ok) throw new Error(`toxiproxy ${method} ${path}: ${response.status}`);
      };
      return { apply: () => call("POST", `/proxies/${LINK}/toxics`, body), undo: () => call("DELETE", `/proxies/${LINK}/toxics/byhand`) };
    },
  },
};

const settled: Record<string, number> = {};
/**
 * Before every operation, outside the timers: the target of kill/pause is running and not paused. Docker 20.10 under
 * heavy load was seen answering "already paused" to a pause right after an unpause had returned; counted in the notes.
 */
async function settle(kind: Kind): Promise<void> {
  const node = kind === "kill" ? "n5" : kind === "pause" ? "n4" : undefined;
  if (!node) return;
  const state = (await topology!.container(node).inspect()).State;
  if (state.Paused) {
    settled[`${node} still paused`] = (settled[`${node} still paused`] ?? 0) + 1;
    await topology!.container(node).unpause();
  }
  if (!state.Running) {
    settled[`${node} not running`] = (settled[`${node} not running`] ?? 0) + 1;
    await topology!.container(node).start();
    await topology!.waitReady(node);
  }
}

try {
  topology = await startTopology({ runId, topology: topologySpec, secrets: new RunSecrets([]), log: quiet });
  await events.start();
  clock.start();
  const ctx: FaultContext = { topology, clock, events, log: quiet };
  if (access) (ctx as FaultContext & { netnsAccess?: string }).netnsAccess = access;
  console.log(`fault-latency: ${iterations} injections per kind and side, kinds ${kinds.join(", ")}${access ? `, network faults via ${access}` : ""}`);
  for (const kind of kinds) {
    const c = cases[kind];
    const spec = FaultSpec.parse({ at: "0s", ...c.spec });
    const samples = { inject: [] as number[], heal: [] as number[], rawApply: [] as number[], rawUndo: [] as number[] };
    let mechanism = "";
    const havocOnce = async () => {
      await settle(kind);
      const injected = await timed(() => injectFault({ ...ctx, rng: createRng(7) }, spec, c.targets));
      const handle: FaultHandle = injected.value;
      mechanism = handle.mechanism;
      samples.inject.push(injected.ms);
      samples.heal.push((await timed(() => handle.heal())).ms);
    };
    const rawOnce = async () => {
      await settle(kind);
      const raw = await c.prepare();
      samples.rawApply.push((await timed(raw.apply)).ms);
      samples.rawUndo.push((await timed(raw.undo)).ms);
    };
    try {
      for (let i = 0; i < iterations; i++) {
        if (i % 2 === 0) {
          await havocOnce();
          await rawOnce();
        } else {
          await rawOnce();
          await havocOnce();
        }
      }
    } catch (error) {
      const message = `${kind}: stopped after ${samples.inject.length} havoc and ${samples.rawApply.length} by-hand injections: ${error instanceof Error ? error.message : String(error)}`;
      console.log(message);
      recorder.notes.push(message);
      await settle(kind).catch(() => undefined);
      if (samples.inject.length === 0 || samples.rawApply.length === 0 || samples.heal.length === 0 || samples.rawUndo.length === 0) continue;
    }
    const inject = stats(samples.inject);
    const heal = stats(samples.heal);
    const rawApply = stats(samples.rawApply);
    const rawUndo = stats(samples.rawUndo);
    console.log(`${kind.padEnd(18)} inject ${describeStats(inject)} vs by hand ${describeStats(rawApply)}: ratio ${ratio(inject.p50, rawApply.p50)}`);
    console.log(`${"".padEnd(18)} heal   ${describeStats(heal)} vs by hand ${describeStats(rawUndo)}: ratio ${ratio(heal.p50, rawUndo.p50)}   [${mechanism}]`);
    const network = !["kill", "pause", "link-toxic"].includes(kind);
    recorder.add({
      id: `fault.${kind}.inject`,
      figure: `${kind} inject, call -> effect verified (${mechanism})`,
      unit: "ms",
      havoc: inject,
      baseline: { what: c.rawWhat.split(" / ")[0]!, stats: rawApply },
      ratio: ratio(inject.p50, rawApply.p50),
      ...(samples.inject.length === samples.rawApply.length ? { pairedRatio: pairedRatios(samples.inject, samples.rawApply) } : {}),
      ...(network ? { goal: "p50 within 1.5x of the rules applied by hand" } : {}),
    });
    recorder.add({ id: `fault.${kind}.heal`, figure: `${kind} heal, call -> restored and verified`, unit: "ms", havoc: heal, baseline: { what: c.rawWhat.split(" / ")[1] ?? c.rawWhat, stats: rawUndo }, ratio: ratio(heal.p50, rawUndo.p50), ...(samples.heal.length === samples.rawUndo.length ? { pairedRatio: pairedRatios(samples.heal, samples.rawUndo) } : {}) });
  }
  recorder.notes.push("by-hand side: the mechanism alone (no verification), namespaces and rules prepared before the timer starts");
  for (const [what, count] of Object.entries(settled)) recorder.notes.push(`before ${count} operation(s) ${what}: put right outside the timers`);
  recorder.write(outFile);
} finally {
  events.stop();
  await topology?.teardown();
}
