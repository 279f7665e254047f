import type { ScenarioInput } from "../../api/index.ts";
import { trackrReadback, trackrSecrets, trackrTopology } from "../../systems/trackr/topology.ts";
import { deviceFleet } from "../../systems/trackr/traffic.ts";

/**
 * trackr's database loses power under device writes: `db`'s data directory is on lazyfs, and at 20 s `db` is
 * SIGKILLed and every write it had not fsynced is discarded; it starts again 5 s later from what its disk kept.
 * With `fsync=on` (PostgreSQL's default, trackr's setting) a commit is acknowledged only after its WAL record is
 * fsynced, so no acknowledged reading may be lost. With `fsync=off` PostgreSQL never fsyncs: everything written
 * since the volume was last flushed (when the topology had started, `syncAfterStart`) is gone, or the cluster does
 * not start. Two app servers (not three) to spare this shared machine; the loss is the database's either way.
 */
export function dbPowerLossScenario(fsync: "on" | "off"): ScenarioInput {
  return {
    name: `trackr-db-power-loss-fsync-${fsync}`,
    tags: ["trackr", "postgres", "durability", "power-loss"],
    ...(fsync === "off" ? { expect: "fail" as const, expectFailing: ["no-acknowledged-reading-lost"] } : {}),
    description: `trackr's PostgreSQL (fsync=${fsync}, data on lazyfs) loses power for 5 s under device writes`,
    secrets: trackrSecrets,
    topology: trackrTopology({ appNodes: 2, lazyDb: { fsync } }),
    traffic: [deviceFleet({ name: "devices", target: { node: "lb", port: 80 }, ratePerSecond: 20, devices: 20, requestTimeout: "5s", duration: "60s" })],
    faults: [{ id: "db-power-cut", kind: "power-loss", target: { names: ["db"] }, at: "20s", for: "5s" }],
    readback: [trackrReadback("devices")],
    slos: [
      { id: "no-acknowledged-reading-lost", kind: "lost-writes", traffic: "devices", atMost: 0 },
      // After the restart (PostgreSQL's crash recovery, the apps' pools reconnecting) writes work again.
      { id: "writes-back-after-restart", kind: "recovery-time", traffic: "devices", fault: "db-power-cut", from: "heal", atMost: "15s", atLeastPercent: 99, stableFor: "5s" },
    ],
  };
}

export default dbPowerLossScenario("on") satisfies ScenarioInput;
