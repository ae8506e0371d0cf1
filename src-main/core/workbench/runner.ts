import type { Worker } from 'node:worker_threads';
import type { ContractError, JobKind } from '../../contract';
import { backendInfo } from '../engine';
import type { BackendInfo } from '../engine/types';
import { ResidualError } from '../errors';
import { startWorker } from '../worker';
import type { JobProgressUpdate } from './jobs';
import { runTask, type JobTask, type TaskResult } from './tasks';

/** Where jobs run: in this thread (CLI-like use, benches of queries) or in the engine's job thread. */
export interface JobRunner {
  run(task: JobTask, signal: AbortSignal, progress: (p: JobProgressUpdate) => void): Promise<TaskResult<JobKind>>;
  /** The tensor backend jobs train and score on (null until it has loaded). */
  backend(): BackendInfo | null;
  /** Called when that backend loads or changes. */
  onBackend(listener: (backend: BackendInfo) => void): void;
  close(): Promise<void>;
}

/** Jobs on this thread's event loop: simple, but queries wait whenever a job computes. */
export class InlineRunner implements JobRunner {
  private readonly backends = new BackendWatch();

  async run(task: JobTask, signal: AbortSignal, progress: (p: JobProgressUpdate) => void): Promise<TaskResult<JobKind>> {
    try {
      return await runTask(task, signal, progress);
    } finally {
      this.backends.update(backendInfo());
    }
  }
  backend(): BackendInfo | null {
    return this.backends.current;
  }
  onBackend(listener: (backend: BackendInfo) => void): void {
    this.backends.listener = listener;
  }
  async close(): Promise<void> {}
}

/**
 * One long-lived worker thread of the engine process, started on first use and again after it dies: requests in
 * flight are kept by id, and when the thread is lost each is rejected with `lostError`'s error. Shared by the job
 * thread and the query thread.
 */
export class RestartingWorker<P extends { readonly reject: (e: unknown) => void }, M> {
  private worker: Worker | null = null;
  private nextId = 1;
  readonly pending = new Map<number, P>();
  closing = false;

  constructor(
    private readonly entry: string,
    private readonly options: {
      readonly workerData?: unknown;
      readonly onMessage: (m: M) => void;
      /** Called with each new thread before it is used (e.g. to open the current project). */
      readonly onStart?: (worker: Worker) => void;
      readonly lostError: (reason: string, closing: boolean) => ResidualError;
      readonly closingError: ResidualError;
    },
  ) {}

  /** The thread when it is running, without starting one. */
  get current(): Worker | null {
    return this.worker;
  }

  /** Registers a request and posts it (starting the thread if needed). */
  request(make: (id: number) => { pending: P; message: unknown }): { id: number; worker: Worker } {
    const worker = this.thread();
    const id = this.nextId++;
    const { pending, message } = make(id);
    this.pending.set(id, pending);
    worker.postMessage(message);
    return { id, worker };
  }

  thread(): Worker {
    if (this.worker) return this.worker;
    if (this.closing) throw this.options.closingError;
    const worker = startWorker(this.entry, this.options.workerData);
    worker.on('message', (m: M) => this.options.onMessage(m));
    worker.on('error', (e) => this.lost(worker, e.message));
    worker.on('exit', (code) => this.lost(worker, `exit code ${code}`));
    this.worker = worker;
    this.options.onStart?.(worker);
    return worker;
  }

  async close(): Promise<void> {
    this.closing = true;
    const w = this.worker;
    this.worker = null;
    if (w) await w.terminate();
  }

  private lost(worker: Worker, reason: string): void {
    if (this.worker !== worker) return;
    this.worker = null;
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      p.reject(this.options.lostError(reason, this.closing));
    }
  }
}

/** The backend last reported, and who to tell when it changes. */
class BackendWatch {
  current: BackendInfo | null = null;
  listener: ((backend: BackendInfo) => void) | null = null;

  update(info: BackendInfo | null): void {
    if (!info || JSON.stringify(info) === JSON.stringify(this.current)) return;
    this.current = info;
    this.listener?.(info);
  }
}

/** Messages between the query thread and the job thread (src-main/app/job-worker.ts). */
export type ToJobThread = { readonly type: 'run'; readonly id: number; readonly task: JobTask } | { readonly type: 'cancel'; readonly id: number };
export type FromJobThread =
  | { readonly type: 'backend'; readonly info: BackendInfo }
  | { readonly type: 'progress'; readonly id: number; readonly update: JobProgressUpdate }
  | { readonly type: 'done'; readonly id: number; readonly result: TaskResult<JobKind> }
  | { readonly type: 'failed'; readonly id: number; readonly error: ContractError };

interface Pending {
  readonly resolve: (r: TaskResult<JobKind>) => void;
  readonly reject: (e: unknown) => void;
  readonly progress: (p: JobProgressUpdate) => void;
}

/**
 * Jobs in one long-lived worker thread of the engine process, so that the thread answering the contract's queries
 * (ranking, heatmap, verdicts, status) never waits for training's or scoring's synchronous stretches. It starts
 * with the first job and serves every later one: the native TensorFlow backend can be initialised in one thread per
 * process only (tensorflow/tfjs#8388), so it lives there and the query thread keeps to wasm/cpu for its few
 * explanations. A thread that dies fails its jobs and the next job starts a new one (with native TensorFlow that
 * may fail to load again; the job then says so, and restarting the app gives a fresh process).
 */
export class WorkerRunner implements JobRunner {
  private readonly backends = new BackendWatch();
  private readonly thread: RestartingWorker<Pending, FromJobThread>;

  /** `entry`: the job thread's script; a .ts file runs through tsx (development, tests), a .js one as is. */
  constructor(entry: string) {
    this.thread = new RestartingWorker<Pending, FromJobThread>(entry, {
      onMessage: (m) => this.receive(m),
      // The thread died (a crash in native code ends the whole process instead): its jobs fail, the next starts afresh.
      lostError: (reason, closing) =>
        closing
          ? new ResidualError('CANCELLED', 'The engine shut down before the job finished; nothing it was writing was kept.')
          : new ResidualError('INTERNAL', `The job thread stopped unexpectedly (${reason}); nothing the job was writing was kept.`),
      closingError: new ResidualError('CONFLICT', 'The engine is shutting down; no new jobs start.'),
    });
  }

  backend(): BackendInfo | null {
    return this.backends.current;
  }

  onBackend(listener: (backend: BackendInfo) => void): void {
    this.backends.listener = listener;
  }

  run(task: JobTask, signal: AbortSignal, progress: (p: JobProgressUpdate) => void): Promise<TaskResult<JobKind>> {
    return new Promise((resolve, reject) => {
      const { id, worker } = this.thread.request((id) => ({ pending: { resolve, reject, progress }, message: { type: 'run', id, task } satisfies ToJobThread }));
      const cancel = (): void => worker.postMessage({ type: 'cancel', id } satisfies ToJobThread);
      if (signal.aborted) cancel();
      else signal.addEventListener('abort', cancel, { once: true });
    });
  }

  close(): Promise<void> {
    return this.thread.close();
  }

  private receive(m: FromJobThread): void {
    if (m.type === 'backend') {
      this.backends.update(m.info);
      return;
    }
    const p = this.thread.pending.get(m.id);
    if (!p) return;
    if (m.type === 'progress') {
      p.progress(m.update);
      return;
    }
    this.thread.pending.delete(m.id);
    if (m.type === 'done') p.resolve(m.result);
    else p.reject(new ResidualError(m.error.code, m.error.message, m.error.details));
  }
}
