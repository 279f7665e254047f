/** Exit code lines shared by the commands' help (the contract is core/errors.ts ExitCode). */
export const badInput = [2, "bad command line or scenario: nothing was started"] as const;
export const environment = [3, "environment or harness error (Docker, images, tools, a stage deadline)"] as const;
export const interrupted = [130, "interrupted (Ctrl-C; 143 for SIGTERM): faults healed, traffic stopped, torn down"] as const;

/** What a run ends with (`havoc run`, `havoc demo`). */
export const runExitCodes = [
  [0, "pass: every SLO held"],
  [1, "an SLO failed"],
  badInput,
  environment,
  [4, "inconclusive: the steady-state gate failed (no fault was injected) or a check could not decide"],
  interrupted,
] as const;
