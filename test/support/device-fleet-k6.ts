import { bundleK6Script } from "../../load/k6-bundle.ts";
import { K6Class, k6Launches, type K6Launch } from "../../load/traffic/k6.ts";
import { deviceFleet } from "../../systems/trackr/traffic.ts";

export interface DeviceFleetParams {
  /** http://127.0.0.1:<port> (traffic rule: loopback only). */
  targetUrl: string;
  ratePerSecond: number;
  durationMs: number;
  devices: number;
  /** The value the device keys are derived from. */
  keySecretValue: string;
  requestTimeoutMs: number;
  maxVUs: number;
  traffic: string;
  runId: string;
  /** Where the bundled script goes. */
  outDir: string;
}

/**
 * trackr's device fleet as one k6 process outside a run (for tests and benches that drive k6 directly): the class
 * deviceFleet() makes, bundled and given its environment exactly as a run would.
 */
export async function deviceFleetLaunch(p: DeviceFleetParams): Promise<K6Launch> {
  const c = K6Class.parse(deviceFleet({ name: p.traffic, target: { node: "stand-in", port: 1 }, ratePerSecond: p.ratePerSecond, duration: `${p.durationMs}ms`, devices: p.devices, maxVUs: p.maxVUs, requestTimeout: p.requestTimeoutMs === undefined ? undefined : `${p.requestTimeoutMs}ms` }));
  const bundled = await bundleK6Script(c.file, p.outDir, p.traffic);
  return k6Launches(c, { urls: [p.targetUrl], keySecret: p.keySecretValue, runId: p.runId, bundledScriptPath: bundled })[0]!;
}
