/**
 * Ensembles (seed 003: "an ensemble model … feature bagging, score normalization, and different sources of
 * diversity"): several detectors trained on the same rows and inputs — autoencoders of different seeds (and kinds),
 * IsolationForest, ECOD — whose scores are put on one scale and averaged.
 *
 * Score normalisation: each member's row score s is first made symmetric (log s for the networks, whose squared
 * errors are heavy-tailed; as is for IsolationForest and ECOD), then robustly standardised on the member's own
 * training rows, z = (t − median) / IQR·0.7413 (a normal's σ), and passed through softplus(z) = ln(1 + eᶻ): one
 * positive "evidence" per member, monotone in its score, about z for clear anomalies and near 0 for typical rows. The
 * ensemble's score is the mean evidence. Per-column explanation: every member's per-column contributions as shares
 * of its row total, weighted by that member's evidence for the row — the columns stored for a row add up to its
 * score, and a column that explains a row to the members that find the row anomalous explains it to the ensemble.
 */
import { createHash } from 'node:crypto';
import { ResidualError } from '../errors';
import { ClassicalDetector, isClassical } from './classical';
import type { FusedNet } from './fused/net';
import type { Network } from './model';
import { reconstructionErrors, type BatchErrors } from './recon';
import type { Architecture } from './types';

/** The wizard's ensemble: three autoencoders of different seeds, IsolationForest and ECOD. */
export const DEFAULT_MEMBERS: readonly MemberKind[] = ['ae', 'ae', 'ae', 'iforest', 'ecod'];

/** Kinds an ensemble can hold (the contract's one list). */
import { MEMBER_KINDS, type MemberKind } from '../../contract/engine';
export { MEMBER_KINDS, type MemberKind };

export type MemberScorer = Network | FusedNet | ClassicalDetector;

export interface MemberState {
  readonly kind: MemberKind;
  readonly seed: number;
  readonly architecture: Architecture;
  /** Byte length and SHA-256 of its weights within the ensemble's blob. */
  readonly bytes: number;
  readonly sha256: string;
  /** Scores are log-transformed before standardising (networks' squared errors). */
  readonly log: boolean;
  readonly center: number;
  readonly scale: number;
}

interface Header {
  readonly format: 1;
  readonly members: readonly MemberState[];
}

/** Guards the log of a zero error. */
const LOG_FLOOR = 1e-12;
/** IQR → σ for a normal distribution. */
const IQR_TO_SIGMA = 0.7413;

export function usesLog(kind: MemberKind): boolean {
  return !isClassical(kind);
}

/** The transformed score whose median and spread the standardisation uses. */
function transformed(s: number, log: boolean): number {
  return log ? Math.log(Math.max(s, 0) + LOG_FLOOR) : s;
}

function softplus(z: number): number {
  return z > 30 ? z : Math.log1p(Math.exp(z));
}

/** Median and robust scale (IQR as σ; the std, then 1, when the IQR is 0) of a member's training-row scores. */
export function normalisation(scores: Float32Array, log: boolean): { center: number; scale: number } {
  const t = Float64Array.from(scores, (s) => transformed(s, log)).sort();
  const q = (p: number): number => {
    if (t.length === 0) return 0;
    const at = p * (t.length - 1);
    const lo = Math.floor(at);
    const hi = Math.min(t.length - 1, lo + 1);
    return t[lo]! + (t[hi]! - t[lo]!) * (at - lo);
  };
  const center = q(0.5);
  let scale = (q(0.75) - q(0.25)) * IQR_TO_SIGMA;
  if (!(scale > 0)) {
    let m = 0;
    for (const v of t) m += v;
    m /= Math.max(1, t.length);
    let v2 = 0;
    for (const v of t) v2 += (v - m) ** 2;
    scale = Math.sqrt(v2 / Math.max(1, t.length));
  }
  if (!(scale > 0)) scale = 1;
  return { center, scale };
}

/**
 * Combines members' errors of the same n rows: row = mean evidence, feature = evidence-weighted column shares.
 * `evidence` (members × n) is filled when given, for stability figures.
 */
export function combine(states: readonly Pick<MemberState, 'log' | 'center' | 'scale'>[], parts: readonly BatchErrors[], n: number, columns: number, out?: { row: Float32Array; feature: Float32Array }): { row: Float32Array; feature: Float32Array } {
  const m = states.length;
  const row = out && out.row.length >= n ? out.row.subarray(0, n) : new Float32Array(n);
  const feature = out && out.feature.length >= n * columns ? out.feature.subarray(0, n * columns) : new Float32Array(n * columns);
  const acc = new Float64Array(columns);
  for (let r = 0; r < n; r++) {
    acc.fill(0);
    let total = 0;
    for (let k = 0; k < m; k++) {
      const st = states[k]!;
      const p = parts[k]!;
      const ev = softplus((transformed(p.row[r]!, st.log) - st.center) / st.scale) / m;
      total += ev;
      let sum = 0;
      for (let c = 0; c < columns; c++) sum += Math.max(0, p.feature[r * columns + c]!);
      if (sum > 0) for (let c = 0; c < columns; c++) acc[c]! += (ev * Math.max(0, p.feature[r * columns + c]!)) / sum;
      else for (let c = 0; c < columns; c++) acc[c]! += ev / columns;
    }
    row[r] = total;
    for (let c = 0; c < columns; c++) feature[r * columns + c] = acc[c]!;
  }
  return { row, feature };
}

