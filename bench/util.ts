/**
 * Helpers shared by the benches: child processes that report one JSON line, peak RSS, formatting, tables.
 *
 * Every bench part that needs its own memory figure or a fresh process state runs its work in a child
 * (`node --import tsx <script> --child <role> …`); the child's last stdout line is its JSON report, and its
 * peak RSS is VmHWM there (the kernel's high-water mark for that whole process).
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Where generated CSVs and cached bench projects live unless --dir or RESIDUAL_BENCH_DIR says otherwise. */
export function defaultBenchDir(): string {
  return process.env['RESIDUAL_BENCH_DIR'] ?? path.join(os.tmpdir(), 'residual-bench');
}

/** The value after `--name` in a command line, if the flag is there. */
export function flagValue(args: readonly string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

/** True when the module with this import.meta.url is the script node was started with. */
export function isMain(moduleUrl: string): boolean {
  return Boolean(process.argv[1]) && pathToFileURL(path.resolve(process.argv[1]!)).href === moduleUrl;
}

/**
 * This process's peak RSS so far, in MB (kernel high-water mark, includes Node, tsx, SQLite and tfjs). VmHWM where
 * /proc has it: getrusage's maxRSS survives exec on Linux, so a child spawned by a big parent would report the
 * parent's size at the fork.
 */
export function peakRssMB(): number {
  return peakRssOfPid(process.pid) ?? process.resourceUsage().maxRSS / 1024;
}

/** Peak RSS (VmHWM) of another live process of ours, in MB; null where /proc cannot tell. */
export function peakRssOfPid(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** The child's side: writes its report (with its own peak RSS) as the last line of stdout. */
export function reportFromChild(report: object): void {
  process.stdout.write(JSON.stringify({ ...report, peakRssMB: peakRssMB() }) + '\n');
}

/**
 * Runs `script --child role ...args` under tsx in a fresh Node process and resolves with its JSON report.
 * stderr passes through (progress, warnings); a non-zero exit rejects.
 */
export function runChild<T>(script: string, role: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<T & { peakRssMB: number }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', script, '--child', role, ...args], {
      cwd: repoRoot,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let text = '';
    p.stdout.on('data', (d: Buffer) => (text += d.toString('utf8')));
    p.on('error', reject);
    p.on('close', (code, signal) => {
      if (code !== 0) {
        reject(new Error(`bench child "${role}" ${signal ? `was killed by ${signal}` : `exited with ${code}`}`));
        return;
      }
      const last = text.trim().split('\n').pop() ?? '';
      try {
        resolve(JSON.parse(last) as T & { peakRssMB: number });
      } catch {
        reject(new Error(`bench child "${role}" printed no JSON report (last line: ${last.slice(0, 200)})`));
      }
    });
  });
}

/** Milliseconds one call takes (performance.now), with its result. */
export async function timed<T>(fn: () => Promise<T> | T): Promise<{ ms: number; result: T }> {
  const t0 = performance.now();
  const result = await fn();
  return { ms: performance.now() - t0, result };
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Whether /usr/bin/python3 can import these modules (Debian's python3-pandas etc.). */
export function pythonHas(modules: readonly string[], python = '/usr/bin/python3'): boolean {
  if (!fs.existsSync(python)) return false;
  try {
    execFileSync(python, ['-c', `import ${modules.join(', ')}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export const fmtInt = (v: number): string => Math.round(v).toLocaleString('en-US');
export const fmtMB = (v: number | null): string => (v === null ? 'n/a' : `${fmtInt(v)} MB`);
export function fmtMs(v: number): string {
  if (v >= 10_000) return `${(v / 1000).toFixed(1)} s`;
  if (v >= 100) return `${fmtInt(v)} ms`;
  if (v >= 10) return `${v.toFixed(1)} ms`;
  return `${v.toFixed(2)} ms`;
}

/** A plain-text table: the first column left-aligned, the others right-aligned unless `left` names them. */
export function table(head: readonly string[], rows: readonly (readonly string[])[], left: readonly number[] = [0]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (left.includes(i) ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/**
 * Browser mode's real stack for a bench child (engine process, host, bridge) over a throwaway static folder, and a
 * POST helper that calls the contract as the page does.
 */
export async function benchBrowserMode(opts: { dataDirs?: readonly string[]; projectDirs?: readonly string[]; reportsDir?: string } = {}): Promise<{
  post<T>(method: string, body: unknown): Promise<{ result: T; bytes: number }>;
  readonly port: number;
  readonly token: string;
  readonly enginePid: () => number | undefined;
  close(): Promise<void>;
}> {
  const { startBrowserMode } = await import('../src-main/app/browser-mode');
  const staticDir = fs.mkdtempSync(path.join(os.tmpdir(), 'residual-bench-static-'));
  fs.writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>Residual</title>');
  // The file policy lets a page import only uploads and --data-dir folders, and write reports only into the reports folder.
  if (opts.reportsDir) process.env['RESIDUAL_REPORTS_DIR'] = opts.reportsDir;
  const mode = await startBrowserMode({ staticDir, ...(opts.dataDirs ? { dataDirs: opts.dataDirs } : {}), ...(opts.projectDirs ? { projectDirs: opts.projectDirs } : {}) });
  const { bridge } = mode;
  return {
    port: bridge.port,
    token: bridge.token,
    enginePid: () => mode.engine.pid,
    async post<T>(method: string, body: unknown) {
      const res = await fetch(`http://127.0.0.1:${bridge.port}/api/${method}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${bridge.token}` },
        body: JSON.stringify(body),
      });
      const text = await res.text();
      const reply = JSON.parse(text) as { ok: boolean; result: T; error?: { message: string } };
      if (!reply.ok) throw new Error(`${method}: ${reply.error?.message ?? res.status}`);
      return { result: reply.result, bytes: Buffer.byteLength(text) };
    },
    async close() {
      await mode.close();
      fs.rmSync(staticDir, { recursive: true, force: true });
    },
  };
}
