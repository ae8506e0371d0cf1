/**
 * The renderer's job settling (src-renderer/src/state.ts): a job's end reaches `waitForJob` whether its event comes
 * before or after the wait begins, a failure rejects with the contract's error, and the job tray follows the events.
 * The API is a fake that lets the test emit events; timers are fake, so nothing here waits on a clock.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EventName, Events, JobRef, ScoreResult } from '../../src-main/contract';

const listeners = new Map<string, Set<(p: unknown) => void>>();
const invoked: string[] = [];

// The real client reads `window` when it loads, so the fake carries its own ApiError (the same shape: code, details).
vi.mock('../../src-renderer/src/api/client', () => {
  class ApiError extends Error {
    constructor(
      readonly code: string,
      message: string,
      readonly details: Record<string, unknown> = {},
    ) {
      super(message);
    }
  }
  return {
    ApiError,
    api: {
      on: (event: string, l: (p: unknown) => void) => {
        if (!listeners.has(event)) listeners.set(event, new Set());
        listeners.get(event)!.add(l);
        return () => listeners.get(event)!.delete(l);
      },
      invoke: async (method: string) => {
        invoked.push(method);
        if (method === 'project.overview') return { path: '/p.residual', name: 'p', schemaVersion: 9, datasets: [], models: [], scores: [], reports: [], scorable: [] };
        if (method === 'app.status') return { mode: 'browser', backend: null };
        throw new Error(`unexpected ${method}`);
      },
    },
  };
});

const { dismissJob, state, waitForJob, wireEvents } = await import('../../src-renderer/src/state');
const { ApiError } = await import('../../src-renderer/src/api/client');

function emit<E extends EventName>(event: E, payload: Events[E]): void {
  for (const l of listeners.get(event) ?? []) l(payload);
}

const ref = (jobId: string): JobRef => ({ jobId, kind: 'score', title: `Score ${jobId}` });
const finished = (jobId: string): Events['job.finished'] => ({
  ...ref(jobId),
  kind: 'score',
  result: { scoreId: 1, modelId: 1, datasetId: 1, rows: 10, seconds: 0.1, rowsPerSecond: 100 } as ScoreResult,
});

beforeEach(() => {
  vi.useFakeTimers();
  wireEvents();
  for (const j of [...state.jobs]) dismissJob(j.jobId);
  invoked.length = 0;
});
afterEach(() => {
  vi.useRealTimers();
});

describe('job settling', () => {
  it('a job that finishes before anyone waits still resolves the wait (a quick job beats the reply naming it)', async () => {
    emit('job.started', ref('a'));
    emit('job.finished', finished('a'));
    await expect(waitForJob(ref('a'))).resolves.toMatchObject({ jobId: 'a', kind: 'score' });
  });

  it('a wait that begins first resolves when the job finishes, and the tray shows progress, then the end', async () => {
    emit('job.started', ref('b'));
    const done = waitForJob(ref('b'));
    emit('job.progress', { ...ref('b'), fraction: 0.4, etaSeconds: 12, message: '400/1,000 rows', detail: { kind: 'score', progress: { rowsDone: 400, rows: 1000, etaSeconds: 12 } } as Events['job.progress']['detail'] });
    expect(state.jobs.find((j) => j.jobId === 'b')).toMatchObject({ state: 'running', fraction: 0.4, etaSeconds: 12, message: '400/1,000 rows' });
    emit('job.finished', finished('b'));
    await expect(done).resolves.toMatchObject({ jobId: 'b' });
    expect(state.jobs.find((j) => j.jobId === 'b')).toMatchObject({ state: 'finished', fraction: 1 });
    // What the project holds is read again after a job.
    await vi.waitFor(() => expect(invoked).toContain('project.overview'));
    // A finished job leaves the tray by itself.
    vi.advanceTimersByTime(4000);
    expect(state.jobs.some((j) => j.jobId === 'b')).toBe(false);
  });

  it('a failed job rejects the wait with the contract error, before or after the wait, and stays in the tray', async () => {
    const waiting = waitForJob(ref('c'));
    emit('job.failed', { ...ref('c'), error: { code: 'CANCELLED', message: 'Scoring was cancelled; nothing was changed.', details: {} } });
    const err = await waiting.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ code: 'CANCELLED', message: 'Scoring was cancelled; nothing was changed.' });

    emit('job.failed', { ...ref('d'), error: { code: 'BAD_FILE', message: 'wdbc.csv line 3: 2 fields, expected 32', details: { line: 3 } } });
    await expect(waitForJob(ref('d'))).rejects.toMatchObject({ code: 'BAD_FILE', details: { line: 3 } });
    vi.advanceTimersByTime(60_000);
    expect(state.jobs.filter((j) => j.state === 'failed').map((j) => j.jobId)).toEqual(['c', 'd']);
  });
});
