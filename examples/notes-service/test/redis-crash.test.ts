/**
 * The same scenario as `npx havoc run scenarios/redis-crash.scenario.ts`, from vitest: the run's report is data to
 * assert on, and `await using` removes whatever the run left (its containers are torn down by the run itself).
 */
import { expect, it } from "vitest";
import { runScenario } from "havoc/runner";

it("loses no acknowledged note when Redis is SIGKILLed under load", async () => {
  await using run = await runScenario("scenarios/redis-crash.scenario.ts", { seed: 7 });
  expect(run.slo("no-acknowledged-note-lost").verdict).toBe("pass");
  expect(run.report.dataLoss.acknowledged).toBeGreaterThan(0);
  expect(run.report.faults.map((f) => f.kind)).toEqual(["kill"]);
  expect(run.exitCode).toBe(0);
}, 600_000);
