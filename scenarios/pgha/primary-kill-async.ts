import type { ScenarioInput } from "../../api/index.ts";
import { primaryKill } from "../../systems/pgha/scenario-builders.ts";

/** Patroni primary SIGKILLed under device writes, asynchronous replication (see primaryKill). */
export default primaryKill("async") satisfies ScenarioInput;
