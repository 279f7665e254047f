/**
 * Errors that carry the exit code of the `havoc` contract (docs/ARCHITECTURE.md, "Contracts"):
 * 0 pass, 1 an SLO failed, 2 invalid scenario or usage, 3 environment or harness error,
 * 4 inconclusive (gate failed, a check could not decide); `havoc suite` adds 5: over budget, runs left unrun.
 */
export const ExitCode = {
  pass: 0,
  sloFailed: 1,
  invalidInput: 2,
  environment: 3,
  inconclusive: 4,
  /** `havoc suite` only: every run that ran passed, but the --budget ran out before the rest could start. */
  overBudget: 5,
  interrupted: 130,
  terminated: 143,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export class HavocError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    /** One line telling the user how to fix it, printed under the message. */
    readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Bad scenario file or bad command line: nothing was started. Exit 2. */
export class InputError extends HavocError {
  constructor(message: string, hint?: string, options?: { cause?: unknown }) {
    super(message, ExitCode.invalidInput, hint, options);
  }
}

/** Docker, images, tools or a stage deadline failed. Exit 3. */
export class EnvironmentError extends HavocError {
  constructor(message: string, hint?: string, options?: { cause?: unknown }) {
    super(message, ExitCode.environment, hint, options);
  }
}

/** The steady-state gate failed or a check could not decide. Exit 4. */
export class InconclusiveError extends HavocError {
  constructor(message: string, hint?: string, options?: { cause?: unknown }) {
    super(message, ExitCode.inconclusive, hint, options);
  }
}

/** Message of any thrown value, without a stack trace. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/**
 * A step the harness ran failed because of the system, not the harness: a restore whose backup node had nothing to
 * restore, or whose restored database never started. Judged as the system's failure (a failed row), never a void
 * run. `startedAtMs` (run clock) and `notes` say what the step did before it failed.
 */
export class SystemStepError extends Error {
  constructor(
    message: string,
    readonly mechanism: string,
    readonly notes: readonly string[],
    readonly startedAtMs?: number,
    /** What a restore step found in its backup node's catalog (core/history.ts BackupRecord). */
    readonly backups?: readonly { label: string; startedAtMs: number; completedAtMs: number; restored?: boolean }[],
  ) {
    super(message);
    this.name = "SystemStepError";
  }
}
