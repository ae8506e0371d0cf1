import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';
import { backendInfo, BACKEND_ENV, getModel, initBackend, trainModel } from '../../../src-main/core/engine';
import { ProjectStore } from '../../../src-main/core/store';
import { makeDataset } from '../../helpers/dataset';
import { tmpDir } from '../../helpers/tmp';
import { errorOf, manifoldColumns } from './helpers';

const dir = tmpDir();
const require = createRequire(import.meta.url);
function installed(pkg: string): boolean {
  try {
    require.resolve(pkg);
    return true;
  } catch {
    return false;
  }
}

afterEach(() => {
  delete process.env[BACKEND_ENV];
});

// Runs first in its own process: nothing has picked a backend yet.
describe('initBackend', () => {
  it('picks the best backend that loads and reports why the better ones did not', async () => {
    expect(backendInfo()).toBeNull();
    const info = await initBackend();
    const ok = info.attempts.findIndex((a) => a.ok);
    expect(info.attempts[ok]!.name).toBe(info.name);
    expect(info.attempts.slice(0, ok).every((a) => !a.ok && a.error)).toBe(true);
    expect(info.forced).toBe(false);
    for (const [name, pkg] of [['tensorflow-cuda', '@tensorflow/tfjs-node-gpu'], ['tensorflow', '@tensorflow/tfjs-node']] as const) {
      if (!installed(pkg)) expect(info.attempts.find((a) => a.name === name)).toEqual({ name, ok: false, error: 'package not installed' });
    }
    expect(backendInfo()).toBe(info);
  });

  it('loads wasm with SIMD from the package folder (threads are off under Node)', async () => {
    const info = await initBackend('wasm');
    expect([info.name, info.tfBackend, info.simd, info.threads]).toEqual(['wasm', 'wasm', true, false]);
    expect(tf.getBackend()).toBe('wasm');
  });

  it('a forced backend that fails is an error naming what failed, and the current one stays', async () => {
    if (installed('@tensorflow/tfjs-node-gpu')) return;
    const before = await initBackend('wasm');
    const e = await errorOf(initBackend('tensorflow-cuda'));
    expect(e.code).toBe('BACKEND');
    expect(e.message).toMatch(/tensorflow-cuda backend \(forced\) failed to load: tensorflow-cuda: package not installed.*CUDA 11\.2 and cuDNN 8\.1/);
    expect(backendInfo()).toBe(before);
  });

  it(`honours ${BACKEND_ENV} and rejects unknown names`, async () => {
    process.env[BACKEND_ENV] = 'cuda';
    await expect(initBackend()).rejects.toThrow(/Unknown backend "cuda".*tensorflow-cuda, tensorflow, wasm, cpu/);
    process.env[BACKEND_ENV] = 'cpu';
    const info = await initBackend();
    expect([info.name, info.forced, tf.getBackend()]).toEqual(['cpu', true, 'cpu']);
  });

  it('repeats a seeded run exactly on the cpu backend too, and stores the backend with the model', async () => {
    await initBackend('cpu');
    const store = ProjectStore.open(path.join(dir, 'cpu.residual'), { create: true });
    makeDataset(store, 'd', manifoldColumns(120, 4, 1));
    const settings = { layers: [3, 2], epochs: 2, batchSize: 32, kind: 'denoising' as const, dropout: 0.1, seed: 9 };
    const a = await trainModel(store, { dataset: 'd', settings });
    const b = await trainModel(store, { dataset: 'd', settings });
    expect(a.backend).toBe('cpu');
    expect(getModel(store, a.modelId).backend).toBe('cpu');
    expect(getModel(store, b.modelId).weightsSha256).toBe(getModel(store, a.modelId).weightsSha256);
    store.close();
    await initBackend('wasm');
  });
});
