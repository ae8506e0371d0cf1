import fs from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { parseRequest, rankingFormatOf, type AppStatus, type Deleted, type Events, type HostMode, type MethodName, type Methods, type ProjectOverview, type Reply } from '../../contract';
import { previewFile } from '../data';
import { explainRows, getHistory, getModel, getScore, initBackend, listModels, listScores, parseOverrides, proposeSettings, readLabels } from '../engine';
import { canScore } from '../engine/columns';
import { resolveSettings } from '../engine/settings';
import { describeSettings } from '../engine/wizard';
import { ResidualError } from '../errors';
import { exportModelOnnx } from '../export/onnx';
import { listReports } from '../report';
import { anomalyProfile, changeVerdict, computeThreshold, evaluateScore, knownLabels, resolveRow, restoreVerdict, saveThreshold, verdictsOf } from '../review';
import { listTrash, ProjectStore, purgeTrash, restoreItem, trashedIds, trashItem, type TrashEntry } from '../store';
import { readRows } from '../store/store';
import { RESIDUAL_VERSION } from '../version';
import { JobQueue, type Emit } from './jobs';
import { InlineRunner, type JobRunner } from './runner';
import { rankingOverlap } from './compare';
import { heatmapScale } from './heatmap-scale';
import { latentView } from './latent';
import { ImageViews } from './images';
import { rowIds, ScoreViews } from './queries';
import { readRecentProjects, recordRecentProject } from './recent';

/** How long a delete can be undone before it is carried out for good (WorkbenchOptions.undoWindowMs). */
export const UNDO_WINDOW_MS = 30_000;

/** Per usable model, the datasets it can score (every column it was trained on is there); what is in the trash left out. */
function scorable(store: ProjectStore, hidden: ReturnType<typeof trashedIds>): ProjectOverview['scorable'] {
  const datasets = store.listDatasets().filter((d) => !hidden.datasets.has(d.id));
  return listModels(store)
    .filter((m) => m.status !== 'failed' && !hidden.models.has(m.id))
    .map((m) => {
      const pp = getModel(store, m.id).preprocessing;
      return { modelId: m.id, datasetIds: datasets.filter((d) => canScore(d, pp)).map((d) => d.id) };
    });
}

type Handlers = { [M in MethodName]: (req: z.output<Methods[M]['request']>) => Promise<Reply<M>> | Reply<M> };

export interface WorkbenchOptions {
  readonly mode: HostMode;
  /** Where reports and exports (CSV, Parquet, ONNX) go when the request names no file; default beside the project. */
  readonly reportsDir?: string;
  /** Where jobs run; default this thread. The engine process gives them a thread of their own (WorkerRunner). */
  readonly runner?: JobRunner;
  /** The recent-projects file (in Residual's home folder): each opened project is recorded there; project.list reads it. */
  readonly recentFile?: string;
  /** Where a page creates a new project by name (project.list says so). */
  readonly projectsDir?: string;
  /** Browser mode's uploads folder: a file imported from it is recorded by its file name, not its temporary path. */
  readonly uploadsDir?: string;
  /** How long a deleted dataset or model stays in the trash, undoable; default UNDO_WINDOW_MS. */
  readonly undoWindowMs?: number;
  /**
   * Whether this workbench carries out the trash's deletes (when their window passes, when the project closes, and
   * expired ones when it opens). Default true; the engine's query thread, which never writes, says false.
   */
  readonly purgesTrash?: boolean;
}

/**
 * The one service behind the contract: IPC (through the engine process), the HTTP bridge and tests all call
 * `invoke`. It owns the open project: a read connection for queries and small writes, and a connection per job,
 * so a job's long transaction is never shared with (or rolled back together with) the analyst's verdicts.
 */
export class Workbench {
  private store: ProjectStore | null = null;
  private readonly jobs: JobQueue;
  private readonly views = new ScoreViews(() => this.project());
  private readonly images = new ImageViews(() => this.project(), this.views);
  private readonly runner: JobRunner;
  /** Timers that carry out pending deletes when their undo window has passed, by trash entry. */
  private readonly purgeTimers = new Map<number, ReturnType<typeof setTimeout>>();

