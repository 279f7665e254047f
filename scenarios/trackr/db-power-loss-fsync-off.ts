import type { ScenarioInput } from "../../api/index.ts";
import { dbPowerLossScenario } from "./db-power-loss-fsync-on.ts";

/** The control of db-power-loss: PostgreSQL with fsync=off loses acknowledged readings in a power cut (expect: fail). */
export default dbPowerLossScenario("off") satisfies ScenarioInput;
