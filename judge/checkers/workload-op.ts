/** The op schema lives in core (the workload traffic kind in load/ writes it, the checkers here read it). */
export * from "../../core/workload-op.ts";
