/**
 * Ranking at scale (issue #5): the time to the first ranked page, and the other views the ranking screen asks for,
 * on a project that holds the bench CSV (1M × 30 by default), a small autoencoder trained briefly on it, and its score.
 *
 * Three child processes, so that each figure has its own process state and peak RSS:
 * - build: import, trainModel, scoreDataset on the best backend that loads (or RESIDUAL_BACKEND's). The project is
 *   kept in the bench folder under a name made of its parameters and a fingerprint of the code that wrote it, and
 *   reused by later runs (--rebuild builds it again); its training and scoring figures are then those of the run
 *   that built it, and are reported as such.
 * - queries: a new Workbench opened on the project, as the app's engine process does. Each view is timed on its
 *   first call in the process (nothing cached in the process; the project file is probably in the OS page cache)
 *   and warm (median of the repeats that follow).
 * - bridge: what `residual serve` runs (EngineClient over forkEngine, createHost, startBridge), and the first page
 *   over HTTP: end to end, with the IPC hop to a freshly started engine process.
 *
 *   npx tsx bench/ranking.ts [--rows N] [--cols N] [--dir D] [--rebuild]
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Distribution, Heatmap, RankPage, RowDetail } from '../src-main/contract';
import type { BackendInfo } from '../src-main/core/engine';
import { ensureBenchCsv } from './import';
import { benchBrowserMode, defaultBenchDir, flagValue, fmtInt, fmtMB, fmtMs, isMain, median, peakRssOfPid, repoRoot, reportFromChild, runChild, timed } from './util';

const here = fileURLToPath(import.meta.url);

export interface RankingOptions {
  readonly rows?: number;
  readonly cols?: number;
  /** Holds the generated CSV and the cached project. */
  readonly dir: string;
  /** Build the project again even when the cache has it. */
  readonly rebuild?: boolean;
  /** Timed calls after the first one, per view. Default 5. */
  readonly repeats?: number;
  readonly log?: (line: string) => void;
}

/** The model the bench trains: small and brief, the ranking's cost does not depend on it. */
export const RANKING_MODEL = { layers: [16, 8], epochs: 1, validation: 0.1, seed: 0 } as const;

export interface BuildReport {
  readonly rows: number;
  readonly cols: number;
  readonly backend: BackendInfo;
  readonly importSeconds: number;
  readonly train: { readonly modelId: number; readonly epochs: number; readonly seconds: number; readonly samplesPerSecond: number };
  readonly score: { readonly scoreId: number; readonly seconds: number; readonly rowsPerSecond: number };
  readonly builtAt: string;
  readonly peakRssMB: number;
}

/** One view: its first call in a fresh process, and the median of the warm repeats. */
export interface ViewTiming {
  readonly firstMs: number;
  readonly warmMs: number;
  /**
   * CPU time (user + system) of the process over the same calls, where the whole call runs in it: wall time
   * minus the waiting for a core that other work on a shared machine causes. Absent for the bridge (two processes).
   */
  readonly firstCpuMs?: number;
  readonly warmCpuMs?: number;
}

export interface QueriesReport {
  readonly scoreId: number;
  readonly rows: number;
  readonly openMs: number;
  readonly rankFirst: ViewTiming & { readonly pageLength: number; readonly total: number };
  readonly rankDeep: ViewTiming & { readonly offset: number; readonly pageLength: number; readonly firstRank: number };
  readonly rankFiltered: ViewTiming & { readonly pageLength: number; readonly total: number };
  readonly distribution: ViewTiming & { readonly bins: number };
  readonly heatmap: ViewTiming & { readonly bands: number; readonly rowsPerBand: number; readonly columns: number };
  readonly rowDetail: ViewTiming & { readonly rows: number };
  /** Backend row.detail initialised (it recomputes the rows' reconstruction). */
  readonly backend: BackendInfo | null;
  readonly peakRssMB: number;
}

export interface BridgeReport {
  /** project.open through HTTP, which starts the engine process (the first call of `residual serve`). */
  readonly openMs: number;
  readonly rankFirst: ViewTiming & { readonly pageLength: number; readonly bytes: number };
  readonly enginePeakRssMB: number | null;
  /** The bridge's own process (main's role under `residual serve`). */
  readonly peakRssMB: number;
}

export interface RankingResult {
  readonly project: string;
  /** False when the project came from the cache: then `build` holds the figures of the run that built it. */
  readonly builtNow: boolean;
  readonly build: BuildReport;
  readonly queries: QueriesReport;
  readonly bridge: BridgeReport;
}

const PAGE = 100;
const BANDS = 200;
const DETAIL_ROWS = 10;

