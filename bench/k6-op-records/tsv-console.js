// Candidate (c): the positional TAB-separated line (format 2) through console.log, as the library prints it.
import { formatOpLine } from "havoc-k6-library/op-line-format";
export * from "havoc-k6-library";

export function printOp(line) {
  console.log(formatOpLine(line));
}
