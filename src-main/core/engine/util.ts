import { ResidualError } from '../errors';
import type { ProjectStore } from '../store';

/** A macrotask break: lets timers, I/O and AbortSignals through between batches. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Runs `fn` in a short write transaction, waiting (up to `timeoutMs`) while another job holds the write
 * lock, on this connection (CONFLICT) or another one (SQLITE_BUSY): a finished training run should wait
 * for an import to commit rather than lose its model.
 */
export async function withWrite<T>(store: ProjectStore, fn: () => T, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let tx;
    try {
      tx = store.beginWrite();
    } catch (e) {
      if (!isBusy(e) || Date.now() > deadline) throw e;
      await new Promise((resolve) => setTimeout(resolve, 50));
      continue;
    }
    try {
      const out = fn();
      tx.commit();
      return out;
    } catch (e) {
      tx.rollback();
      throw e;
    }
  }
}

function isBusy(e: unknown): boolean {
  if (e instanceof ResidualError) return e.code === 'CONFLICT';
  const code = (e as { code?: unknown }).code;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED';
}
