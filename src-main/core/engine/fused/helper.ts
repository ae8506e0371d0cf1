import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MessageChannel, type MessagePort, receiveMessageOnPort, type Worker } from 'node:worker_threads';
import { startWorker } from '../../worker';
import type { WasmModule } from './instance';
import { HELPER_CMD, HELPER_F64, HELPER_F64_AT, HELPER_F64_SLOTS, HELPER_HEADER_BYTES, HELPER_I32, HELPER_I32_SLOTS, type HelperCmd, type HelperF64Slot, type HelperI32Slot } from './layout';

/**
 * A second thread for the fused kernel: a worker (helper-worker.ts) with its own instance of the same module and
 * network, fed through one SharedArrayBuffer and woken with Atomics (no message round trips). A training step
 * splits the batch: each thread computes the gradients of its rows, they swap gradients, and both apply
 * the same Adam update (a + b == b + a), so their weights never need copying. Scoring splits the rows.
 */

/** Env var: '1' keeps the fused kernel on one thread, '2' uses a helper thread for any size; unset: automatic. */
export const THREADS_ENV = 'RESIDUAL_FUSED_THREADS';
/** Multiply-adds per row from which a second thread pays for its hand-offs (30-16-8-16-30 has 1.2k, 784-128-32-128-784 209k). */
const THREAD_MIN_MACS = 50_000;

/**
 * Multiply-adds per row from which a network loaded for a score job (`scoreJob`) takes a second thread: its passes are
 * 1,024 rows with nothing to exchange but the rows and their errors (no gradients, no weights), so even
 * 30-16-8-16-30's 1.2k pays; the job's reads and writes of the project file stay on the calling thread.
 */
export const THREAD_MIN_SCORE_MACS = 1_000;

export function fusedThreads(macsPerRow: number, scoreJob = false): 1 | 2 {
  const env = process.env[THREADS_ENV]?.trim();
  if (env === '1') return 1;
  if (env === '2') return 2;
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return cores >= 2 && macsPerRow >= (scoreJob ? THREAD_MIN_SCORE_MACS : THREAD_MIN_MACS) ? 2 : 1;
}

/** Byte offsets of the shared regions after the header (float32 unless noted). */
export interface SharedLayout {
  readonly params: number;
  readonly inPad: number;
  readonly inputDims: number;
  readonly maxRows: number;
  /** weights, the worker's gradients, the main thread's gradients */
  readonly w: number;
  readonly gw: number;
  readonly gm: number;
  readonly inp: number;
  readonly tgt: number;
  readonly masks: readonly { readonly l: number; readonly outP: number; readonly off: number }[];
  readonly row: number;
  readonly feat: number;
  /** int32 owners of the model dims */
  readonly own: number;
  readonly bytes: number;
}

export function sharedLayout(params: number, inPad: number, inputDims: number, maxRows: number, drops: readonly { l: number; outP: number }[]): SharedLayout {
  let off = HELPER_HEADER_BYTES;
  const take = (floats: number): number => {
    const at = off;
    off += Math.ceil((floats * 4) / 16) * 16;
    return at;
  };
  const w = take(params);
  const gw = take(params);
  const gm = take(params);
  const inp = take(maxRows * inPad);
  const tgt = take(maxRows * inPad);
  const masks = drops.map((d) => ({ l: d.l, outP: d.outP, off: take(maxRows * d.outP) }));
  const row = take(maxRows);
  const feat = take(maxRows * inputDims);
  const own = take(inputDims);
  return { params, inPad, inputDims, maxRows, w, gw, gm, inp, tgt, masks, row, feat, own, bytes: off };
}

/** A network for the helper thread: the compiled kernel, its setup (encodeFusedSetup), its weights, the shared memory. */
export interface HelperNet {
  readonly module: WasmModule;
  readonly setup: Uint8Array;
  readonly params: Float32Array;
  readonly sab: SharedArrayBuffer;
  readonly lay: SharedLayout;
}

/** What the helper thread posts on its port when a command (or its setup) throws. */
export interface HelperFailure {
  readonly message: string;
  readonly stack: string | undefined;
}

/**
 * The helper thread's script: helper-worker.ts beside this file when running from source (tsx: tests, bench), else
 * electron-vite's fused-helper.js, an entry of its own in out/main (this code may sit in out/main or out/main/chunks).
 */
export function helperEntry(): string {
  // A CommonJS bundle may leave import.meta empty; __filename then says where the bundle lives.
  const here = typeof import.meta.url === 'string' ? fileURLToPath(import.meta.url) : __filename;
  if (here.endsWith('.ts')) return path.join(path.dirname(here), 'helper-worker.ts');
  const tried: string[] = [];
  for (let dir = path.dirname(here), up = 0; up < 2; up++, dir = path.dirname(dir)) {
    const file = path.join(dir, 'fused-helper.js');
    if (fs.existsSync(file)) return file;
    tried.push(file);
  }
  throw new Error(`The fused kernel's helper thread script is missing (looked for ${tried.join(' and ')}); rebuild with \`npm run build\`.`);
}

interface Thread {
  readonly worker: Worker;
  readonly port: MessagePort;
  alive: boolean;
}

