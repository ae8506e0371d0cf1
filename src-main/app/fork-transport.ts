import { fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageRoot } from './paths';
import type { EngineTransport, FromEngine } from './protocol';

const self = fileURLToPath(import.meta.url);

/**
 * The engine as a Node child process (browser mode, tests). From the built CLI (out/main, JavaScript) it is the
 * built out/main/engine.js; from the TypeScript sources (tests, development) the TypeScript entry through tsx.
 */
export function forkEngine(env: NodeJS.ProcessEnv = {}): EngineTransport {
  const fromSources = path.extname(self) === '.ts';
  const entry = fromSources ? path.join(path.dirname(self), 'engine-process.ts') : path.join(packageRoot(), 'out', 'main', 'engine.js');
  const child = fork(entry, [], {
    execArgv: fromSources ? ['--import', 'tsx'] : [],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    serialization: 'advanced',
  });
  const exitListeners: ((reason: string) => void)[] = [];
  let exited = false;
  child.on('exit', (code, signal) => {
    if (exited) return;
    exited = true;
    const reason = signal ? `killed by ${signal}` : `exit code ${code}`;
    for (const l of exitListeners) l(reason);
  });
  return {
    pid: child.pid,
    send: (m) => {
      if (child.connected) child.send(m);
    },
    onMessage: (l) => child.on('message', (m) => l(m as FromEngine)),
    onExit: (l) => {
      if (exited) l('already stopped');
      else exitListeners.push(l);
    },
    kill: () => child.kill('SIGKILL'),
  };
}
