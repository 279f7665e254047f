import { z } from "zod";
import { Milliseconds as DurationMs } from "../../core/duration.ts";

/** Fields of a scheduled fault that the generator chooses itself, so a template must not give them. */
export const SCHEDULING_FIELDS = ["id", "at", "for"] as const;

/** A fault template with its scheduling fields removed (member by member, so a discriminated union stays one). */
export type Unscheduled<F> = F extends unknown ? Omit<F, (typeof SCHEDULING_FIELDS)[number]> : never;

/** How many nodes may be down at once: a strict minority, or at most this fraction (0 < f <= 1, rounded down). */
export type MaxDownFraction = "minority" | number;

/**
 * A seeded fault generator (Jepsen's combined nemesis): faults drawn from a weighted mix, injected at exponentially
 * distributed intervals, allowed to overlap up to `maxConcurrent`, inside a chaos phase and within down limits.
 */
export interface FaultGeneratorSpec<T = unknown> {
  /** Templates to draw from, each with a relative weight (0 = never drawn). */
  mix: { weight: number; fault: T }[];
  /** Mean time between one injection draw and the next (exponential draws). */
  staggerMs: number;
  /** Each fault lasts a uniform draw in [min, max], cut short so it heals by `phases.chaosEndMs`. */
  durationMs: { min: number; max: number };
  /** Faults active at once, at most; 1 = never overlap. */
  maxConcurrent: number;
  /** Times from traffic start: nothing is injected before `quietStartMs`, nor at or after `chaosEndMs`, and every fault heals by then. */
  phases: { quietStartMs: number; chaosEndMs: number };
  limits: {
    /** Down nodes at once, per role and over the topology (faults whose effect takes their targets down). Unset: no limit. */
    maxDownFraction?: MaxDownFraction | undefined;
    /** Nodes with these roles are never targets (e.g. load generators). */
    protectRoles: string[];
  };
  /** Stop after this many faults. Unset: as many as the chaos phase holds. */
  maxFaults?: number | undefined;
}

export interface FaultGeneratorSchemaOptions {
  /** Schema for every duration field; default milliseconds or "20s"-style strings. Pass the project's own to share its messages. */
  duration?: z.ZodType<number>;
  /**
   * true (default): `template` is a scheduled fault as a scenario writes it (with `id`, `at`, `for`). The generator
   * chooses those three, so an entry that gives one is refused; the template is parsed with a placeholder `at` and
   * the three are removed from the result. false: `template` has no scheduling fields and is used as it is.
   */
  scheduled?: boolean;
}

/**
 * The generator's schema around the project's fault-template schema (e.g. the FaultSpec union), so the template's
 * own errors come out with full paths such as ["mix", 2, "fault", "target", "role"].
 */
export function faultGeneratorSchema<T extends z.ZodType>(template: T, options: FaultGeneratorSchemaOptions = {}): z.ZodType<FaultGeneratorSpec<Unscheduled<z.output<T>>>> {
  const duration = options.duration ?? DurationMs;
  const scheduled = options.scheduled ?? true;
  const fault = z.unknown().transform((input, ctx) => {
    if (typeof input !== "object" || input === null || Array.isArray(input)) {
      ctx.addIssue({ code: "custom", message: `expected a fault template object (e.g. { kind: "kill", target: { role: "app" } }); got ${JSON.stringify(input) ?? String(input)}` });
      return z.NEVER;
    }
    const given = scheduled ? SCHEDULING_FIELDS.filter((key) => key in input) : [];
    for (const key of given) ctx.addIssue({ code: "custom", path: [key], message: `"${key}" is chosen by the generator; remove it from the template` });
    if (given.length > 0) return z.NEVER;
    const parsed = template.safeParse(scheduled ? { ...input, at: "0s" } : input);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) ctx.addIssue({ code: "custom", path: issue.path, message: issue.message });
      return z.NEVER;
    }
    if (!scheduled) return parsed.data as Unscheduled<z.output<T>>;
    const { id: _id, at: _at, for: _for, ...rest } = parsed.data as Record<string, unknown>;
    return rest as Unscheduled<z.output<T>>;
  });

  return z
    .object({
      mix: z.array(z.object({ weight: z.number().min(0).finite().default(1), fault }).strict()).min(1, "expected at least one fault template in mix"),
      staggerMs: duration.pipe(z.number().min(1, "expected a mean interval of at least 1 ms")),
      durationMs: z
        .object({ min: duration.pipe(z.number().min(1, "expected at least 1 ms")), max: duration })
        .strict()
        .refine((d) => d.min <= d.max, { message: "max must be at least min", path: ["max"] }),
      maxConcurrent: z.number().int().min(1).default(1),
      phases: z
        .object({ quietStartMs: duration.default(0), chaosEndMs: duration })
        .strict()
        .refine((p) => p.quietStartMs < p.chaosEndMs, { message: "chaosEndMs must be after quietStartMs", path: ["chaosEndMs"] }),
      limits: z
        .object({
          maxDownFraction: z.union([z.literal("minority"), z.number().gt(0).lte(1)], { error: 'expected "minority" or a fraction 0 < f <= 1' }).optional(),
          protectRoles: z.array(z.string().min(1)).default([]),
        })
        .strict()
        .default({ protectRoles: [] }),
      maxFaults: z.number().int().min(1).optional(),
    })
    .strict();
}
