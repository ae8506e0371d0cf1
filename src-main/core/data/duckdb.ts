/**
 * DuckDB (`@duckdb/node-api`): Residual's Parquet reader and writer. Loaded only when a Parquet file is imported,
 * previewed or exported, so CSV work and the CLI's start-up never pay for its native library.
 *
 * Each use gets its own in-memory database (no file of DuckDB's own), with extension auto-install and auto-load
 * off: the Parquet reader is built into the package, and nothing may reach the network.
 */
import os from 'node:os';
import path from 'node:path';
import type * as DuckDbApi from '@duckdb/node-api';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { ResidualError } from '../errors';

type DuckDbModule = typeof DuckDbApi;

let loaded: Promise<DuckDbModule> | null = null;

/** The DuckDB module, or a plain error when its native library cannot load on this machine. */
export async function loadDuckDb(): Promise<DuckDbModule> {
  loaded ??= import('@duckdb/node-api').catch((e: unknown) => {
    loaded = null;
    throw new ResidualError(
      'INTERNAL',
      `Parquet files need DuckDB's native library (the npm package @duckdb/node-api and its build for ${process.platform}-${process.arch}), which did not load: ${(e as Error).message.split('\n')[0]}. Run npm install again, or save the data as CSV and import that.`,
    );
  });
  return loaded;
}

export interface DuckDb {
  readonly instance: DuckDBInstance;
  readonly connection: DuckDBConnection;
  /** Closes the connection and the database; safe to call twice. */
  close(): void;
}

/** A fresh in-memory DuckDB with one connection. Spills (a large export) go to the system's temporary folder. */
export async function openDuckDb(): Promise<DuckDb> {
  const { DuckDBInstance } = await loadDuckDb();
  const instance = await DuckDBInstance.create(':memory:', {
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
    temp_directory: path.join(os.tmpdir(), `residual-duckdb-${process.pid}`),
  });
  const connection = await instance.connect();
  let open = true;
  return {
    instance,
    connection,
    close() {
      if (!open) return;
      open = false;
      connection.closeSync();
      instance.closeSync();
    },
  };
}

/** DuckDB's message without the SQL excerpt it appends ("LINE 1: SELECT …"). */
export function duckDbMessage(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return text.split('\n')[0]!.trim();
}

/** A string as an SQL literal: single quotes doubled. */
export function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** A column name as an SQL identifier: double quotes doubled. */
export function sqlIdent(s: string): string {
  return `"${s.replace(/"/g, '""')}"`;
}
