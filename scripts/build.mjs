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

/*
 * A build must not pull the files from under a running Residual: a server or the desktop app loads parts of out/
 * (hashed chunks: the report, the exports …) only when first used, maybe hours after it started, and a rebuild gives
 * them new names. So a build writes over out/ without emptying it (electron.vite.config.ts: emptyOutDir false), and
 * removes the files it did not write only when no process that runs from out/ is alive: each one (the `residual`
 * command, `npm start`) holds out/.users/<pid> while it runs (useBuild). The old files then go at the next build.
 */

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
}

/** The pids of the live processes running from out/ (a dead one's file is removed). */
export function buildUsers(dir = out) {
  const users = path.join(dir, '.users');
  let names = [];
  try {
    names = fs.readdirSync(users);
  } catch {
    return [];
  }
  const live = [];
  for (const name of names) {
    const pid = Number(name);
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) live.push(pid);
    else if (pid !== process.pid) fs.rmSync(path.join(users, name), { force: true });
  }
  return live;
}

/** Marks this process as running from out/ until it exits, so that a build meanwhile keeps the files it may load. */
export function useBuild(dir = out) {
  const users = path.join(dir, '.users');
  const mine = path.join(users, String(process.pid));
  try {
    fs.mkdirSync(users, { recursive: true });
    fs.writeFileSync(mine, '');
  } catch {
    return; // A read-only install: nothing builds there either.
  }
  process.once('exit', () => fs.rmSync(mine, { force: true }));
}

/** Every file under `dir` (out/, but its stamp and the users' marks) with its size and time. */
export function outFiles(dir = out, into = new Map(), top = dir) {
  let entries = [];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return into;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (p === path.join(top, '.built') || p === path.join(top, '.users')) continue;
    if (e.isDirectory()) outFiles(p, into, top);
    else if (e.isFile()) {
      const st = fs.statSync(p);
      into.set(p, `${st.size}:${st.mtimeMs}`);
    }
  }
  return into;
}

/** Removes the files of out/ that the build just finished did not write (`before`: out/ before it), when no one runs from out/. */
export function pruneOut(before, log = () => {}, dir = out) {
  const live = buildUsers(dir);
  const after = outFiles(dir);
  const old = [...after].filter(([p, sig]) => before.get(p) === sig).map(([p]) => p);
  if (old.length === 0) return 0;
  if (live.length > 0) {
    log(`Kept ${old.length} files of the previous build: Residual is running from out/ (pid ${live.join(', ')}).`);
    return 0;
  }
  for (const p of old) fs.rmSync(p, { force: true });
  return old.length;
}

async function buildLocked(onlyIfStale, log) {
  takeLock();
  try {
    // Another process may have finished the same build while this one waited for the lock.
    const why = staleReason();
    if (onlyIfStale && why === null) return false;
    log(`Building Residual (${onlyIfStale ? why : 'asked for'}; about 10 s)…`);
    fs.rmSync(stamp, { force: true });
    const before = outFiles();
    const { build: viteBuild } = await import('electron-vite');
    await viteBuild({ root, configFile: path.join(root, 'electron.vite.config.ts'), logLevel: 'warn' });
    pruneOut(before, log);
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
