/**
 * The engine process's query thread: answers the contract's heavier reads (QUERY_METHODS in query-thread.ts) on its
 * own connection to the project, one at a time, so that the engine's main thread never waits for them. It opens
 * the project the main thread opened and never writes (jobs and small writes stay with the main thread).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { keepNativeBackendsOut } from '../core/engine';
import { toContractError } from '../core/errors';
import { Workbench } from '../core/workbench/workbench';
import type { FromQueryThread, ToQueryThread } from './query-thread';

const port = parentPort;
if (!port) throw new Error('query-worker runs as a worker thread of the engine process.');

// Native TensorFlow belongs to the job thread (one thread per process may initialise it): explanations run on wasm.
keepNativeBackendsOut();
const { mode } = workerData as { mode: 'electron' | 'browser' };
// It never writes: the main thread's workbench carries out the trash's deletes.
const workbench = new Workbench(() => undefined, { mode, purgesTrash: false });
const send = (m: FromQueryThread): void => port.postMessage(m);
let opened: Error | null = null;

port.on('message', (m: ToQueryThread) => {
  if (m.type === 'open') {
    try {
      workbench.openProject(m.path);
      opened = null;
    } catch (e) {
      // Answered with the queries that need the project.
      opened = e as Error;
    }
    return;
  }
  if (m.type === 'forget') {
    workbench.forgetViews();
    return;
  }
  void (async () => {
    try {
      if (opened) throw opened;
      send({ type: 'reply', id: m.id, ok: true, result: await workbench.invoke(m.method, m.payload) });
    } catch (e) {
      send({ type: 'reply', id: m.id, ok: false, error: toContractError(e) });
    }
  })();
});
