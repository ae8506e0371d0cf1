import { isMethodName, parseRequest, type EventName, type Events } from '../contract';
import { ResidualError } from '../core/errors';
import type { EngineClient } from './engine-client';

/**
 * The contract as main serves it (over IPC or the HTTP bridge): every payload is checked against the contract
 * here, in main, before it goes to the engine process.
 */
export interface AppHost {
  invoke(method: string, payload: unknown): Promise<unknown>;
  onEvent(listener: (event: EventName, payload: Events[EventName]) => void): () => void;
}

export function createHost(engine: EngineClient): AppHost {
  return {
    async invoke(method, payload) {
      if (!isMethodName(method)) throw new ResidualError('BAD_INPUT', `Unknown method "${method}".`, { field: 'method' });
      const request = parseRequest(method, payload);
      return engine.invoke(method, request);
    },
    onEvent: (listener) => engine.onEvent(listener),
  };
}
