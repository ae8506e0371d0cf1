/** A macrotask break: lets timers, I/O and AbortSignals through between batches. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
