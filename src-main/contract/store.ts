/** What the project store holds, as plain readonly data: safe to send over IPC as is. */

export type ColumnRole = 'numeric' | 'categorical' | 'timestamp' | 'id' | 'label' | 'ignored';
export type ValueKind = 'number' | 'text' | 'time';
export type ColumnStorage = 'f64' | 'str';

export const COLUMN_ROLES: readonly ColumnRole[] = ['numeric', 'categorical', 'timestamp', 'id', 'label', 'ignored'];

export interface TopValue {
  readonly value: string;
  readonly count: number;
}

export interface Histogram {
  /** bins + 1 edges, in the column's units (epoch ms for time). */
  readonly edges: readonly number[];
  readonly counts: readonly number[];
}

export interface ColumnStats {
  /** Non-missing values. */
  readonly count: number;
  readonly missing: number;
  readonly distinct: number;
  /** True when `distinct` stopped counting at the cap (text columns with very many values). */
  readonly distinctCapped: boolean;
  readonly topValues: readonly TopValue[];
  /** Numeric and time columns only. */
  readonly mean?: number;
  readonly std?: number;
  readonly min?: number;
  readonly max?: number;
  readonly q1?: number;
  readonly median?: number;
  readonly q3?: number;
  readonly histogram?: Histogram;
}

export interface ColumnInfo {
  readonly idx: number;
  readonly name: string;
  readonly valueKind: ValueKind;
  readonly storage: ColumnStorage;
  readonly role: ColumnRole;
  readonly inferredRole: ColumnRole;
  /** Why the role was inferred, in the analyst's words ("constant column", "unique per row"). */
  readonly roleReason: string;
  /** For the label column: the value that marks a known anomaly. */
  readonly positiveValue: string | null;
  readonly stats: ColumnStats;
}

export interface DatasetInfo {
  readonly id: number;
  readonly name: string;
  readonly sourcePath: string;
  readonly sourceSha256: string;
  readonly sourceBytes: number;
  readonly encoding: string;
  readonly delimiter: string;
  readonly decimalComma: boolean;
  readonly rowCount: number;
  readonly skippedRows: number;
  readonly chunkRows: number;
  readonly createdAt: string;
  readonly columns: readonly ColumnInfo[];
}

export type ColumnValues = Float64Array | (string | null)[];
