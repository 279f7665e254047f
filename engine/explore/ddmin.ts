/**
 * Zeller and Hildebrandt's ddmin: the smallest subset of `items` (in their order) that still fails, found by
 * testing chunks, then complements of chunks, doubling the granularity when neither fails. The result is
 * 1-minimal: removing any single item makes it pass (as far as `stillFails` can tell). `items` is assumed to fail.
 */
export async function ddmin<T>(items: readonly T[], stillFails: (subset: T[]) => Promise<boolean>): Promise<T[]> {
  // After a reduction the search starts again at granularity 2 and meets subsets it already tried: each is a run.
  const index = new Map(items.map((item, i) => [item, i]));
  const known = new Map<string, boolean>();
  const test = async (subset: T[]): Promise<boolean> => {
    const key = subset.map((item) => index.get(item)).join(",");
    const cached = known.get(key);
    if (cached !== undefined) return cached;
    const fails = await stillFails(subset);
    known.set(key, fails);
    return fails;
  };
  let current = [...items];
  let granularity = 2;
  while (current.length >= 2) {
    const chunks = split(current, granularity);
    let reduced: T[] | undefined;
    for (const chunk of chunks) {
      if (await test(chunk)) {
        reduced = chunk;
        granularity = 2;
        break;
      }
    }
    // With two chunks each complement is the other chunk, already tested.
    if (reduced === undefined && granularity > 2) {
      for (const chunk of chunks) {
        const complement = current.filter((item) => !chunk.includes(item));
        if (await test(complement)) {
          reduced = complement;
          granularity = Math.max(granularity - 1, 2);
          break;
        }
      }
    }
    if (reduced !== undefined) {
      current = reduced;
      continue;
    }
    if (granularity >= current.length) break;
    granularity = Math.min(current.length, granularity * 2);
  }
  // A lone item is 1-minimal only if the empty set passes (the system may fail with no fault at all).
  if (current.length === 1 && (await test([]))) return [];
  return current;
}

/** `items` in `n` contiguous chunks whose sizes differ by at most one. */
export function split<T>(items: readonly T[], n: number): T[][] {
  const chunks: T[][] = [];
  let start = 0;
  for (let i = 0; i < n; i++) {
    const end = start + Math.floor((items.length - start) / (n - i));
    chunks.push(items.slice(start, end));
    start = end;
  }
  return chunks.filter((c) => c.length > 0);
}
