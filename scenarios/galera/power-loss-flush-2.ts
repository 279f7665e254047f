import type { ScenarioInput } from "../../api/index.ts";
import { galeraPowerLossScenario } from "./power-loss-flush-1.ts";

/**
 * The control of power-loss-flush-1: with innodb_flush_log_at_trx_commit=2 a power cut of every node loses the
 * commits of up to the last second (expect: fail on no-acknowledged-reading-lost).
 */
export default galeraPowerLossScenario(2) satisfies ScenarioInput;
