import fs from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { parseRequest, type AppStatus, type Events, type MethodName, type Methods, type ProjectOverview, type Reply } from '../../contract';
import { previewFile } from '../data';
import { explainRows, getHistory, getModel, getScore, initBackend, listModels, listScores, parseOverrides, proposeSettings, readLabels } from '../engine';
import { canScore } from '../engine/columns';
import { resolveSettings } from '../engine/settings';
import { describeSettings } from '../engine/wizard';
import { ResidualError } from '../errors';
import { listReports } from '../report';
import { anomalyProfile, computeThreshold, evaluateScore, knownLabels, saveThreshold, setVerdict, verdictsOf } from '../review';
import { ProjectStore } from '../store';
import { readRows } from '../store/store';
import { RESIDUAL_VERSION } from '../version';
import { JobQueue, type Emit } from './jobs';
import { InlineRunner, type JobRunner } from './runner';
import { heatmapScale } from './heatmap-scale';
import { rowIds, ScoreViews } from './queries';
import { readRecentProjects, recordRecentProject } from './recent';

/** Per usable model, the datasets it can score (every column it was trained on is there). */
function scorable(store: ProjectStore): ProjectOverview['scorable'] {
  const datasets = store.listDatasets();
  return listModels(store)
    .filter((m) => m.status !== 'failed')
    .map((m) => {
      const pp = getModel(store, m.id).preprocessing;
      return { modelId: m.id, datasetIds: datasets.filter((d) => canScore(d, pp)).map((d) => d.id) };
    });
}

type Handlers = { [M in MethodName]: (req: z.output<Methods[M]['request']>) => Promise<Reply<M>> | Reply<M> };

export interface WorkbenchOptions {
  readonly mode: 'electron' | 'browser';
  /** Where exported reports go when the request names no file. */
  readonly reportsDir?: string;
  /** Where CSV exports go when the request names no file; default `reportsDir`, else beside the project. */
  readonly exportsDir?: string;
  /** Where jobs run; default this thread. The engine process gives them a thread of their own (WorkerRunner). */
  readonly runner?: JobRunner;
  /** The recent-projects file (in Residual's home folder): each opened project is recorded there; project.list reads it. */
  readonly recentFile?: string;
  /** Where a page creates a new project by name (project.list says so). */
  readonly projectsDir?: string;
  /** Browser mode's uploads folder: a file imported from it is recorded by its file name, not its temporary path. */
  readonly uploadsDir?: string;
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
  private readonly runner: JobRunner;

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
    const handler = this.handlers[name] as (r: typeof req) => Promise<Reply<M>> | Reply<M>;
    return handler(req);
  }

  async close(): Promise<void> {
    this.jobs.cancelAll();
    await this.jobs.idle();
    this.store?.close();
    this.store = null;
    await this.runner.close();
  }

  /** Opens (or creates) a project file; refuses while jobs of the current one are running. */
  openProject(file: string, create = false): ProjectOverview {
    if (this.jobs.list().length > 0) throw new ResidualError('CONFLICT', 'Wait for the running jobs to finish (or cancel them) before opening another project.');
    const next = ProjectStore.open(file, { create });
    // Queries never wait on a job's write lock: small writes retry asynchronously instead (see `write`).
    next.db.pragma('busy_timeout = 0');
    this.store?.close();
    this.store = next;
    this.views.forget();
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

  private project(): ProjectStore {
    if (!this.store) throw new ResidualError('NOT_FOUND', 'No project is open. Open or create a project first (File ▸ Open project…).');
    return this.store;
  }

  private overview(): ProjectOverview {
    const store = this.project();
    return {
      path: store.path,
      name: path.basename(store.path, path.extname(store.path)),
      schemaVersion: store.schemaVersion,
      datasets: store.listDatasets(),
      models: listModels(store),
      scores: listScores(store),
      reports: listReports(store),
      scorable: scorable(store),
    };
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
    'data.delete': async (r) => {
      this.project().getDataset(r.datasetId);
      await this.write((store) => store.deleteDataset(r.datasetId));
      this.views.forget();
      return null;
    },
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
      return describeSettings(ds, resolveSettings(ds, parseOverrides(r.settings)).settings);
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
    'model.delete': async (r) => {
      getModel(this.project(), r.modelId);
      await this.write((store) => store.transaction(() => store.db.prepare('DELETE FROM models WHERE id = ?').run(r.modelId)));
      this.views.forget();
      return null;
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
    'row.verdict': async (r) => {
      const ds = this.project().getDataset(r.datasetId);
      return this.write((store) => setVerdict(store, ds, r.row, r.verdict, r.note));
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
      const dir = this.options.exportsDir ?? this.options.reportsDir ?? path.dirname(store.path);
      const out = r.out ?? path.join(dir, `${slug(path.basename(store.path, '.residual'))}-${slug(ds.name)}-model-${score.modelId}-${stamp}.csv`);
      return this.jobs.submit({
        kind: 'export',
        title: `Export the ranking of ${ds.name} (model #${score.modelId})`,
        task: {
          kind: 'export',
          project: store.path,
          options: { scoreId: r.scoreId, out, ...(r.filter ? { filter: r.filter } : {}), ...(r.top !== undefined ? { top: r.top } : {}) },
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
