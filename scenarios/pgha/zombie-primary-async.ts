import type { ScenarioInput } from "../../api/index.ts";
import { zombiePrimary } from "../../systems/pgha/scenario-builders.ts";

/** The primary cut from etcd and the replicas while the apps still reach it, asynchronous replication: expected to FAIL no-acknowledged-write-lost (see zombiePrimary). */
export default zombiePrimary("async") satisfies ScenarioInput;
