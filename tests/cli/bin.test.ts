/**
 * The `residual` command as installed: bin/residual.mjs runs the compiled CLI (out/main/cli.js, built by npm install
 * and by npm test before the tests), not the TypeScript sources.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module of the build scripts, without types.
import { staleReason } from '../../scripts/build.mjs';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'residual.mjs');

const run = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, RESIDUAL_BACKEND: 'wasm' } });

describe('bin/residual.mjs', () => {
  it('runs the built CLI, which is current', () => {
    expect(fs.existsSync(path.join(ROOT, 'out', 'main', 'cli.js'))).toBe(true);
    expect(staleReason()).toBeNull();
    const help = run('help');
    expect(help.status, help.stderr).toBe(0);
    expect(help.stderr).toBe('');
    for (const name of ['import', 'info', 'train', 'models', 'score', 'top', 'threshold', 'eval', 'verdict', 'report', 'serve']) {
      expect(help.stdout).toMatch(new RegExp(`\\n  ${name} +\\S`));
    }
    expect(run('help', 'train').stdout).toMatch(/--kind ae\|sparse\|denoising\|vae/);
  });

  it('picks its backend without noise on stderr (a tfjs-node-gpu that failed part-way left its kernels registered: 155 warnings)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'residual-bin-'));
    try {
      const project = path.join(dir, 'glass.residual');
      // The default backend order (no RESIDUAL_BACKEND): the native packages are tried first.
      const env = { ...process.env };
      delete env['RESIDUAL_BACKEND'];
      const plain = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', env });
      expect(plain('import', path.join(ROOT, 'tests', 'fixtures', 'glass.csv'), '--project', project).status).toBe(0);
      const trained = plain('train', '--project', project, '--kind', 'ae', '--epochs', '1');
      expect(trained.status, trained.stderr).toBe(0);
      expect(trained.stderr).not.toMatch(/already registered/);
      expect(plain('score', '--project', project).status).toBe(0);
      const top = plain('top', '--project', project, '-n', '2');
      expect(top.status, top.stderr).toBe(0);
      expect(top.stderr).toBe('');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a failure with --json: one JSON document on stdout, exit 2', () => {
    const r = run('info', '--project', path.join(ROOT, 'no-such-project.residual'), '--json');
    expect(r.status).toBe(2);
    expect(JSON.parse(r.stdout).error.code).toBe('NOT_FOUND');
    expect(r.stderr).toMatch(/^residual: Project file .*no-such-project\.residual does not exist/);
  });
});
