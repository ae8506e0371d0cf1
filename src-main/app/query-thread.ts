import type { Worker } from 'node:worker_threads';
import type { ContractError, MethodName } from '../contract';
import { ResidualError, type ErrorCode } from '../core/errors';
import { startWorker } from '../core/workbench/runner';

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
  'row.detail',
  'data.rows',
  'model.get',
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
  private worker: Worker | null = null;
  private project: string | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (r: unknown) => void; reject: (e: unknown) => void }>();
  private closing = false;

  /** `entry`: the query thread's script (.ts through tsx, .js as bundled). */
  constructor(
    private readonly entry: string,
    private readonly mode: 'electron' | 'browser',
  ) {}

  /**
   * The project the main thread opened: the query thread opens it too. The thread starts now (loading its modules
   * takes a moment), so that it is ready when the analyst first looks at a ranking.
   */
  setProject(file: string): void {
    const had = this.worker;
    this.project = file;
    const worker = this.thread();
    if (worker === had) worker.postMessage({ type: 'open', path: file } satisfies ToQueryThread);
  }

  /** What the project holds changed (a job finished, a role or a model changed): cached views are dropped. */
  forget(): void {
    this.worker?.postMessage({ type: 'forget' } satisfies ToQueryThread);
  }

  invoke(method: MethodName, payload: unknown): Promise<unknown> {
    const worker = this.thread();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ type: 'invoke', id, method, payload } satisfies ToQueryThread);
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    const w = this.worker;
    this.worker = null;
    if (w) await w.terminate();
  }

  private thread(): Worker {
    if (this.worker) return this.worker;
    if (this.closing) throw new ResidualError('CONFLICT', 'The engine is shutting down.');
    const worker = startWorker(this.entry, { mode: this.mode });
    worker.on('message', (m: FromQueryThread) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.ok) p.resolve(m.result);
      else p.reject(new ResidualError(m.error.code as ErrorCode, m.error.message, m.error.details));
    });
    const lost = (reason: string): void => {
      if (this.worker !== worker) return;
      this.worker = null;
      for (const [id, p] of this.pending) {
        this.pending.delete(id);
        p.reject(new ResidualError('INTERNAL', `The query thread stopped unexpectedly (${reason}); ask again: a fresh one answers.`));
      }
    };
    worker.on('error', (e) => lost(e.message));
    worker.on('exit', (code) => lost(`exit code ${code}`));
    this.worker = worker;
    if (this.project) worker.postMessage({ type: 'open', path: this.project } satisfies ToQueryThread);
    return worker;
  }
}
