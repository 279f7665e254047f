import type { ScenarioInput } from "../../api/index.ts";
import { partitionScenario } from "./primary-partition.ts";

/** The primary-partition scenario (primary-partition.ts) with the configuration "wait". */
export default partitionScenario("wait") satisfies ScenarioInput;