  constructor(
    private readonly emit: Emit,
    private readonly options: WorkbenchOptions,
  ) {
    this.runner = options.runner ?? new InlineRunner();
    this.runner.onBackend((backend) => emit('engine.backend', backend));
    this.jobs = new JobQueue(
      (event, payload) => {
        // Finished jobs change what the project holds; cached views of old scores are dropped.
        if (event === 'job.finished') this.views.forget();
        emit(event, payload);
      },
      (task, signal, progress) => this.runner.run(task, signal, progress),
    );
  }

  /** Validates the payload against the contract, then runs the method. */
  async invoke<M extends MethodName>(name: M, payload: unknown): Promise<Reply<M>> {
    const req = parseRequest(name, payload);
    if (name !== 'trash.restore') this.refuseTrashed(req as Record<string, unknown>);
    const handler = this.handlers[name] as (r: typeof req) => Promise<Reply<M>> | Reply<M>;
    return handler(req);
  }

  async close(): Promise<void> {
    this.jobs.cancelAll();
    await this.jobs.idle();
    // Closing ends every undo window: what is in the trash is deleted for good.
    this.purge();
    this.store?.close();
    this.store = null;
    await this.runner.close();
  }

  /** Opens (or creates) a project file; refuses while jobs of the current one are running. */
  openProject(file: string, create = false): ProjectOverview {
    if (this.jobs.list().length > 0) throw new ResidualError('CONFLICT', 'Wait for the running jobs to finish (or cancel them) before opening another project.');
    const next = ProjectStore.open(file, { create });
    // Queries never wait on a job's write lock: small writes retry asynchronously instead (see `write`).
    next.waitForLocks(false);
    // Leaving a project ends its undo windows.
    this.purge();
    this.store?.close();
    this.store = next;
    this.views.forget();
    if (this.purgesTrash) {
      // Deletes whose window passed while no Residual had the project open (it was closed abruptly) are carried out
      // now; the rest wait for their time.
      this.purge(new Date(Date.now() - this.undoWindowMs));
      for (const e of this.trash()) this.schedulePurge(e);
    }
    if (this.options.recentFile) {
      try {
        recordRecentProject(this.options.recentFile, next.path);
      } catch {
        // The recent list is a convenience: a read-only home folder must not stop a project from opening.
      }
    }
    this.emit('project.changed', { path: next.path });
    return this.overview();
  }

  /** Drops cached views of scores (another thread changed what the project holds). */
  forgetViews(): void {
    this.views.forget();
  }

  /** Whether `file` is an upload (inside browser mode's uploads folder). */
  private fromUploads(file: string): boolean {
    const root = this.options.uploadsDir;
    if (!root) return false;
    const rel = path.relative(path.resolve(root), path.resolve(file));
    return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
  }

  private get undoWindowMs(): number {
    return this.options.undoWindowMs ?? UNDO_WINDOW_MS;
  }

  private get purgesTrash(): boolean {
    return this.options.purgesTrash ?? true;
  }

  private trash(): TrashEntry[] {
    try {
      return this.store ? listTrash(this.store) : [];
    } catch {
      return [];
    }
  }

  /**
   * Carries out the pending deletes made at or before `cutoff` (all without one), each in one transaction. A write
   * lock held by another program leaves them for later (the next timer, close or open), never half-done.
   */
  private purge(cutoff?: Date): void {
    if (!this.store || !this.purgesTrash) return;
    try {
      const done = purgeTrash(this.store, cutoff);
      for (const e of done) {
        clearTimeout(this.purgeTimers.get(e.id));
        this.purgeTimers.delete(e.id);
      }
      if (done.length) this.views.forget();
    } catch (e) {
      if (!(e instanceof ResidualError && e.code === 'CONFLICT') && !String((e as { code?: unknown }).code).startsWith('SQLITE_BUSY')) throw e;
    }
  }

  /** Carries out the delete when its undo window has passed (a busy project: retried by `write` for up to a minute). */
  private schedulePurge(entry: TrashEntry): void {
    if (!this.purgesTrash) return;
    clearTimeout(this.purgeTimers.get(entry.id));
    const due = Date.parse(entry.deletedAt) + this.undoWindowMs;
    const store = this.store;
    const timer = setTimeout(() => {
      this.purgeTimers.delete(entry.id);
      if (this.store !== store || !store) return;
      this.write((s) => purgeTrash(s, new Date(due)))
        .then((done) => {
          if (done.length) this.views.forget();
        })
        .catch(() => undefined);
    }, Math.max(0, due - Date.now()));
    timer.unref?.();
    this.purgeTimers.set(entry.id, timer);
  }

