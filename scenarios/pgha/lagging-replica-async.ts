import type { ScenarioInput } from "../../api/index.ts";
import { laggingReplicaFailover } from "../../systems/pgha/scenario-builders.ts";

/** Failover while replication runs 2 s late, asynchronous replication: expected to FAIL no-acknowledged-write-lost (see laggingReplicaFailover). */
export default laggingReplicaFailover("async") satisfies ScenarioInput;
