import os from 'node:os';
import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';

/**
 * A second thread for the fused kernel: a worker with its own instance of the same module and network,
 * fed through one SharedArrayBuffer and woken with Atomics (no message round trips). A training step
 * splits the batch: each thread computes the gradients of its rows, they swap gradients, and both apply
 * the same Adam update (a + b == b + a), so their weights never need copying. Scoring splits the rows.
 */

/** Env var: '1' keeps the fused kernel on one thread, '2' uses a helper thread for any size; unset: automatic. */
export const THREADS_ENV = 'RESIDUAL_FUSED_THREADS';
/** Multiply-adds per row from which a second thread pays for its hand-offs (30-16-8-16-30 has 1.2k, 784-128-32-128-784 209k). */
const THREAD_MIN_MACS = 50_000;

export function fusedThreads(macsPerRow: number): 1 | 2 {
  const env = process.env[THREADS_ENV]?.trim();
  if (env === '1') return 1;
  if (env === '2') return 2;
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return cores >= 2 && macsPerRow >= THREAD_MIN_MACS ? 2 : 1;
}

export const CMD = { SETW: 1, GRAD: 2, ADAM: 3, EVAL: 4, SCORE: 5, QUIT: 6, SETUP: 7 } as const;

/** Byte offsets of the shared regions (float32 unless noted). */
export interface Layout {
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

export function layout(params: number, inPad: number, inputDims: number, maxRows: number, drops: readonly { l: number; outP: number }[]): Layout {
  let off = 512;
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

// Plain JavaScript, run with eval so that bundles and asar archives need no worker file. Header int32 slots:
// 0 seq (main bumps), 1 done (worker echoes seq), 2 cmd, 3 rows, 4 batch rows, 5 has target, 6 columns, 7 ready.
// float64 slots at byte 256: 0 l1, 1 lr, 2 beta1, 3 beta2, 4 eps, 5 1-beta1^t, 6 1-beta2^t, 7 result.
// One thread serves one network at a time; SETUP (its network in a message on the port) moves it to the next one,
// so a thread, once started, is reused by the networks after it.
const WORKER_SOURCE = `
const { workerData, receiveMessageOnPort } = require('node:worker_threads');
const port = workerData.port;
let ex, i32, f64, sab, lay, P, score, seen;
const f32 = (ptr, len) => new Float32Array(ex.memory.buffer, ptr, len);
const s32 = (off, len) => new Float32Array(sab, off, len);
function setup(m) {
  ({ sab, lay } = m);
  ex = new WebAssembly.Instance(m.module, {}).exports;
  new Int32Array(ex.memory.buffer, ex.fz_args(), m.args.length).set(m.args);
  i32 = new Int32Array(sab, 0, 64);
  f64 = new Float64Array(sab, 256, 32);
  const ok = ex.fz_setup() === 0;
  P = ex.fz_param_count();
  if (ok) f32(ex.fz_params(), P).set(m.params);
  score = null;
  seen = 0;
  Atomics.store(i32, 7, ok ? 1 : -1);
  Atomics.notify(i32, 7);
}
setup(workerData.first);
for (;;) {
  Atomics.wait(i32, 0, seen);
  seen = Atomics.load(i32, 0);
  const cmd = i32[2], n = i32[3];
  if (cmd === ${CMD.QUIT}) break;
  if (cmd === ${CMD.SETUP}) {
    const next = receiveMessageOnPort(port);
    if (!next) break;
    setup(next.message);
    continue;
  }
  try {
    if (cmd === ${CMD.SETW}) f32(ex.fz_params(), P).set(s32(lay.w, P));
    else if (cmd === ${CMD.ADAM}) {
      f32(ex.fz_other_grads(), P).set(s32(lay.gm, P));
      ex.fz_adam_shared(f64[1], f64[2], f64[3], f64[4], f64[5], f64[6]);
    } else {
      f32(ex.fz_input(), n * lay.inPad).set(s32(lay.inp, n * lay.inPad));
      if (cmd === ${CMD.GRAD}) {
        if (i32[5]) f32(ex.fz_target(), n * lay.inPad).set(s32(lay.tgt, n * lay.inPad));
        for (const m of lay.masks) f32(ex.fz_mask(m.l), n * m.outP).set(s32(m.off, n * m.outP));
        f64[7] = ex.fz_grad_part(n, i32[4], i32[5], f64[0]);
        s32(lay.gw, P).set(f32(ex.fz_grads(), P));
      } else if (cmd === ${CMD.EVAL}) {
        f64[7] = ex.fz_eval_loss(n, f64[0]);
      } else if (cmd === ${CMD.SCORE}) {
        const cols = i32[6];
        if (!score || score.cols !== cols) {
          score = { cols, own: ex.fz_alloc(lay.inputDims * 4), row: ex.fz_alloc(lay.maxRows * 4), feat: ex.fz_alloc(lay.maxRows * cols * 4), acc: ex.fz_alloc(Math.max(1, cols) * 8) };
        }
        new Int32Array(ex.memory.buffer, score.own, lay.inputDims).set(new Int32Array(sab, lay.own, lay.inputDims));
        ex.fz_score(n, score.own, cols, score.row, score.feat, 0, score.acc);
        s32(lay.row, n).set(f32(score.row, n));
        s32(lay.feat, n * cols).set(f32(score.feat, n * cols));
      }
    }
  } catch (e) {
    f64[7] = NaN;
  }
  Atomics.store(i32, 1, seen);
  Atomics.notify(i32, 1);
}
`;

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
    readonly lay: Layout,
  ) {
    this.i32 = new Int32Array(sab, 0, 64);
    this.f64 = new Float64Array(sab, 256, 32);
  }

