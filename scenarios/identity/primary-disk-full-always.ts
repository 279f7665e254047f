import type { ScenarioInput } from "../../api/index.ts";
import { diskFullScenario } from "./primary-disk-full.ts";

/** primary-disk-full.ts under appendfsync always: the first write that cannot be written makes Redis exit. */
export default diskFullScenario("always") satisfies ScenarioInput;
