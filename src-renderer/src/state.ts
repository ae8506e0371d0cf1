import { computed, reactive, readonly, watch } from 'vue';
import type { AppStatus, Events, JobRef, ProjectOverview } from '../../src-main/contract';
import { api, ApiError } from './api/client';

export type Section = 'Data' | 'Model' | 'Training' | 'Ranking' | 'Heatmap' | 'Latent' | 'Report';
export const SECTIONS: readonly Section[] = ['Data', 'Model', 'Training', 'Ranking', 'Heatmap', 'Latent', 'Report'];

/** A UI command from the native menu (File ▸ Import dataset…, File ▸ Export report…). */
export type AppCommand = Events['app.command']['command'];

export interface JobView extends JobRef {
  fraction: number;
  etaSeconds: number | null;
  message: string;
  state: 'running' | 'finished' | 'failed';
  error?: string;
  /** The last progress detail (training curves read it). */
  detail?: Events['job.progress']['detail'];
}

/**
 * The renderer's whole shared state: what project is open, what the analyst selected, and the jobs in flight.
 * Everything else is fetched per section, in windows, through `api`.
 */
const store = reactive({
  status: null as AppStatus | null,
  project: null as ProjectOverview | null,
  section: 'Data' as Section,
  datasetId: null as number | null,
  modelId: null as number | null,
  jobs: [] as JobView[],
  /** Errors that belong to no particular form (lost connection, engine crash). */
  banner: null as string | null,
  /**
   * A menu command waiting for its section: App switches to the section and leaves the command here, and the
   * section acts on it when it mounts or, already showing, when it changes ('import' → Data, 'export-report' →
   * Report). The section that acts on it clears it with `takeCommand`.
   */
  pendingCommand: null as AppCommand | null,
});
/** The shared state, read-only to components: they change it only through the actions below (and the job events). */
export const state = readonly(store);

/** Shows a section. */
export function goTo(section: Section): void {
  store.section = section;
}

/** Selects a dataset (the model follows: see the watch below). */
export function selectDataset(id: number | null): void {
  store.datasetId = id;
}

export function selectModel(id: number | null): void {
  store.modelId = id;
}

/** Opens the Ranking of a model's score of a dataset. */
export function openRanking(modelId: number, datasetId: number | null): void {
  store.modelId = modelId;
  store.datasetId = datasetId;
  store.section = 'Ranking';
}

/** The message of the banner above every section (lost connection, engine crash); null hides it. */
export function showBanner(message: string | null): void {
  store.banner = message;
}

/** For a select bound with v-model: reads the selection, writes through the actions. */
export const datasetChoice = computed({ get: () => store.datasetId, set: selectDataset });
export const modelChoice = computed({ get: () => store.modelId, set: selectModel });


export const selectedDataset = computed(() => store.project?.datasets.find((d) => d.id === store.datasetId) ?? null);

type ModelSummary = ProjectOverview['models'][number];

/** The usable models (not failed) that can score a dataset: every column they were trained on is there. */
export function modelsFor(overview: ProjectOverview | null, datasetId: number | null): ModelSummary[] {
  if (!overview || datasetId === null) return [];
  const ok = new Set(overview.scorable.filter((s) => s.datasetIds.includes(datasetId)).map((s) => s.modelId));
  return overview.models.filter((m) => m.status !== 'failed' && ok.has(m.id));
}

/** The models Ranking and Heatmap offer for the selected dataset. */
export const compatibleModels = computed(() => modelsFor(store.project, store.datasetId));

/**
 * The model to show for a dataset: the current one when it has scored the dataset or was trained on it (so "Score
 * now" works); else the newest model that can score it and has; else the current one if it can score it; else the
 * newest that can; else the current one (Ranking and Heatmap then say that no model fits this dataset).
 */
export function pickModel(overview: ProjectOverview, datasetId: number | null, current: number | null): number | null {
  const usable = overview.models.filter((m) => m.status !== 'failed');
  const fallback = usable.some((m) => m.id === current) ? current : (usable.at(-1)?.id ?? null);
  if (datasetId === null) return fallback;
  const fits = modelsFor(overview, datasetId);
  const scored = (id: number): boolean => overview.scores.some((s) => s.modelId === id && s.datasetId === datasetId);
  const cur = fits.find((m) => m.id === current);
  if (cur && (scored(cur.id) || cur.datasetId === datasetId)) return cur.id;
  const newestScored = fits.filter((m) => scored(m.id)).at(-1);
  if (newestScored) return newestScored.id;
  if (cur) return cur.id;
  return fits.at(-1)?.id ?? fallback;
}

// Another dataset selected (Data, Model, Ranking): the model shown follows, so Ranking and Heatmap never offer a
// model that cannot score it.
watch(
  () => store.datasetId,
  (datasetId) => {
    if (store.project) store.modelId = pickModel(store.project, datasetId, store.modelId);
  },
);
export const selectedModel = computed(() => store.project?.models.find((m) => m.id === store.modelId) ?? null);
/** The score of the selected model on the selected dataset. */
export const currentScore = computed(() => store.project?.scores.find((s) => s.modelId === store.modelId && s.datasetId === store.datasetId) ?? null);

