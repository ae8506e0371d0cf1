/**
 * End to end at 1M rows (issue #7), and at 10M (issue #15, the bench's `scale` part): the app's whole flow as browser
 * mode runs it, through the contract over HTTP.
 *
 * One child process runs `residual serve`'s stack (EngineClient over forkEngine, createHost, startBridge) and acts
 * as the browser: project.open (a new project) → data.import of the bench CSV → model.train (layers 16-8, a few
 * epochs, the proposal's defaults otherwise) → score.run → the first score.rank page → score.heatmap (200 bands over
 * every row) → report.export (A4, top 50). Jobs are waited for through the server-sent events (GET /api/events), as
 * the renderer does. The training uses the wizard's proposal but for layers and epochs, so at 10M rows it trains on
 * the proposal's sample (sampleRows). While each step runs (the jobs, and the rank and heatmap queries), the window's
 * cheap calls are sent every 50 ms — app.status on every tick and project.overview on every other one — each on its
 * tick whether or not the ones before came back (as input would arrive), and each reply's latency is kept.
 *
 * The project and the PDF are written in the bench folder, measured, and removed afterwards.
 *
 *   npx tsx bench/e2e.ts [--rows N] [--cols N] [--dir D] [--epochs N]
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AppStatus, Heatmap, JobRef, ModelInfo, ProjectOverview, RankPage } from '../src-main/contract';
import type { ImportResult } from '../src-main/core/data';
import type { ScoreResult, TrainResult } from '../src-main/core/engine';
import type { ReportResult } from '../src-main/core/report';
import { ensureBenchCsv } from './import';
import { benchBrowserMode, defaultBenchDir, flagValue, fmtInt, fmtMB, fmtMs, isMain, peakRssOfPid, reportFromChild, runChild, timed } from './util';

const here = fileURLToPath(import.meta.url);

export const E2E_LAYERS = [16, 8] as const;
export const E2E_EPOCHS = 3;
const PAGE = 100;
const BANDS = 200;
const REPORT_TOP = 50;
const STATUS_EVERY_MS = 50;

export interface E2eOptions {
  readonly rows?: number;
  readonly cols?: number;
  readonly dir: string;
  readonly epochs?: number;
  readonly log?: (line: string) => void;
}

export interface E2eStep {
  readonly step: string;
  readonly ms: number;
  /** What came back, in a few words. */
  readonly note: string;
}

export interface E2eReport {
  readonly rows: number;
  readonly cols: number;
  /** project.open with create: the first call, which starts the engine process. */
  readonly openMs: number;
  /** data.import through report.export, in order. */
  readonly steps: readonly E2eStep[];
  /** Wall-clock from sending data.import to report.export's job.finished. */
  readonly totalMs: number;
  readonly backend: string;
  readonly train: { readonly epochs: number; readonly samplesPerSecond: number; readonly path: string };
  /** The window's cheap calls (app.status, project.overview) over HTTP while the steps ran: all of them, and per step. */
  readonly status: LatencySummary & { readonly byJob: readonly (LatencySummary & { readonly job: string })[] };
  /** The training run's rows: trained on (training + validation) of the dataset's, and the sample setting. */
  readonly trainedRows: { readonly used: number; readonly rows: number; readonly sampleRows: number };
  /** Kernel high-water marks (VmHWM / maxRSS) of each process; null where /proc cannot tell. */
  readonly enginePeakRssMB: number | null;
  /** The bridge's own process (main's role under `residual serve`). */
  readonly peakRssMB: number;
  /** The project file (with its -wal) at the end, in bytes; measured by the parent before it is removed. */
  readonly projectBytes?: number;
}

export interface LatencySummary {
  readonly count: number;
  readonly maxMs: number;
  readonly p95Ms: number;
  readonly medianMs: number;
}

function summarize(latencies: readonly number[]): LatencySummary {
  const sorted = [...latencies].sort((x, y) => x - y);
  return { count: sorted.length, maxMs: sorted.at(-1) ?? 0, p95Ms: percentile(sorted, 95), medianMs: percentile(sorted, 50) };
}

