/**
 * Final column roles: the inference (infer.ts) with the analyst's choices from ImportOptions laid
 * over it, checked for consistency (one label, one timestamp, roles that fit the column's kind,
 * a positive value that occurs in the label column).
 */
import { ResidualError } from '../errors';
import { COLUMN_ROLES, type ColumnRole } from '../store/types';
import { inferColumnRole, inferPositive, inferRoles, uniquePerRow, type ColumnFacts } from './infer';
import { parseNumber } from './values';

/** What the analyst says about column roles; inference fills in the rest. */
export interface RoleOptions {
  /** Column that holds a known outcome (role 'label'; never a feature). */
  label?: string;
  /** The label value that marks an anomaly; inferred when omitted (error if it cannot be). */
  positive?: string;
  /** Timestamp column. */
  time?: string;
  /** Row id column. */
  id?: string;
  /** Columns to ignore. */
  ignore?: string[];
  /** Further role overrides (from the UI). */
  roles?: Record<string, ColumnRole>;
}

export interface ResolvedRole {
  role: ColumnRole;
  inferredRole: ColumnRole;
  roleReason: string;
  positiveValue: string | null;
}

export interface ResolveContext {
  /** The source file, for messages. */
  file: string;
  rowCount: number;
  /** Whether column `idx` holds `value` (for number columns: a canonical number spelling). */
  hasValue(idx: number, value: string): boolean;
  /** Preview: a label whose anomaly value cannot be inferred gets null instead of an error. */
  lenient?: boolean;
}

/** Every column name the options mention, with the option that mentions it. */
export function namedColumns(options: RoleOptions): { name: string; option: string }[] {
  const out: { name: string; option: string }[] = [];
  if (options.label !== undefined) out.push({ name: options.label, option: 'label' });
  if (options.time !== undefined) out.push({ name: options.time, option: 'time' });
  if (options.id !== undefined) out.push({ name: options.id, option: 'id' });
  for (const name of options.ignore ?? []) out.push({ name, option: 'ignore' });
  for (const name of Object.keys(options.roles ?? {})) out.push({ name, option: 'roles' });
  return out;
}

/** Unknown column names in the options are the analyst's typo: name it and list what exists. */
export function checkOptionColumns(header: readonly string[], options: RoleOptions, file: string): void {
  // A Set, not header.includes: ignoring thousands of columns of a wide file stays linear.
  const names = new Set(header);
  for (const { name, option } of namedColumns(options)) {
    if (names.has(name)) continue;
    const near = header.find((h) => h.toLowerCase() === name.toLowerCase());
    throw new ResidualError(
      'BAD_INPUT',
      `The ${option} option names column "${name}", but ${file} has no such column${near ? ` (did you mean "${near}"?)` : ''}. Columns: ${header.map((h) => `"${h}"`).join(', ')}.`,
      { file, column: name, field: option },
    );
  }
  for (const [name, role] of Object.entries(options.roles ?? {})) {
    if (!COLUMN_ROLES.includes(role)) {
      throw new ResidualError('BAD_INPUT', `"${role}" is not a column role (column "${name}"). Roles: ${COLUMN_ROLES.join(', ')}.`, { file, column: name, field: 'roles' });
    }
  }
}

function listValues(f: ColumnFacts): string {
  const shown = f.stats.topValues.map((v) => `"${v.value}" (${v.count})`).join(', ');
  return f.stats.distinct > f.stats.topValues.length ? `${shown}, …` : shown;
}