/**
 * The cached project's file name: every parameter that changes its content, and a fingerprint of the code that
 * writes it (store, import, engine), so a project built by older code is never measured as if it were current.
 */
export function projectName(rows: number, cols: number): string {
  const m = RANKING_MODEL;
  const backend = process.env['RESIDUAL_BACKEND']?.trim() || 'auto';
  return `ranking-${rows}x${cols}-ae${m.layers.join('_')}-e${m.epochs}-v${m.validation}-s${m.seed}-${backend}-${codeFingerprint()}.residual`;
}

function codeFingerprint(): string {
  const hash = crypto.createHash('sha256');
  for (const part of ['store', 'data', 'engine']) {
    const root = path.join(repoRoot, 'src-main', 'core', part);
    const files = (fs.readdirSync(root, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts')).sort();
    for (const f of files) hash.update(`${part}/${f}\0`).update(fs.readFileSync(path.join(root, f)));
  }
  return hash.digest('hex').slice(0, 10);
}

export async function benchRanking(opts: RankingOptions): Promise<RankingResult> {
  const rows = opts.rows ?? 1_000_000;
  const cols = opts.cols ?? 30;
  const repeats = opts.repeats ?? 5;
  const log = opts.log ?? console.log;
  const csv = ensureBenchCsv(opts.dir, rows, cols);
  const project = path.join(opts.dir, projectName(rows, cols));
  const meta = `${project}.build.json`;

  let build: BuildReport;
  let builtNow = false;
  if (!opts.rebuild && fs.existsSync(project) && fs.existsSync(meta)) {
    build = JSON.parse(fs.readFileSync(meta, 'utf8')) as BuildReport;
    log(`project: reusing ${project} (built ${build.builtAt}; --rebuild to build and measure it again)`);
  } else {
    log(`project: building ${project} (import, train ${RANKING_MODEL.layers.join('-')} for ${RANKING_MODEL.epochs} epoch, score) …`);
    // Projects of the same size built by other code or settings are stale: they go (each is hundreds of MB at 1M rows).
    for (const f of fs.readdirSync(opts.dir)) {
      if (f.startsWith(`ranking-${rows}x${cols}-`) && !f.endsWith('.tmp')) fs.rmSync(path.join(opts.dir, f), { force: true });
    }
    const tmp = `${project}.${process.pid}.tmp`;
    try {
      build = await runChild<BuildReport>(here, 'build', [csv, tmp]);
      fs.renameSync(tmp, project);
    } finally {
      for (const f of [tmp, `${tmp}-wal`, `${tmp}-shm`]) fs.rmSync(f, { force: true });
    }
    fs.writeFileSync(meta, JSON.stringify(build, null, 2));
    builtNow = true;
  }
  const b = build;
  const when = builtNow ? 'this run' : `cached build of ${b.builtAt}`;
  log(`  backend: ${describeBackend(b.backend)}`);
  log(`  training at ${fmtInt(b.rows)} rows (${when}): ${fmtInt(b.train.samplesPerSecond)} samples/s over ${b.train.epochs} epoch, ${b.train.seconds.toFixed(1)} s in all`);
  log(`  scoring at ${fmtInt(b.rows)} rows (${when}): ${fmtInt(b.score.rowsPerSecond)} rows/s, ${b.score.seconds.toFixed(1)} s`);
  log(`  build process peak RSS: ${fmtMB(b.peakRssMB)}`);

  const q = await runChild<QueriesReport>(here, 'queries', [project, String(repeats)]);
  const cpu = (ms: number | undefined): string => (ms === undefined ? '' : ` (cpu ${fmtMs(ms)})`.padEnd(17));
  const line = (label: string, t: ViewTiming, note = ''): void =>
    log(
      `  ${label.padEnd(40)} first ${fmtMs(t.firstMs).padStart(8)}${cpu(t.firstCpuMs)}   warm ${fmtMs(t.warmMs).padStart(8)}${cpu(t.warmCpuMs)}${note ? `   ${note}` : ''}`,
    );
  log(`Workbench in a fresh process (project.open ${fmtMs(q.openMs)}), score #${q.scoreId}, ${fmtInt(q.rows)} rows.`);
  log(`  first = first call in that process (nothing cached in it; the project file is likely in the OS page cache); warm = median of ${repeats} more;`);
  log('  wall-clock, with the process\'s CPU time (user + system) beside it: the difference is waiting for a core.');
  line(`score.rank first page (0, ${PAGE})`, q.rankFirst, `${q.rankFirst.pageLength} rows of ${fmtInt(q.rankFirst.total)}`);
  line(`score.rank deep page (${fmtInt(q.rankDeep.offset)}, ${PAGE})`, q.rankDeep, `${q.rankDeep.pageLength} rows from rank ${fmtInt(q.rankDeep.firstRank)}`);
  line(`score.rank flagged & unreviewed (0, ${PAGE})`, q.rankFiltered, `${q.rankFiltered.pageLength} rows of ${fmtInt(q.rankFiltered.total)} matching`);
  line(`score.distribution (${q.distribution.bins} bins)`, q.distribution);
  line(`score.heatmap all rows, ${BANDS} bands`, q.heatmap, `${q.heatmap.bands} bands × ${q.heatmap.columns} columns, ${fmtInt(q.heatmap.rowsPerBand)} rows/band`);
  line(`row.detail (${q.rowDetail.rows} rows)`, q.rowDetail, `first call initialises the backend: ${describeBackend(q.backend).split(';')[0]}`);
  log(`  query process peak RSS: ${fmtMB(q.peakRssMB)}`);

  const br = await runChild<BridgeReport>(here, 'bridge', [project, String(repeats)]);
  log(`HTTP bridge → host → engine process (residual serve's stack):`);
  log(`  ${'project.open (starts the engine process)'.padEnd(40)} ${fmtMs(br.openMs)}`);
  line(`score.rank first page (0, ${PAGE})`, br.rankFirst, `${br.rankFirst.pageLength} rows, ${fmtInt(br.rankFirst.bytes / 1024)} KiB of JSON`);
  log(`  peak RSS: engine process ${fmtMB(br.enginePeakRssMB)}, bridge process ${fmtMB(br.peakRssMB)}`);
  return { project, builtNow, build, queries: q, bridge: br };
}

export function describeBackend(b: BackendInfo | null): string {
  if (!b) return 'none initialised';
  const skipped = b.attempts.filter((a) => !a.ok).map((a) => `${a.name}: ${a.error ?? 'failed'}`);
  const wasm = b.name === 'wasm' ? ` (SIMD ${b.simd ? 'on' : 'off'}, threads ${b.threads ? 'on' : 'off'})` : '';
  return `${b.name}${wasm}${b.forced ? ', forced' : ''}, tfjs ${b.tfjsVersion}${skipped.length ? `; skipped ${skipped.join('; ')}` : ''}`;
}

// ---- the children ---------------------------------------------------------------------------------------

async function buildChild(csv: string, project: string): Promise<void> {
  const { ProjectStore } = await import('../src-main/core/store');
  const { importDataset } = await import('../src-main/core/data');
  const { initBackend, scoreDataset, trainModel } = await import('../src-main/core/engine');
  for (const f of [project, `${project}-wal`, `${project}-shm`]) fs.rmSync(f, { force: true });
  const store = ProjectStore.open(project, { create: true });
  try {
    const t0 = performance.now();
    const { dataset } = await importDataset(store, csv, { name: path.basename(csv, '.csv') });
    const importSeconds = (performance.now() - t0) / 1000;
    const backend = await initBackend();
    const m = RANKING_MODEL;
    const trained = await trainModel(store, { dataset: dataset.id, settings: { layers: [...m.layers], epochs: m.epochs, validation: m.validation, seed: m.seed } });
    const scored = await scoreDataset(store, { modelId: trained.modelId, dataset: dataset.id });
    const report: Omit<BuildReport, 'peakRssMB'> = {
      rows: dataset.rowCount,
      cols: dataset.columns.length,
      backend,
      importSeconds,
      train: { modelId: trained.modelId, epochs: trained.epochs, seconds: trained.seconds, samplesPerSecond: trained.samplesPerSecond },
      score: { scoreId: scored.scoreId, seconds: scored.seconds, rowsPerSecond: scored.rowsPerSecond },
      builtAt: new Date().toISOString(),
    };
    store.close();
    reportFromChild(report);
  } catch (e) {
    store.close();
    throw e;
  }
}

/** Times the first call and `repeats` more (medians), in wall-clock and this process's CPU time. */
async function view<T>(repeats: number, call: () => Promise<T>): Promise<{ timing: Required<ViewTiming>; result: T }> {
  const once = async (): Promise<{ ms: number; cpuMs: number; result: T }> => {
    const cpu = process.cpuUsage();
    const t = await timed(call);
    const used = process.cpuUsage(cpu);
    return { ...t, cpuMs: (used.user + used.system) / 1000 };
  };
  const first = await once();
  const warm: { ms: number; cpuMs: number }[] = [];
  for (let i = 0; i < repeats; i++) warm.push(await once());
  const med = (k: 'ms' | 'cpuMs'): number => (warm.length ? median(warm.map((w) => w[k])) : first[k]);
  return { timing: { firstMs: first.ms, warmMs: med('ms'), firstCpuMs: first.cpuMs, warmCpuMs: med('cpuMs') }, result: first.result };
}

async function queriesChild(project: string, repeats: number): Promise<void> {
  const { Workbench } = await import('../src-main/core/workbench/workbench');
  const { backendInfo } = await import('../src-main/core/engine');
  const wb = new Workbench(() => undefined, { mode: 'browser' });
  try {
    const open = await timed(() => wb.invoke('project.open', { path: project }));
    const score = open.result.scores.at(-1);
    if (!score) throw new Error(`${project} holds no score`);
    const { scoreId, rows } = score;
    const rank = (offset: number, filter?: { flagged: boolean; unreviewed: boolean }) => (): Promise<RankPage> =>
      wb.invoke('score.rank', { scoreId, offset, limit: PAGE, ...(filter ? { filter } : {}) });

    const first = await view(repeats, rank(0));
    const deepOffset = Math.min(Math.floor(rows * 0.9), Math.max(0, rows - PAGE));
    const deep = await view(repeats, rank(deepOffset));
    const filtered = await view(repeats, rank(0, { flagged: true, unreviewed: true }));
    const dist = await view<Distribution>(repeats, () => wb.invoke('score.distribution', { scoreId }));
    const heat = await view<Heatmap>(repeats, () => wb.invoke('score.heatmap', { scoreId, order: 'rank', start: 0, end: rows, bands: BANDS }));
    const detailRows = first.result.rows.slice(0, DETAIL_ROWS).map((r) => r.row);
    const detail = await view<RowDetail[]>(repeats, () => wb.invoke('row.detail', { scoreId, rows: detailRows }));

    const report: Omit<QueriesReport, 'peakRssMB'> = {
      scoreId,
      rows,
      openMs: open.ms,
      rankFirst: { ...first.timing, pageLength: first.result.rows.length, total: first.result.total },
      rankDeep: { ...deep.timing, offset: deepOffset, pageLength: deep.result.rows.length, firstRank: deep.result.rows[0]?.rank ?? 0 },
      rankFiltered: { ...filtered.timing, pageLength: filtered.result.rows.length, total: filtered.result.total },
      distribution: { ...dist.timing, bins: dist.result.histogram.counts.length },
      heatmap: { ...heat.timing, bands: heat.result.bands.length, rowsPerBand: heat.result.rowsPerBand, columns: heat.result.columns.length },
      rowDetail: { ...detail.timing, rows: detail.result.length },
      backend: backendInfo(),
    };
    reportFromChild(report);
  } finally {
    await wb.close();
  }
}

async function bridgeChild(project: string, repeats: number): Promise<void> {
  const mode = await benchBrowserMode({ projectDirs: [path.dirname(project)] });
  try {
    const post = mode.post;
    const open = await timed(() => post<{ scores: { scoreId: number }[] }>('project.open', { path: project }));
    const scoreId = open.result.result.scores.at(-1)?.scoreId;
    if (scoreId === undefined) throw new Error(`${project} holds no score`);
    const page = await view(repeats, () => post<RankPage>('score.rank', { scoreId, offset: 0, limit: PAGE }));
    const report: Omit<BridgeReport, 'peakRssMB'> = {
      openMs: open.ms,
      rankFirst: { firstMs: page.timing.firstMs, warmMs: page.timing.warmMs, pageLength: page.result.result.rows.length, bytes: page.result.bytes },
      enginePeakRssMB: peakRssOfPid(mode.enginePid()),
    };
    reportFromChild(report);
  } finally {
    await mode.close();
  }
}

if (isMain(import.meta.url)) {
  const args = process.argv.slice(2);
  if (args[0] === '--child') {
    const [, role, a, b] = args;
    if (role === 'build') await buildChild(a!, b!);
    else if (role === 'queries') await queriesChild(a!, Number(b));
    else if (role === 'bridge') await bridgeChild(a!, Number(b));
    else throw new Error(`unknown bench child role ${role}`);
  } else {
    const flag = (name: string): string | undefined => flagValue(args, name);
    await benchRanking({
      ...(flag('--rows') ? { rows: Number(flag('--rows')) } : {}),
      ...(flag('--cols') ? { cols: Number(flag('--cols')) } : {}),
      dir: flag('--dir') ?? defaultBenchDir(),
      rebuild: args.includes('--rebuild'),
    });
  }
}
