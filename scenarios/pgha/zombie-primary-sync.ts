import type { ScenarioInput } from "../../api/index.ts";
import { zombiePrimary } from "../../systems/pgha/scenario-builders.ts";

/** The primary cut from etcd and the replicas while the apps still reach it, synchronous_mode on (see zombiePrimary). */
export default zombiePrimary("sync") satisfies ScenarioInput;
