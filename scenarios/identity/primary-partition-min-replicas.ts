import type { ScenarioInput } from "../../api/index.ts";
import { partitionScenario } from "./primary-partition.ts";

/** The primary-partition scenario (primary-partition.ts) with the configuration "min-replicas". */
export default partitionScenario("min-replicas") satisfies ScenarioInput;
