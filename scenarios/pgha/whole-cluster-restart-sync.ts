import type { ScenarioInput } from "../../api/index.ts";
import { wholeClusterRestart } from "../../systems/pgha/scenario-builders.ts";

/** Every PostgreSQL node and etcd member killed at once and started again, synchronous_mode on (see wholeClusterRestart). */
export default wholeClusterRestart("sync") satisfies ScenarioInput;
