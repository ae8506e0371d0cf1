import type { Prng } from '../prng';

/**
 * Isolation Forest (Liu, Ting and Zhou 2008) with scikit-learn's defaults: 100 trees, each grown on a subsample of
 * min(256, n) rows drawn without replacement, height limit ceil(log2(subsample)), at each node a random feature among
 * those not constant in the node and a split drawn uniformly between its min and max (values ≤ split go left).
 * Score s(x) = 2^(−E[h(x)] / c(ψ)), h(x) = depth of x's external node + c(rows in it).
 */

export const IFOREST_TREES = 100;
export const IFOREST_MAX_SAMPLES = 256;

const EULER_GAMMA = 0.5772156649;

/** Average path length of an unsuccessful BST search among n points: c(1) = 0, c(2) = 1, else 2H(n−1) − 2(n−1)/n (as scikit-learn). */
export function averagePathLength(n: number): number {
  if (n <= 1) return 0;
  if (n === 2) return 1;
  return 2 * (Math.log(n - 1) + EULER_GAMMA) - (2 * (n - 1)) / n;
}

/**
 * One tree as flat arrays in preorder: node i is a leaf when feature[i] < 0 (then size[i] rows reached it), else it
 * splits on feature[i] at value[i], its left child is i + 1 and its right child right[i].
 */
export interface IsolationTree {
  readonly feature: Int32Array;
  readonly value: Float64Array;
  readonly right: Int32Array;
  readonly size: Int32Array;
}

export interface IsolationForestModel {
  /** Rows per tree (ψ). */
  readonly samples: number;
  readonly dims: number;
  readonly trees: readonly IsolationTree[];
}

/** Grows one tree on the rows `idx` of x (n × d row-major). */
export function growTree(x: Float32Array, d: number, idx: Int32Array, maxDepth: number, rng: Prng): IsolationTree {
  const feature: number[] = [];
  const value: number[] = [];
  const right: number[] = [];
  const size: number[] = [];
  const candidates = new Int32Array(d);
  const lo = new Float64Array(d);
  const hi = new Float64Array(d);
  const grow = (start: number, end: number, depth: number): void => {
    const node = feature.length;
    feature.push(-1);
    value.push(0);
    right.push(-1);
    size.push(end - start);
    if (end - start <= 1 || depth >= maxDepth) return;
    // Features not constant in this node.
    lo.fill(Infinity);
    hi.fill(-Infinity);
    for (let i = start; i < end; i++) {
      const base = idx[i]! * d;
      for (let j = 0; j < d; j++) {
        const v = x[base + j]!;
        if (v < lo[j]!) lo[j] = v;
        if (v > hi[j]!) hi[j] = v;
      }
    }
    let k = 0;
    for (let j = 0; j < d; j++) if (hi[j]! > lo[j]!) candidates[k++] = j;
    if (k === 0) return;
    const f = candidates[rng.int(k)]!;
    let split = lo[f]! + rng.next() * (hi[f]! - lo[f]!);
    if (split >= hi[f]!) split = lo[f]!;
    // Partition idx[start, end) so that rows with x ≤ split come first.
    let a = start;
    let b = end - 1;
    while (a <= b) {
      if (x[idx[a]! * d + f]! <= split) a++;
      else {
        const t = idx[a]!;
        idx[a] = idx[b]!;
        idx[b--] = t;
      }
    }
    feature[node] = f;
    value[node] = split;
    grow(start, a, depth + 1);
    right[node] = feature.length;
    grow(a, end, depth + 1);
  };
  grow(0, idx.length, 0);
  return { feature: Int32Array.from(feature), value: Float64Array.from(value), right: Int32Array.from(right), size: Int32Array.from(size) };
}

/**
 * Fits a forest on the n rows of x. `onTree` is called after each tree (progress, cancel: return false to stop; the
 * trees so far are returned).
 */
export async function fitIsolationForest(
  x: Float32Array, n: number, d: number, rng: Prng,
  opts: { trees?: number; maxSamples?: number; onTree?: (done: number, total: number) => Promise<boolean> } = {},
): Promise<IsolationForestModel> {
  const total = opts.trees ?? IFOREST_TREES;
  const samples = Math.min(opts.maxSamples ?? IFOREST_MAX_SAMPLES, n);
  const maxDepth = Math.ceil(Math.log2(Math.max(samples, 2)));
  const trees: IsolationTree[] = [];
  const all = new Int32Array(n);
  for (let t = 0; t < total; t++) {
    // A subsample without replacement: the first `samples` entries of a partial Fisher–Yates shuffle.
    for (let i = 0; i < n; i++) all[i] = i;
    for (let i = 0; i < samples; i++) {
      const j = i + rng.int(n - i);
      const tmp = all[i]!;
      all[i] = all[j]!;
      all[j] = tmp;
    }
    trees.push(growTree(x, d, all.slice(0, samples), maxDepth, rng));
    if (opts.onTree && !(await opts.onTree(t + 1, total))) break;
  }
  return { samples, dims: d, trees };
}

