import fs from 'node:fs';
import path from 'node:path';
import type { ContractHost } from '../../src-main/bridge/server';
import type { EventName, Events } from '../../src-main/contract';

/** A renderer folder in `dir` (renderer/index.html) for the bridge to serve as its staticDir; returns its path. */
export function rendererDir(dir: string): string {
  const staticDir = path.join(dir, 'renderer');
  fs.mkdirSync(staticDir);
  fs.writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>Residual</title>');
  return staticDir;
}

/**
 * A host for testing the bridge's own behaviour: each call goes to `answer` (which may throw), and where it returns
 * undefined the host echoes `{ method, payload }` — an echo, not the method's reply: the bridge passes replies through
 * untouched. `emit` sends an event to every listener the bridge subscribed.
 */
export function echoHost(answer: (method: string, payload: unknown) => unknown = () => undefined): {
  host: ContractHost;
  emit: <E extends EventName>(event: E, payload: Events[E]) => void;
} {
  const listeners = new Set<(e: EventName, p: Events[EventName]) => void>();
  const host: ContractHost = {
    async invoke(method, payload) {
      return (answer(method, payload) ?? { method, payload }) as never;
    },
    onEvent(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  };
  return {
    host,
    emit: (event, payload) => {
      for (const l of listeners) l(event, payload);
    },
  };
}