export function resolveRoles(cols: readonly ColumnFacts[], options: RoleOptions, ctx: ResolveContext): { roles: ResolvedRole[]; warnings: string[] } {
  const { file, rowCount } = ctx;
  const index = new Map(cols.map((c, i) => [c.name, i]));
  const explicit = new Map<number, { role: ColumnRole; option: string }>();
  const choose = (name: string, role: ColumnRole, option: string): void => {
    const i = index.get(name);
    if (i === undefined) throw new ResidualError('BAD_INPUT', `The ${option} option names column "${name}", which ${file} does not have.`, { file, column: name });
    const prev = explicit.get(i);
    if (prev && prev.role !== role) {
      throw new ResidualError('BAD_INPUT', `Column "${name}" is given two roles: ${prev.option} makes it ${prev.role}, ${option} makes it ${role}. Keep one.`, { file, column: name });
    }
    explicit.set(i, { role, option });
  };
  for (const [name, role] of Object.entries(options.roles ?? {})) choose(name, role, 'the roles option');
  for (const name of options.ignore ?? []) choose(name, 'ignored', 'ignore');
  if (options.id !== undefined) choose(options.id, 'id', 'id');
  if (options.time !== undefined) choose(options.time, 'timestamp', 'time');
  if (options.label !== undefined) choose(options.label, 'label', 'label');

  const chosen = (role: ColumnRole): number[] => [...explicit].filter(([, e]) => e.role === role).map(([i]) => i);
  for (const role of ['label', 'timestamp'] as const) {
    const many = chosen(role);
    if (many.length > 1) {
      throw new ResidualError('BAD_INPUT', `Only one column can be the ${role}; the options choose ${many.map((i) => `"${cols[i]!.name}"`).join(' and ')}.`, { file, column: cols[many[1]!]!.name });
    }
  }
  for (const [i, e] of explicit) {
    const c = cols[i]!;
    if (e.role === 'numeric' && c.kind !== 'number') {
      throw new ResidualError('BAD_INPUT', `Column "${c.name}" holds ${c.kind === 'time' ? 'dates' : 'text'}, so it cannot be a numeric feature; make it categorical or ignore it.`, { file, column: c.name });
    }
    if (e.role === 'timestamp' && c.kind !== 'time') {
      throw new ResidualError('BAD_INPUT', `Column "${c.name}" does not hold dates or times that Residual can read (it holds ${c.kind === 'number' ? 'numbers' : 'text'}), so it cannot be the timestamp.`, { file, column: c.name });
    }
    if (e.role === 'label' && c.kind === 'time') {
      throw new ResidualError('BAD_INPUT', `Column "${c.name}" holds dates, so it cannot be the label; choose the column that says which rows are anomalies.`, { file, column: c.name });
    }
  }

  const inferred = inferRoles(cols, rowCount);
  const labelIdx = chosen('label')[0] ?? -1;
  const timeIdx = chosen('timestamp')[0] ?? -1;
  const warnings: string[] = [];
  const roles: ResolvedRole[] = cols.map((c, i) => {
    const inf = inferred[i]!;
    const e = explicit.get(i);
    if (e) {
      const reason = e.role === inf.role ? `${inf.reason} (also chosen in the import options)` : `chosen in the import options (Residual would have made it ${inf.role}: ${inf.reason})`;
      return { role: e.role, inferredRole: inf.role, roleReason: reason, positiveValue: null };
    }
    if (inf.role === 'label' && labelIdx >= 0) {
      const d = inferColumnRole(c, rowCount, false);
      return { role: d.role, inferredRole: inf.role, roleReason: `${d.reason} ("${cols[labelIdx]!.name}" is the label)`, positiveValue: null };
    }
    if (inf.role === 'timestamp' && timeIdx >= 0) {
      return { role: 'ignored', inferredRole: inf.role, roleReason: `dates and times, but "${cols[timeIdx]!.name}" is the timestamp`, positiveValue: null };
    }
    return { role: inf.role, inferredRole: inf.role, roleReason: inf.reason, positiveValue: inf.positiveValue };
  });

  const label = roles.findIndex((r) => r.role === 'label');
  if (options.positive !== undefined && label < 0) {
    throw new ResidualError('BAD_INPUT', `A positive value ("${options.positive}") was given but no column is the label; name it with the label option (--label COLUMN).`, { file, field: 'positive' });
  }
  if (label >= 0) {
    const c = cols[label]!;
    const r = roles[label]!;
    if (options.positive !== undefined) {
      r.positiveValue = checkPositive(c, label, options.positive, ctx);
    } else if (explicit.has(label)) {
      const pos = inferPositive(c.stats);
      if (pos) {
        r.positiveValue = pos.value;
        r.roleReason += `; ${pos.why}`;
      } else if (ctx.lenient) {
        r.roleReason += '; say which value marks an anomaly';
      } else {
        throw new ResidualError(
          'BAD_INPUT',
          `Residual cannot tell which value of "${c.name}" marks an anomaly. Say it with the positive option (--positive VALUE). Values: ${listValues(c)}.`,
          { file, column: c.name, field: 'positive' },
        );
      }
    }
  }

  const id = roles.findIndex((r, i) => r.role === 'id' && explicit.has(i));
  if (id >= 0 && !uniquePerRow(cols[id]!.stats, rowCount)) {
    warnings.push(`Column "${cols[id]!.name}" is the row id, but some of its values are missing or repeated, so it does not identify rows on its own.`);
  }
  return { roles, warnings };
}

/** The positive value as stored (numbers in canonical spelling, "6.0" → "6"), or BAD_INPUT. */
function checkPositive(c: ColumnFacts, idx: number, positive: string, ctx: ResolveContext): string {
  let value = positive;
  if (c.kind === 'number') {
    const v = parseNumber(positive, false);
    if (Number.isNaN(v)) {
      throw new ResidualError('BAD_INPUT', `Column "${c.name}" holds numbers, so the positive value must be one of them, not "${positive}". Values: ${listValues(c)}.`, { file: ctx.file, column: c.name, field: 'positive' });
    }
    value = String(v);
  }
  if (!ctx.hasValue(idx, value)) {
    throw new ResidualError('BAD_INPUT', `The positive value "${positive}" does not occur in column "${c.name}" of ${ctx.file}. Values: ${listValues(c)}.`, { file: ctx.file, column: c.name, field: 'positive' });
  }
  return value;
}
