/**
 * A failure's signature groups runs that failed the same way: the failed SLOs plus the fault kinds in the plan
 * ("availability,no-lost-writes @ kill+pause"). Sorted and deduplicated, so order of discovery does not matter.
 */
export function failureSignature(failedSlos: readonly string[], faultKinds: readonly string[]): string {
  return `${sloSignature(failedSlos)} @ ${uniqueSorted(faultKinds).join("+") || "no faults"}`;
}

/**
 * The failed SLOs alone: what the shrinker should compare, since dropping faults changes the kinds in the plan
 * but not what failed.
 */
export function sloSignature(failedSlos: readonly string[]): string {
  return uniqueSorted(failedSlos).join(",") || "no failed SLO";
}

function uniqueSorted(items: readonly string[]): string[] {
  return [...new Set(items)].sort();
}
