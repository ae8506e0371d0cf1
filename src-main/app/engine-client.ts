import { EVENT_NAMES, type ContractError, type ErrorCode, type ErrorDetails, type EventName, type Events, type MethodName, type Reply } from '../contract';
import type { EngineTransport, FromEngine } from './protocol';

export class EngineError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: ErrorDetails = {},
  ) {
    super(message);
  }
  toJSON(): ContractError {
    return { code: this.code, message: this.message, details: this.details };
  }
}

type Listener = (event: EventName, payload: Events[EventName]) => void;

/**
 * Main's handle on the engine process. Starts it on first use; if it dies, pending calls fail with
 * ENGINE_CRASHED, an `engine.crashed` event tells the user what happened, and the next call starts a fresh engine
 * that reopens the project that was open.
 */
export class EngineClient {
  private transport: EngineTransport | null = null;
  private ready: Promise<void> | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
  private readonly listeners = new Set<Listener>();
  private projectPath: string | null = null;
  private stopping = false;

  constructor(private readonly spawn: () => EngineTransport) {}

  onEvent(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get pid(): number | undefined {
    return this.transport?.pid;
  }

  private emit(event: EventName, payload: Events[EventName]): void {
    for (const l of this.listeners) l(event, payload);
  }

  private start(): Promise<void> {
    if (this.ready) return this.ready;
    const transport = this.spawn();
    this.transport = transport;
    this.ready = new Promise<void>((resolve, reject) => {
      let isReady = false;
      transport.onMessage((m: FromEngine) => {
        if (m.type === 'ready') {
          isReady = true;
          resolve();
        } else if (m.type === 'reply') {
          const p = this.pending.get(m.id);
          if (!p) return;
          this.pending.delete(m.id);
          if (m.ok) p.resolve(m.result);
          else p.reject(new EngineError(m.error.code, m.error.message, m.error.details));
        } else if (m.type === 'event' && (EVENT_NAMES as readonly string[]).includes(m.event)) {
          this.emit(m.event, m.payload);
        }
      });
      transport.onExit((reason) => {
        this.transport = null;
        this.ready = null;
        const err = new EngineError('ENGINE_CRASHED', `The engine process stopped (${reason}). The project file is intact; the job that was running was not saved. Start it again.`);
        for (const p of this.pending.values()) p.reject(err);
        this.pending.clear();
        if (!isReady) reject(err);
        if (!this.stopping) this.emit('engine.crashed', { message: err.message });
      });
    });
    return this.ready;
  }

  async invoke<M extends MethodName>(method: M, payload: unknown): Promise<Reply<M>> {
    const fresh = this.transport === null;
    await this.start();
    // A restarted engine has no project open yet: reopen the one the user had.
    if (fresh && this.projectPath && method !== 'project.open') await this.call('project.open', { path: this.projectPath });
    const result = await this.call(method, payload);
    if (method === 'project.open') this.projectPath = (result as Reply<'project.open'>).path;
    return result as Reply<M>;
  }

  private call(method: string, payload: unknown): Promise<unknown> {
    const transport = this.transport;
    if (!transport) return Promise.reject(new EngineError('ENGINE_CRASHED', 'The engine process is not running.'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      transport.send({ type: 'invoke', id, method, payload });
    });
  }

  /** Kills the engine as if it crashed (tests, and the "engine died" path). */
  kill(): void {
    this.transport?.kill();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const t = this.transport;
    if (!t) return;
    await new Promise<void>((resolve) => {
      t.onExit(() => resolve());
      t.send({ type: 'shutdown' });
      setTimeout(() => t.kill(), 5000).unref();
    });
  }
}
