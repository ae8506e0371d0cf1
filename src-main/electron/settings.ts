import fs from 'node:fs';
import path from 'node:path';

export interface WindowState {
  x?: number;
  y?: number;
  width: number;
  height: number;
  maximized: boolean;
}

export interface AppSettings {
  window: WindowState;
  /** The recent projects are not kept here: the engine keeps them in Residual's home (recent-projects.json). */
  lastProject: string | null;
}

const DEFAULTS: AppSettings = { window: { width: 1280, height: 800, maximized: false }, lastProject: null };

/** Small JSON settings in Electron's userData folder; a damaged file falls back to defaults. */
export class SettingsFile {
  private value: AppSettings;

  constructor(private readonly file: string) {
    try {
      this.value = { ...DEFAULTS, ...(JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<AppSettings>) };
    } catch {
      this.value = structuredClone(DEFAULTS);
    }
  }

  get(): AppSettings {
    return this.value;
  }

  update(patch: Partial<AppSettings>): void {
    this.value = { ...this.value, ...patch };
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    // Written whole then renamed: a crash mid-write never leaves half a settings file.
    const tmp = `${this.file}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(this.value, null, 2));
    fs.renameSync(tmp, this.file);
  }

  setLastProject(project: string): void {
    this.update({ lastProject: project });
  }
}
