import { ExitCode, HavocError } from "./errors.ts";

/** A stage that ran past its deadline. Exit 3; the message names the stage and, where there is one, the node. */
export class DeadlineError extends HavocError {
  constructor(
    readonly stage: string,
    readonly deadlineMs: number,
    readonly node?: string,
  ) {
    super(`${stage}${node ? ` of node "${node}"` : ""} did not finish within ${deadlineMs} ms`, ExitCode.environment, "the system under test or the Docker engine is too slow or stuck; see the node logs in the run directory");
  }
}

/**
 * Resolves or rejects like `work`, or rejects with DeadlineError after `deadlineMs`. The work itself is not
 * cancelled (most Docker calls cannot be), so callers follow a deadline with cleanup that does not depend on it.
 */
export async function withDeadline<T>(stage: string, deadlineMs: number, work: Promise<T>, node?: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineError(stage, deadlineMs, node)), deadlineMs);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