/** h(x) in one tree: the depth of x's external node plus c(rows that reached it). */
export function pathLength(tree: IsolationTree, row: ArrayLike<number>): number {
  let i = 0;
  let depth = 0;
  while (tree.feature[i]! >= 0) {
    i = row[tree.feature[i]!]! <= tree.value[i]! ? i + 1 : tree.right[i]!;
    depth++;
  }
  return depth + averagePathLength(tree.size[i]!);
}

/**
 * Scores n rows: per row s(x) = 2^(−mean h(x) / c(ψ)) (higher = more anomalous, in (0, 1]), and per model dim the
 * relative credit of the splits on the row's paths (`credit`: n × d, summing to 1 per row): a split credits its feature
 * with the bits of isolation it gives the row, log2(training rows in the node / those on the row's side), so the
 * credits along one path add up to log2(ψ / rows in its leaf). A split that cuts the row off from nearly all the others
 * counts many bits, one through the middle of the data one bit: unlike a plain 1/depth weight, early splits that do not
 * isolate the row do not dominate. Summed over the trees, normalised per row.
 */
export function scoreIsolationForest(m: IsolationForestModel, x: Float32Array, n: number): { score: Float64Array; credit: Float64Array } {
  const d = m.dims;
  const cPsi = averagePathLength(m.samples);
  const score = new Float64Array(n);
  const credit = new Float64Array(n * d);
  for (let r = 0; r < n; r++) {
    const base = r * d;
    let sum = 0;
    let creditSum = 0;
    for (const tree of m.trees) {
      let i = 0;
      let depth = 0;
      while (tree.feature[i]! >= 0) {
        const f = tree.feature[i]!;
        const next = x[base + f]! <= tree.value[i]! ? i + 1 : tree.right[i]!;
        // Bits of isolation this split gives the row: log2(rows in the node / rows on the row's side).
        const bits = Math.log2(tree.size[i]! / tree.size[next]!);
        credit[base + f]! += bits;
        creditSum += bits;
        depth++;
        i = next;
      }
      sum += depth + averagePathLength(tree.size[i]!);
    }
    const mean = sum / Math.max(1, m.trees.length);
    score[r] = cPsi > 0 ? 2 ** (-mean / cPsi) : 0.5;
    if (creditSum > 0) for (let j = 0; j < d; j++) credit[base + j]! /= creditSum;
  }
  return { score, credit };
}

// ---- serialisation: little-endian float64 words ----------------------------------------------------
// [samples, dims, trees, then per tree: nodes, then per node: feature (−1 leaf), split value, right child, training rows]

export function serializeForest(m: IsolationForestModel): Float64Array {
  const nodes = m.trees.reduce((s, t) => s + t.feature.length, 0);
  const out = new Float64Array(3 + m.trees.length + nodes * 4);
  out[0] = m.samples;
  out[1] = m.dims;
  out[2] = m.trees.length;
  let o = 3;
  for (const t of m.trees) {
    out[o++] = t.feature.length;
    for (let i = 0; i < t.feature.length; i++) {
      out[o++] = t.feature[i]!;
      out[o++] = t.value[i]!;
      out[o++] = t.right[i]!;
      out[o++] = t.size[i]!;
    }
  }
  return out;
}

export function deserializeForest(w: Float64Array): IsolationForestModel {
  const samples = w[0]!;
  const dims = w[1]!;
  const count = w[2]!;
  let o = 3;
  const trees: IsolationTree[] = [];
  for (let k = 0; k < count; k++) {
    const nodes = w[o++]!;
    const t = { feature: new Int32Array(nodes), value: new Float64Array(nodes), right: new Int32Array(nodes), size: new Int32Array(nodes) };
    for (let i = 0; i < nodes; i++) {
      t.feature[i] = w[o++]!;
      t.value[i] = w[o++]!;
      t.right[i] = w[o++]!;
      t.size[i] = w[o++]!;
    }
    trees.push(t);
  }
  if (o !== w.length || !(samples >= 1) || !(dims >= 1)) throw new Error('not an isolation forest');
  return { samples, dims, trees };
}
