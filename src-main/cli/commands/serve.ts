import fs from 'node:fs';
import path from 'node:path';
import { startBrowserMode } from '../../app/browser-mode';
import { rendererDir } from '../../app/paths';
import { ResidualError } from '../../core/errors';
import type { Command } from '../command';
import { optionalNumber, optionalString } from '../command';

export const serveCommand: Command = {
  name: 'serve',
  usage: 'residual serve [--project P] [--port N] [--data-dir DIR]... [--project-dir DIR]...   (--data-dir: a folder whose files the page may import without uploading them; --project-dir: a folder where the page may open and create projects)',
  options: { project: { type: 'string' }, port: { type: 'string' }, 'data-dir': { type: 'string', multiple: true }, 'project-dir': { type: 'string', multiple: true } },
  async run({ values, io, signal }) {
    const staticDir = rendererDir();
    if (!fs.existsSync(path.join(staticDir, 'index.html'))) {
      throw new ResidualError('NOT_FOUND', `The user interface is not built (${staticDir} is missing). Run "npm run build" first, or use "npm start".`);
    }
    const port = optionalNumber(values, 'port', { integer: true, min: 0, max: 65535 }) ?? 0;
    const project = optionalString(values, 'project');
    const folders = (flag: 'data-dir' | 'project-dir'): string[] => {
      const dirs = ((values[flag] as string[] | undefined) ?? []).map((d) => path.resolve(d));
      for (const d of dirs) {
        if (!fs.existsSync(d) || !fs.statSync(d).isDirectory()) throw new ResidualError('BAD_INPUT', `--${flag} ${d} is not a folder.`, { field: flag });
      }
      return dirs;
    };
    const dataDirs = folders('data-dir');
    const projectDirs = folders('project-dir');
    const { bridge, engine, close } = await startBrowserMode({ staticDir, port, dataDirs, projectDirs, ...(project ? { project: path.resolve(project) } : {}) });
    io.out(`Residual is serving at ${bridge.url}\n`);
    engine.onEvent((event, payload) => {
      if (event === 'engine.crashed') io.err(`residual: ${(payload as { message: string }).message}\n`);
    });
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      signal.addEventListener('abort', () => resolve(), { once: true });
      process.once('SIGTERM', () => resolve());
    });
    await close();
    return 0;
  },
};
