// The floor: the same script recording nothing (what the load generator does without any op records).
export * from "havoc-k6-library";

export function printOp() {}
