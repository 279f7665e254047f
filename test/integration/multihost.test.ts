import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type Dockerode from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { History } from "../../core/history.ts";
import { dockerClient } from "../../env/docker/client.ts";
import { RUN_LABEL } from "../../env/docker/labels.ts";
import { LedgerLine } from "../../load/write-ledger.ts";
import { nightly } from "../support/nightly.ts";
import { readLatestReport, runHavoc } from "../support/run-cli.ts";
import { startSecondEngine, type SecondEngine } from "../support/second-engine.ts";
import { eventTypes, pollUntil, runDirs, spawnHavoc } from "../support/spawn-havoc.ts";

/**
 * Nodes, faults and load generators on two Docker engines joined by Docker's swarm mode, simulated on this machine: the
 * second engine runs in a container here (test/support/second-engine.ts) and is host "remote". Traffic goes only to
 * this machine: its loopback, and the addresses of the containers the test and the runs made. Slow (images are copied
 * to a fresh engine every time, about 15 s), so it runs nightly (HAVOC_NIGHTLY=1).
 */
const scenario = "test/fixtures/multihost-trackr.ts";

/** What a run left labelled with its id on an engine, and the run tags of its images there. */
async function leftoversOn(docker: Dockerode, runId: string): Promise<{ containers: number; networks: number; volumes: number; imageTags: number }> {
  const filters = JSON.stringify({ label: [`${RUN_LABEL}=${runId}`] });
  const [containers, networks, volumes, images] = await Promise.all([docker.listContainers({ all: true, filters }), docker.listNetworks({ filters }), docker.listVolumes({ filters }), docker.listImages()]);
  const imageTags = images.flatMap((i) => i.RepoTags ?? []).filter((t) => t.endsWith(`:${runId}`)).length;
  return { containers: containers.length, networks: networks.length, volumes: (volumes.Volumes ?? []).length, imageTags };
}

const nothing = { containers: 0, networks: 0, volumes: 0, imageTags: 0 };

interface SwarmState {
  state: string;
  gwbridge: boolean;
}

async function swarmState(docker: Dockerode): Promise<SwarmState> {
  const info = (await docker.info()) as { Swarm?: { LocalNodeState?: string } };
  const gwbridge = (await docker.listNetworks({ filters: JSON.stringify({ name: ["docker_gwbridge"] }) })).some((n) => n.Name === "docker_gwbridge");
  return { state: info.Swarm?.LocalNodeState ?? "?", gwbridge };
}

