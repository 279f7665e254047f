import type { ScenarioInput } from "../../api/index.ts";
import { galeraRestoreScenario } from "./all-nodes-restore.ts";

/**
 * Control: a backup job that fails silently. The backup node's disk is filled at 3 s, so every mariabackup after it
 * fails (mbstream: "No space left on device", in the backup node's log, nobody told); every Galera node's storage is
 * destroyed at 35 s and the cluster restored at 40 s from the newest backup there is, the one taken before traffic
 * began. recovery-point (promise as in all-nodes-restore.ts, 25 s) must FAIL, naming acknowledged readings older than
 * the promise that are gone.
 */
export default galeraRestoreScenario(true) satisfies ScenarioInput;
