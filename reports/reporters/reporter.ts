import type { History } from "../../core/history.ts";
import type { RunReport } from "../../judge/report-schema.ts";

/**
 * A reporter that renders one file of the run directory. Pure: all it may do is return text or throw (a reporter
 * that throws is logged and named; the others still run, and the verdict never changes). Every reporter is one file
 * of reports/reporters/ exporting one of these, listed once in registry.ts.
 */
export interface FileReporter {
  name: string;
  /** File name inside the run directory. */
  file: string;
  render(report: RunReport, history?: History): string;
}
