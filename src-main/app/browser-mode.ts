import { startBridge, type Bridge } from '../bridge/server';
import { EngineClient } from './engine-client';
import { forkEngine } from './fork-transport';
import { createHost, type AppHost } from './host';

export interface BrowserMode {
  readonly bridge: Bridge;
  readonly engine: EngineClient;
  readonly host: AppHost;
  close(): Promise<void>;
}

/**
 * What `residual serve` runs: an engine process (forked), the contract host that validates every payload, and the
 * loopback bridge in front of them. With `project`, that project is opened (created if absent) before serving.
 */
export async function startBrowserMode(options: { staticDir: string; port?: number; project?: string }): Promise<BrowserMode> {
  const engine = new EngineClient(() => forkEngine({ RESIDUAL_MODE: 'browser' }));
  const host = createHost(engine);
  try {
    if (options.project) await host.invoke('project.open', { path: options.project, create: true });
    const bridge = await startBridge(host, { staticDir: options.staticDir, ...(options.port !== undefined ? { port: options.port } : {}) });
    return {
      bridge,
      engine,
      host,
      close: async () => {
        await bridge.close();
        await engine.stop();
      },
    };
  } catch (e) {
    await engine.stop();
    throw e;
  }
}