export async function benchE2e(opts: E2eOptions): Promise<E2eReport> {
  const rows = opts.rows ?? 1_000_000;
  const cols = opts.cols ?? 30;
  const epochs = opts.epochs ?? E2E_EPOCHS;
  const log = opts.log ?? console.log;
  const csv = ensureBenchCsv(opts.dir, rows, cols);
  const project = path.join(opts.dir, `e2e-${rows}x${cols}.${process.pid}.residual`);
  const out = path.join(opts.dir, `e2e-${rows}x${cols}.${process.pid}.pdf`);
  let r: E2eReport;
  try {
    r = await runChild<E2eReport>(here, 'e2e', [csv, project, out, String(epochs)]);
    const size = (f: string): number => (fs.existsSync(f) ? fs.statSync(f).size : 0);
    r = { ...r, projectBytes: size(project) + size(`${project}-wal`) };
  } finally {
    for (const f of [project, `${project}-wal`, `${project}-shm`, out]) fs.rmSync(f, { force: true });
  }
  log(`browser mode's stack (HTTP bridge → host → engine process), ${fmtInt(r.rows)} × ${r.cols} CSV, jobs awaited over SSE:`);
  log(`  ${'project.open (new project; starts engine)'.padEnd(44)} ${fmtMs(r.openMs).padStart(9)}`);
  for (const s of r.steps) log(`  ${s.step.padEnd(44)} ${fmtMs(s.ms).padStart(9)}   ${s.note}`);
  log(`  ${'total, data.import → report finished'.padEnd(44)} ${fmtMs(r.totalMs).padStart(9)}`);
  log(`  backend: ${r.backend}; training ${r.train.epochs} epochs at ${fmtInt(r.train.samplesPerSecond)} samples/s (${r.train.path})`);
  const t = r.trainedRows;
  log(`  trained on ${fmtInt(t.used)} of ${fmtInt(t.rows)} rows (${t.sampleRows > 0 && t.sampleRows < t.rows ? `the wizard's seeded sample, sampleRows ${fmtInt(t.sampleRows)}` : 'all rows'}, training + validation); every row scored`);
  const line = (l: LatencySummary): string => `${l.count} replies, median ${fmtMs(l.medianMs)}, p95 ${fmtMs(l.p95Ms)}, max ${fmtMs(l.maxMs)}`;
  log(`  window's cheap calls (app.status every ${STATUS_EVERY_MS} ms, project.overview every ${2 * STATUS_EVERY_MS} ms) while each step ran: ${line(r.status)}`);
  for (const j of r.status.byJob) log(`    during ${j.job.padEnd(14)} ${line(j)}`);
  log(`  peak RSS: engine process ${fmtMB(r.enginePeakRssMB)} + bridge process ${fmtMB(r.peakRssMB)} = ${fmtMB(combinedPeakMB(r))}`);
  if (r.projectBytes !== undefined) log(`  project file: ${fmtMB(r.projectBytes / 1024 ** 2)} (${fmtInt(r.projectBytes)} bytes, -wal included)`);
  return r;
}

/** Engine + bridge high-water marks added: an upper bound of the two processes' peak together. */
export function combinedPeakMB(r: Pick<E2eReport, 'enginePeakRssMB' | 'peakRssMB'>): number {
  return (r.enginePeakRssMB ?? 0) + r.peakRssMB;
}

function percentile(xs: readonly number[], p: number): number {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}

// ---- the child ------------------------------------------------------------------------------------------

type JobOutcome = { ok: true; result: unknown } | { ok: false; message: string };

/** The renderer's side of /api/events: job.finished / job.failed by job id, kept even when they come first. */
export class EventStream {
  private readonly done = new Map<string, JobOutcome>();
  private readonly waiters = new Map<string, (o: JobOutcome) => void>();
  private readonly abort = new AbortController();
  private closed: Promise<void> = Promise.resolve();

  async open(url: string): Promise<void> {
    const res = await fetch(url, { signal: this.abort.signal });
    if (!res.ok || !res.body) throw new Error(`GET /api/events: ${res.status}`);
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buf = '';
    this.closed = (async () => {
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return;
          buf += value;
          let end: number;
          while ((end = buf.indexOf('\n\n')) >= 0) {
            this.dispatch(buf.slice(0, end));
            buf = buf.slice(end + 2);
          }
        }
      } catch {
        // aborted on close
      }
    })();
  }

  private dispatch(block: string): void {
    let event = '';
    let data = '';
    for (const line of block.split('\n')) {
      if (line.startsWith('event: ')) event = line.slice(7);
      else if (line.startsWith('data: ')) data += line.slice(6);
    }
    if (event !== 'job.finished' && event !== 'job.failed') return;
    const p = JSON.parse(data) as { jobId: string; result?: unknown; error?: { message: string } };
    const outcome: JobOutcome = event === 'job.finished' ? { ok: true, result: p.result } : { ok: false, message: p.error?.message ?? 'failed' };
    const w = this.waiters.get(p.jobId);
    if (w) {
      this.waiters.delete(p.jobId);
      w(outcome);
    } else this.done.set(p.jobId, outcome);
  }

  async job<T>(ref: JobRef): Promise<T> {
    const known = this.done.get(ref.jobId);
    const outcome = known ?? (await new Promise<JobOutcome>((resolve) => this.waiters.set(ref.jobId, resolve)));
    this.done.delete(ref.jobId);
    if (!outcome.ok) throw new Error(`${ref.title}: ${outcome.message}`);
    return outcome.result as T;
  }

  async close(): Promise<void> {
    this.abort.abort();
    await this.closed;
  }
}

