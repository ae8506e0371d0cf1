/**
 * Entry of the engine process: the Workbench (store, import, training, scoring, reports) runs here, off main's
 * event loop. Talks to its parent through Electron's parentPort (utilityProcess) or Node's IPC channel (fork).
 * This thread answers the contract; jobs run in the process's job thread (job-worker), so that ranking, heatmap,
 * verdicts and status are answered while a million rows train.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MethodName, ProjectOverview } from '../contract';
import { keepNativeBackendsOut } from '../core/engine';
import { toContractError } from '../core/errors';
import { WorkerRunner } from '../core/workbench/runner';
import { PROJECTS_FOLDER, RECENT_PROJECTS_FILE } from '../core/workbench/recent';
import { Workbench } from '../core/workbench/workbench';
import { residualHome } from './paths';
import type { FromEngine, ToEngine } from './protocol';
import { QUERY_METHODS, QueryThread } from './query-thread';

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
// Next to this file: job-worker.ts and query-worker.ts under tsx, .js in the electron-vite bundle (out/main).
const here = fileURLToPath(import.meta.url);
const sibling = (name: string): string => path.join(path.dirname(here), `${name}${path.extname(here)}`);
const runner = new WorkerRunner(sibling('job-worker'));
const queries = new QueryThread(sibling('query-worker'), mode);
keepNativeBackendsOut();
const workbench = new Workbench((event, payload) => {
  // A finished job changed what the project holds: the query thread's cached views go too.
  if (event === 'job.finished') queries.forget();
  send({ type: 'event', event, payload });
}, {
  mode,
  runner,
  recentFile: path.join(residualHome(), RECENT_PROJECTS_FILE),
  projectsDir: path.join(residualHome(), PROJECTS_FOLDER),
  ...(process.env['RESIDUAL_UPLOADS_DIR'] ? { uploadsDir: process.env['RESIDUAL_UPLOADS_DIR'] } : {}),
  // Browser mode always sets it (its reports folder, the one the page downloads from); the desktop app only when the
  // user does (else reports and exports go beside the project).
  ...(process.env['RESIDUAL_REPORTS_DIR'] ? { reportsDir: process.env['RESIDUAL_REPORTS_DIR'] } : {}),
});

/** Writes after which the query thread's cached views (rank order, labels, columns) are stale. */
const CHANGES_VIEWS: ReadonlySet<MethodName> = new Set<MethodName>(['data.setRole', 'data.delete', 'model.delete', 'trash.restore']);

async function handle(message: ToEngine): Promise<void> {
  if (message.type === 'shutdown') {
    await queries.close();
    await workbench.close();
    process.exit(0);
  }
  try {
    const method = message.method as MethodName;
    const result = QUERY_METHODS.has(method) ? await queries.invoke(method, message.payload) : await workbench.invoke(method, message.payload);
    if (method === 'project.open') queries.setProject((result as ProjectOverview).path);
    else if (CHANGES_VIEWS.has(method)) queries.forget();
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
