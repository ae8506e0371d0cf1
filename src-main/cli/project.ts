import { ProjectStore } from '../core/store';

/** Opens the project for one command and always closes it, so WAL is checkpointed and the file is whole. */
export async function withProject<T>(file: string, options: { create?: boolean }, fn: (store: ProjectStore) => Promise<T> | T): Promise<T> {
  const store = ProjectStore.open(file, options);
  try {
    return await fn(store);
  } finally {
    store.close();
  }
}