describe.skipIf(!nightly)("nodes and load generators on a second engine, joined by swarm (integration)", () => {
  let engine: SecondEngine | undefined;
  let before: SwarmState;
  const remote = () => `remote=${engine!.url}`;

  beforeAll(async () => {
    before = await swarmState(dockerClient());
    engine = await startSecondEngine();
  }, 240_000);

  afterAll(async () => {
    await engine?.close();
    // The swarm state this machine's engine was in before the tests, the network the swarm leaves behind included.
    expect(await swarmState(dockerClient())).toEqual(before);
  }, 120_000);

  it("refuses, before anything starts, a host that is not declared, an engine that does not answer, and one outside the swarm", async () => {
    const undeclared = await runHavoc(["run", scenario]);
    expect(undeclared.exitCode, undeclared.stderr).toBe(2);
    expect(undeclared.stderr).toContain('at topology.spread.app[0]: unknown host "remote"; hosts: local');
    expect(undeclared.stderr).toContain('at traffic[0].generators[1].host: unknown host "remote"');

    // Port 9 on loopback: nothing listens there, so the engine "does not answer" (refused) without leaving this machine.
    const silent = await runHavoc(["run", scenario, "--host", "remote=tcp://127.0.0.1:9"]);
    expect(silent.exitCode, silent.stderr).toBe(2);
    expect(silent.stderr).toMatch(/hosts\.remote: engine tcp:\/\/127\.0\.0\.1:9 does not answer/);

    // This machine's engine a manager, the second one in no swarm.
    await engine!.swarmHere();
    const outside = await runHavoc(["run", scenario, "--host", remote()]);
    expect(outside.exitCode, outside.stderr).toBe(2);
    expect(outside.stderr).toMatch(/hosts\.remote: engine is not a member of a swarm \(state "inactive"\)/);
    for (const run of [undeclared, silent, outside]) expect(runDirs(run.reportsDir), "no run directory is kept").toEqual([]);
    expect((await engine!.docker.listContainers({ all: true })).length, "nothing was started on the second engine").toBe(0);
    await engine!.joinSwarm();
  }, 240_000);

  it("runs trackr's apps and one of two k6 generators there: a kill and a partition there judged, the load split exactly, nothing left on either engine", async () => {
    const run = await runHavoc(["run", scenario, "--seed", "1", "--host", remote()], { timeoutMs: 420_000 });
    expect(run.exitCode, run.stderr.slice(-4000)).toBe(0);
    const report = await readLatestReport(run.reportsDir);
    const runDir = join(run.reportsDir, "latest");
    expect(report.slos.map((s) => [s.id, s.verdict])).toEqual([
      ["availability", "pass"],
      ["no-acknowledged-reading-lost", "pass"],
      ["longest-outage", "pass"],
      ["load-kept-up", "pass"],
    ]);
    expect(report.dataLoss.lost).toBe(0);
    expect(report.dataLoss.acknowledged).toBeGreaterThan(1_800);

    // Placement as the scenario asks: the apps on the second engine, the database and the balancer here.
    const events = (await readFile(join(runDir, "events.ndjson"), "utf8")).split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    const started = events.find((e) => e.type === "topology-started") as { hosts?: Record<string, string> };
    expect(started.hosts).toEqual({ db: "local", "app-1": "remote", "app-2": "remote", "app-3": "remote", lb: "local" });

    // The kill went through the second engine: its own event stream saw app-1 die with 137 and start again.
    const history = History.parse(JSON.parse(await readFile(join(runDir, "history.json"), "utf8")));
    const deaths = history.containerEvents.filter((e) => e.node === "app-1" && e.action === "die" && e.atMs >= 0);
    expect(deaths.map((e) => e.exitCode)).toEqual([137]);
    expect(history.containerEvents.some((e) => e.node === "app-1" && e.action === "start" && e.atMs > deaths[0]!.atMs)).toBe(true);
    // The partition entered app-2's namespace by a sidecar on its engine, db's and lb's from this machine, and was verified.
    const cut = report.faults.find((f) => f.id === "cut-app")!;
    expect(cut.mechanism).toContain("nsenter from the host for db, lb, sidecar containers for app-2");
    expect(cut.notes.join("\n")).toMatch(/cut verified: a datagram app-2 -> db/);
    expect(cut.notes.join("\n")).toMatch(/healed: rules removed/);

    // Two generators, one execution segment each: every op names its generator, the rate split exactly in two.
    const ledger = (await readFile(join(runDir, "ledger.ndjson"), "utf8")).split("\n").filter(Boolean).map((l) => LedgerLine.parse(JSON.parse(l)));
    const byGenerator = new Map<string, number>();
    for (const line of ledger) byGenerator.set(line.generator ?? "none", (byGenerator.get(line.generator ?? "none") ?? 0) + 1);
    expect([...byGenerator.keys()].sort()).toEqual(["local-1", "remote-2"]);
    const finished = events.find((e) => e.type === "traffic-finished") as { generators: { name: string; exitCode: number; iterations: number; opLines: number }[] };
    expect(finished.generators.map((g) => [g.name, g.exitCode])).toEqual([
      ["local-1", 0],
      ["remote-2", 0],
    ]);
    // 20 readings/s each for 50 s: k6's own iteration counts, within one iteration of each other.
    for (const g of finished.generators) expect(g.iterations).toBeGreaterThanOrEqual(990);
    expect(Math.abs(finished.generators[0]!.iterations - finished.generators[1]!.iterations)).toBeLessThanOrEqual(1);

    expect(await leftoversOn(dockerClient(), report.runId)).toEqual(nothing);
    expect(await leftoversOn(engine!.docker, report.runId)).toEqual(nothing);
    expect((await engine!.docker.listContainers({ all: true })).length).toBe(0);
  }, 480_000);

  it("SIGKILLed during a fault: `havoc clean --host` removes what it left on both engines", async () => {
    const reportsDir = await mkdtemp(join(tmpdir(), "havoc-multihost-kill-"));
    const run = spawnHavoc(["run", scenario, "--seed", "2", "--host", remote(), "--reports", reportsDir]);
    const faulted = await pollUntil(() => runDirs(reportsDir).some((d) => eventTypes(d).includes("fault-injected")), 300_000);
    expect(faulted, run.stderr().slice(-3000)).toBe(true);
    run.child.kill("SIGKILL");
    await run.exited;
    const runId = runDirs(reportsDir)[0]!.split("/").at(-1)!;
    // What the kill left, so the clean below has something to do: the apps and a generator there, db, lb, a generator and the overlay network here.
    const leftRemote = await leftoversOn(engine!.docker, runId);
    const leftHere = await leftoversOn(dockerClient(), runId);
    expect(leftRemote.containers).toBeGreaterThanOrEqual(4);
    expect(leftHere.containers).toBeGreaterThanOrEqual(3);
    expect(leftHere.networks).toBe(1);

    const clean = await runHavoc(["clean", "--host", remote()]);
    expect(clean.exitCode, clean.stderr).toBe(0);
    expect(clean.stderr).toMatch(/remote: \d+ container\(s\)/);
    expect(await leftoversOn(dockerClient(), runId)).toEqual(nothing);
    expect(await leftoversOn(engine!.docker, runId)).toEqual(nothing);
    expect((await engine!.docker.listContainers({ all: true })).length).toBe(0);
  }, 480_000);
});
