// What the desktop app needs beyond node_modules: Electron's binary and better-sqlite3 built for Electron's ABI.
// Shared by `npm start` (scripts/start.mjs) and the Electron smoke test (tests/e2e/electron-smoke.test.ts), so both
// find and build them the same way.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

export const root = path.resolve(import.meta.dirname, '..');
const require = createRequire(import.meta.url);

function electronPackage() {
  return path.dirname(require.resolve('electron/package.json'));
}

/** The version of the electron package in node_modules (what `npm start` runs). */
export function electronPackageVersion() {
  return require('electron/package.json').version;
}

/**
 * The binary that the electron package has installed (node_modules/electron/path.txt names it under dist/), without
 * fetching anything: { bin, version }, or { bin: null, why }.
 */
export function installedElectron() {
  let pkg;
  try {
    pkg = electronPackage();
  } catch {
    return { bin: null, why: 'the electron package is not installed' };
  }
  const pathTxt = path.join(pkg, 'path.txt');
  if (!fs.existsSync(pathTxt)) return { bin: null, why: `${path.relative(root, pathTxt)} is missing: the electron package's install script, which downloads the binary, has not run` };
  const bin = path.join(pkg, 'dist', fs.readFileSync(pathTxt, 'utf8').trim());
  if (!fs.existsSync(bin)) return { bin: null, why: `${path.relative(root, bin)} is missing: Electron's binary was never downloaded` };
  return { bin, version: electronPackageVersion() };
}

/** The Electron binary, downloading it on first use (`download: false` only looks); `{ bin: null, why }` when it cannot be had. */
export function electronBinary({ download = true } = {}) {
  const found = installedElectron();
  if (found.bin || !download) return found;
  const pkg = electronPackage();
  console.error("Fetching Electron's binary (first start only)…");
  const r = spawnSync(process.execPath, [path.join(pkg, 'install.js')], { cwd: pkg, stdio: ['ignore', 'ignore', 'pipe'], timeout: 300_000 });
  const after = installedElectron();
  if (r.status !== 0 || !after.bin) {
    const why = (r.stderr?.toString() ?? '').split('\n').find((l) => /error|ENOTFOUND|EAI_AGAIN|ECONNREFUSED|timed out/i.test(l)) ?? 'download failed';
    return { bin: null, why: why.trim().slice(0, 160) };
  }
  return after;
}

/** The Electron version of any Electron binary (for one given by path rather than installed by npm). */
export function electronVersionOf(bin) {
  const r = spawnSync(bin, ['-p', 'process.versions.electron'], { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, encoding: 'utf8', timeout: 60_000 });
  const version = r.stdout?.trim();
  if (r.status !== 0 || !/^\d+\.\d+\.\d+/.test(version ?? '')) throw new Error(`${bin} did not report an Electron version (exit ${r.status ?? r.signal}${r.error ? `: ${r.error.message}` : ''})`);
  return version;
}

/** Where better-sqlite3 built for Electron `version` lives: a copy beside node_modules, so the CLI and tests keep theirs. */
export function electronSqlitePath(version) {
  return path.join(root, '.electron-native', `electron-${version}`, 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
}

/**
 * better-sqlite3 built for Electron `version`'s ABI (node-gyp with Electron's headers), built on first use. Throws
 * when it cannot be built; `stderr: 'pipe'` puts the compiler's complaint in the error instead of on the terminal.
 */
export function electronSqlite(version, { stderr = 'inherit' } = {}) {
  const binding = electronSqlitePath(version);
  if (fs.existsSync(binding)) return binding;
  const dir = path.resolve(binding, '..', '..', '..');
  console.error(`Building better-sqlite3 for Electron ${version} (first start only)…`);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.cpSync(path.dirname(require.resolve('better-sqlite3/package.json')), dir, { recursive: true, filter: (p) => !p.includes(`${path.sep}build${path.sep}`) && !p.endsWith(`${path.sep}build`) });
  const gyp = path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
  try {
    execFileSync(process.execPath, [gyp, 'rebuild', `--target=${version}`, '--runtime=electron', '--dist-url=https://electronjs.org/headers', '--release'], { cwd: dir, stdio: ['ignore', 'ignore', stderr], timeout: 600_000 });
  } catch (e) {
    // No half-built copy: the next try starts clean.
    fs.rmSync(path.dirname(dir), { recursive: true, force: true });
    throw new Error(gypComplaint(e.stderr?.toString() ?? '') ?? e.message.split('\n')[0]);
  }
  return binding;
}

/** node-gyp's reason in one line: its "gyp ERR! stack" message (not the call stack), and what it was fetching. */
function gypComplaint(stderr) {
  const lines = stderr.split('\n');
  const message = lines
    .filter((l) => l.startsWith('gyp ERR! stack'))
    .map((l) => l.slice('gyp ERR! stack'.length).trim())
    .filter((l) => l && !l.startsWith('at '))
    .join(' ');
  const fetching = lines.filter((l) => l.startsWith('gyp http GET ')).at(-1)?.slice('gyp http GET '.length);
  const said = message || lines.find((l) => /gyp ERR!|error/i.test(l))?.trim();
  return said ? `${said}${fetching ? ` (fetching ${fetching})` : ''}`.slice(0, 400) : null;
}
