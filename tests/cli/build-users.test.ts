/**
 * A build must not pull files from under a running Residual (a server loads some chunks only when first used, and a
 * rebuild renames them): scripts/build.mjs writes over out/ and removes the files it did not write only when no
 * process that runs from out/ (out/.users/<pid>) is alive.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module of the build scripts, without types.
import { buildUsers, outFiles, pruneOut } from '../../scripts/build.mjs';
import { tmpDir } from '../helpers/tmp';

const write = (dir: string, rel: string, text: string): void => {
  fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
  fs.writeFileSync(path.join(dir, rel), text);
};

/** A fake out/: the previous build's files, then a build that rewrote two of them and wrote a new chunk. */
function rebuilt(dir: string): Map<string, string> {
  write(dir, 'main/cli.js', 'old cli');
  write(dir, 'main/chunks/report-OLD.js', 'old report');
  write(dir, 'renderer/assets/index-OLD.js', 'old page');
  write(dir, '.built', 'stamp');
  const before = outFiles(dir) as Map<string, string>;
  // Rewritten files get a new time even with the same bytes.
  const later = new Date(Date.now() + 5_000);
  write(dir, 'main/cli.js', 'new cli');
  fs.utimesSync(path.join(dir, 'main/cli.js'), later, later);
  write(dir, 'main/chunks/report-NEW.js', 'new report');
  return before;
}

describe('scripts/build.mjs: the previous build\'s files', () => {
  const dirs = [tmpDir('residual-out-'), tmpDir('residual-out-')];
  const sleepers: ReturnType<typeof spawn>[] = [];
  afterAll(() => {
    for (const s of sleepers) s.kill();
  });

  it('are removed after a build when no one runs from out/, and only they', () => {
    const dir = dirs[0]!;
    const before = rebuilt(dir);
    // A dead user's mark does not hold them (pid 2^22 + 1 is above Linux's pid_max).
    write(dir, `.users/${2 ** 22 + 1}`, '');
    expect(pruneOut(before, () => {}, dir)).toBe(2);
    expect(fs.existsSync(path.join(dir, 'main/chunks/report-OLD.js'))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'renderer/assets/index-OLD.js'))).toBe(false);
    expect(fs.readFileSync(path.join(dir, 'main/cli.js'), 'utf8')).toBe('new cli');
    expect(fs.existsSync(path.join(dir, 'main/chunks/report-NEW.js'))).toBe(true);
    expect(fs.existsSync(path.join(dir, '.built'))).toBe(true);
    // The dead user's mark is cleared.
    expect(fs.readdirSync(path.join(dir, '.users'))).toEqual([]);
  });

  it('are kept while a process that runs from out/ is alive', async () => {
    const dir = dirs[1]!;
    const before = rebuilt(dir);
    const sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
    sleepers.push(sleeper);
    await new Promise((resolve) => sleeper.once('spawn', resolve));
    write(dir, `.users/${sleeper.pid}`, '');
    const said: string[] = [];
    expect(buildUsers(dir)).toEqual([sleeper.pid]);
    expect(pruneOut(before, (m: string) => said.push(m), dir)).toBe(0);
    expect(said).toEqual([`Kept 2 files of the previous build: Residual is running from out/ (pid ${sleeper.pid}).`]);
    expect(fs.existsSync(path.join(dir, 'main/chunks/report-OLD.js'))).toBe(true);
    expect(fs.existsSync(path.join(dir, 'main/chunks/report-NEW.js'))).toBe(true);
    // Once it has gone, the next build removes them.
    sleeper.kill();
    await new Promise((resolve) => sleeper.once('exit', resolve));
    expect(pruneOut(before, () => {}, dir)).toBe(2);
    expect(fs.existsSync(path.join(dir, 'main/chunks/report-OLD.js'))).toBe(false);
  });
});
