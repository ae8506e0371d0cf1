import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { ResidualError } from '../errors';
import { BACKEND_NAMES, type BackendAttempt, type BackendInfo, type BackendName } from './types';

/** Env var that forces a backend (tensorflow-cuda | tensorflow | wasm | cpu). */
export const BACKEND_ENV = 'RESIDUAL_BACKEND';
/** Env var with the folder of the tfjs-backend-wasm .wasm files, for layouts where resolving the package fails (asar). */
export const WASM_DIR_ENV = 'RESIDUAL_WASM_DIR';

let current: BackendInfo | null = null;
let pending: Promise<BackendInfo> | null = null;
let wasmConfigured = false;

// Variables, not literals: the native packages are optional and absent on many machines, so neither
// tsc nor a bundler may try to resolve them ahead of time.
const NODE_GPU_PKG = '@tensorflow/tfjs-node-gpu';
const NODE_PKG = '@tensorflow/tfjs-node';
/** Resolved at run time to find the .wasm binaries next to the installed package. */
const WASM_PKG = '@tensorflow/tfjs-backend-wasm';

/**
 * Picks and initialises the tensor backend once per process: the first of tfjs-node-gpu (CUDA 11.2 +
 * cuDNN 8.1), tfjs-node, wasm (SIMD), cpu that loads. `force` (or env RESIDUAL_BACKEND) demands one;
 * if that one fails it is an error naming what failed, never a silent fallback. Calling it again with
 * another forced backend switches (native backends cannot be unloaded, but tf can switch between
 * registered ones).
 */
export async function initBackend(force?: BackendName): Promise<BackendInfo> {
  const envForce = process.env[BACKEND_ENV]?.trim();
  const asked = force ?? (envForce ? parseBackendName(envForce, BACKEND_ENV) : undefined);
  const wanted = nativeElsewhere && asked && NATIVE.includes(asked) ? undefined : asked;
  if (current && (!wanted || current.name === wanted)) return current;
  if (pending) {
    await pending.catch(() => undefined);
    if (current && (!wanted || current.name === wanted)) return current;
  }
  pending = choose(wanted);
  try {
    current = await pending;
    return current;
  } finally {
    pending = null;
  }
}

let nativeElsewhere = false;
const NATIVE: readonly BackendName[] = ['tensorflow-cuda', 'tensorflow'];

/**
 * Called by a thread that only answers queries while another thread of the same process trains and scores:
 * TensorFlow's native binding keeps one global backend per process and breaks when a second thread initialises
 * it (tensorflow/tfjs#8388), so this thread keeps to wasm and cpu, whatever is forced, for its few explanations.
 */
export function keepNativeBackendsOut(): void {
  nativeElsewhere = true;
}

/** The backend in use, or null before `initBackend`. */
export function backendInfo(): BackendInfo | null {
  return current;
}

/** initBackend() unless one is already up: what train/score/explain call first. */
export async function ensureBackend(): Promise<BackendInfo> {
  return current ?? initBackend();
}

export function parseBackendName(value: string, source = 'backend'): BackendName {
  if ((BACKEND_NAMES as readonly string[]).includes(value)) return value as BackendName;
  throw new ResidualError('BAD_INPUT', `Unknown backend "${value}" (${source}). Use one of: ${BACKEND_NAMES.join(', ')}.`, { field: source });
}

async function choose(wanted: BackendName | undefined): Promise<BackendInfo> {
  const order = wanted ? [wanted] : BACKEND_NAMES.filter((b) => !nativeElsewhere || !NATIVE.includes(b));
  const attempts: BackendAttempt[] = [];
  for (const name of order) {
    try {
      const extra = await load(name);
      attempts.push({ name, ok: true });
      return {
        name,
        tfBackend: tf.getBackend(),
        forced: wanted !== undefined,
        tfjsVersion: tf.version.tfjs,
        simd: extra.simd,
        threads: extra.threads,
        attempts,
      };
    } catch (e) {
      attempts.push({ name, ok: false, error: describe(e) });
    }
  }
  const tried = attempts.map((a) => `${a.name}: ${a.error ?? 'failed'}`).join('; ');
  if (wanted) {
    throw new ResidualError('BACKEND', `The ${wanted} backend (forced${process.env[BACKEND_ENV] ? ` by ${BACKEND_ENV}` : ''}) failed to load: ${tried}.${hint(wanted)}`, { backend: wanted });
  }
  throw new ResidualError('BACKEND', `No tensor backend could be loaded: ${tried}.`);
}

