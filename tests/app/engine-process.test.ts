import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EngineClient } from '../../src-main/app/engine-client';
import { forkEngine } from '../../src-main/app/fork-transport';
import { createFilePolicy } from '../../src-main/app/file-policy';
import { createHost } from '../../src-main/app/host';
import type { EventName, Events, JobRef } from '../../src-main/contract';
import { tmpDir } from '../helpers/tmp';

const ROOT = path.resolve(import.meta.dirname, '../..');
const dir = tmpDir();
const project = path.join(dir, 'p.residual');
const engine = new EngineClient(() => forkEngine({ RESIDUAL_BACKEND: 'wasm' }));
const host = createHost(engine, createFilePolicy({ readRoots: [path.join(ROOT, 'tests', 'fixtures')] }));
const events: { event: EventName; payload: Events[EventName] }[] = [];
engine.onEvent((event, payload) => events.push({ event, payload }));
afterAll(() => engine.stop());

function waitFor<E extends EventName>(event: E, match: (p: Events[E]) => boolean, timeoutMs = 60_000): Promise<Events[E]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} within ${timeoutMs} ms; saw ${events.map((e) => e.event).join(', ')}`)), timeoutMs);
    const off = engine.onEvent((e, p) => {
      if (e === event && match(p as Events[E])) {
        clearTimeout(timer);
        off();
        resolve(p as Events[E]);
      }
    });
  });
}

describe('engine process', () => {
  it('runs jobs off the main process and streams their progress', async () => {
    await host.invoke('project.open', { path: project, create: true });
    const job = (await host.invoke('data.import', { file: path.join(ROOT, 'tests/fixtures/wdbc.csv') })) as JobRef;
    const done = await waitFor('job.finished', (p) => p.jobId === job.jobId);
    expect(done.kind).toBe('import');
    const overview = await host.invoke('project.overview', {});
    expect(overview.datasets[0]!.rowCount).toBe(569);
    expect(engine.pid).not.toBe(process.pid);
  });

  it('survives the engine being killed mid-training: the user is told, the file is intact, the next call starts a fresh engine', async () => {
    const overview = await host.invoke('project.overview', {});
    const job = (await host.invoke('model.train', { datasetId: overview.datasets[0]!.id, settings: { epochs: 100_000, batchSize: 8, patience: 0 } })) as JobRef;
    await waitFor('job.progress', (p) => p.jobId === job.jobId && p.detail.kind === 'train' && p.detail.progress.epoch >= 2);
    const oldPid = engine.pid;
    const crashed = waitFor('engine.crashed', () => true);
    engine.kill();
    expect((await crashed).message).toMatch(/engine process stopped.*project file is intact/);

    // What `residual info` sees: the project opens, the dataset is whole, no half-written model.
    const info = JSON.parse(execFileSync(process.execPath, [path.join(ROOT, 'bin/residual.mjs'), 'info', '--project', project, '--json'], { encoding: 'utf8' })) as {
      datasets: { rowCount: number }[];
    };
    expect(info.datasets[0]!.rowCount).toBe(569);

    // The next request starts a new engine, which reopens the project by itself.
    const again = await host.invoke('project.overview', {});
    expect(engine.pid).not.toBe(oldPid);
    expect(again.datasets).toHaveLength(1);
    expect(again.models).toHaveLength(0);
  });

  it('validates payloads in main before the engine sees them', async () => {
    await expect(host.invoke('model.train', { datasetId: -3, settings: {} })).rejects.toThrow(/datasetId/);
  });

  it('rejects bad settings from the engine with a message naming the setting', async () => {
    const overview = await host.invoke('project.overview', {});
    await expect(host.invoke('model.train', { datasetId: overview.datasets[0]!.id, settings: { learningRate: -1 } })).rejects.toThrow(/learningRate/);
  });
});
