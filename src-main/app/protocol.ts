import type { ContractError, EventName, Events } from '../contract';

/** Messages between main (or `residual serve`) and the engine process. */
export type ToEngine =
  | { readonly type: 'invoke'; readonly id: number; readonly method: string; readonly payload: unknown }
  | { readonly type: 'shutdown' };

export type FromEngine =
  | { readonly type: 'ready' }
  | { readonly type: 'reply'; readonly id: number; readonly ok: true; readonly result: unknown }
  | { readonly type: 'reply'; readonly id: number; readonly ok: false; readonly error: ContractError }
  | { readonly type: 'event'; readonly event: EventName; readonly payload: Events[EventName] };

/** How the parent talks to one engine process: utilityProcess under Electron, child_process.fork elsewhere. */
export interface EngineTransport {
  send(message: ToEngine): void;
  onMessage(listener: (message: FromEngine) => void): void;
  /** Called once when the process is gone, with a human-readable reason. */
  onExit(listener: (reason: string) => void): void;
  kill(): void;
  readonly pid: number | undefined;
}