async function load(name: BackendName): Promise<{ simd: boolean | null; threads: boolean | null }> {
  switch (name) {
    case 'tensorflow-cuda': {
      await import(/* @vite-ignore */ NODE_GPU_PKG);
      await activate('tensorflow');
      // Without usable CUDA libraries TensorFlow quietly runs on the CPU; that is the 'tensorflow' backend, not this one.
      if ((tf.backend() as { isUsingGpuDevice?: boolean }).isUsingGpuDevice !== true) {
        throw new Error('tfjs-node-gpu loaded, but TensorFlow found no usable CUDA GPU (it needs CUDA 11.2 and cuDNN 8.1)');
      }
      return { simd: null, threads: null };
    }
    case 'tensorflow':
      // tfjs-node-gpu, when it loaded without a GPU, has registered the same native CPU backend already.
      if (!tf.findBackendFactory('tensorflow')) {
        // A tfjs-node-gpu that failed part-way (no CUDA libraries) may have registered its kernels but not its backend:
        // tfjs-node registers its own, so those go first (else tfjs warns once per kernel, 155 lines on stderr).
        for (const k of tf.getKernelsForBackend('tensorflow')) tf.unregisterKernel(k.kernelName, 'tensorflow');
        await import(/* @vite-ignore */ NODE_PKG);
      }
      await activate('tensorflow');
      return { simd: null, threads: null };
    case 'wasm': {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      if (!wasmConfigured) {
        // The emscripten glue looks for the .wasm next to the script that loaded it; once bundled that
        // is the bundle's folder, so point it at the package's own dist folder (a file path under Node).
        wasm.setWasmPaths(wasmDir());
        wasmConfigured = true;
      }
      await activate('wasm');
      return {
        simd: Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')),
        // tfjs-backend-wasm 4.22 turns threads off under Node (tfjs#3830): reported, not forced.
        threads: Boolean(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')),
      };
    }
    case 'cpu':
      await activate('cpu');
      return { simd: null, threads: null };
  }
}

async function activate(tfName: string): Promise<void> {
  if (!tf.findBackendFactory(tfName)) throw new Error(`tf backend "${tfName}" was not registered by its package`);
  const ok = await tf.setBackend(tfName);
  if (!ok) throw new Error(`tf.setBackend('${tfName}') returned false`);
  await tf.ready();
  // A one-op smoke test: a backend that registers but cannot run kernels fails here, not mid-training.
  const probe = tf.tidy(() => tf.matMul(tf.ones([2, 2]), tf.ones([2, 2])).sum());
  const v = (await probe.data())[0];
  probe.dispose();
  if (v !== 8) throw new Error(`smoke test computed ${v} instead of 8`);
}

function wasmDir(): string {
  const fromEnv = process.env[WASM_DIR_ENV];
  // A CommonJS bundle may leave import.meta empty; __filename then says where the bundle lives.
  const from = typeof import.meta.url === 'string' ? import.meta.url : __filename;
  const dir = fromEnv ? path.resolve(fromEnv) : path.dirname(createRequire(from).resolve(WASM_PKG));
  return dir.endsWith(path.sep) ? dir : dir + path.sep;
}

function describe(e: unknown): string {
  const msg = e instanceof Error ? e.message : typeof e === 'object' && e && 'message' in e ? String((e as { message: unknown }).message) : String(e);
  if (/Cannot find (module|package)|ERR_MODULE_NOT_FOUND/.test(msg)) return 'package not installed';
  return msg.split('\n')[0]!.slice(0, 300);
}

function hint(name: BackendName): string {
  switch (name) {
    case 'tensorflow-cuda':
      return ' It needs the @tensorflow/tfjs-node-gpu package with CUDA 11.2 and cuDNN 8.1 libraries on the library path.';
    case 'tensorflow':
      return ' It needs the @tensorflow/tfjs-node package (its install downloads libtensorflow).';
    case 'wasm':
      return ` Check that the tfjs-backend-wasm .wasm files exist (or set ${WASM_DIR_ENV} to their folder).`;
    case 'cpu':
      return '';
  }
}
