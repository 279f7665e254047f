import { htmlReporter } from "./html-report.ts";
import { junitReporter } from "./junit-xml.ts";
import type { FileReporter } from "./reporter.ts";
import { summaryReporter } from "./summary-markdown.ts";

export type { FileReporter } from "./reporter.ts";

/**
 * The files every run writes besides report.json, in order (docs/ARCHITECTURE.md, "Adding a reporter"): JUnit for
 * CI test pages, Markdown for a CI step summary, one self-contained HTML page for people. The console table and the
 * timeline PNG are rendered by the runner from the same report.
 */
export const fileReporters: readonly FileReporter[] = [junitReporter, summaryReporter, htmlReporter];
