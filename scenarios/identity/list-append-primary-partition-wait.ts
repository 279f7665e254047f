import type { ScenarioInput } from "../../api/index.ts";
import { listAppendPartitionScenario } from "./list-append-primary-partition.ts";

/** The list-append partition scenario (list-append-primary-partition.ts) with WAIT 1 after every transaction. */
export default listAppendPartitionScenario("wait") satisfies ScenarioInput;
