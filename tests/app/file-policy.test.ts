import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createFilePolicy } from '../../src-main/app/file-policy';
import { tmpDir } from '../helpers/tmp';

describe('file policy: where a page may open or create a project (browser mode)', () => {
  const dir = tmpDir('residual-policy-');
  const projects = path.join(dir, 'home', 'projects');
  const started = path.join(dir, 'started');
  const elsewhere = path.join(dir, 'elsewhere');
  for (const d of [projects, started, elsewhere, path.join(projects, 'sub')]) fs.mkdirSync(d, { recursive: true });
  const recent: string[] = [];
  const policy = createFilePolicy({ projects: { roots: [projects, started], recent: () => recent } });
  const code = (p: string, create = false): string | null => {
    try {
      policy.check('project.open', { path: p, create });
      return null;
    } catch (e) {
      return (e as { code: string }).code;
    }
  };

  it('directly inside the projects folder or the folder of the starting project: allowed', () => {
    expect(code(path.join(projects, 'cases.residual'), true)).toBeNull();
    expect(code(path.join(started, 'other.residual'))).toBeNull();
  });

  it('anywhere else, in a subfolder, or out through "..": FORBIDDEN, with a message that says where', () => {
    expect(code(path.join(elsewhere, 'x.residual'), true)).toBe('FORBIDDEN');
    expect(code(path.join(projects, 'sub', 'x.residual'), true)).toBe('FORBIDDEN');
    expect(code(path.join(projects, '..', 'x.residual'), true)).toBe('FORBIDDEN');
    expect(() => policy.check('project.open', { path: path.join(elsewhere, 'x.residual') })).toThrow(/projects folder/);
  });

  it('a project on the recent list: allowed wherever it is', () => {
    const p = path.join(elsewhere, 'known.residual');
    expect(code(p)).toBe('FORBIDDEN');
    recent.push(p);
    expect(code(p)).toBeNull();
  });

  it('without the browser-mode rule (the desktop window): any existing folder', () => {
    expect(() => createFilePolicy().check('project.open', { path: path.join(elsewhere, 'y.residual'), create: true })).not.toThrow();
  });
});
