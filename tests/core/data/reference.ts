/**
 * Test helpers: a deliberately naive CSV reader (one character at a time, no shortcuts) to check
 * the importer against, and small utilities for temporary files and project state.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ProjectStore } from '../../../src-main/core/store';

/** RFC 4180, the slow and obvious way. Handles CRLF, quotes, doubled quotes and newlines in quotes. */
export function naiveParse(text: string, delimiter = ','): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let inQuotes = false;
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (inQuotes) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (ch === '"') inQuotes = false;
      else field += ch;
      i++;
      continue;
    }
    if (ch === '"' && field === '') inQuotes = true;
    else if (ch === delimiter) {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += ch;
    i++;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** Column `name` of a naively parsed file, header removed. */
export function naiveColumn(rows: string[][], name: string): string[] {
  const idx = rows[0]!.indexOf(name);
  if (idx < 0) throw new Error(`no column ${name}`);
  return rows.slice(1).map((r) => r[idx]!);
}

export function writeFile(dir: string, name: string, content: string | Buffer): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
}

let projects = 0;
export function freshStore(dir: string): ProjectStore {
  return ProjectStore.open(path.join(dir, `p${++projects}.residual`), { create: true });
}

/** Rows in the dataset tables: all zero means an import left nothing behind. */
export function tableCounts(store: ProjectStore): { datasets: number; columns: number; chunks: number } {
  const count = (table: string): number => (store.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  return { datasets: count('datasets'), columns: count('dataset_columns'), chunks: count('column_chunks') };
}

export const fixture = (name: string): string => fileURLToPath(new URL(`../../fixtures/${name}`, import.meta.url));
