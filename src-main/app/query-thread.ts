import type { ContractError, MethodName } from '../contract';
import { ResidualError } from '../core/errors';
import { RestartingWorker } from '../core/workbench/runner';

/**
 * The contract's heavier reads: a window of the ranking, the heatmap, the score distribution, threshold previews,
 * evaluation, row explanations, rows of data. They run in the engine's query thread (its own connection), so the
 * engine's main thread answers status, cancels, verdicts and the rest within milliseconds however many of these
 * are being computed (no head-of-line blocking).
 */
export const QUERY_METHODS: ReadonlySet<MethodName> = new Set<MethodName>([
  'score.rank',
  'score.find',
  'score.distribution',
  'score.thresholdPreview',
  'score.evaluate',
  'score.profile',
  'score.timeline',
  'score.heatmap',
  'score.heatmapScale',
  'score.overlap',
  'row.detail',
  'row.images',
  'score.imageMeans',
  'data.rows',
  'data.findRow',
  'model.get',
  'model.latent',
]);

/** Messages between the engine's main thread and its query thread (src-main/app/query-worker.ts). */
export type ToQueryThread =
  | { readonly type: 'open'; readonly path: string }
  | { readonly type: 'forget' }
  | { readonly type: 'invoke'; readonly id: number; readonly method: MethodName; readonly payload: unknown };
export type FromQueryThread =
  | { readonly type: 'reply'; readonly id: number; readonly ok: true; readonly result: unknown }
  | { readonly type: 'reply'; readonly id: number; readonly ok: false; readonly error: ContractError };

export class QueryThread {
  private project: string | null = null;
  private readonly thread: RestartingWorker<{ resolve: (r: unknown) => void; reject: (e: unknown) => void }, FromQueryThread>;

  /** `entry`: the query thread's script (.ts through tsx, .js as bundled). */
  constructor(entry: string, mode: 'electron' | 'browser') {
    this.thread = new RestartingWorker(entry, {
      workerData: { mode },
      onMessage: (m) => {
        const p = this.thread.pending.get(m.id);
        if (!p) return;
        this.thread.pending.delete(m.id);
        if (m.ok) p.resolve(m.result);
        else p.reject(new ResidualError(m.error.code, m.error.message, m.error.details));
      },
      // A fresh thread opens the project the main thread has open.
      onStart: (worker) => {
        if (this.project) worker.postMessage({ type: 'open', path: this.project } satisfies ToQueryThread);
      },
      lostError: (reason) => new ResidualError('INTERNAL', `The query thread stopped unexpectedly (${reason}); ask again: a fresh one answers.`),
      closingError: new ResidualError('CONFLICT', 'The engine is shutting down.'),
    });
  }

  /**
   * The project the main thread opened: the query thread opens it too. The thread starts now (loading its modules
   * takes a moment), so that it is ready when the analyst first looks at a ranking.
   */
  setProject(file: string): void {
    const had = this.thread.current;
    this.project = file;
    const worker = this.thread.thread();
    // A thread started just now opened it already (onStart).
    if (worker === had) worker.postMessage({ type: 'open', path: file } satisfies ToQueryThread);
  }

  /** What the project holds changed (a job finished, a role or a model changed): cached views are dropped. */
  forget(): void {
    this.thread.current?.postMessage({ type: 'forget' } satisfies ToQueryThread);
  }

  invoke(method: MethodName, payload: unknown): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.thread.request((id) => ({ pending: { resolve, reject }, message: { type: 'invoke', id, method, payload } satisfies ToQueryThread }));
    });
  }

  close(): Promise<void> {
    return this.thread.close();
  }
}
