/** The op mix both sides of bench/register-k6-vs-node.ts run: identityRegister()'s (systems/identity/traffic.ts). */
export const benchMix = {
  concurrency: 6,
  /** The workload class's ceiling (load/traffic/workload.ts): both sides run as fast as Redis answers. */
  ratePerSecond: 2_000,
  activeKeys: 5,
  maxOpsPerKey: 150,
  readPercent: 50,
  casPercent: 30,
} as const;
