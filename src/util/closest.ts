/** Edit distance (insertions, deletions, substitutions) between two short strings. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++)
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length];
}

/**
 * The choice a mistyped value most likely meant, for a "did you mean" hint: the same letters without
 * case, dashes or pluses ('klogitfm' → 'klogit-fm'), else the nearest within two edits; none when unclear.
 */
export function closestChoice(value: string, choices: readonly string[]): string | undefined {
  const bare = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');
  const same = choices.filter((c) => bare(c) === bare(value));
  if (same.length === 1) return same[0];
  const scored = choices.map((c) => [c, distance(bare(c), bare(value))] as const).sort((x, y) => x[1] - y[1]);
  const [best, second] = scored;
  if (!best || best[1] > 2 || (second && second[1] === best[1])) return undefined;
  return best[0];
}

/** `; did you mean X?` for an unknown value, or nothing. */
export function didYouMean(value: string, choices: readonly string[]): string {
  const c = closestChoice(value, choices);
  return c ? `; did you mean ${c}?` : '';
}
