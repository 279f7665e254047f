import { z } from "zod";
import { DurationMs } from "../duration.ts";
import { Selector } from "../selector.ts";

/** Fields every scheduled fault has. Times count from the start of traffic. */
export const scheduled = {
  /** Unique id used by SLO windows and reports. Default: "<kind>-<index>". */
  id: z.string().regex(/^[a-zA-Z0-9_.-]+$/, "expected letters, digits, '_', '.' or '-'").optional(),
  target: Selector,
  /** When to inject, from traffic start. */
  at: DurationMs,
  /** How long the fault lasts; heal runs at `at + for`. Omitted: healed `tail` before the end of traffic. */
  for: DurationMs.optional(),
};
