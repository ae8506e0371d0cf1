/**
 * Import throughput: a deterministic rows × cols numeric CSV (1M × 30 by default, ~6 significant
 * digits per value) imported into a fresh project, SQLite writes and statistics included.
 *
 * The import runs in a child process (`node --import tsx`) so that its peak RSS is its own:
 * process.resourceUsage().maxRSS there, i.e. the kernel's high-water mark of the whole process
 * (Node, tsx, SQLite's cache and the import), measured after the import finished.
 *
 *   npx tsx bench/import.ts [rows] [cols] [dir]
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface BenchResult {
  rows: number;
  cols: number;
  bytes: number;
  seconds: number;
  rowsPerSecond: number;
  peakRssMB: number;
}

const here = fileURLToPath(import.meta.url);
const repoRoot = path.resolve(path.dirname(here), '..');

/** mulberry32: small, fast and the same on every machine, so the file is the same everywhere. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Writes the CSV unless a complete one is already there (written to a temporary name, then renamed). */
export function ensureBenchCsv(dir: string, rows: number, cols: number): string {
  const file = path.join(dir, `bench-${rows}x${cols}.csv`);
  if (fs.existsSync(file)) return file;
  fs.mkdirSync(dir, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = fs.openSync(tmp, 'w');
  try {
    const rand = prng(20240601);
    // Each column has its own scale: 6 random digits, point after 1 to 6 of them, some negative.
    const scales = Array.from({ length: cols }, (_, c) => 10 ** (1 + (c % 6)));
    let buf = Array.from({ length: cols }, (_, c) => `f${c + 1}`).join(',') + '\n';
    for (let r = 0; r < rows; r++) {
      let line = '';
      for (let c = 0; c < cols; c++) {
        const v = Math.floor(rand() * 2e6 - 1e6) / scales[c]!;
        line += (c === 0 ? '' : ',') + String(v);
      }
      buf += line + '\n';
      if (buf.length > 4 * 1024 * 1024) {
        fs.writeSync(fd, buf);
        buf = '';
      }
    }
    fs.writeSync(fd, buf);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  return file;
}

/** The child's side: import once, print one JSON line. */
async function child(csv: string, project: string): Promise<void> {
  const { ProjectStore } = await import('../src-main/core/store');
  const { importDataset } = await import('../src-main/core/data');
  for (const f of [project, `${project}-wal`, `${project}-shm`]) fs.rmSync(f, { force: true });
  const store = ProjectStore.open(project, { create: true });
  const t0 = performance.now();
  const result = await importDataset(store, csv);
  const seconds = (performance.now() - t0) / 1000;
  store.close();
  const maxRssKB = process.resourceUsage().maxRSS;
  process.stdout.write(JSON.stringify({ rows: result.dataset.rowCount, cols: result.dataset.columns.length, seconds, maxRssKB }) + '\n');
}

export async function benchImport(opts: { rows?: number; cols?: number; dir: string }): Promise<BenchResult> {
  const rows = opts.rows ?? 1_000_000;
  const cols = opts.cols ?? 30;
  const csv = ensureBenchCsv(opts.dir, rows, cols);
  const project = path.join(opts.dir, `bench-${process.pid}.residual`);
  const out = await new Promise<string>((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', here, '--child', csv, project], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    p.stdout.on('data', (d: Buffer) => (text += d.toString('utf8')));
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve(text) : reject(new Error(`bench child exited with ${code}`))));
  });
  for (const f of [project, `${project}-wal`, `${project}-shm`]) fs.rmSync(f, { force: true });
  const r = JSON.parse(out.trim().split('\n').pop()!) as { rows: number; cols: number; seconds: number; maxRssKB: number };
  return {
    rows: r.rows,
    cols: r.cols,
    bytes: fs.statSync(csv).size,
    seconds: r.seconds,
    rowsPerSecond: r.rows / r.seconds,
    peakRssMB: r.maxRssKB / 1024,
  };
}

const invokedAs = process.argv[1] ? pathToFileURL(path.resolve(process.argv[1])).href : '';
if (invokedAs === import.meta.url) {
  const args = process.argv.slice(2);
  if (args[0] === '--child') {
    await child(args[1]!, args[2]!);
  } else {
    const rows = args[0] ? Number(args[0]) : undefined;
    const cols = args[1] ? Number(args[1]) : undefined;
    const dir = args[2] ?? path.join(os.tmpdir(), 'residual-bench');
    const r = await benchImport({ rows, cols, dir });
    console.log(
      `${r.rows.toLocaleString('en-US')} rows × ${r.cols} columns (${(r.bytes / 1024 / 1024).toFixed(0)} MiB): ` +
        `${r.seconds.toFixed(2)} s, ${Math.round(r.rowsPerSecond).toLocaleString('en-US')} rows/s, peak RSS ${r.peakRssMB.toFixed(0)} MB (child maxRSS)`,
    );
  }
}
