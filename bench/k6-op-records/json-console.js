// Candidate (a), format 1 as it was: one JSON object per op through console.log. Bundled in place of `havoc/k6`
// for bench/k6-op-records.ts: everything of the real library, with printOp() replaced.
export * from "havoc-k6-library";

export function printOp(line) {
  console.log(JSON.stringify(line));
}
