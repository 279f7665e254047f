/**
 * "Did you mean" for scenario typos: the nearest of the valid words by edit distance, when it is near enough to be
 * the word meant. Pure string logic, used by the scenario's error messages (core/issue-messages.ts).
 */

/**
 * Edits (insert, delete, substitute, or swap two neighbours) from `a` to `b`, case-insensitive: the optimal string
 * alignment distance, so "availabilty" -> "availability" and "mjaority" -> "majority" are 1 each.
 */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  const rows = s.length + 1;
  const cols = t.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i < rows; i++)
    for (let j = 1; j < cols; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  return d[s.length]![t.length]!;
}

/**
 * The candidate nearest to `input`, if it is near enough to be a typo of it: 1 edit for words of up to 3 letters,
 * else 2 or a third of the length, whichever is more ("halfs" -> "halves", yet never "all" for "one"). Two
 * different candidates equally near is no answer ("app-9" is as near "app-1" as "app-2"): a guess would mislead.
 */
export function nearest(input: string, candidates: Iterable<string>): string | undefined {
  const limit = input.length <= 3 ? 1 : Math.max(2, Math.floor(input.length / 3));
  let best: { word: string; distance: number; tied: boolean } | undefined;
  for (const word of candidates) {
    const distance = editDistance(input, word);
    if (distance > limit) continue;
    if (!best || distance < best.distance) best = { word, distance, tied: false };
    else if (distance === best.distance && word !== best.word) best.tied = true;
  }
  return best && !best.tied ? best.word : undefined;
}
