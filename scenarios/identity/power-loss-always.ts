import type { ScenarioInput } from "../../api/index.ts";
import { powerLossScenario } from "./power-loss.ts";

/** power-loss.ts under appendfsync always: Redis fsyncs the AOF before it answers, so the cut loses nothing acknowledged. */
export default powerLossScenario("always") satisfies ScenarioInput;
