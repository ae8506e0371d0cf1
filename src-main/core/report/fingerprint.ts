import crypto from 'node:crypto';
import type { DatasetInfo, ProjectStore } from '../store';

/**
 * Fingerprints that let a colleague check a reproduction: the rows as stored (independent of how the
 * source file was formatted) and the whole ranking (equal hashes = the same order of every row).
 */

/** SHA-256 over each column's name and stored values in row order (float64 LE; text as JSON). */
export function datasetContentSha256(store: ProjectStore, ds: DatasetInfo): string {
  const h = crypto.createHash('sha256');
  for (const col of ds.columns) {
    h.update(`${col.name}\0`);
    for (const { values } of store.iterateColumn(ds.id, col.idx, col.storage)) {
      h.update(values instanceof Float64Array ? new Uint8Array(values.buffer, values.byteOffset, values.byteLength) : JSON.stringify(values));
    }
  }
  return h.digest('hex');
}

/** SHA-256 of the row indices in rank order (int32 little-endian). */
export function rankingSha256(ranking: Int32Array): string {
  const bytes = Buffer.alloc(ranking.length * 4);
  ranking.forEach((r, i) => bytes.writeInt32LE(r, i * 4));
  return crypto.createHash('sha256').update(bytes).digest('hex');
}
