import { describe, expect, it } from "vitest";
import { nightly } from "../support/nightly.ts";
import { leftovers } from "../support/run-cli.ts";
import { countsWithin, runScenario, secondsWithin } from "../support/history-figures.ts";

/** trackr on one MySQL server (MariaDB 10.11, no Galera) whose data disk fills up, on real containers through the CLI. */
describe.runIf(nightly)("trackr on MySQL: disk full (integration)", () => {
  it(
    "refuses writes cleanly while the disk is full, serves reads, loses nothing, and writes again once space is freed",
    async () => {
      const { run, report, history, nodeLog } = await runScenario("scenarios/galera/mysql-disk-full.ts", { timeoutMs: 400_000 });
      expect(run.exitCode, run.stderr.slice(-3000)).toBe(0);
      expect(report.slos.map((s) => [s.id, s.verdict])).toEqual([
        ["reads-during-disk-full", "pass"],
        ["writes-back-after-space-freed", "pass"],
        ["no-acknowledged-reading-lost", "pass"],
      ]);
      const [fill] = history.faults;
      expect(fill!.notes.join(" ")).toMatch(/free \d+ -> 0 bytes/);
      const during = countsWithin(history, "devices", fill!.injectedAtMs, fill!.healedAtMs!);
      // Refused, cleanly: InnoDB cannot grow the table (1114), the app answers 503 at once. Not one timeout or
      // unknown outcome, and not one refused write stored anyway.
      expect(await nodeLog("db")).toMatch(/The table 'readings' is full/);
      expect(during.requests - during.ok).toBeGreaterThan(100);
      expect(during.unknown).toBe(0);
      expect(Object.keys(during.causes).sort()).toEqual(["http_201", "http_503"].filter((c) => during.causes[c]));
      expect(report.dataLoss.byTraffic.devices).toMatchObject({ lost: 0, unexpected: 0, failedStored: 0 });
      // Back by itself: the first whole second after the heal has every write acknowledged.
      const [firstAfter] = secondsWithin(history, "devices", fill!.healedAtMs!, history.trafficEndMs);
      expect(firstAfter!.ok).toBe(firstAfter!.requests);
      const refusedFromMs = secondsWithin(history, "devices", fill!.injectedAtMs, fill!.healedAtMs!).find((b) => b.ok === 0);
      console.info(
        `trackr MySQL disk full: ${during.requests - during.ok} of ${during.requests} writes refused (${JSON.stringify(during.causes)}), ` +
          `all refused from second ${refusedFromMs?.second} (filled at ${fill!.injectedAtMs} ms; free pages in the table first), ` +
          `reads ${slo(report)}; back in the first second after the heal; acknowledged ${report.dataLoss.acknowledged}, lost ${report.dataLoss.lost}`,
      );
      expect(await leftovers(report.runId)).toEqual({ containers: 0, networks: 0 });
    },
    420_000,
  );
});

function slo(report: Awaited<ReturnType<typeof runScenario>>["report"]): string {
  return `${report.slos.find((s) => s.id === "reads-during-disk-full")?.observed?.toFixed(2)} % ok`;
}