  /**
   * A helper set up with this network, on an idle thread where there is one, else on a new thread; null when it
   * cannot start (no worker threads, no SharedArrayBuffer, a timeout): the kernel then runs on one thread.
   */
  static start(module: object, args: Int32Array, lay: Layout, params: Float32Array): Helper | null {
    try {
      const sab = new SharedArrayBuffer(lay.bytes);
      const net = { module, args, sab, lay, params };
      let thread: Thread;
      const reuse = idle.pop();
      if (reuse && reuse.thread.alive) {
        thread = reuse.thread;
        thread.port.postMessage(net);
        reuse.helper.post(CMD.SETUP);
      } else {
        const { port1, port2 } = new MessageChannel();
        const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { port: port2, first: net }, transferList: [port2] });
        worker.unref();
        port1.unref();
        thread = { worker, port: port1, alive: true };
        const t = thread;
        worker.on('error', () => (t.alive = false));
        worker.on('exit', () => (t.alive = false));
      }
      const h = new Helper(thread, sab, lay);
      // Waits for the thread's own instance of this network (tens of ms on a new thread, well under one when reused).
      if (Atomics.wait(h.i32, 7, 0, 10_000) === 'timed-out' || Atomics.load(h.i32, 7) !== 1) {
        thread.alive = false;
        void thread.worker.terminate();
        return null;
      }
      return h;
    } catch {
      return null;
    }
  }

  f32(off: number, len: number): Float32Array {
    return new Float32Array(this.sab, off, len);
  }

  /** Blocks until the worker has finished the last command. */
  wait(): void {
    for (;;) {
      const done = Atomics.load(this.i32, 1);
      if (done === this.seq) return;
      if (Atomics.wait(this.i32, 1, done, 60_000) === 'timed-out' && Atomics.load(this.i32, 1) === done) {
        throw new Error('the fused kernel helper thread stopped answering');
      }
    }
  }

  /** Starts a command (after the previous one finished); header fields as [slot, value] pairs. */
  post(cmd: number, fields: readonly (readonly [number, number])[] = [], floats: readonly (readonly [number, number])[] = []): void {
    this.wait();
    this.i32[2] = cmd;
    for (const [k, v] of fields) this.i32[k] = v;
    for (const [k, v] of floats) this.f64[k] = v;
    this.seq++;
    Atomics.store(this.i32, 0, this.seq);
    Atomics.notify(this.i32, 0);
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
      this.post(CMD.QUIT);
    } catch {
      // terminated below anyway
    }
    this.thread.alive = false;
    void this.thread.worker.terminate();
  }
}
