/**
 * Where runs and suites write by default, under the current folder: a folder of their own, never a source folder
 * (as Playwright's playwright-report/ and test-results/). `--reports DIR` (or the runner's `reportsDir`) overrides it.
 */
export const DEFAULT_OUTPUT_DIR = "havoc-results";
