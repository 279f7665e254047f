import type { ScenarioInput } from "../../api/index.ts";
import { registerPartitionScenario } from "./register-primary-partition.ts";

/** The register partition scenario (register-primary-partition.ts) with WAIT 1 after every op. */
export default registerPartitionScenario("wait") satisfies ScenarioInput;