/** Threads whose network was disposed, waiting for the next one: starting a thread costs tens of ms, reuse ~0. */
const idle: { thread: Thread; helper: Helper }[] = [];
const MAX_IDLE = 1;

/** The main thread's handle on the helper. */
export class Helper {
  readonly i32: Int32Array;
  readonly f64: Float64Array;
  private seq = 0;
  private closed = false;

  private constructor(
    private readonly thread: Thread,
    readonly sab: SharedArrayBuffer,
    readonly lay: SharedLayout,
  ) {
    this.i32 = new Int32Array(sab, 0, HELPER_I32_SLOTS);
    this.f64 = new Float64Array(sab, HELPER_F64_AT, HELPER_F64_SLOTS);
  }

  /**
   * A helper set up with this network, on an idle thread where there is one, else on a new thread; null when it
   * cannot start (no worker threads or SharedArrayBuffer here, a timeout, no memory for its copy): the kernel then
   * runs on one thread. Throws when the helper's script is missing or its setup threw (with that error's message).
   */
  static start(module: WasmModule, setup: Uint8Array, lay: SharedLayout, params: Float32Array): Helper | null {
    let net: HelperNet;
    let thread: Thread;
    try {
      net = { module, setup, params, sab: new SharedArrayBuffer(lay.bytes), lay };
    } catch {
      return null;
    }
    const reuse = idle.pop();
    let fromSource = false;
    if (reuse && reuse.thread.alive) {
      thread = reuse.thread;
      thread.port.postMessage(net);
      reuse.helper.post(HELPER_CMD.setup);
    } else {
      const entry = helperEntry();
      fromSource = entry.endsWith('.ts');
      const { port1, port2 } = new MessageChannel();
      let worker: Worker;
      try {
        worker = startWorker(entry, { port: port2, first: net }, [port2]);
      } catch {
        return null;
      }
      worker.unref();
      port1.unref();
      thread = { worker, port: port1, alive: true };
      const t = thread;
      worker.on('error', () => (t.alive = false));
      worker.on('exit', () => (t.alive = false));
    }
    const h = new Helper(thread, net.sab, lay);
    // Waits for the thread's own instance of this network (tens of ms on a new thread, well under one when reused;
    // from source, tsx compiles the thread's modules first: up to seconds on a busy machine).
    Atomics.wait(h.i32, HELPER_I32.ready, 0, fromSource ? 60_000 : 10_000);
    const ready = Atomics.load(h.i32, HELPER_I32.ready);
    if (ready === 1) return h;
    thread.alive = false;
    void thread.worker.terminate();
    if (ready === -2) throw h.failure('could not set up its network');
    return null;
  }

  /** The helper's error, read from its port (it posts it before it answers). */
  private failure(what: string): Error {
    let last: HelperFailure | null = null;
    for (let m = receiveMessageOnPort(this.thread.port); m; m = receiveMessageOnPort(this.thread.port)) last = m.message as HelperFailure;
    const cause = last ? Object.assign(new Error(last.message), { stack: last.stack ?? last.message }) : undefined;
    return new Error(`The fused kernel's helper thread ${what}: ${last?.message ?? 'it gave no reason'}`, { cause });
  }

  f32(off: number, len: number): Float32Array {
    return new Float32Array(this.sab, off, len);
  }

  /** Blocks until the worker has finished the last command; throws that command's error if it failed. */
  wait(): void {
    for (;;) {
      const done = Atomics.load(this.i32, HELPER_I32.done);
      if (done === this.seq) break;
      if (Atomics.wait(this.i32, HELPER_I32.done, done, 60_000) === 'timed-out' && Atomics.load(this.i32, HELPER_I32.done) === done) {
        throw new Error("The fused kernel's helper thread stopped answering.");
      }
    }
    if (Atomics.load(this.i32, HELPER_I32.failed)) {
      Atomics.store(this.i32, HELPER_I32.failed, 0);
      throw this.failure('failed');
    }
  }

  /** Starts a command (after the previous one finished) with these header slots. */
  post(cmd: HelperCmd, ints: Partial<Record<HelperI32Slot, number>> = {}, floats: Partial<Record<HelperF64Slot, number>> = {}): void {
    this.wait();
    this.i32[HELPER_I32.cmd] = cmd;
    for (const [k, v] of Object.entries(ints)) this.i32[HELPER_I32[k as HelperI32Slot]] = v;
    for (const [k, v] of Object.entries(floats)) this.f64[HELPER_F64[k as HelperF64Slot]] = v;
    this.seq++;
    Atomics.store(this.i32, HELPER_I32.seq, this.seq);
    Atomics.notify(this.i32, HELPER_I32.seq);
  }

  /** A float64 header slot (the helper's result). */
  float(slot: HelperF64Slot): number {
    return this.f64[HELPER_F64[slot]]!;
  }

  /** Done with this network: the thread waits for the next one (or stops, when enough are waiting already). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.wait();
      if (this.thread.alive && idle.length < MAX_IDLE) {
        idle.push({ thread: this.thread, helper: this });
        return;
      }
      this.post(HELPER_CMD.quit);
    } catch {
      // terminated below anyway
    }
    this.thread.alive = false;
    void this.thread.worker.terminate();
  }
}