  private deleted(e: TrashEntry): Deleted {
    return { trashId: e.id, kind: e.kind, id: e.targetId, name: e.name, deletedAt: e.deletedAt, undoUntil: new Date(Date.parse(e.deletedAt) + this.undoWindowMs).toISOString() };
  }

  /** A request naming a dataset, model or score of either that is in the trash: NOT_FOUND, as it will be for good. */
  private refuseTrashed(req: Record<string, unknown>): void {
    if (!this.store || !('datasetId' in req || 'modelId' in req || 'scoreId' in req || 'scoreIds' in req)) return;
    const hidden = trashedIds(this.store);
    if (hidden.datasets.size === 0 && hidden.models.size === 0) return;
    const gone = (kind: 'dataset' | 'model', id: unknown): never | void => {
      if (typeof id !== 'number' || !(kind === 'dataset' ? hidden.datasets : hidden.models).has(id)) return;
      const entry = this.trash().find((e) => e.kind === kind && e.targetId === id);
      throw new ResidualError('NOT_FOUND', `The ${kind} "${entry?.name ?? `#${id}`}" has been deleted${entry ? ' (it can still be undone for a few seconds)' : ''}.`, { field: `${kind}Id` });
    };
    gone('dataset', req['datasetId']);
    gone('model', req['modelId']);
    const scoreIds = [...(typeof req['scoreId'] === 'number' ? [req['scoreId']] : []), ...(Array.isArray(req['scoreIds']) ? (req['scoreIds'] as unknown[]) : [])];
    for (const scoreId of scoreIds) {
      const s = this.store.prepared('SELECT model_id, dataset_id FROM scores WHERE id = ?').get(scoreId) as { model_id: number; dataset_id: number } | undefined;
      if (!s) continue;
      gone('dataset', s.dataset_id);
      gone('model', s.model_id);
    }
  }

  private project(): ProjectStore {
    if (!this.store) throw new ResidualError('NOT_FOUND', 'No project is open. Open or create a project first (File ▸ Open project…).');
    return this.store;
  }

  /** The project as the analyst sees it: what is in the trash is left out (and no longer linked from what remains). */
  private overview(): ProjectOverview {
    const store = this.project();
    const hidden = trashedIds(store);
    const ds = (id: number | null): number | null => (id !== null && hidden.datasets.has(id) ? null : id);
    const model = (id: number | null): number | null => (id !== null && hidden.models.has(id) ? null : id);
    return {
      path: store.path,
      name: path.basename(store.path, path.extname(store.path)),
      schemaVersion: store.schemaVersion,
      datasets: store.listDatasets().filter((d) => !hidden.datasets.has(d.id)),
      models: listModels(store)
        .filter((m) => !hidden.models.has(m.id))
        .map((m) => (ds(m.datasetId) === m.datasetId ? m : { ...m, datasetId: null })),
      scores: listScores(store).filter((s) => !hidden.models.has(s.modelId) && !hidden.datasets.has(s.datasetId)),
      reports: listReports(store).map((r) => (ds(r.datasetId) === r.datasetId && model(r.modelId) === r.modelId ? r : { ...r, datasetId: ds(r.datasetId), modelId: model(r.modelId) })),
      scorable: scorable(store, hidden),
    };
  }

  /** Puts a dataset or model into the trash (undoable until its window passes) and tells every window. */
  private async trashOne(kind: 'dataset' | 'model', id: number, name: string): Promise<Deleted> {
    const entry = await this.write((store) => trashItem(store, kind, id, name));
    this.schedulePurge(entry);
    this.views.forget();
    this.emit('project.changed', { path: this.project().path });
    return this.deleted(entry);
  }

  /** A small write that may meet a job's open write transaction: ProjectStore.write's retry, for up to `timeoutMs`. */
  private write<T>(fn: (store: ProjectStore) => T, timeoutMs = 60_000): Promise<T> {
    const store = this.project();
    return store.write(() => fn(store), timeoutMs);
  }

  private readonly handlers: Handlers = {
    'app.status': (): AppStatus => ({
      version: RESIDUAL_VERSION,
      mode: this.options.mode,
      backend: this.runner.backend(),
      projectPath: this.store?.path ?? null,
      jobs: this.jobs.list(),
    }),
    'project.open': (r) => this.openProject(r.path, r.create ?? false),
    'project.overview': () => this.overview(),
    'project.list': () => ({
      recent: this.options.recentFile ? readRecentProjects(this.options.recentFile).filter((p) => fs.existsSync(p.path)) : [],
      projectsDir: this.options.projectsDir ?? null,
    }),

    'data.preview': (r) => previewFile(r.file, r.options ?? {}),
    'data.import': (r) => {
      this.project();
      return this.jobs.submit({
        kind: 'import',
        title: `Import ${path.basename(r.file)}`,
        task: { kind: 'import', project: this.project().path, file: r.file, options: r.options ?? {}, ...(this.fromUploads(r.file) ? { sourceName: path.basename(r.file) } : {}) },
      });
    },
    'data.setRole': async (r) => {
      await this.write((store) => store.setColumnRole(r.datasetId, r.column, r.role, r.positiveValue));
      this.views.forget();
      return this.project().getDataset(r.datasetId);
    },
    'data.delete': (r) => this.trashOne('dataset', r.datasetId, this.project().getDataset(r.datasetId).name),
    'data.findRow': (r) => ({ row: resolveRow(this.project(), this.project().getDataset(r.datasetId), r.ref) }),
    'data.rows': (r) => {
      const store = this.project();
      const ds = store.getDataset(r.datasetId);
      const values = readRows(store, ds, r.rows);
      return {
        columns: ds.columns.map((c) => ({ name: c.name, role: c.role, valueKind: c.valueKind })),
        rows: r.rows.map((row, i) => ({ row, values: values[i]! })),
      };
    },

    'model.propose': (r) => proposeSettings(this.project().getDataset(r.datasetId)),
    'model.check': (r) => {
      const ds = this.project().getDataset(r.datasetId);
      const { settings } = resolveSettings(ds, parseOverrides(r.settings));
      return { ...describeSettings(ds, settings), settings };
    },
    'model.train': (r) => {
      const ds = this.project().getDataset(r.datasetId);
      const settings = parseOverrides(r.settings);
      // Everything that can be known before training (the data's columns, the network's size) is refused now, not
      // after the job has started.
      resolveSettings(ds, settings);
      return this.jobs.submit({
        kind: 'train',
        title: `Train ${settings.kind ?? 'autoencoder'} on ${ds.name}`,
        task: { kind: 'train', project: this.project().path, dataset: ds.id, settings, ...(r.name ? { name: r.name } : {}) },
      });
    },
    'model.get': (r) => ({ model: getModel(this.project(), r.modelId), history: getHistory(this.project(), r.modelId) }),
    'model.latent': (r) => latentView(this.project(), r),
    'model.delete': (r) => this.trashOne('model', r.modelId, getModel(this.project(), r.modelId).name),
    'model.exportOnnx': (r) => {
      const store = this.project();
      const model = getModel(store, r.modelId);
      const slug = (v: string): string => v.replace(/[^\w.-]+/g, '_').replace(/^[._]+/, '').slice(0, 60) || 'model';
      const dir = this.options.reportsDir ?? path.dirname(store.path);
      const out = r.out ?? path.join(dir, `${slug(path.basename(store.path, '.residual'))}-model-${model.id}-${slug(model.kind)}.onnx`);
      return exportModelOnnx(store, r.modelId, out);
    },
    'trash.restore': async (r) => {
      const entry = await this.write((store) => restoreItem(store, r.trashId));
      clearTimeout(this.purgeTimers.get(entry.id));
      this.purgeTimers.delete(entry.id);
      this.views.forget();
      this.emit('project.changed', { path: this.project().path });
      return { kind: entry.kind, id: entry.targetId, name: entry.name };
    },

    'score.run': (r) => {
      const store = this.project();
      const ds = store.getDataset(r.datasetId);
      getModel(store, r.modelId);
      return this.jobs.submit({
        kind: 'score',
        title: `Score ${ds.name} with model #${r.modelId}`,
        task: { kind: 'score', project: store.path, modelId: r.modelId, dataset: ds.id },
      });
    },
    'score.rank': (r) => this.views.rankPage(r.scoreId, r.offset, r.limit, r.filter),
    'score.find': (r) => this.views.findRow(r.scoreId, r.id, r.filter),
    'score.distribution': (r) => this.views.distribution(r.scoreId, r.bins),
    'score.thresholdPreview': (r) => computeThreshold(this.project(), r.scoreId, r.spec),
    'score.thresholdSave': (r) => this.write((store) => saveThreshold(store, r.scoreId, r.spec)),
    'score.evaluate': (r) => {
      const store = this.project();
      const ds = store.getDataset(listScores(store).find((s) => s.scoreId === r.scoreId)?.datasetId ?? -1);
      if (!knownLabels(store, ds)) return null;
      return evaluateScore(store, r.scoreId, r.threshold !== undefined ? { threshold: r.threshold } : {});
    },
    'score.profile': (r) => anomalyProfile(this.project(), r.scoreId, r.threshold),
    'score.timeline': (r) => this.views.timeline(r.scoreId, r.points),
    'score.heatmap': (r) => this.views.heatmap(r.scoreId, r.order, r.start, r.end, r.bands, r.normalized ?? true),
    'score.heatmapScale': (r) => heatmapScale(this.project(), r.scoreId, r.normalized ?? true),
    'score.overlap': (r) => rankingOverlap(this.project(), r.scoreIds, r.k),

    'row.detail': async (r) => {
      const store = this.project();
      await initBackend();
      const explanations = await explainRows(store, r.scoreId, r.rows, 100);
      const score = listScores(store).find((s) => s.scoreId === r.scoreId)!;
      const ds = store.getDataset(score.datasetId);
      const ids = rowIds(store, ds, r.rows);
      const ranks = this.views.ranksOf(r.scoreId, r.rows);
      // The label column as imported, like score.rank: the verdict travels in its own field.
      const labels = readLabels(store, ds);
      const verdicts = verdictsOf(store, ds.id, r.rows);
      return explanations.map((e, i) => ({
        ...e,
        id: ids[i]!,
        rank: ranks[i]!,
        label: labels?.[e.row] === 1 ? 'anomaly' : labels?.[e.row] === 0 ? 'normal' : null,
        verdict: verdicts.get(e.row)?.verdict ?? null,
        note: verdicts.get(e.row)?.note ?? '',
      }));
    },
    'row.images': async (r) => {
      if (r.parts !== 'pixels') await initBackend();
      return this.images.rows(r.scoreId, r.rows, r.parts ?? 'all');
    },
    'score.imageMeans': (r) => this.images.means(r.scoreId, r.threshold),
    'row.verdict': async (r) => {
      const ds = this.project().getDataset(r.datasetId);
      return this.write((store) => changeVerdict(store, ds, r.row, r.verdict, r.note));
    },
    'row.restoreVerdict': async (r) => {
      const ds = this.project().getDataset(r.datasetId);
      return this.write((store) => restoreVerdict(store, ds, r.row, r.previous, r.expected));
    },

    'report.export': (r) => {
      const store = this.project();
      getModel(store, r.modelId);
      const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
      const out = r.out ?? path.join(this.options.reportsDir ?? path.dirname(store.path), `${path.basename(store.path, '.residual')}-model-${r.modelId}-${stamp}.pdf`);
      return this.jobs.submit({
        kind: 'report',
        title: `Report for model #${r.modelId}`,
        task: {
          kind: 'report',
          project: store.path,
          options: { modelId: r.modelId, ...(r.datasetId ? { datasetId: r.datasetId } : {}), top: r.top ?? 50, paper: r.paper ?? 'a4', out },
        },
      });
    },
    'report.list': () => listReports(this.project()),
    'score.export': (r) => {
      const store = this.project();
      const score = getScore(store, r.scoreId);
      const ds = store.getDataset(score.datasetId);
      const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
      const slug = (s: string): string => s.replace(/[^\w.-]+/g, '_').replace(/^[._]+/, '').slice(0, 60) || 'data';
      const dir = this.options.reportsDir ?? path.dirname(store.path);
      const format = rankingFormatOf(r.format, r.out);
      const out = r.out ?? path.join(dir, `${slug(path.basename(store.path, '.residual'))}-${slug(ds.name)}-model-${score.modelId}-${stamp}.${format}`);
      return this.jobs.submit({
        kind: 'export',
        title: `Export the ranking of ${ds.name} (model #${score.modelId})${format === 'parquet' ? ' as Parquet' : ''}`,
        task: {
          kind: 'export',
          project: store.path,
          options: { scoreId: r.scoreId, out, format, ...(r.filter ? { filter: r.filter } : {}), ...(r.top !== undefined ? { top: r.top } : {}) },
        },
      });
    },

    'job.cancel': (r) => {
      if (!this.jobs.cancel(r.jobId)) throw new ResidualError('NOT_FOUND', 'That job is no longer running.');
      return null;
    },
  };
}

export type { Events };
