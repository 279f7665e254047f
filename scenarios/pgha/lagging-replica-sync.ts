import type { ScenarioInput } from "../../api/index.ts";
import { laggingReplicaFailover } from "../../systems/pgha/scenario-builders.ts";

/** Failover while replication runs 2 s late, synchronous_mode on: expected to FAIL writes-while-replication-lags (see laggingReplicaFailover). */
export default laggingReplicaFailover("sync") satisfies ScenarioInput;
