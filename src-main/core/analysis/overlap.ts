/**
 * How far rankings agree at the top: for every pair of rankings, the rows both put among their k highest. Symmetric
 * matrices, row-major, one row and column per ranking: `shared` counts the rows in both lists, `overlap` is shared / k
 * (the share of one's top k the other also has; 1 on the diagonal) and `jaccard` the Jaccard index of the two sets,
 * shared / (2k − shared). Each list holds the row indices of one ranking's top k (its first k entries are used).
 */
export function topKOverlap(tops: readonly ArrayLike<number>[], k: number): { shared: number[]; overlap: number[]; jaccard: number[] } {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a whole number of rows, at least 1; got ${k}.`);
  const n = tops.length;
  for (const [i, t] of tops.entries()) {
    if (t.length < k) throw new RangeError(`Ranking ${i + 1} lists ${t.length} rows, fewer than k = ${k}.`);
  }
  const sets = tops.map((t) => {
    const s = new Set<number>();
    for (let p = 0; p < k; p++) s.add(t[p]!);
    return s;
  });
  const shared = new Array<number>(n * n).fill(0);
  for (let i = 0; i < n; i++) {
    shared[i * n + i] = sets[i]!.size;
    for (let j = i + 1; j < n; j++) {
      let common = 0;
      for (const r of sets[i]!) if (sets[j]!.has(r)) common++;
      shared[i * n + j] = common;
      shared[j * n + i] = common;
    }
  }
  return {
    shared,
    overlap: shared.map((c) => c / k),
    jaccard: shared.map((c) => c / (2 * k - c)),
  };
}