async function e2eChild(csv: string, project: string, out: string, epochs: number): Promise<void> {
  for (const f of [project, `${project}-wal`, `${project}-shm`, out]) fs.rmSync(f, { force: true });
  const mode = await benchBrowserMode({ dataDirs: [path.dirname(csv)], projectDirs: [path.dirname(project)], reportsDir: path.dirname(out) });
  const base = `http://127.0.0.1:${mode.port}/api`;
  const events = new EventStream();
  try {
    const post = async <T>(method: string, body: unknown): Promise<T> => (await mode.post<T>(method, body)).result;
    const runJob = async <T>(method: string, body: unknown): Promise<T> => events.job<T>(await post<JobRef>(method, body));
    await events.open(`${base}/events?token=${encodeURIComponent(mode.token)}`);

    const open = await timed(() => post<ProjectOverview>('project.open', { path: project, create: true }));
    const steps: E2eStep[] = [];
    const t0 = performance.now();

    // app.status every 50 ms while a job runs, as input would come: each sent on its tick whether or not the
    // previous ones came back, so a stall in the engine shows in every input that waited on it.
    const latencies: { job: string; ms: number[] }[] = [];
    const polling = async <T>(job: string, fn: () => Promise<T>): Promise<T> => {
      const ms: number[] = [];
      latencies.push({ job, ms });
      const pending = new Set<Promise<void>>();
      let tick = 0;
      const probe = (method: string): void => {
        const s = performance.now();
        const p: Promise<void> = post<unknown>(method, {})
          .then(() => void ms.push(performance.now() - s))
          .catch(() => undefined)
          .finally(() => pending.delete(p));
        pending.add(p);
      };
      const poll = setInterval(() => {
        probe('app.status');
        if (tick++ % 2 === 1) probe('project.overview');
      }, STATUS_EVERY_MS);
      try {
        return await fn();
      } finally {
        clearInterval(poll);
        await Promise.all(pending);
      }
    };

    const imp = await timed(() => polling('data.import', () => runJob<ImportResult>('data.import', { file: csv })));
    const ds = imp.result.dataset;
    steps.push({ step: 'data.import', ms: imp.ms, note: `${fmtInt(ds.rowCount)} rows × ${ds.columns.length} columns` });

    const train = await timed(() =>
      polling('model.train', () => runJob<TrainResult>('model.train', { datasetId: ds.id, settings: { layers: [...E2E_LAYERS], epochs } })),
    );
    const tr = train.result;
    steps.push({ step: `model.train (${E2E_LAYERS.join('-')}, ${epochs} epochs)`, ms: train.ms, note: `${tr.epochs} epochs, ${tr.backend}/${tr.path}` });

    const score = await timed(() => polling('score.run', () => runJob<ScoreResult>('score.run', { modelId: tr.modelId, datasetId: ds.id })));
    steps.push({ step: 'score.run', ms: score.ms, note: `${fmtInt(score.result.rows)} rows` });
    const scoreId = score.result.scoreId;

    const page = await timed(() => polling('score.rank', () => post<RankPage>('score.rank', { scoreId, offset: 0, limit: PAGE })));
    steps.push({ step: `score.rank first page (0, ${PAGE})`, ms: page.ms, note: `${page.result.rows.length} rows of ${fmtInt(page.result.total)}` });

    const heat = await timed(() => polling('score.heatmap', () => post<Heatmap>('score.heatmap', { scoreId, order: 'rank', start: 0, end: score.result.rows, bands: BANDS })));
    steps.push({ step: `score.heatmap all rows, ${BANDS} bands`, ms: heat.ms, note: `${heat.result.bands.length} bands × ${heat.result.columns.length} columns` });

    const rep = await timed(() =>
      polling('report.export', () => runJob<ReportResult>('report.export', { modelId: tr.modelId, datasetId: ds.id, top: REPORT_TOP, paper: 'a4', out })),
    );
    steps.push({ step: `report.export (A4, top ${REPORT_TOP})`, ms: rep.ms, note: `${rep.result.pages} pages, ${fmtInt(rep.result.bytes / 1024)} KiB` });
    const totalMs = performance.now() - t0;

    const status = await post<AppStatus>('app.status', {});
    const b = status.backend;
    const report: Omit<E2eReport, 'peakRssMB'> = {
      rows: ds.rowCount,
      cols: ds.columns.length,
      openMs: open.ms,
      steps,
      totalMs,
      backend: b ? `${b.name}${b.name === 'wasm' ? ` (SIMD ${b.simd ? 'on' : 'off'}, threads ${b.threads ? 'on' : 'off'})` : ''}` : 'none initialised',
      train: { epochs: tr.epochs, samplesPerSecond: tr.samplesPerSecond, path: tr.path },
      trainedRows: await (async () => {
        const { model } = await post<{ model: ModelInfo }>('model.get', { modelId: tr.modelId });
        return { used: model.split.train + model.split.validation, rows: model.split.rows, sampleRows: model.settings.sampleRows };
      })(),
      status: { ...summarize(latencies.flatMap((l) => l.ms)), byJob: latencies.map((l) => ({ job: l.job, ...summarize(l.ms) })) },
      enginePeakRssMB: peakRssOfPid(mode.enginePid()),
    };
    reportFromChild(report);
  } finally {
    await events.close();
    await mode.close();
  }
}

if (isMain(import.meta.url)) {
  const args = process.argv.slice(2);
  if (args[0] === '--child') {
    const [, role, csv, project, out, epochs] = args;
    if (role === 'e2e') await e2eChild(csv!, project!, out!, Number(epochs));
    else throw new Error(`unknown bench child role ${role}`);
  } else {
    const flag = (name: string): string | undefined => flagValue(args, name);
    await benchE2e({
      ...(flag('--rows') ? { rows: Number(flag('--rows')) } : {}),
      ...(flag('--cols') ? { cols: Number(flag('--cols')) } : {}),
      ...(flag('--epochs') ? { epochs: Number(flag('--epochs')) } : {}),
      dir: flag('--dir') ?? defaultBenchDir(),
    });
  }
}
