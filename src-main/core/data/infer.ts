/**
 * What each column is for (ColumnRole), inferred from its name, kind and statistics, with a reason
 * the analyst can read. Pure functions: no file, no store.
 */
import type { ColumnRole, ColumnStats, ValueKind } from '../store/types';

export interface ColumnFacts {
  readonly name: string;
  readonly kind: ValueKind;
  readonly stats: ColumnStats;
}

export interface RoleDecision {
  role: ColumnRole;
  reason: string;
  positiveValue: string | null;
}

/** Categorical: text with at most this many distinct values, and fewer than half as many as values. */
export const CATEGORICAL_MAX_DISTINCT = 50;
/** An outcome named like one (class, target, …) has this many distinct values. */
const LABEL_MIN_DISTINCT = 2;
const LABEL_MAX_DISTINCT = 10;

const LABEL_NAMES = new Set(['class', 'label', 'target', 'outcome', 'diagnosis', 'isfraud', 'fraud', 'anomaly', 'isanomaly', 'y']);
/** Values that name the anomalous class in any labelled column. */
const POSITIVE_WORDS = new Set(['malignant', 'bad', 'pos', 'positive', 'fraud', 'fraudulent', 'anomaly', 'anomalous', 'abnormal', 'outlier', 'attack', 'failure', 'defect', 'defective', 'spam']);
/** Values that mark "yes" only when the column has exactly two values (otherwise 1 may be just a class number). */
const BINARY_POSITIVE_WORDS = new Set(['yes', 'y', 'true', 't', '1']);
/** Counterparts of POSITIVE_WORDS: a two-valued column pairing one of each reads as an outcome. */
const NEGATIVE_WORDS = new Set(['benign', 'good', 'neg', 'negative', 'normal', 'legit', 'legitimate', 'ok', 'clean', 'ham', 'pass']);

function normalizedName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** "id", "ID", "key", "uuid", "customer_id", "order-id", "customerId". */
export function looksLikeIdName(name: string): boolean {
  const n = name.trim();
  return /^(id|key|uuid|guid)$/i.test(n) || /[_.\- ](id|key|uuid|guid)$/i.test(n) || /[a-z0-9]Id$/.test(n);
}

export function looksLikeLabelName(name: string): boolean {
  return LABEL_NAMES.has(normalizedName(name));
}

function word(v: string): string {
  return v.trim().toLowerCase();
}

/** Every row has its own, present value. */
export function uniquePerRow(stats: ColumnStats, rowCount: number): boolean {
  return rowCount >= 2 && !stats.distinctCapped && stats.missing === 0 && stats.distinct === rowCount;
}

/**
 * Which value of a would-be label marks an anomaly: a known word (malignant, bad, pos, fraud, …;
 * yes/true/1 only in a two-valued column), else the rarer of exactly two values. Null when
 * neither tells. Works from topValues, which hold every value when distinct ≤ 10.
 */
export function inferPositive(stats: ColumnStats): { value: string; why: string } | null {
  const values = stats.topValues;
  const two = stats.distinct === 2 && values.length === 2;
  const known = values.filter((v) => POSITIVE_WORDS.has(word(v.value)) || (two && BINARY_POSITIVE_WORDS.has(word(v.value))));
  if (known.length === 1) return { value: known[0]!.value, why: `"${known[0]!.value}" is a usual name for the anomalous class` };
  if (two && values[0]!.count !== values[1]!.count) {
    const rare = values[1]!;
    return { value: rare.value, why: `"${rare.value}" is the rarer of the two values (${rare.count} of ${stats.count})` };
  }
  return null;
}

