import type { ScenarioInput } from "../../api/index.ts";
import { wholeClusterRestart } from "../../systems/pgha/scenario-builders.ts";

/** Every PostgreSQL node and etcd member killed at once and started again, asynchronous replication (see wholeClusterRestart). */
export default wholeClusterRestart("async") satisfies ScenarioInput;
