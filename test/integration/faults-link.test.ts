import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RunClock } from "../../core/clock.ts";
import { LinkDownFault } from "../../faults/link-down.ts";
import { LinkToxicFault } from "../../faults/link-toxic.ts";
import { LatencyFault } from "../../faults/network-latency.ts";
import type { FaultSpecInput } from "../../faults/registry.ts";
import { createLogger } from "../../core/log.ts";
import { Topology } from "../../core/topology.ts";
import { ensureImages } from "../../env/bootstrap/images.ts";
import { ContainerEventWatcher } from "../../env/docker/container-events.ts";
import { execInContainer } from "../../env/docker/exec.ts";
import { RunSecrets } from "../../env/secrets.ts";
import { trackrImages } from "../../systems/trackr/images.ts";
import { toxiproxyImage } from "../../env/images/toxiproxy/images.ts";
import { startTopology } from "../../env/topology/start-topology.ts";
import type { StartedTopology } from "../../env/topology/started-topology.ts";
import { listToxics } from "../../env/topology/toxiproxy-node.ts";
import type { FaultContext } from "../../faults/fault.ts";
import { detectNetem } from "../../faults/network/netem.ts";
import { injectFault } from "../../faults/registry.ts";
import { imageSpecOf } from "../../env/images/images.ts";

/**
 * Link faults for real: an echo server behind a toxiproxy link, a client node that reaches it only as `echo-link:7000`.
 * Round trips are measured inside the client container (the link alias exists only on the run's network).
 * Images: havoc/trackr-app:dev for its Node 18 (server and client are one-line scripts), havoc/toxiproxy:dev.
 */
const NODE_IMAGE = "havoc/trackr-app:dev";
const nodeImage = imageSpecOf(trackrImages.app);
const ECHO_SERVER = `require("net").createServer((s) => s.on("data", (d) => s.write(d)).on("error", () => {})).listen(7000)`;

/** Node script run in the client: `rounds` round trips on one connection; prints {rtts} or {error}. */
const roundTrips = (rounds: number, timeoutMs: number) => `
const s = require("net").connect(7000, "echo-link"); const rtts = []; let t0 = 0;
const done = (out) => { console.log(JSON.stringify(out)); process.exit(0); };
setTimeout(() => done({ error: "TIMEOUT", rtts }), ${timeoutMs});
s.on("error", (e) => done({ error: e.code || e.message, rtts }));
s.on("close", () => done({ error: "CLOSED", rtts }));
const ping = () => { t0 = process.hrtime.bigint(); s.write("x"); };
s.on("connect", ping);
s.on("data", () => { rtts.push(Number(process.hrtime.bigint() - t0) / 1e6); rtts.length >= ${rounds} ? done({ rtts }) : ping(); });`;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

