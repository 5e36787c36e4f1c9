/**
 * "did you mean `deadline`?": the known key closest to a mistyped one, by edit
 * distance (a swap of two neighbours counts as one edit; case is ignored).
 */

/** Longer keys are not compared: each comparison costs the product of the lengths. */
const LONGEST_KEY = 64;

export function closestKey(typed: string, known: readonly string[]): string | undefined {
  if (typed.length > LONGEST_KEY) return undefined;
  const allowed = Math.max(1, Math.floor(typed.length / 3));
  let best: { key: string; distance: number } | undefined;
  for (const key of known) {
    if (key.length > LONGEST_KEY) continue;
    const distance = editDistance(typed.toLowerCase(), key.toLowerCase());
    if (distance <= allowed && (!best || distance < best.distance)) best = { key, distance };
  }
  return best?.key;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
export function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const row = rows[i]!;
      const above = rows[i - 1]!;
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min(above[j]! + 1, row[j - 1]! + 1, above[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        row[j] = Math.min(row[j]!, rows[i - 2]![j - 2]! + 1);
      }
    }
  }
  return rows[a.length]![b.length]!;
}
