/**
 * The engine process's job thread: imports, training, scoring and reports run here, one at a time, each on its own
 * connection to the project file, so the engine's main thread stays free to answer the contract's queries.
 * The tensor backend (native TensorFlow where it loads) is initialised here, by the first training or scoring, and
 * reported to the engine's main thread after every job.
 */
import { parentPort } from 'node:worker_threads';
import { toContractError } from '../core/errors';
import type { FromJobThread, ToJobThread } from '../core/workbench/runner';
import { runTask } from '../core/workbench/tasks';
import type * as Engine from '../core/engine';

const port = parentPort;
if (!port) throw new Error('job-worker runs as a worker thread of the engine process.');

const send = (m: FromJobThread): void => port.postMessage(m);
const controllers = new Map<number, AbortController>();
/** The engine module, once a training or scoring has loaded it (imports never load TensorFlow.js). */
let engine: typeof Engine | null = null;

port.on('message', (m: ToJobThread) => {
  if (m.type === 'cancel') {
    controllers.get(m.id)?.abort();
    return;
  }
  const controller = new AbortController();
  controllers.set(m.id, controller);
  // Training and scoring load the backend first; it is reported at once (a failure is the job's own, below).
  const ready =
    m.task.kind === 'train' || m.task.kind === 'score'
      ? import('../core/engine')
          .then((e) => (engine = e).initBackend())
          .then((info) => send({ type: 'backend', info }), () => undefined)
      : Promise.resolve();
  ready
    .then(() => runTask(m.task, controller.signal, (update) => send({ type: 'progress', id: m.id, update })))
    .then(
      (result) => send({ type: 'done', id: m.id, result }),
      (e: unknown) => send({ type: 'failed', id: m.id, error: toContractError(e, m.task.project) }),
    )
    .finally(() => {
      controllers.delete(m.id);
      const info = engine?.backendInfo();
      if (info) send({ type: 'backend', info });
    });
});
