import fs from 'node:fs';
import path from 'node:path';
import type { RecentProject } from '../../contract';

/** The file, in Residual's home folder, that lists recently opened projects (Electron's menu and browser mode alike). */
export const RECENT_PROJECTS_FILE = 'recent-projects.json';
/** The folder, in Residual's home folder, where browser mode creates new projects by name. */
export const PROJECTS_FOLDER = 'projects';
const MAX_RECENT = 10;

/** The recent projects, most recent first; a missing or damaged file is an empty list. */
export function readRecentProjects(file: string): RecentProject[] {
  try {
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as { projects?: unknown };
    if (!Array.isArray(parsed.projects)) return [];
    return parsed.projects.filter(
      (p): p is RecentProject => typeof p === 'object' && p !== null && typeof (p as RecentProject).path === 'string' && typeof (p as RecentProject).openedAt === 'string',
    ).map((p) => ({ path: p.path, name: path.basename(p.path, path.extname(p.path)), openedAt: p.openedAt }));
  } catch {
    return [];
  }
}

/** Puts `project` first with the time now; written whole then renamed, so a crash never leaves half a file. */
export function recordRecentProject(file: string, project: string, now = new Date()): RecentProject[] {
  const entry: RecentProject = { path: project, name: path.basename(project, path.extname(project)), openedAt: now.toISOString() };
  const projects = [entry, ...readRecentProjects(file).filter((p) => p.path !== project)].slice(0, MAX_RECENT);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify({ projects }, null, 2));
  fs.renameSync(tmp, file);
  return projects;
}