/** Two values, one a known anomaly word and the other its usual counterpart (pos/neg, malignant/benign). */
function isOutcomePair(stats: ColumnStats): boolean {
  if (stats.distinct !== 2 || stats.topValues.length !== 2) return false;
  const [a, b] = stats.topValues.map((v) => word(v.value)) as [string, string];
  return (POSITIVE_WORDS.has(a) && NEGATIVE_WORDS.has(b)) || (POSITIVE_WORDS.has(b) && NEGATIVE_WORDS.has(a));
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

/** The role of one column on its own; `allowLabel` false when another column is the label. */
export function inferColumnRole(f: ColumnFacts, rowCount: number, allowLabel = true): RoleDecision {
  const s = f.stats;
  const none = (role: ColumnRole, reason: string): RoleDecision => ({ role, reason, positiveValue: null });
  if (s.count === 0) return none('ignored', 'every value is missing');
  if (s.distinct === 1) {
    const extra = s.missing > 0 ? ` apart from ${plural(s.missing, 'missing value')}` : '';
    return none('ignored', `constant: every value is "${s.topValues[0]?.value ?? ''}"${extra}, so it cannot tell rows apart`);
  }
  if (allowLabel && f.kind !== 'time' && looksLikeLabelName(f.name) && s.distinct >= LABEL_MIN_DISTINCT && s.distinct <= LABEL_MAX_DISTINCT) {
    const pos = inferPositive(s);
    if (pos) return { role: 'label', reason: `named like a known outcome, with ${plural(s.distinct, 'value')}; ${pos.why}`, positiveValue: pos.value };
    // Using the known outcome as a feature would let the model see the answer, so keep it out until the analyst decides.
    return none(
      'ignored',
      `named like a known outcome (${plural(s.distinct, 'value')}), but no value obviously marks an anomaly: make it the label and say which value is the anomaly, or make it a feature`,
    );
  }
  if (allowLabel && f.kind === 'text' && isOutcomePair(s)) {
    const pos = inferPositive(s)!;
    return { role: 'label', reason: `its two values (${s.topValues.map((v) => v.value).join('/')}) read as a known outcome; ${pos.why}`, positiveValue: pos.value };
  }
  if (f.kind === 'time') return none('timestamp', 'dates and times');
  const unique = uniquePerRow(s, rowCount);
  if (unique && looksLikeIdName(f.name)) return none('id', 'named like an id and different in every row');
  if (f.kind === 'number') return none('numeric', s.distinct === 2 ? 'numbers (two distinct values)' : 'numbers');
  if (unique) return none('id', 'text that is different in every row');
  if (s.distinct <= CATEGORICAL_MAX_DISTINCT && s.distinct < s.count / 2) return none('categorical', `text with ${plural(s.distinct, 'distinct value')}`);
  const distinct = s.distinctCapped ? `more than ${plural(s.distinct, 'distinct value')}` : plural(s.distinct, 'distinct value');
  return none('ignored', `free text: ${distinct} in ${plural(s.count, 'row')}`);
}

/**
 * Roles for a whole dataset: one label at most (a column named like an outcome wins over one
 * recognised by its values, then the first), one timestamp at most (the first time column).
 */
export function inferRoles(cols: readonly ColumnFacts[], rowCount: number): RoleDecision[] {
  const out = cols.map((c) => inferColumnRole(c, rowCount));
  const labels = out.map((d, i) => (d.role === 'label' ? i : -1)).filter((i) => i >= 0);
  if (labels.length > 1) {
    const keep = labels.find((i) => looksLikeLabelName(cols[i]!.name)) ?? labels[0]!;
    for (const i of labels) {
      if (i === keep) continue;
      const d = inferColumnRole(cols[i]!, rowCount, false);
      out[i] = { ...d, reason: `${d.reason} ("${cols[keep]!.name}" is the label)` };
    }
  }
  let timestamp = -1;
  out.forEach((d, i) => {
    if (d.role !== 'timestamp') return;
    if (timestamp < 0) timestamp = i;
    else out[i] = { role: 'ignored', reason: `dates and times, but "${cols[timestamp]!.name}" is the timestamp`, positiveValue: null };
  });
  return out;
}
