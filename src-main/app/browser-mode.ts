import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startBridge, type Bridge } from '../bridge/server';
import { EngineClient } from './engine-client';
import { createFilePolicy } from './file-policy';
import { forkEngine } from './fork-transport';
import { createHost, type AppHost } from './host';
import { residualHome } from './paths';
import { PROJECTS_FOLDER, readRecentProjects, RECENT_PROJECTS_FILE } from '../core/workbench/recent';

export interface BrowserMode {
  readonly bridge: Bridge;
  readonly engine: EngineClient;
  readonly host: AppHost;
  close(): Promise<void>;
}

export interface BrowserModeOptions {
  readonly staticDir: string;
  readonly port?: number;
  /** Opened (created if absent) before serving. */
  readonly project?: string;
  /** Folders on this machine whose files preview and import may read without an upload (`residual serve --data-dir`). */
  readonly dataDirs?: readonly string[];
  /** More folders where the page may open and create projects (`residual serve --project-dir`). */
  readonly projectDirs?: readonly string[];
}

const UPLOADS_PREFIX = 'residual-uploads-';

/** Upload folders of earlier servers that died without cleaning up (their process is gone). */
function removeOrphanUploads(): void {
  const tmp = os.tmpdir();
  for (const name of fs.readdirSync(tmp)) {
    const m = new RegExp(`^${UPLOADS_PREFIX}(\\d+)-`).exec(name);
    if (!m) continue;
    try {
      process.kill(Number(m[1]), 0);
    } catch (e) {
      if ((e as { code?: string }).code === 'ESRCH') fs.rmSync(path.join(tmp, name), { recursive: true, force: true });
    }
  }
}

/** Where browser mode writes a report that the page names a file for: reports never go anywhere else from a page. */
export function browserReportsDir(): string {
  return process.env['RESIDUAL_REPORTS_DIR'] ?? path.join(residualHome(), 'reports');
}

/**
 * What `residual serve` runs: an engine process (forked), the contract host that validates every payload and every
 * path in it (the file policy: reads only from uploads and --data-dir folders, reports only into the reports folder),
 * and the loopback bridge in front of them. With `project`, that project is opened (created if absent) first.
 */
export async function startBrowserMode(options: BrowserModeOptions): Promise<BrowserMode> {
  removeOrphanUploads();
  const uploadsDir = fs.mkdtempSync(path.join(os.tmpdir(), `${UPLOADS_PREFIX}${process.pid}-`));
  fs.chmodSync(uploadsDir, 0o700);
  // Reports and exports (CSV, Parquet, ONNX) go into the reports folder, the one folder the page may download from.
  const reportsDir = browserReportsDir();
  fs.mkdirSync(reportsDir, { recursive: true });
  // New projects are created by name in Residual's projects folder; the page opens projects only there, in the folder
  // of the project the server was started with, or from the recent list (the engine keeps it in Residual's home).
  const projectsDir = path.join(residualHome(), PROJECTS_FOLDER);
  fs.mkdirSync(projectsDir, { recursive: true });
  const recentFile = path.join(residualHome(), RECENT_PROJECTS_FILE);
  const engine = new EngineClient(() => forkEngine({ RESIDUAL_MODE: 'browser', RESIDUAL_REPORTS_DIR: reportsDir, RESIDUAL_UPLOADS_DIR: uploadsDir }));
  const policy = createFilePolicy({
    readRoots: [uploadsDir, ...(options.dataDirs ?? [])],
    reportsDir,
    reportsOnlyThere: true,
    projects: {
      roots: [projectsDir, ...(options.projectDirs ?? []), ...(options.project ? [path.dirname(path.resolve(options.project))] : [])],
      recent: () => readRecentProjects(recentFile).map((p) => p.path),
    },
  });
  const host = createHost(engine, policy);
  try {
    if (options.project) await host.invoke('project.open', { path: options.project, create: true });
    const bridge = await startBridge(host, {
      staticDir: options.staticDir,
      uploadsDir,
      download: (file) => policy.checkDownload(file),
      ...(options.port !== undefined ? { port: options.port } : {}),
    });
    return {
      bridge,
      engine,
      host,
      close: async () => {
        await bridge.close();
        await engine.stop();
        fs.rmSync(uploadsDir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await engine.stop();
    fs.rmSync(uploadsDir, { recursive: true, force: true });
    throw e;
  }
}
