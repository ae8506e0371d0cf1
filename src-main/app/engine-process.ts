/**
 * Entry of the engine process: the Workbench (store, import, training, scoring, reports) runs here, off main's
 * event loop. Talks to its parent through Electron's parentPort (utilityProcess) or Node's IPC channel (fork).
 * This thread answers the contract; jobs run in the process's job thread (job-worker), so that ranking, heatmap,
 * verdicts and status are answered while a million rows train.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { keepNativeBackendsOut } from '../core/engine';
import { toContractError } from '../core/workbench/jobs';
import { WorkerRunner } from '../core/workbench/runner';
import { Workbench } from '../core/workbench/workbench';
import type { FromEngine, ToEngine } from './protocol';

interface ParentPortLike {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
}

const parentPort = (process as unknown as { parentPort?: ParentPortLike }).parentPort;

function send(message: FromEngine): void {
  if (parentPort) parentPort.postMessage(message);
  else process.send?.(message);
}

const mode = process.env['RESIDUAL_MODE'] === 'electron' ? 'electron' : 'browser';
// Next to this file: job-worker.ts under tsx, job-worker.js in the electron-vite bundle (out/main).
const here = fileURLToPath(import.meta.url);
const runner = new WorkerRunner(path.join(path.dirname(here), `job-worker${path.extname(here)}`));
keepNativeBackendsOut();
const workbench = new Workbench((event, payload) => send({ type: 'event', event, payload }), {
  mode,
  runner,
  ...(process.env['RESIDUAL_REPORTS_DIR'] ? { reportsDir: process.env['RESIDUAL_REPORTS_DIR'] } : {}),
});

async function handle(message: ToEngine): Promise<void> {
  if (message.type === 'shutdown') {
    await workbench.close();
    process.exit(0);
  }
  try {
    const result = await workbench.invoke(message.method as never, message.payload);
    send({ type: 'reply', id: message.id, ok: true, result });
  } catch (e) {
    send({ type: 'reply', id: message.id, ok: false, error: toContractError(e) });
  }
}

if (parentPort) parentPort.on('message', (e) => void handle(e.data as ToEngine));
else process.on('message', (m) => void handle(m as ToEngine));
// Without a parent there is nobody to serve: leave instead of lingering.
process.on('disconnect', () => process.exit(0));
send({ type: 'ready' });
