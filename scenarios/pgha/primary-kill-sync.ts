import type { ScenarioInput } from "../../api/index.ts";
import { primaryKill } from "../../systems/pgha/scenario-builders.ts";

/** Patroni primary SIGKILLed under device writes, synchronous_mode on (see primaryKill). */
export default primaryKill("sync") satisfies ScenarioInput;
