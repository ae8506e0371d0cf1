/**
 * The ranked rows of a score as Parquet: the CSV export's columns and rows (RANKING_CSV_COLUMNS, the same filters
 * and order), typed — rank INTEGER, score and shares DOUBLE (the very doubles the CSV spells), flagged BOOLEAN, the
 * rest VARCHAR, and null where the CSV leaves a field empty. DuckDB writes it: the rows go into an in-memory table a
 * window at a time (DuckDB spills to the temporary folder if it must), then one COPY writes the file, zstd-compressed,
 * with a key-value pair in its footer (RANKING_PARQUET_KEY) by which Residual knows the file as its own.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { loadDuckDb, openDuckDb, sqlString, type DuckDb } from '../data/duckdb';
import { cancelled, plainError, ResidualError } from '../errors';
import type { ProjectStore } from '../store';
import { RESIDUAL_VERSION } from '../version';
import { RANKING_CSV_COLUMNS } from './csv';
import { RANKING_PARQUET_KEY, RANKING_PARQUET_VALUE } from './owned';
import { exportTarget, prepareRankingRows, TOP_COLUMNS, WINDOW, type RankingCsvHooks, type RankingCsvOptions, type RankingCsvResult } from './ranking';

/** DuckDB's data chunks hold at most this many rows (its vector size). */
const CHUNK_ROWS = 2048;

const SQL_TYPES: Record<(typeof RANKING_CSV_COLUMNS)[number], string> = {
  rank: 'INTEGER',
  id: 'VARCHAR',
  score: 'DOUBLE',
  flagged: 'BOOLEAN',
  feature_1: 'VARCHAR',
  share_1: 'DOUBLE',
  feature_2: 'VARCHAR',
  share_2: 'DOUBLE',
  feature_3: 'VARCHAR',
  share_3: 'DOUBLE',
  label: 'VARCHAR',
  verdict: 'VARCHAR',
  note: 'VARCHAR',
};

async function fileDigest(file: string): Promise<{ bytes: number; sha256: string }> {
  const hash = crypto.createHash('sha256');
  let bytes = 0;
  for await (const chunk of fs.createReadStream(file) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  return { bytes, sha256: hash.digest('hex') };
}

/** Appends the ranked rows to the table `ranking`, window by window; returns how many are flagged. */
async function appendRows(db: DuckDb, ranked: ReturnType<typeof prepareRankingRows>): Promise<number> {
  const duckdb = await loadDuckDb();
  const typeOf = { INTEGER: duckdb.INTEGER, VARCHAR: duckdb.VARCHAR, DOUBLE: duckdb.DOUBLE, BOOLEAN: duckdb.BOOLEAN } as const;
  const types = RANKING_CSV_COLUMNS.map((c) => typeOf[SQL_TYPES[c] as keyof typeof typeOf]);
  const appender = await db.connection.createAppender('ranking');
  let flagged = 0;
  try {
    const n = ranked.rows;
    for (let w = 0; w < n; w += WINDOW) {
      ranked.progress(w, `${w.toLocaleString('en-US')} of ${n.toLocaleString('en-US')} rows`);
      const records = ranked.records(w, Math.min(n, w + WINDOW));
      for (let from = 0; from < records.length; from += CHUNK_ROWS) {
        const part = records.slice(from, from + CHUNK_ROWS);
        const columns: (string | number | boolean | null)[][] = RANKING_CSV_COLUMNS.map(() => new Array(part.length));
        part.forEach((r, i) => {
          if (r.flagged) flagged++;
          columns[0]![i] = r.rank;
          columns[1]![i] = r.id;
          columns[2]![i] = r.score;
          columns[3]![i] = r.flagged;
          for (let j = 0; j < TOP_COLUMNS; j++) {
            columns[4 + 2 * j]![i] = r.features[j] ?? null;
            columns[5 + 2 * j]![i] = r.shares[j] ?? null;
          }
          columns[10]![i] = r.label;
          columns[11]![i] = r.verdict;
          columns[12]![i] = r.note;
        });
        const chunk = duckdb.DuckDBDataChunk.create(types, part.length);
        chunk.setColumns(columns);
        appender.appendDataChunk(chunk);
      }
      // Between windows: a cancel or a progress event gets through.
      await new Promise((r) => setImmediate(r));
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
  return flagged;
}

/**
 * Writes the ranking as Parquet to `out`, whole or not at all: into a temporary file beside it, renamed over `out`
 * when complete; a failure or a cancel leaves no half file. The folder must exist, and `out`, if it exists, must be
 * a Parquet file Residual exported.
 */
export async function exportRankingParquet(store: ProjectStore, opts: RankingCsvOptions & { readonly out: string }, hooks: RankingCsvHooks = {}): Promise<RankingCsvResult> {
  const started = performance.now();
  const { out, tmp } = exportTarget(opts.out, 'parquet');
  const ranked = prepareRankingRows(store, opts, hooks);
  let db: DuckDb | null = null;
  try {
    db = await openDuckDb();
    await db.connection.run(`CREATE TABLE ranking (${RANKING_CSV_COLUMNS.map((c) => `${c} ${SQL_TYPES[c]}`).join(', ')})`);
    const flagged = await appendRows(db, ranked);
    if (hooks.signal?.aborted) throw cancelled('The export');
    ranked.progress(ranked.rows, 'Writing the Parquet file');
    const meta = `${RANKING_PARQUET_KEY}: ${sqlString(RANKING_PARQUET_VALUE)}, residual_version: ${sqlString(RESIDUAL_VERSION)}`;
    await db.connection.run(`COPY ranking TO ${sqlString(tmp)} (FORMAT parquet, COMPRESSION zstd, KV_METADATA {${meta}})`);
    db.close();
    db = null;
    if (hooks.signal?.aborted) throw cancelled('The export');
    const { bytes, sha256 } = await fileDigest(tmp);
    fs.renameSync(tmp, out);
    hooks.onProgress?.({ rowsDone: ranked.rows, rows: ranked.rows, fraction: 1, message: `${ranked.rows.toLocaleString('en-US')} rows` });
    return {
      format: 'parquet',
      out,
      scoreId: ranked.scoreId,
      modelId: ranked.modelId,
      datasetId: ranked.datasetId,
      rows: ranked.rows,
      total: ranked.total,
      flagged,
      threshold: ranked.threshold,
      bytes,
      sha256,
      seconds: (performance.now() - started) / 1000,
    };
  } catch (e) {
    db?.close();
    fs.rmSync(tmp, { force: true });
    if (e instanceof ResidualError) throw e;
    throw plainError(e) ?? new ResidualError('BAD_FILE', `Cannot write the Parquet file to ${out}: ${(e as Error).message.split('\n')[0]}`, { file: out });
  }
}