describe("link faults through toxiproxy (integration)", () => {
  const runId = `it-link-${process.pid}`;
  const log = createLogger("faults-link");
  const clock = new RunClock();
  let topology: StartedTopology;
  let ctx: FaultContext;
  const events = new ContainerEventWatcher(runId);
  const timings: Record<string, { injectMs: number; healMs: number }> = {};

  async function probe(rounds = 1, timeoutMs = 3_000): Promise<{ rtts: number[]; error?: string }> {
    const result = await execInContainer(topology.container("client"), ["node", "-e", roundTrips(rounds, timeoutMs)], timeoutMs + 5_000);
    return JSON.parse(result.output.trim().split("\n").at(-1)!);
  }

  async function inject(spec: FaultSpecInput) {
    const parsed = (spec.kind === "link-down" ? LinkDownFault : LinkToxicFault).parse(spec);
    const started = Date.now();
    const handle = await injectFault(ctx, parsed, []);
    return { handle, injectMs: Date.now() - started };
  }

  beforeAll(async () => {
    await ensureImages([nodeImage, toxiproxyImage], log);
    const spec = Topology.parse({
      nodes: [
        { name: "echo", image: NODE_IMAGE, command: ["node", "-e", ECHO_SERVER] },
        { name: "client", image: NODE_IMAGE, command: ["node", "-e", "setInterval(() => {}, 1 << 30)"] },
      ],
      links: [{ name: "echo-link", to: { node: "echo", port: 7000 } }],
    });
    topology = await startTopology({ runId, topology: spec, secrets: new RunSecrets([]), log });
    await events.start();
    clock.start();
    ctx = { topology, clock, events, log };
    // The echo server listens a moment after its container starts (no ready probe on it).
    const deadline = Date.now() + 15_000;
    while ((await probe()).error && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  });

  afterAll(async () => {
    events.stop();
    await topology?.teardown();
    console.table(timings);
  });

  it("starts toxiproxy with a proxy per link, reachable through the link alias", async () => {
    const proxies = await (await fetch(`${topology.toxiproxyApiUrl()}/proxies`)).json();
    expect(proxies["echo-link"]).toMatchObject({ listen: "[::]:7000", upstream: "echo:7000", enabled: true });
    expect((await probe(3)).rtts).toHaveLength(3);
  });

  it("latency toxic adds the asked latency (within 20%) to the median round trip; heal restores it", async () => {
    const before = median((await probe(15)).rtts);
    const { handle, injectMs } = await inject({ kind: "link-toxic", at: "0s", link: "echo-link", toxic: { type: "latency", latencyMs: 200 } });
    const withToxic = median((await probe(15, 10_000)).rtts);
    expect(Math.abs(withToxic - before - 200)).toBeLessThanOrEqual(40);
    const healStarted = Date.now();
    await handle.heal();
    timings.latency = { injectMs, healMs: Date.now() - healStarted };
    expect(await listToxics(topology.toxiproxyApiUrl(), "echo-link")).toEqual([]);
    expect(median((await probe(15)).rtts)).toBeLessThan(before + 50);
    log.info(`median RTT: ${before.toFixed(2)} ms before, ${withToxic.toFixed(2)} ms with a 200 ms latency toxic`);
  });

  it("node latency without netem falls back to a toxiproxy latency toxic on the links into the node (within 20%)", async () => {
    const netem = await detectNetem(runId);
    const before = median((await probe(15)).rtts);
    const spec = LatencyFault.parse({ kind: "latency", at: "0s", target: { names: ["echo"] }, delayMs: 200 });
    const started = Date.now();
    const handle = await injectFault(ctx, spec, ["echo"]);
    const injectMs = Date.now() - started;
    expect(handle.mechanism).toMatch(netem.available ? /netem delay 200ms/ : /^toxiproxy latency 200ms downstream on links echo-link \(no netem/);
    if (!netem.available) expect(await listToxics(topology.toxiproxyApiUrl(), "echo-link")).toHaveLength(1);
    const delayed = median((await probe(15, 10_000)).rtts);
    expect(Math.abs(delayed - before - 200)).toBeLessThanOrEqual(40);
    const healStarted = Date.now();
    await handle.heal();
    await handle.heal(); // idempotent
    timings["latency (node, fallback)"] = { injectMs, healMs: Date.now() - healStarted };
    expect(await listToxics(topology.toxiproxyApiUrl(), "echo-link")).toEqual([]);
    expect(median((await probe(15)).rtts)).toBeLessThan(before + 50);
    log.info(`node latency via ${handle.mechanism}: median RTT ${before.toFixed(2)} -> ${delayed.toFixed(2)} ms`);
  });

  it("link-down makes connections through the link fail; heal restores them", async () => {
    const { handle, injectMs } = await inject({ kind: "link-down", at: "0s", link: "echo-link" });
    expect((await probe()).error).toBe("ECONNREFUSED");
    const healStarted = Date.now();
    await handle.heal();
    timings["link-down"] = { injectMs, healMs: Date.now() - healStarted };
    expect((await probe()).rtts).toHaveLength(1);
    await handle.heal(); // idempotent
  });

  it("reset_peer resets connections; heal removes the toxic (API lists none)", async () => {
    const { handle, injectMs } = await inject({ kind: "link-toxic", at: "0s", link: "echo-link", toxic: { type: "reset_peer", timeoutMs: 0 }, direction: "upstream" });
    expect((await probe()).error).toBe("ECONNRESET");
    const healStarted = Date.now();
    await handle.heal();
    timings.reset_peer = { injectMs, healMs: Date.now() - healStarted };
    expect(await listToxics(topology.toxiproxyApiUrl(), "echo-link")).toEqual([]);
    expect((await probe()).rtts).toHaveLength(1);
  });

  it("heal succeeds when toxiproxy is already gone", async () => {
    const { handle } = await inject({ kind: "link-toxic", at: "0s", link: "echo-link", toxic: { type: "bandwidth", rateKBps: 1 } });
    await topology.container("toxiproxy").remove({ force: true });
    await expect(handle.heal()).resolves.toBeTypeOf("number");
  });
});
