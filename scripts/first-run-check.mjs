// CI's guard for a new user's first minute, run on the clean clone right after `npm install` and before `npm test`
// builds anything:
//  1. `npm start` (the README's run command) with a fresh RESIDUAL_HOME must print "Residual is serving at …" (browser
//     mode: Electron's binary is not downloaded here), serve the page, and answer a token-bearing contract call;
//  2. `npx residual serve --project P` must do the same from a checkout whose out/ is gone (an install that ran no
//     scripts): the command builds what it needs on demand.
// Each start has a time limit; the processes are stopped as a group. Exit 0 when both pass.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const LIMIT_MS = 300_000;

function start(label, cmd, args, env) {
  const child = spawn(cmd, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  const url = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${label}: no "Residual is serving at" line within ${LIMIT_MS / 1000} s`)), LIMIT_MS);
    const onData = (d) => {
      output += d.toString();
      const m = /Residual is serving at (\S+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${label} exited (${signal ?? `code ${code}`}) before serving`));
    });
  });
  const stop = () =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      try {
        process.kill(-child.pid, 'SIGINT');
      } catch {
        resolve();
      }
      setTimeout(() => {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }, 10_000).unref();
    });
  return { url, stop, output: () => output };
}

async function expectStatus(what, res, status) {
  if (res.status !== status) throw new Error(`${what}: HTTP ${res.status}, expected ${status}: ${(await res.text()).slice(0, 300)}`);
}

async function probe(label, address) {
  const url = new URL(address);
  const token = new URLSearchParams(url.hash.slice(1)).get('token');
  if (!token) throw new Error(`${label}: the address ${address} carries no token`);
  await expectStatus(`${label}: GET /`, await fetch(new URL('/', url.origin)), 200);
  const call = (headers) => fetch(new URL('/api/app.status', url.origin), { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: '{}' });
  const ok = await call({ Authorization: `Bearer ${token}` });
  await expectStatus(`${label}: app.status with the token`, ok, 200);
  const body = await ok.json();
  if (!body.ok) throw new Error(`${label}: app.status answered ${JSON.stringify(body).slice(0, 300)}`);
  await expectStatus(`${label}: app.status without the token`, await call({}), 401);
}

async function check(label, cmd, args, env) {
  const t0 = Date.now();
  const run = start(label, cmd, args, env);
  try {
    const address = await run.url;
    await probe(label, address);
    console.log(`first run: ${label} served ${new URL(address).origin} in ${((Date.now() - t0) / 1000).toFixed(1)} s; page 200, app.status 200 with the token, 401 without`);
  } catch (e) {
    console.error(`first run: ${label} FAILED: ${e.message}\n--- its output ---\n${run.output()}`);
    throw e;
  } finally {
    await run.stop();
  }
}

const home = fs.mkdtempSync(path.join(os.tmpdir(), 'residual-first-run-'));
try {
  await check('npm start', 'npm', ['start'], { RESIDUAL_HOME: home });
  if (!fs.existsSync(path.join(home, 'sample.residual'))) throw new Error(`npm start left no sample project in ${home}`);
  fs.rmSync(path.join(root, 'out'), { recursive: true, force: true });
  await check('npx residual serve (out/ removed)', 'npx', ['residual', 'serve', '--project', path.join(home, 'x.residual')], { RESIDUAL_HOME: home });
} catch {
  process.exitCode = 1;
} finally {
  fs.rmSync(home, { recursive: true, force: true });
}
