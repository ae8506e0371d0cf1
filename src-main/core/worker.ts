import { pathToFileURL } from 'node:url';
import { type TransferListItem, Worker } from 'node:worker_threads';

/**
 * A worker thread on `entry`: a .ts file runs through tsx (development, tests, bench), a .js one (the electron-vite
 * bundle in out/main) as is. Used by the engine's job and query threads and by the fused kernel's helper thread.
 */
export function startWorker(entry: string, workerData?: unknown, transferList?: readonly TransferListItem[]): Worker {
  const options = { workerData, transferList: transferList ? [...transferList] : undefined };
  return entry.endsWith('.ts')
    ? // A worker's entry does not get the --import hooks of its execArgv (Node 20), so tsx registers first.
      new Worker(`import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(pathToFileURL(entry).href)}); })`, { eval: true, ...options })
    : new Worker(entry, options);
}
