import { plainError } from '../core/errors';
import { ProjectStore } from '../core/store';

/**
 * Opens the project for one command and always closes it, so WAL is checkpointed and the file is whole. SQLite and
 * file-system failures come out as plain messages naming the project (busy, disk full, read-only, damaged).
 */
export async function withProject<T>(file: string, options: { create?: boolean }, fn: (store: ProjectStore) => Promise<T> | T): Promise<T> {
  const store = ProjectStore.open(file, options);
  try {
    return await fn(store);
  } catch (e) {
    throw plainError(e, store.path) ?? e;
  } finally {
    store.close();
  }
}
