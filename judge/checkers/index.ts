/** The consistency checkers over recorded workload histories (see each module's doc comment). */
export { checkBank } from "./bank.ts";
export type { BankOptions, BankResult } from "./bank.ts";
export { toJepsenEdn } from "./jepsen-edn.ts";
export { checkListAppend, DEFAULT_BUDGET_MS } from "./list-append/check.ts";
export type { ListAppendOptions } from "./list-append/check.ts";
export { parseWorkloadHistory, readWorkloadHistory } from "./read-history.ts";
export type { WorkloadHistory } from "./read-history.ts";
export { Anomaly, ConsistencyModel, ConsistencyResult, Problem, Witness, WitnessEdge, WitnessTxn } from "./result.ts";
export { WorkloadOp } from "./workload-op.ts";
