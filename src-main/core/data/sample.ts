/**
 * A preview's sample in memory: the import's own column builders write their chunks here instead of the store, and
 * the facts that role inference needs come from them. Shared by the CSV and the Parquet preview.
 */
import type { ColumnValues, ValueKind } from '../store/types';
import type { ChunkSink } from './columns';
import type { ColumnFacts } from './infer';
import { numericStats, textStats } from './stats';
import { formatTime, parseNumber } from './values';

/** Keeps chunks in memory, replacing a chunk written twice like the store does. */
export class MemorySink implements ChunkSink {
  readonly chunks: ColumnValues[][] = [];
  write(column: number, chunkIdx: number, _rowStart: number, values: ColumnValues): void {
    (this.chunks[column] ??= [])[chunkIdx] = values instanceof Float64Array ? values.slice() : values.slice();
  }
}

/** Each column's kind and statistics over the sample, and whether a column holds a value (for a label's positive value). */
export function sampleFacts(
  header: readonly string[],
  kindOf: (idx: number) => ValueKind,
  sink: MemorySink,
  rows: number,
): { facts: ColumnFacts[]; hasValue: (idx: number, value: string) => boolean } {
  const facts: ColumnFacts[] = header.map((name, idx) => {
    const kind = kindOf(idx);
    const chunks = sink.chunks[idx] ?? [];
    const stats = kind === 'text' ? textStats(chunks as (string | null)[][]) : numericStats(chunks as Float64Array[], rows, kind === 'time' ? formatTime : String);
    return { name, kind, stats };
  });
  const hasValue = (idx: number, value: string): boolean => {
    const target = facts[idx]!.kind === 'text' ? value : parseNumber(value, false);
    return (sink.chunks[idx] ?? []).some((c) => (c as ArrayLike<unknown> & { includes(v: unknown): boolean }).includes(target));
  };
  return { facts, hasValue };
}
