/**
 * Deterministic data for the analysis tests. The Park–Miller "minimal standard" generator
 * (x ← 16807·x mod 2³¹−1) is exact in doubles (16807 · 2³¹ < 2⁵³), so the Python script that produced the
 * scikit-learn reference values in metrics.test.ts generates the very same arrays.
 */
export function parkMiller(seed: number): () => number {
  let x = seed;
  return () => {
    x = (16807 * x) % 2147483647;
    return x;
  };
}

/**
 * n rows: score = (r mod levels) / 10; label from the next draw m = r mod 10: 9 → -1 (unknown), 0–1 → 1
 * (anomaly), else 0. Python equivalent:
 *   r = pm(seed, 2n); scores[i] = (r[2i] % levels) / 10; m = r[2i+1] % 10; label = -1 if m == 9 else (1 if m < 2 else 0)
 */
export function dataset(seed: number, n: number, levels: number): { scores: Float64Array; labels: Int8Array } {
  const next = parkMiller(seed);
  const scores = new Float64Array(n);
  const labels = new Int8Array(n);
  for (let i = 0; i < n; i++) {
    scores[i] = (next() % levels) / 10;
    const m = next() % 10;
    labels[i] = m === 9 ? -1 : m < 2 ? 1 : 0;
  }
  return { scores, labels };
}

/** Uniform float in [0, 1) from a Park–Miller stream. */
export function uniform(next: () => number): number {
  return (next() - 1) / 2147483646;
}

/** Integer in [0, n). */
export function randInt(next: () => number, n: number): number {
  return next() % n;
}
