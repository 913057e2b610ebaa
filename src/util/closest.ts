/** Edit distance (insertions, deletions, substitutions, swaps of neighbours) between two short strings. */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.length][b.length];
}

/**
 * The choice a mistyped value most likely meant, for a "did you mean" hint: the same letters without
 * case, dashes or pluses ('klogitfm' → 'klogit-fm'), else the nearest within one edit per three letters (two
 * at most); none when unclear.
 */
export function closestChoice(value: string, choices: readonly string[]): string | undefined {
  const bare = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');
  const same = choices.filter((c) => bare(c) === bare(value));
  if (same.length === 1) return same[0];
  const scored = choices.map((c) => [c, distance(bare(c), bare(value))] as const).sort((x, y) => x[1] - y[1]);
  const [best, second] = scored;
  // short names are close to everything: one edit per three letters typed, at most two
  const allowed = Math.min(2, Math.floor(bare(value).length / 3));
  if (!best || best[1] > allowed || (second && second[1] === best[1])) return undefined;
  return best[0];
}

/** `; did you mean X?` for an unknown value, or nothing. */
export function didYouMean(value: string, choices: readonly string[]): string {
  const c = closestChoice(value, choices);
  return c ? `; did you mean ${c}?` : '';
}