export function errorMessage(e: unknown): string {
  if (e instanceof ApiError) return e.message;
  return e instanceof Error ? e.message : String(e);
}

/** Where each menu command is carried out. */
export const COMMAND_SECTION: Readonly<Record<AppCommand, Section>> = { import: 'Data', 'export-report': 'Report' };

/** Shows the section that carries out a menu command and leaves the command there for it. */
export function runCommand(command: AppCommand): void {
  if (!store.project) {
    store.banner = command === 'import' ? 'Open or create a project first, then import a dataset into it.' : 'Open a project first: a report documents one of its models.';
    return;
  }
  store.pendingCommand = command;
  store.section = COMMAND_SECTION[command];
}

/** True (and the command is cleared) when `command` is the one waiting: the caller then carries it out. */
export function takeCommand(command: AppCommand): boolean {
  if (store.pendingCommand !== command) return false;
  store.pendingCommand = null;
  return true;
}

export async function refreshProject(): Promise<void> {
  const overview = await api.invoke('project.overview', {});
  applyOverview(overview);
}

export function applyOverview(overview: ProjectOverview): void {
  store.project = overview;
  if (!overview.datasets.some((d) => d.id === store.datasetId)) store.datasetId = overview.datasets.at(-1)?.id ?? null;
  const models = overview.models.filter((m) => m.status !== 'failed');
  if (!models.some((m) => m.id === store.modelId)) store.modelId = pickModel(overview, store.datasetId, null);
}

export async function refreshStatus(): Promise<void> {
  store.status = await api.invoke('app.status', {});
}

type Waiter = { resolve: (v: Events['job.finished']) => void; reject: (e: Error) => void };
const waiters = new Map<string, Waiter>();
/** Outcomes that arrived before anyone waited (a quick job's event can beat the reply that names it). */
const settled = new Map<string, { ok: true; value: Events['job.finished'] } | { ok: false; error: Error }>();

/** Resolves when the job finishes (rejects with its error when it fails or is cancelled). */
export function waitForJob(ref: JobRef): Promise<Events['job.finished']> {
  const done = settled.get(ref.jobId);
  if (done) {
    settled.delete(ref.jobId);
    return done.ok ? Promise.resolve(done.value) : Promise.reject(done.error);
  }
  return new Promise((resolve, reject) => waiters.set(ref.jobId, { resolve, reject }));
}

function settle(jobId: string, outcome: { ok: true; value: Events['job.finished'] } | { ok: false; error: Error }): void {
  const w = waiters.get(jobId);
  waiters.delete(jobId);
  if (!w) {
    settled.set(jobId, outcome);
    setTimeout(() => settled.delete(jobId), 60_000);
  }
  else if (outcome.ok) w.resolve(outcome.value);
  else w.reject(outcome.error);
}

function upsertJob(ref: JobRef, patch: Partial<JobView>): JobView {
  let job = store.jobs.find((j) => j.jobId === ref.jobId);
  if (!job) {
    job = { ...ref, fraction: 0, etaSeconds: null, message: '', state: 'running' };
    store.jobs.push(job);
  }
  Object.assign(job, patch);
  return job;
}

export function dismissJob(jobId: string): void {
  store.jobs = store.jobs.filter((j) => j.jobId !== jobId);
}

let wired = false;
export function wireEvents(): void {
  if (wired) return;
  wired = true;
  api.on('job.started', (ref) => upsertJob(ref, { state: 'running' }));
  api.on('job.progress', (p) => upsertJob(p, { fraction: p.fraction, etaSeconds: p.etaSeconds, message: p.message, detail: p.detail }));
  // The first training or scoring loads the engine's backend: the header's badge says which at once.
  api.on('engine.backend', (backend) => {
    if (store.status) store.status = { ...store.status, backend };
  });
  api.on('job.finished', (p) => {
    upsertJob(p, { state: 'finished', fraction: 1, etaSeconds: 0 });
    settle(p.jobId, { ok: true, value: p });
    void refreshProject();
    // The engine's status as it now stands (the backend, should its event have been missed).
    void refreshStatus().catch(() => undefined);
    // Finished jobs leave the tray by themselves; failed ones stay until dismissed.
    setTimeout(() => dismissJob(p.jobId), 4000);
  });
  api.on('job.failed', (p) => {
    upsertJob(p, { state: 'failed', error: p.error.message });
    settle(p.jobId, { ok: false, error: new ApiError(p.error.code, p.error.message, p.error.details) });
  });
  api.on('engine.crashed', (p) => {
    store.banner = p.message;
  });
  api.on('project.changed', () => void refreshProject().catch(() => undefined));
}
