import crypto from 'node:crypto';
import type { Events, JobInfo, JobKind, JobProgressDetail, JobRef, JobResult } from '../../contract';
import { toContractError } from '../errors';
import type { JobTask } from './tasks';

export type Emit = <E extends keyof Events>(event: E, payload: Events[E]) => void;

export interface JobProgressUpdate {
  readonly fraction: number;
  readonly etaSeconds: number | null;
  readonly message: string;
  readonly detail: JobProgressDetail;
}

export interface JobSpec<K extends JobKind> {
  readonly kind: K;
  readonly title: string;
  readonly task: Extract<JobTask, { kind: K }>;
}

/** Runs a task to its result (in this thread or the engine's job thread, see runner.ts). */
export type Execute = (task: JobTask, signal: AbortSignal, progress: (p: JobProgressUpdate) => void) => Promise<JobResult['result']>;

interface Entry {
  readonly ref: JobRef;
  readonly spec: JobSpec<JobKind>;
  readonly controller: AbortController;
  state: 'queued' | 'running';
  startedAt: string | null;
}

/**
 * Long work of one project, one job at a time (each writes to the project file), in the order asked. Every job
 * can be cancelled, queued or running; progress is throttled to ~10 events a second.
 */
export class JobQueue {
  private readonly entries: Entry[] = [];
  private running = false;

  constructor(
    private readonly emit: Emit,
    private readonly execute: Execute,
  ) {}

  list(): JobInfo[] {
    return this.entries.map((e) => ({ ...e.ref, state: e.state, startedAt: e.startedAt }));
  }

  submit<K extends JobKind>(spec: JobSpec<K>): JobRef {
    const ref: JobRef = { jobId: crypto.randomUUID(), kind: spec.kind, title: spec.title };
    this.entries.push({ ref, spec: spec as unknown as JobSpec<JobKind>, controller: new AbortController(), state: 'queued', startedAt: null });
    void this.pump();
    return ref;
  }

  /** True when the job existed (queued ones are dropped, a running one is asked to stop). */
  cancel(jobId: string): boolean {
    const i = this.entries.findIndex((e) => e.ref.jobId === jobId);
    if (i < 0) return false;
    const entry = this.entries[i]!;
    entry.controller.abort();
    if (entry.state === 'queued') {
      this.entries.splice(i, 1);
      this.emit('job.failed', { ...entry.ref, error: { code: 'CANCELLED', message: `${entry.ref.title} was cancelled before it started.`, details: {} } });
    }
    return true;
  }

  cancelAll(): void {
    for (const e of [...this.entries]) this.cancel(e.ref.jobId);
  }

  /** Resolves once no job is queued or running. */
  async idle(): Promise<void> {
    while (this.entries.length > 0) await new Promise((r) => setTimeout(r, 20));
  }

  private async pump(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (let entry = this.entries[0]; entry; entry = this.entries[0]) {
        entry.state = 'running';
        entry.startedAt = new Date().toISOString();
        this.emit('job.started', entry.ref);
        let last = 0;
        const progress = (p: JobProgressUpdate): void => {
          const now = Date.now();
          if (now - last < 100 && p.fraction < 1) return;
          last = now;
          this.emit('job.progress', { ...entry!.ref, ...p });
        };
        try {
          const result = await this.execute(entry.spec.task, entry.controller.signal, progress);
          this.emit('job.finished', { ...entry.ref, kind: entry.spec.kind, result } as Events['job.finished']);
        } catch (e) {
          this.emit('job.failed', { ...entry.ref, error: toContractError(e, entry.spec.task.project) });
        } finally {
          this.entries.shift();
        }
      }
    } finally {
      this.running = false;
    }
  }
}
