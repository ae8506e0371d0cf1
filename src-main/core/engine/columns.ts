import { ResidualError } from '../errors';
import type { ProjectStore } from '../store';
import type { ColumnInfo, DatasetInfo } from '../store/types';
import type { RawColumn } from './preprocess';
import type { Preprocessing } from './types';

/** Rows per forward pass when scoring (and per stored score chunk): bounded tensor memory. */
export const BATCH_ROWS = 8192;
/** Memory for one window: raw values (8 bytes each) plus model inputs (4 bytes per dim). */
const WINDOW_BYTES = 128 * 1024 * 1024;

/**
 * Rows read per window when streaming a dataset. Reading a range decodes every stored chunk it touches
 * whole, so windows span whole chunks when memory allows (narrow data); wide data gets at least
 * BATCH_ROWS rows and decodes a chunk a few times instead of holding all its columns.
 */
export function windowRows(ds: Pick<DatasetInfo, 'rowCount' | 'chunkRows'>, columns: number, inputDims: number): number {
  let rows = Math.max(BATCH_ROWS, Math.floor(WINDOW_BYTES / (8 * columns + 4 * inputDims + 1)));
  if (rows >= ds.chunkRows) rows -= rows % ds.chunkRows;
  return Math.max(1, Math.min(rows, ds.rowCount));
}

export interface FeatureColumn {
  readonly name: string;
  readonly kind: 'numeric' | 'categorical';
  readonly column: ColumnInfo;
}

/** The training features of a dataset: numeric and categorical columns, never label/id/timestamp/ignored. */
export function featureColumns(ds: DatasetInfo): FeatureColumn[] {
  const out: FeatureColumn[] = [];
  for (const c of ds.columns) {
    if (c.role === 'numeric') {
      if (c.storage !== 'f64') {
        throw new ResidualError('BAD_INPUT', `Column "${c.name}" of "${ds.name}" is numeric but stored as text; make it categorical or ignore it.`, { column: c.name });
      }
      out.push({ name: c.name, kind: 'numeric', column: c });
    } else if (c.role === 'categorical') {
      out.push({ name: c.name, kind: 'categorical', column: c });
    }
  }
  if (out.length === 0) {
    throw new ResidualError('BAD_INPUT', `Dataset "${ds.name}" has no numeric or categorical column to learn from. Set the roles of its columns first.`, { field: 'dataset' });
  }
  return out;
}

/**
 * The columns of `ds` that feed a model, matched by name (whatever their role there: a column a model
 * needs is needed even if it was ignored in this dataset). Extra columns are ignored; missing ones are
 * named in one BAD_INPUT error.
 */
export function matchColumns(ds: DatasetInfo, pp: Preprocessing): FeatureColumn[] {
  const byName = new Map(ds.columns.map((c) => [c.name, c]));
  const missing = pp.features.filter((f) => !byName.has(f.name)).map((f) => f.name);
  if (missing.length) {
    throw new ResidualError(
      'BAD_INPUT',
      `Dataset "${ds.name}" lacks ${missing.length === 1 ? 'a column' : `${missing.length} columns`} the model was trained on: ${missing.map((m) => `"${m}"`).join(', ')}. Add ${missing.length === 1 ? 'it' : 'them'} to the data, or train a model on this dataset.`,
      { field: 'dataset', columns: missing },
    );
  }
  return pp.features.map((f) => {
    const column = byName.get(f.name)!;
    if (f.kind === 'numeric' && column.valueKind === 'text') {
      throw new ResidualError('BAD_INPUT', `Column "${f.name}" of "${ds.name}" holds text, but the model uses it as a number.`, { column: f.name });
    }
    return { name: f.name, kind: f.kind, column };
  });
}

/** Whether `ds` has every column the model needs, as matchColumns checks it (without the error). */
export function canScore(ds: DatasetInfo, pp: Preprocessing): boolean {
  try {
    matchColumns(ds, pp);
    return true;
  } catch {
    return false;
  }
}

/** Rows [start, end) of each column, in the given order. */
export function readWindow(store: ProjectStore, datasetId: number, cols: readonly FeatureColumn[], start: number, end: number): RawColumn[] {
  return cols.map((c) => store.readRange(datasetId, c.column, start, end));
}

/** Picks `rows` (ascending indices relative to the window) out of a raw column. */
export function pickRows(col: RawColumn, rows: ArrayLike<number>): RawColumn {
  if (col instanceof Float64Array) {
    const out = new Float64Array(rows.length);
    for (let i = 0; i < rows.length; i++) out[i] = col[rows[i]!]!;
    return out;
  }
  const out = new Array<string | null>(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = col[rows[i]!] ?? null;
  return out;
}
