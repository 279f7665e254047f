import { spawnSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { basename, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dockerClient } from "../../env/docker/client.ts";
import { HOST_LABEL, PID_LABEL, RUN_LABEL } from "../../env/docker/labels.ts";
import { startDockerSocketProxy, type DockerSocketProxy, type EngineFaultRule } from "../support/docker-socket-proxy.ts";
import { leftovers } from "../support/run-cli.ts";
import { runDirs, spawnHavoc } from "../support/spawn-havoc.ts";

/**
 * Docker engine calls that fail or hang, in a real run (CI sample; the nightly campaign draws many more): the harness
 * is pointed at a proxy in front of the real Docker socket (DOCKER_HOST, as a user points it at another engine),
 * which passes every call through except the one chosen here. Expected: exit 3, one line naming the engine call and
 * the stage, no stack trace, no verdict on the system, nothing of the run left. Before engine calls had deadlines, the
 * stalled exec hung the run for good (measured: still waiting at 3 minutes, killed by the test).
 */
const scenario = "test/fixtures/trackr-brief.ts";
/** Short, so a stalled call costs the test seconds (the default is 60 s). */
const CALL_DEADLINE_MS = 5_000;
/** A stalled call must end the run within its deadline plus the rest of the run: far below the old "never". */
const RUN_BOUND_MS = 90_000;

let workDir: string;
const proxies: DockerSocketProxy[] = [];

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), "havoc-engine-faults-"));
});
afterAll(async () => {
  for (const proxy of proxies) await proxy.close();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

/** A proxy of the case's own: the two cases run side by side (CI time), each with its one rule. */
async function proxyWith(name: string, rule: EngineFaultRule): Promise<DockerSocketProxy> {
  const proxy = await startDockerSocketProxy({ socketPath: join(workDir, `${name}.sock`) });
  proxies.push(proxy);
  proxy.setRules([rule]);
  return proxy;
}

async function runThroughProxy(proxy: DockerSocketProxy, reportsDir: string) {
  const startedMs = Date.now();
  const run = spawnHavoc(["run", scenario, "--seed", "1", "--reports", reportsDir], { DOCKER_HOST: proxy.dockerHost, HAVOC_ENGINE_CALL_TIMEOUT_MS: String(CALL_DEADLINE_MS) });
  const timer = setTimeout(() => run.child.kill("SIGKILL"), RUN_BOUND_MS);
  const exit = await run.exited;
  clearTimeout(timer);
  const [runDir] = runDirs(reportsDir);
  return { exit, tookMs: Date.now() - startedMs, stderr: run.stderr(), stdout: run.stdout(), runId: basename(runDir ?? "none") };
}

function expectHarnessError(result: Awaited<ReturnType<typeof runThroughProxy>>, line: RegExp): void {
  const { exit, stderr, stdout } = result;
  expect(exit.code, stderr.slice(-3000)).toBe(3);
  expect(stderr.split("\n").some((l) => line.test(l)), stderr.slice(-3000)).toBe(true);
  expect(stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  expect(stderr).not.toContain("internal error");
  // The verdict names the harness, never the system: no SLO row passes or fails.
  expect(stdout.trimEnd().split("\n").at(-1)).toBe("verdict: ERROR (exit 3)");
  expect(stdout).not.toMatch(/\b(PASS|FAIL)\b/);
}

describe("Docker engine calls that fail or hang end the run as the harness's error (integration)", () => {
  it.concurrent("container create refused (HTTP 500) for the second node: exit 3, the call and the stage named, nothing left", async () => {
    const proxy = await proxyWith("create", { method: "POST", path: /^\/containers\/create$/, action: "fail", nth: 2 });
    const result = await runThroughProxy(proxy, join(workDir, "create-fails"));
    expect(proxy.faulted(0)).toBe(1);
    expectHarnessError(result, /the Docker engine failed container create \(POST \/containers\/create\): .*injected engine failure.*\(stage starting\)/);
    expect(await leftovers(result.runId)).toEqual({ containers: 0, networks: 0 });
  }, 120_000);

  it.concurrent("an exec of the ready probe never answered: bounded by its deadline, exit 3, nothing left", async () => {
    const proxy = await proxyWith("exec", { method: "POST", path: /^\/containers\/[^/]+\/exec$/, action: "stall", nth: 1 });
    const result = await runThroughProxy(proxy, join(workDir, "exec-stalls"));
    expect(proxy.faulted(0)).toBe(1);
    expectHarnessError(result, new RegExp(`the Docker engine did not answer exec create \\(POST /containers/[0-9a-f]{12}/exec\\) within ${CALL_DEADLINE_MS} ms \\(stage starting\\)`));
    expect(result.tookMs).toBeLessThan(RUN_BOUND_MS);
    expect(await leftovers(result.runId)).toEqual({ containers: 0, networks: 0 });
  }, 120_000);

  // Not concurrent with the cases above: their runs' sweeps would meet the same leftover.
  it("a dead run's leftover network the start-of-run sweep cannot remove: named with the remedy, this run goes on and passes", async () => {
    // A leftover as a SIGKILLed run leaves it (this host's name, a pid that no longer runs), held by a container of
    // no run, so the engine itself refuses to remove it ("has active endpoints"), as it did live.
    const deadPid = spawnSync("true").pid;
    const docker = dockerClient();
    const deadRun = `engine-faults-dead-${process.pid}`;
    const name = `havoc-${deadRun}`;
    const network = await docker.createNetwork({ Name: name, Labels: { [RUN_LABEL]: deadRun, [PID_LABEL]: String(deadPid), [HOST_LABEL]: hostname() } });
    const holder = await docker.createContainer({ Image: "debian:bookworm", Cmd: ["sleep", "300"], HostConfig: { NetworkMode: name, AutoRemove: true } });
    try {
      await holder.start();
      const reportsDir = join(workDir, "sweep-fails");
      const run = spawnHavoc(["run", scenario, "--seed", "1", "--reports", reportsDir]);
      const timer = setTimeout(() => run.child.kill("SIGKILL"), RUN_BOUND_MS);
      const exit = await run.exited;
      clearTimeout(timer);
      const stderr = run.stderr();
      expect(exit.code, stderr.slice(-3000)).toBe(0);
      expect(stderr).toMatch(new RegExp(`leftovers of dead runs stay for now: could not remove 1 resource: network ${name}.*active endpoints.*havoc clean`));
      expect(run.stdout().trimEnd().split("\n").at(-1)).toBe("verdict: PASS (exit 0)");
      expect(await leftovers(basename(runDirs(reportsDir)[0] ?? "none"))).toEqual({ containers: 0, networks: 0 });
      // The sweep did not take it by force: it is still there for `havoc clean` once its holder is gone.
      expect(await leftovers(deadRun)).toEqual({ containers: 0, networks: 1 });
    } finally {
      await holder.remove({ force: true }).catch(() => undefined);
      await network.remove().catch(() => undefined);
    }
  }, 120_000);
});
