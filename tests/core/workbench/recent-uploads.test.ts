import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Reply } from '../../../src-main/contract';
import { readRecentProjects } from '../../../src-main/core/workbench/recent';
import { Workbench } from '../../../src-main/core/workbench/workbench';
import { tmpDir } from '../../helpers/tmp';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const GLASS = path.join(ROOT, 'tests/fixtures/glass.csv');

describe('Workbench: recent projects and uploads', () => {
  const dir = tmpDir('residual-recent-');
  const recentFile = path.join(dir, 'home', 'recent-projects.json');
  const projectsDir = path.join(dir, 'home', 'projects');
  const uploadsDir = path.join(dir, 'uploads');
  const finished: string[] = [];
  const wb = new Workbench((event, payload) => {
    if (event === 'job.finished' || event === 'job.failed') finished.push((payload as { jobId: string }).jobId);
  }, { mode: 'browser', recentFile, projectsDir, uploadsDir });

  async function importAndWait(file: string): Promise<void> {
    const { jobId } = await wb.invoke('data.import', { file });
    for (let i = 0; i < 300 && !finished.includes(jobId); i++) await new Promise((r) => setTimeout(r, 50));
    expect(finished).toContain(jobId);
  }

  it('records each opened project, most recent first, with the time; project.list says where new ones go', async () => {
    const a = path.join(dir, 'a.residual');
    const b = path.join(dir, 'b.residual');
    await wb.invoke('project.open', { path: a, create: true });
    await wb.invoke('project.open', { path: b, create: true });
    await wb.invoke('project.open', { path: a });
    const list: Reply<'project.list'> = await wb.invoke('project.list', {});
    expect(list.projectsDir).toBe(projectsDir);
    expect(list.recent.map((p) => p.name)).toEqual(['a', 'b']);
    expect(Date.parse(list.recent[0]!.openedAt)).toBeGreaterThanOrEqual(Date.parse(list.recent[1]!.openedAt));
    expect(readRecentProjects(recentFile).map((p) => p.path)).toEqual([a, b]);
    // A damaged file is an empty list, never an error.
    fs.writeFileSync(recentFile, '{not json');
    expect(readRecentProjects(recentFile)).toEqual([]);
  });

  it('an upload is recorded by its file name, a file on disk by its path', async () => {
    const upload = path.join(uploadsDir, 'u-1', 'glass.csv');
    fs.mkdirSync(path.dirname(upload), { recursive: true });
    fs.copyFileSync(GLASS, upload);
    await importAndWait(upload);
    await importAndWait(GLASS);
    const overview = await wb.invoke('project.overview', {});
    expect(overview.datasets.map((d) => d.sourcePath)).toEqual(['glass.csv', GLASS]);
    await wb.close();
  });
});