/** The members of a stored ensemble blob (ensembleBlob's layout), each with its own weights, checked against their SHA-256. */
export function ensembleMembers(blob: Uint8Array): (MemberState & { readonly blob: Uint8Array })[] {
  const buf = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
  try {
    const len = buf.readUInt32LE(0);
    const header = JSON.parse(buf.subarray(4, 4 + len).toString('utf8')) as Header;
    if (header.format !== 1 || !Array.isArray(header.members)) throw new Error('format');
    let at = 4 + len;
    return header.members.map((s) => {
      const part = buf.subarray(at, at + s.bytes);
      if (part.byteLength !== s.bytes || createHash('sha256').update(part).digest('hex') !== s.sha256) throw new Error('member');
      at += s.bytes;
      return { ...s, blob: part };
    });
  } catch {
    throw new ResidualError('BAD_FILE', 'The stored ensemble is damaged or in a format this Residual does not read; train it again.');
  }
}

/** The ensemble's weights blob: a uint32 header length, the header (JSON), then each member's blob in order. */
export function ensembleBlob(members: readonly { state: Omit<MemberState, 'bytes' | 'sha256'>; blob: Uint8Array }[]): { blob: Buffer; sha256: string } {
  const states: MemberState[] = members.map((x) => ({ ...x.state, bytes: x.blob.byteLength, sha256: createHash('sha256').update(x.blob).digest('hex') }));
  const head = Buffer.from(JSON.stringify({ format: 1, members: states } satisfies Header), 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32LE(head.length, 0);
  const blob = Buffer.concat([len, head, ...members.map((x) => Buffer.from(x.blob.buffer, x.blob.byteOffset, x.blob.byteLength))]);
  return { blob, sha256: createHash('sha256').update(blob).digest('hex') };
}

/** The architecture stored with an ensemble: its members in one line, the networks' parameters added up. */
export function ensembleArchitecture(layers: readonly number[], activation: Architecture['activation'], inputDims: number, members: readonly { kind: MemberKind; architecture: Architecture }[]): Architecture {
  const counts = new Map<string, number>();
  for (const m of members) {
    const name = m.kind === 'iforest' ? 'IsolationForest' : m.kind === 'ecod' ? 'ECOD' : `${m.kind} ${m.architecture.summary}`;
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  const summary = `Ensemble: ${[...counts].map(([name, k]) => (k > 1 ? `${k} × ${name}` : name)).join(', ')}`;
  const parameterCount = members.reduce((a, m) => a + m.architecture.parameterCount, 0);
  return { kind: 'ensemble', inputDims, layers, activation, output: 'linear', summary, parameterCount, variables: [] };
}

/** A stored ensemble, loaded: each member on its own scoring path, combined row by row. */
export class EnsembleScorer {
  private constructor(
    readonly states: readonly MemberState[],
    readonly members: readonly MemberScorer[],
  ) {}

  static fromBlob(blob: Uint8Array, load: (kind: MemberKind, architecture: Architecture, blob: Uint8Array) => MemberScorer): EnsembleScorer {
    const parts = ensembleMembers(blob);
    const members: MemberScorer[] = [];
    try {
      for (const s of parts) members.push(load(s.kind, s.architecture, s.blob));
    } catch (e) {
      for (const m of members) m.dispose();
      if (e instanceof ResidualError) throw e;
      throw new ResidualError('BAD_FILE', 'The stored ensemble is damaged or in a format this Residual does not read; train it again.');
    }
    return new EnsembleScorer(parts, members);
  }

  setFittedRows(fitted: Uint8Array | null): void {
    for (const m of this.members) if (m instanceof ClassicalDetector) m.setFittedRows(fitted);
  }

  /**
   * The combined errors of n rows; `recon` (when asked) is the first network member's reconstruction, else the first
   * member's typical input: the "expected" values of explanations.
   */
  async errors(
    x: Float32Array, n: number, owners: Int32Array, columns: number, keepRecon: boolean,
    into?: { readonly row: Float32Array; readonly feature: Float32Array }, rows?: number | readonly number[],
  ): Promise<BatchErrors> {
    const parts: BatchErrors[] = [];
    const reconFrom = Math.max(0, this.members.findIndex((m) => !(m instanceof ClassicalDetector)));
    for (let k = 0; k < this.members.length; k++) {
      const e = await reconstructionErrors(this.members[k]!, x, n, owners, columns, { withKl: false, keepRecon: keepRecon && k === reconFrom, ...(rows !== undefined ? { rows } : {}) });
      // Each member's arrays are its own (no `into`): the next member would overwrite them.
      parts.push({ row: Float32Array.from(e.row), feature: Float32Array.from(e.feature), recon: e.recon ? Float32Array.from(e.recon) : null });
    }
    const { row, feature } = combine(this.states, parts, n, columns, into as { row: Float32Array; feature: Float32Array } | undefined);
    return { row, feature, recon: keepRecon ? parts[reconFrom]!.recon : null };
  }

  dispose(): void {
    for (const m of this.members) m.dispose();
  }
}

/** How much members of the same kind agree on the top of the ranking: mean pairwise overlap of their top 1 % (at least 5 rows). */
export function topOverlap(scores: readonly Float32Array[]): number | null {
  if (scores.length < 2) return null;
  const n = scores[0]!.length;
  const k = Math.min(n, Math.max(5, Math.ceil(n * 0.01)));
  const tops = scores.map((s) => new Set(Array.from(s.keys()).sort((a, b) => s[b]! - s[a]!).slice(0, k)));
  let sum = 0;
  let pairs = 0;
  for (let i = 0; i < tops.length; i++) {
    for (let j = i + 1; j < tops.length; j++) {
      let common = 0;
      for (const r of tops[i]!) if (tops[j]!.has(r)) common++;
      sum += common / k;
      pairs++;
    }
  }
  return sum / pairs;
}
