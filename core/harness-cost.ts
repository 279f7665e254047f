import { z } from "zod";

/** The harness's own cost during a run (measured by load/harness-cost.ts), as report.json carries it. */
export const HarnessCost = z.object({
  /** CPU seconds (user + system) of the havoc process while the meter ran. */
  havocCpuS: z.number().min(0),
  /** CPU seconds of the k6 processes while the meter ran. */
  k6CpuS: z.number().min(0),
  wallS: z.number().min(0),
  cores: z.number().int().min(1),
  /** (havocCpuS + k6CpuS) / (wallS x cores): the part of the machine the harness and its load generators took. */
  share: z.number().min(0),
  /** The share above which `warning` is set. */
  warnShare: z.number(),
  /** Set when share > warnShare: one line for the console and the report. */
  warning: z.string().optional(),
});
/** For report.json (the schema above is what a report's `harnessCost` field holds). */
export type HarnessCost = z.infer<typeof HarnessCost>;

/** One line for the console and the run log. */
export function describeHarnessCost(cost: HarnessCost): string {
  return `harness cost: havoc ${cost.havocCpuS} s + k6 ${cost.k6CpuS} s CPU in ${cost.wallS} s on ${cost.cores} cores = ${Math.round(cost.share * 100)} % of the machine`;
}
