/**
 * The fused kernel's helper thread (a worker_threads worker started by helper.ts): its own instance of the kernel
 * with the same network, fed through one SharedArrayBuffer and woken with Atomics, no message round trips. The main
 * thread writes a command into the shared header (HELPER_I32, HELPER_F64: layout.json), bumps `seq` and waits for
 * `done`; this thread runs it on its rows and echoes `seq`. A command that throws sets `failed` and posts its error on
 * the port, where the main thread reads it and throws it. One thread serves one network at a time; `setup` (the next
 * network in a message on the port) moves it to the next one.
 *
 * Built by electron-vite as its own entry (out/main/fused-helper.js); run from source through tsx (tests, bench).
 */
import { type MessagePort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import type { HelperFailure, HelperNet, SharedLayout } from './helper';
import { type WasmModule, instantiate } from './instance';
import { type FusedExports, HELPER_CMD, HELPER_F64, HELPER_F64_AT, HELPER_F64_SLOTS, HELPER_I32, HELPER_I32_SLOTS } from './layout';

const { port, first } = workerData as { port: MessagePort; first: HelperNet };

let ex!: FusedExports;
let sab!: SharedArrayBuffer;
let lay!: SharedLayout;
let i32!: Int32Array;
let f64!: Float64Array;
let P = 0;
let score: { cols: number; own: number; row: number; feat: number; acc: number } | null = null;
let seen = 0;

const f32 = (ptr: number, len: number): Float32Array => new Float32Array(ex.memory.buffer, ptr, len);
const shared = (off: number, len: number): Float32Array => new Float32Array(sab, off, len);

function report(e: unknown): void {
  const failure: HelperFailure = { message: e instanceof Error ? e.message : String(e), stack: e instanceof Error ? e.stack : undefined };
  port.postMessage(failure);
}

/** This thread's instance of the network in `m`; `ready` says how it went. */
function setup(m: HelperNet): void {
  ({ sab, lay } = m);
  i32 = new Int32Array(sab, 0, HELPER_I32_SLOTS);
  f64 = new Float64Array(sab, HELPER_F64_AT, HELPER_F64_SLOTS);
  let ready: number;
  try {
    ex = instantiate(m.module as WasmModule);
    new Uint8Array(ex.memory.buffer, ex.fz_setup_in(), m.setup.length).set(m.setup);
    ready = ex.fz_setup() === 0 ? 1 : -1;
    P = ex.fz_param_count();
    if (ready === 1) f32(ex.fz_params(), P).set(m.params);
  } catch (e) {
    report(e);
    ready = -2;
  }
  score = null;
  seen = 0;
  Atomics.store(i32, HELPER_I32.ready, ready);
  Atomics.notify(i32, HELPER_I32.ready);
}

/** Runs one command on this thread's rows. */
function run(cmd: number, n: number): void {
  switch (cmd) {
    case HELPER_CMD.setWeights:
      f32(ex.fz_params(), P).set(shared(lay.w, P));
      return;
    case HELPER_CMD.adam:
      f32(ex.fz_other_grads(), P).set(shared(lay.gm, P));
      ex.fz_adam_shared(f64[HELPER_F64.lr]!, f64[HELPER_F64.beta1]!, f64[HELPER_F64.beta2]!, f64[HELPER_F64.eps]!, f64[HELPER_F64.omb1]!, f64[HELPER_F64.omb2]!);
      return;
    case HELPER_CMD.grad: {
      const hasTarget = i32[HELPER_I32.hasTarget]!;
      f32(ex.fz_input(), n * lay.inPad).set(shared(lay.inp, n * lay.inPad));
      if (hasTarget) f32(ex.fz_target(), n * lay.inPad).set(shared(lay.tgt, n * lay.inPad));
      for (const m of lay.masks) f32(ex.fz_mask(m.l), n * m.outP).set(shared(m.off, n * m.outP));
      f64[HELPER_F64.result] = ex.fz_grad_part(n, i32[HELPER_I32.batchRows]!, hasTarget, f64[HELPER_F64.l1]!);
      shared(lay.gw, P).set(f32(ex.fz_grads(), P));
      return;
    }
    case HELPER_CMD.eval:
      f32(ex.fz_input(), n * lay.inPad).set(shared(lay.inp, n * lay.inPad));
      f64[HELPER_F64.result] = ex.fz_eval_loss(n, f64[HELPER_F64.l1]!);
      return;
    case HELPER_CMD.score: {
      const cols = i32[HELPER_I32.columns]!;
      f32(ex.fz_input(), n * lay.inPad).set(shared(lay.inp, n * lay.inPad));
      if (!score || score.cols !== cols) {
        score = { cols, own: ex.fz_alloc(lay.inputDims * 4), row: ex.fz_alloc(lay.maxRows * 4), feat: ex.fz_alloc(lay.maxRows * cols * 4), acc: ex.fz_alloc(Math.max(1, cols) * 8) };
        if (!score.own || !score.row || !score.feat || !score.acc) {
          score = null;
          throw new Error('the fused kernel could not allocate its scoring memory');
        }
      }
      new Int32Array(ex.memory.buffer, score.own, lay.inputDims).set(new Int32Array(sab, lay.own, lay.inputDims));
      ex.fz_score(n, score.own, cols, score.row, score.feat, 0, score.acc);
      shared(lay.row, n).set(f32(score.row, n));
      shared(lay.feat, n * cols).set(f32(score.feat, n * cols));
      return;
    }
    default:
      throw new Error(`unknown command ${cmd}`);
  }
}

function serve(): void {
  setup(first);
  for (;;) {
    Atomics.wait(i32, HELPER_I32.seq, seen);
    seen = Atomics.load(i32, HELPER_I32.seq);
    const cmd = i32[HELPER_I32.cmd]!;
    if (cmd === HELPER_CMD.quit) return;
    if (cmd === HELPER_CMD.setup) {
      const next = receiveMessageOnPort(port);
      if (!next) return;
      setup(next.message as HelperNet);
      continue;
    }
    try {
      run(cmd, i32[HELPER_I32.rows]!);
    } catch (e) {
      report(e);
      Atomics.store(i32, HELPER_I32.failed, 1);
    }
    Atomics.store(i32, HELPER_I32.done, seen);
    Atomics.notify(i32, HELPER_I32.done);
  }
}

serve();
