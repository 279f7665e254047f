/**
 * What this machine holds of the design's user model: trackr (haproxy -> 3 apps -> PostgreSQL) in containers and
 * one user-sessions class (100 requests/min, 1 write/min per person) at increasing numbers of people, each level
 * a fresh 30 s run (10 s ramp) on the same topology. Prints achieved requests/s against the model's, success %,
 * causes and the p99 latency bucket.
 *
 *   npx tsx bench/user-capacity.ts [levels=250,1000,2500] [seconds=30] [processes=1]
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RunClock } from "../core/clock.ts";
import type { TimelineBucket } from "../core/history.ts";
import { percentileMs } from "../core/latency-histogram.ts";
import { createLogger } from "../core/log.ts";
import { Topology } from "../core/topology.ts";
import { TrafficClass } from "../load/traffic/registry.ts";
import { userSessions } from "../systems/trackr/traffic.ts";
import { chromiumPath } from "../env/bootstrap/chromium.ts";
import { ensureEnvironment } from "../env/bootstrap/ensure-environment.ts";
import { k6Path } from "../env/bootstrap/go-tools.ts";
import { RunSecrets } from "../env/secrets.ts";
import { trackrImages } from "../systems/trackr/images.ts";
import { trackrSecrets, trackrTopology } from "../systems/trackr/topology.ts";
import { startTopology } from "../env/topology/start-topology.ts";
import { newRunId } from "../engine/runner/run-id.ts";
import { prepareTraffic, startTraffic } from "../load/start-traffic.ts";
import { imageSpecOf } from "../env/images/images.ts";

const levels = (process.argv[2] ?? "250,1000,2500").split(",").map(Number);
const seconds = Number(process.argv[3] ?? 30);
const processes = Number(process.argv[4] ?? 1);
const quiet = createLogger("bench", () => undefined);
const log = createLogger("bench");
await ensureEnvironment({ docker: true, baseImage: true, k6: true, images: Object.values(trackrImages).map(imageSpecOf) }, log);
const runId = newRunId();
const secrets = new RunSecrets(trackrSecrets);
const dir = await mkdtemp(join(tmpdir(), "havoc-bench-users-"));
const topology = await startTopology({ runId, topology: Topology.parse(trackrTopology()), secrets, log });
try {
  console.log("users  model_req/s  achieved_req/s(after ramp)  ok%     p99_ms          causes");
  for (const users of levels) {
    const buckets: TimelineBucket[] = [];
    const c = TrafficClass.parse(userSessions({ name: "people", target: { node: "lb", port: 80 }, users, duration: `${seconds}s`, rampUp: "10s", processes }));
    const run = startTraffic({
      classes: [c], topology, secrets, clock: new RunClock(), runId, runDir: dir, ledgerPath: join(dir, `ledger-${users}.ndjson`), k6Path: k6Path(), log: quiet,
      chromiumPath: chromiumPath(), prepared: await prepareTraffic([c], dir),
      onBucket: (b) => buckets.push(b),
      onK6Log: (_t, line) => console.log(`k6: ${line.slice(0, 200)}`),
    });
    const result = (await run.done).get("people")!;
    const steady = buckets.filter((b) => b.second >= 12 && b.second < seconds - 1);
    const steadySeconds = Math.max(1, new Set(steady.map((b) => b.second)).size);
    const requests = buckets.reduce((n, b) => n + b.requests, 0);
    const ok = buckets.reduce((n, b) => n + b.ok, 0);
    const causes: Record<string, number> = {};
    const latency: Record<string, number> = {};
    for (const b of buckets) {
      for (const [k, v] of Object.entries(b.causes)) causes[k] = (causes[k] ?? 0) + v;
      for (const [k, v] of Object.entries(b.latency)) latency[k] = (latency[k] ?? 0) + v;
    }
    const p99 = percentileMs(latency, 99);
    const achieved = steady.reduce((n, b) => n + b.requests, 0) / steadySeconds;
    console.log(`${String(users).padEnd(5)}  ${((users * 100) / 60).toFixed(0).padEnd(11)}  ${achieved.toFixed(0).padEnd(26)}  ${((100 * ok) / Math.max(1, requests)).toFixed(2).padEnd(6)}  ${String(p99).padEnd(14)}  ${JSON.stringify(causes)} (k6 http_reqs ${result.httpReqs}, exit ${result.exitCode})`);
  }
} finally {
  await topology.teardown();
  await rm(dir, { recursive: true, force: true });
}
