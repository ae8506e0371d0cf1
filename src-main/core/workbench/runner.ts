import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ContractError, JobKind } from '../../contract';
import { backendInfo } from '../engine';
import type { BackendInfo } from '../engine/types';
import { ResidualError, type ErrorCode } from '../errors';
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
 * A worker thread of the engine process on `entry`: a .ts file runs through tsx (development, tests), a .js one (the
 * electron-vite bundle) as is.
 */
export function startWorker(entry: string, workerData?: unknown): Worker {
  return entry.endsWith('.ts')
    ? // A worker's entry does not get the --import hooks of its execArgv (Node 20), so tsx registers first.
      new Worker(`import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(pathToFileURL(entry).href)}); })`, { eval: true, workerData })
    : new Worker(entry, { workerData });
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
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly backends = new BackendWatch();
  private closing = false;

  /** `entry`: the job thread's script; a .ts file runs through tsx (development, tests), a .js one as is. */
  constructor(private readonly entry: string) {}

  backend(): BackendInfo | null {
    return this.backends.current;
  }

  onBackend(listener: (backend: BackendInfo) => void): void {
    this.backends.listener = listener;
  }

  run(task: JobTask, signal: AbortSignal, progress: (p: JobProgressUpdate) => void): Promise<TaskResult<JobKind>> {
    const worker = this.thread();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, progress });
      worker.postMessage({ type: 'run', id, task } satisfies ToJobThread);
      const cancel = (): void => worker.postMessage({ type: 'cancel', id } satisfies ToJobThread);
      if (signal.aborted) cancel();
      else signal.addEventListener('abort', cancel, { once: true });
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
    if (this.closing) throw new ResidualError('CONFLICT', 'The engine is shutting down; no new jobs start.');
    const worker = startWorker(this.entry);
    worker.on('message', (m: FromJobThread) => this.receive(m));
    worker.on('error', (e) => this.lost(worker, e.message));
    worker.on('exit', (code) => this.lost(worker, `exit code ${code}`));
    this.worker = worker;
    return worker;
  }

  private receive(m: FromJobThread): void {
    if (m.type === 'backend') {
      this.backends.update(m.info);
      return;
    }
    const p = this.pending.get(m.id);
    if (!p) return;
    if (m.type === 'progress') {
      p.progress(m.update);
      return;
    }
    this.pending.delete(m.id);
    if (m.type === 'done') p.resolve(m.result);
    else p.reject(new ResidualError(m.error.code as ErrorCode, m.error.message, m.error.details));
  }

  /** The thread died (a crash in native code ends the whole process instead): its jobs fail, the next starts afresh. */
  private lost(worker: Worker, reason: string): void {
    if (this.worker !== worker) return;
    this.worker = null;
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      p.reject(
        this.closing
          ? new ResidualError('CANCELLED', 'The engine shut down before the job finished; nothing it was writing was kept.')
          : new ResidualError('INTERNAL', `The job thread stopped unexpectedly (${reason}); nothing the job was writing was kept.`),
      );
    }
  }
}

