import { parseRequest, type EventName, type Events, type MethodName, type Reply } from '../contract';
import type { EngineClient } from './engine-client';
import type { FilePolicy } from './file-policy';

/**
 * The contract as main serves it (over IPC or the HTTP bridge): every payload is checked against the contract, and
 * every path in it against the file policy, here, in main, before it goes to the engine process.
 */
export interface AppHost {
  /** A method of the contract, its payload checked here. */
  invoke<M extends MethodName>(method: M, payload: unknown): Promise<Reply<M>>;
  onEvent(listener: (event: EventName, payload: Events[EventName]) => void): () => void;
}

export function createHost(engine: EngineClient, policy: FilePolicy): AppHost {
  return {
    async invoke(method, payload) {
      const request = parseRequest(method, payload);
      policy.check(method, request);
      return engine.invoke(method, request);
    },
    onEvent: (listener) => engine.onEvent(listener),
  };
}
