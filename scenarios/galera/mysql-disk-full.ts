import type { ScenarioInput } from "../../api/index.ts";
import { trackrMysqlReadback, trackrMysqlSecrets, trackrMysqlTopology } from "../../systems/galera/trackr-mysql-topology.ts";
import { deviceFleet, userSessions } from "../../systems/trackr/traffic.ts";

/**
 * trackr on one MySQL server (MariaDB 10.11) whose data disk fills up: writes must be refused cleanly (a definite
 * 503, never an acknowledgement the disk did not take, never a hang), reads go on, nothing acknowledged is lost, and
 * writes work again by themselves once space is freed. The disk is filled from 20 s for 15 s while devices write
 * 40 readings/s and people read.
 */
export default {
  name: "trackr-mysql-disk-full",
  tags: ["galera", "mysql", "trackr", "disk"],
  description: "Fill the MySQL server's data disk for 15 s under device writes: refused cleanly, nothing lost, back once freed",
  secrets: trackrMysqlSecrets,
  topology: trackrMysqlTopology(),
  traffic: [
    deviceFleet({ name: "devices", target: { node: "lb", port: 80 }, ratePerSecond: 40, devices: 40, duration: "55s" }),
    userSessions({ name: "readers", target: { node: "lb", port: 80 }, users: 10, rampUp: "2s", writesPerMinute: 0, duration: "55s" }),
  ],
  faults: [{ id: "fill-db-disk", kind: "disk-fill", target: { names: ["db"] }, at: "20s", for: "15s" }],
  readback: [trackrMysqlReadback("devices")],
  slos: [
    { id: "reads-during-disk-full", kind: "availability", traffic: "readers", window: { kind: "fault", fault: "fill-db-disk", phase: "during" }, atLeastPercent: 99 },
    { id: "writes-back-after-space-freed", kind: "recovery-time", traffic: "devices", fault: "fill-db-disk", from: "heal", atMost: "5s", atLeastPercent: 99, stableFor: "5s" },
    { id: "no-acknowledged-reading-lost", kind: "lost-writes", traffic: "devices", atMost: 0 },
  ],
} satisfies ScenarioInput;
