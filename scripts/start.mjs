// `npm start`: build what is stale, make the sample project, then run the desktop app, or browser mode where
// Electron's binary cannot be had (offline, blocked download).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildIfStale, useBuild } from './build.mjs';
import { electronBinary, electronSqlite } from './electron-native.mjs';

const root = path.resolve(import.meta.dirname, '..');
const cli = path.join(root, 'bin', 'residual.mjs');
const home = process.env.RESIDUAL_HOME ?? path.join(os.homedir(), '.residual');
const sample = path.join(home, 'sample.residual');

function run(args) {
  // Its output (the wizard's reasons, progress) is shown only when a step fails.
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  if (r.status !== 0) {
    process.stderr.write(r.stdout + r.stderr);
    throw new Error(`residual ${args[0]} failed (exit ${r.status})`);
  }
}

function ensureSample() {
  if (fs.existsSync(sample)) return;
  console.error(`Creating the sample project ${sample} (import, train, score: a few seconds)…`);
  const partial = `${sample}.partial`;
  fs.rmSync(partial, { force: true });
  run(['import', path.join(root, 'resources', 'sample', 'wdbc.csv'), '--project', partial, '--name', 'Breast cancer (WDBC)']);
  run(['train', '--project', partial]);
  run(['score', '--project', partial]);
  // Only a complete sample takes the real name, so an interrupted first start is simply redone.
  fs.renameSync(partial, sample);
}

function serve(reason) {
  console.error(`Electron is not available here (${reason}): serving browser mode instead. Open the address below in a browser on this machine.`);
  const child = spawn(process.execPath, [cli, 'serve', '--project', sample], { cwd: root, stdio: 'inherit' });
  process.on('SIGINT', () => child.kill('SIGINT'));
  child.on('exit', (code) => process.exit(code ?? 0));
}

await buildIfStale();
// The app (or browser mode) runs from out/ until this process exits: a rebuild meanwhile keeps its files.
useBuild();
ensureSample();
if (process.env.RESIDUAL_BROWSER_MODE === '1') {
  serve('RESIDUAL_BROWSER_MODE=1');
} else {
  const electron = electronBinary();
  if (!electron.bin) {
    serve(electron.why);
  } else {
    let binding;
    try {
      binding = electronSqlite(electron.version);
    } catch (e) {
      serve(`better-sqlite3 could not be built for Electron: ${e.message.split('\n')[0]}`);
    }
    if (binding) {
      const child = spawn(electron.bin, [root], {
        cwd: root,
        stdio: 'inherit',
        env: { ...process.env, RESIDUAL_SQLITE_BINDING: binding, RESIDUAL_SAMPLE_PROJECT: sample },
      });
      child.on('exit', (code) => process.exit(code ?? 0));
    }
  }
}
