import { z } from "zod";

/** DNS-safe name: nodes and networks are reached by these names inside the run's networks. */
export const NodeName = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,30}$/, "expected a lower-case name: a letter, then letters, digits or '-', at most 31 characters");
