/**
 * The CLI as a thin client of the Workbench: the same methods, the same request validation and the same messages as
 * the app's window and the browser bridge. A command opens the project in a Workbench, calls methods (`invoke`) and
 * runs jobs to their end (`job`), printing their progress; the Workbench is always closed, so the file is whole.
 */
import type { Events, ImportResult, JobRef, MethodName, ProjectOverview, RankingCsvResult, Reply, ReportResult, Request, ScoreResult, TrainResult } from '../contract';
import { plainError, ResidualError } from '../core/errors';
import { Workbench } from '../core/workbench/workbench';

/** The jobs' methods, and what each job finishes with. */
interface JobResults {
  'data.import': ImportResult;
  'model.train': TrainResult;
  'score.run': ScoreResult;
  'report.export': ReportResult;
  'score.export': RankingCsvResult;
}
type JobMethod = keyof JobResults;

export interface JobProgress {
  readonly fraction: number;
  readonly etaSeconds: number | null;
  readonly message: string;
  readonly detail: Events['job.progress']['detail'];
}

export class CliWorkbench {
  private readonly listeners = new Set<(event: keyof Events, payload: unknown) => void>();
  readonly workbench: Workbench;
  overview: ProjectOverview;

  constructor(file: string, create: boolean) {
    this.workbench = new Workbench((event, payload) => {
      for (const l of this.listeners) l(event, payload);
    }, { mode: 'cli', purgesTrash: false });
    this.overview = this.workbench.openProject(file, create);
  }

  /** Every event the Workbench emits (e.g. 'engine.backend' when the tensor backend loads); returns the unsubscribe. */
  on<E extends keyof Events>(name: E, listener: (payload: Events[E]) => void): () => void {
    const l = (event: keyof Events, payload: unknown): void => {
      if (event === name) listener(payload as Events[E]);
    };
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  get path(): string {
    return this.overview.path;
  }

  invoke<M extends MethodName>(name: M, request: Request<M>): Promise<Reply<M>> {
    return this.workbench.invoke(name, request);
  }

  /** Submits a job and waits for its end: its result, or its error (CANCELLED when `signal` fires, e.g. on Ctrl+C). */
  async job<M extends JobMethod>(name: M, request: Request<M>, onProgress?: (p: JobProgress) => void, signal?: AbortSignal): Promise<JobResults[M]> {
    let ref: JobRef | null = null;
    const early: { event: keyof Events; payload: unknown }[] = [];
    const done = new Promise<JobResults[M]>((resolve, reject) => {
      const handle = (event: keyof Events, payload: unknown): void => {
        const p = payload as { jobId?: string };
        if (ref === null) {
          early.push({ event, payload });
          return;
        }
        if (p.jobId !== ref.jobId) return;
        if (event === 'job.progress') {
          const e = payload as Events['job.progress'];
          onProgress?.({ fraction: e.fraction, etaSeconds: e.etaSeconds, message: e.message, detail: e.detail });
        } else if (event === 'job.finished') {
          this.listeners.delete(handle);
          resolve((payload as Events['job.finished']).result as JobResults[M]);
        } else if (event === 'job.failed') {
          this.listeners.delete(handle);
          const err = (payload as Events['job.failed']).error;
          reject(new ResidualError(err.code, err.message, err.details));
        }
      };
      this.listeners.add(handle);
      void this.invoke(name, request).then(
        (r) => {
          ref = r as JobRef;
          for (const e of early.splice(0)) handle(e.event, e.payload);
          if (signal) {
            const cancel = (): void => void this.invoke('job.cancel', { jobId: ref!.jobId }).catch(() => undefined);
            if (signal.aborted) cancel();
            else signal.addEventListener('abort', cancel, { once: true });
          }
        },
        (e: unknown) => {
          this.listeners.delete(handle);
          reject(e);
        },
      );
    });
    const result = await done;
    this.overview = await this.invoke('project.overview', {});
    return result;
  }

  close(): Promise<void> {
    return this.workbench.close();
  }
}

/**
 * Opens the project in a Workbench for one command and always closes it. SQLite and file-system failures come out as
 * plain messages naming the project (busy, disk full, read-only, damaged).
 */
export async function withWorkbench<T>(file: string, options: { create?: boolean }, fn: (wb: CliWorkbench) => Promise<T> | T): Promise<T> {
  let wb: CliWorkbench;
  try {
    wb = new CliWorkbench(file, options.create ?? false);
  } catch (e) {
    throw plainError(e, file) ?? e;
  }
  try {
    return await fn(wb);
  } catch (e) {
    throw plainError(e, wb.path) ?? e;
  } finally {
    await wb.close();
  }
}
