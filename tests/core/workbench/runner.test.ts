import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BACKEND_ENV, backendInfo, getModel, initBackend, keepNativeBackendsOut, listModels, type TrainResult } from '../../../src-main/core/engine';
import type { ImportResult } from '../../../src-main/core/data';
import { ProjectStore } from '../../../src-main/core/store';
import type { JobProgressUpdate } from '../../../src-main/core/workbench/jobs';
import { InlineRunner, WorkerRunner } from '../../../src-main/core/workbench/runner';
import { tmpDir } from '../../helpers/tmp';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const ENTRY = path.join(ROOT, 'src-main/app/job-worker.ts');
const WDBC = path.join(ROOT, 'tests/fixtures/wdbc.csv');
const dir = tmpDir();
process.env[BACKEND_ENV] = 'wasm';

const runner = new WorkerRunner(ENTRY);
const announced: string[] = [];
runner.onBackend((b) => announced.push(b.name));
afterAll(() => runner.close());

function newProject(name: string): string {
  const file = path.join(dir, `${name}.residual`);
  ProjectStore.open(file, { create: true }).close();
  return file;
}

async function until(cond: () => boolean, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('WorkerRunner: jobs in the engine process job thread', () => {
  it('imports, trains and streams progress from another thread, with the same results as in this thread', async () => {
    // The thread starts with the first job, and loads a backend with the first training.
    expect(runner.backend()).toBeNull();

    const a = newProject('a');
    const b = newProject('b');
    const updates: JobProgressUpdate[] = [];
    const never = new AbortController().signal;
    const imp = (await runner.run({ kind: 'import', project: a, file: WDBC, options: {} }, never, (p) => updates.push(p))) as ImportResult;
    expect(imp.dataset.rowCount).toBe(569);
    expect(updates.length).toBeGreaterThan(0);
    expect(updates.every((u) => u.detail.kind === 'import')).toBe(true);

    const settings = { kind: 'ae' as const, layers: [8, 4], epochs: 3, seed: 5 };
    const trainUpdates: JobProgressUpdate[] = [];
    const t1 = (await runner.run({ kind: 'train', project: a, dataset: imp.dataset.id, settings }, never, (p) => trainUpdates.push(p))) as TrainResult;
    expect(trainUpdates.map((u) => u.message)).toContain('epoch 3/3');
    await until(() => runner.backend() !== null);
    expect(runner.backend()!.name).toBe('wasm');
    // Announced once, when it loaded (the job thread reports it again after every job: no news, no call).
    expect(announced).toEqual(['wasm']);
    // Nothing loaded a backend in this thread: the job thread did.
    expect(backendInfo()).toBeNull();

    // The same import and training on this thread give the same model, byte for byte.
    const inline = new InlineRunner();
    const imp2 = (await inline.run({ kind: 'import', project: b, file: WDBC, options: {} }, never, () => undefined)) as ImportResult;
    const t2 = (await inline.run({ kind: 'train', project: b, dataset: imp2.dataset.id, settings }, never, () => undefined)) as TrainResult;
    expect(t2.backend).toBe(t1.backend);
    const sha = (file: string, id: number): string | null => {
      const s = ProjectStore.open(file);
      try {
        return getModel(s, id).weightsSha256;
      } finally {
        s.close();
      }
    };
    expect(sha(a, t1.modelId)).toBe(sha(b, t2.modelId));
    expect([t1.bestEpoch, t1.bestValLoss, t1.path]).toEqual([t2.bestEpoch, t2.bestValLoss, t2.path]);
  }, 120_000);

  it('cancels running jobs from this thread: training keeps its best epoch so far, an import keeps nothing', async () => {
    const p = newProject('c');
    const never = new AbortController().signal;
    const imp = (await runner.run({ kind: 'import', project: p, file: WDBC, options: {} }, never, () => undefined)) as ImportResult;
    const stopTraining = new AbortController();
    const train = (await runner.run(
      { kind: 'train', project: p, dataset: imp.dataset.id, settings: { kind: 'ae' as const, layers: [8, 4], epochs: 100_000, patience: 100_000 } },
      stopTraining.signal,
      () => stopTraining.abort(),
    )) as TrainResult;
    expect(train.status).toBe('cancelled');
    expect(train.epochs).toBeLessThan(100_000);

    // An import long enough to be stopped midway (300k rows).
    const big = path.join(dir, 'big.csv');
    fs.writeFileSync(big, 'a,b,c\n' + Array.from({ length: 300_000 }, (_, i) => `${i},${i % 7},${(i * 13) % 101}`).join('\n') + '\n');
    const stopImport = new AbortController();
    const again = runner.run({ kind: 'import', project: p, file: big, options: { name: 'second' } }, stopImport.signal, () => stopImport.abort());
    await expect(again).rejects.toMatchObject({ code: 'CANCELLED' });
    const s = ProjectStore.open(p);
    expect(s.listDatasets().map((d) => d.name)).toEqual([imp.dataset.name]);
    expect(listModels(s).map((m) => m.status)).toEqual(['cancelled']);
    s.close();
  }, 120_000);

  it('a job thread that dies fails its job with a clear message, and the next job gets a fresh thread', async () => {
    const p = newProject('d');
    const never = new AbortController().signal;
    const imp = (await runner.run({ kind: 'import', project: p, file: WDBC, options: {} }, never, () => undefined)) as ImportResult;
    // A training run that cannot finish on its own; the thread is ended (as if it had crashed) at its first progress.
    const thread = (runner as unknown as { thread: { current: { terminate(): Promise<number> } } }).thread.current;
    const job = runner.run({ kind: 'train', project: p, dataset: imp.dataset.id, settings: { kind: 'ae' as const, layers: [8, 4], epochs: 100_000, patience: 100_000 } }, never, () => void thread.terminate());
    await expect(job).rejects.toMatchObject({ code: 'INTERNAL', message: expect.stringMatching(/job thread stopped unexpectedly.*nothing the job was writing was kept/) });
    const s = ProjectStore.open(p);
    expect(listModels(s)).toEqual([]);
    s.close();
    const again = (await runner.run({ kind: 'import', project: p, file: WDBC, options: { name: 'again' } }, never, () => undefined)) as ImportResult;
    expect(again.dataset.rowCount).toBe(569);
  }, 120_000);
});

describe('keepNativeBackendsOut: the query thread never loads native TensorFlow', () => {
  it(`falls back to wasm even when ${BACKEND_ENV} forces tensorflow`, async () => {
    keepNativeBackendsOut();
    process.env[BACKEND_ENV] = 'tensorflow';
    try {
      const info = await initBackend();
      expect(info.name).toBe('wasm');
      expect(info.attempts.map((a) => a.name)).not.toContain('tensorflow');
    } finally {
      process.env[BACKEND_ENV] = 'wasm';
    }
  });
});
