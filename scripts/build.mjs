// Builds out/ (Electron main, engine process, job thread, CLI, preload, renderer) through electron-vite's public
// API. `npm install` runs it (postinstall), `npm start` and the `residual` command run it when a source is newer
// than the last build, `npm run build` always. Run directly: `node scripts/build.mjs [--force] [--if-stale]`.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const root = path.resolve(import.meta.dirname, '..');
const out = path.join(root, 'out');
// Written last by a build that finished: its mtime is the build's time. No stamp, no build.
const stamp = path.join(out, '.built');
const lock = path.join(root, 'out.building');
const sources = ['src-main', 'src-renderer', 'electron.vite.config.ts', 'package.json', 'tsconfig.json', 'tsconfig.web.json'];

function newest(p) {
  let st;
  try {
    st = fs.statSync(p);
  } catch {
    return 0;
  }
  if (!st.isDirectory()) return st.mtimeMs;
  let t = st.mtimeMs;
  for (const name of fs.readdirSync(p)) t = Math.max(t, newest(path.join(p, name)));
  return t;
}

/** Why out/ needs building, or null when it is current. A walk of mtimes: a few milliseconds. */
export function staleReason() {
  let built;
  try {
    built = fs.statSync(stamp).mtimeMs;
  } catch {
    return 'not built yet';
  }
  for (const s of sources) if (newest(path.join(root, s)) > built) return `${s} changed since the last build`;
  return null;
}

function sleep(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** One build at a time: a second process waits for the first, then finds out/ current. */
function takeLock() {
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      fs.writeFileSync(lock, String(process.pid), { flag: 'wx' });
      return;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
    }
    let holder = NaN;
    try {
      holder = Number(fs.readFileSync(lock, 'utf8'));
    } catch {
      continue;
    }
    let alive = false;
    try {
      process.kill(holder, 0);
      alive = true;
    } catch (e) {
      alive = e.code === 'EPERM';
    }
    if (!alive || Date.now() > deadline) fs.rmSync(lock, { force: true });
    else sleep(200);
  }
}

async function buildLocked(onlyIfStale, log) {
  takeLock();
  try {
    // Another process may have finished the same build while this one waited for the lock.
    const why = staleReason();
    if (onlyIfStale && why === null) return false;
    log(`Building Residual (${onlyIfStale ? why : 'asked for'}; about 10 s)…`);
    fs.rmSync(stamp, { force: true });
    const { build: viteBuild } = await import('electron-vite');
    await viteBuild({ root, configFile: path.join(root, 'electron.vite.config.ts'), logLevel: 'warn' });
    fs.writeFileSync(stamp, `${new Date().toISOString()}\n`);
    log('Residual is built (out/).');
    return true;
  } finally {
    fs.rmSync(lock, { force: true });
  }
}

const stderrLog = (m) => process.stderr.write(`${m}\n`);

/** Builds out/ now, through electron-vite's `build()`; `log` says what is happening (stderr by default). */
export async function build({ log = stderrLog } = {}) {
  await buildLocked(false, log);
}

/** Builds only when a source is newer than out/; returns whether it built. */
export async function buildIfStale({ log = stderrLog } = {}) {
  if (staleReason() === null) return false;
  return buildLocked(true, log);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  try {
    if (args.includes('--if-stale')) await buildIfStale();
    else await build();
  } catch (e) {
    process.stderr.write(`Building Residual failed: ${e?.message ?? e}\n`);
    // After `npm install`, a failed build must not fail the install: `npm start` and `residual` build again on demand
    // and show the error there.
    process.exitCode = args.includes('--no-fail') ? 0 : 1;
  }
}
