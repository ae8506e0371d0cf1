import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder holding package.json, found upwards from this file (works from src-main and from out/). */
export function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error('Cannot find the Residual package folder.');
    dir = up;
  }
  return dir;
}

export const rendererDir = (): string => path.join(packageRoot(), 'out', 'renderer');
export const resourcesDir = (): string => path.join(packageRoot(), 'resources');

/** Where Residual keeps its own files (the sample project, settings): ~/.residual unless RESIDUAL_HOME says otherwise. */
export function residualHome(): string {
  return process.env['RESIDUAL_HOME'] ?? path.join(os.homedir(), '.residual');
}
