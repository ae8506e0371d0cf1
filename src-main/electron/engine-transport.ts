import path from 'node:path';
import { utilityProcess } from 'electron';
import type { EngineTransport, FromEngine } from '../app/protocol';

/** The engine as an Electron utility process running the bundled out/main/engine.js. */
export function utilityEngine(mainDir: string, env: Record<string, string>): EngineTransport {
  const child = utilityProcess.fork(path.join(mainDir, 'engine.js'), [], {
    serviceName: 'Residual engine',
    env: { ...process.env, ...env, RESIDUAL_MODE: 'electron' },
    stdio: 'inherit',
  });
  const exitListeners: ((reason: string) => void)[] = [];
  let exited = false;
  child.on('exit', (code) => {
    exited = true;
    for (const l of exitListeners) l(`exit code ${code}`);
  });
  return {
    get pid() {
      return child.pid;
    },
    send: (m) => child.postMessage(m),
    onMessage: (l) => child.on('message', (m) => l(m as FromEngine)),
    onExit: (l) => {
      if (exited) l('already stopped');
      else exitListeners.push(l);
    },
    kill: () => void child.kill(),
  };
}
