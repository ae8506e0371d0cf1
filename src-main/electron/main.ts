import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain, Menu, shell, type IpcMainEvent, type IpcMainInvokeEvent, type MenuItemConstructorOptions } from 'electron';
import { EngineClient } from '../app/engine-client';
import { createFilePolicy } from '../app/file-policy';
import { createHost } from '../app/host';
import { residualHome } from '../app/paths';
import { EVENT_CHANNEL, GRANT_FILE_CHANNEL, invokeChannel, METHOD_NAMES, type ProjectOverview } from '../contract';
import { RESIDUAL_VERSION } from '../core/version';
import { toContractError } from '../core/errors';
import { readRecentProjects, RECENT_PROJECTS_FILE } from '../core/workbench/recent';
import { utilityEngine } from './engine-transport';
import { SettingsFile } from './settings';

const here = path.dirname(fileURLToPath(import.meta.url));
const rendererIndex = path.join(here, '../renderer/index.html');
// A separate settings folder on request (tests, a second profile), on every platform.
if (process.env['RESIDUAL_USER_DATA']) app.setPath('userData', process.env['RESIDUAL_USER_DATA']);
const settings = new SettingsFile(path.join(app.getPath('userData'), 'settings.json'));

// better-sqlite3 must load with Electron's ABI in the engine process: `npm start` builds that copy.
const engineEnv: Record<string, string> = {};
if (process.env['RESIDUAL_SQLITE_BINDING']) engineEnv['RESIDUAL_SQLITE_BINDING'] = process.env['RESIDUAL_SQLITE_BINDING'];
const engine = new EngineClient(() => utilityEngine(here, engineEnv));
// Pages read only files the user picked or dropped (granted by the preload) and write reports only as .pdf files that
// are new or Residual's own (src-main/app/file-policy.ts).
const policy = createFilePolicy();
const host = createHost(engine, policy);
let win: BrowserWindow | null = null;

function createWindow(): BrowserWindow {
  const state = settings.get().window;
  const w = new BrowserWindow({
    ...state,
    minWidth: 1024,
    minHeight: 700,
    title: 'Residual',
    show: false,
    webPreferences: {
      preload: path.join(here, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
    },
  });
  if (state.maximized) w.maximize();
  w.once('ready-to-show', () => w.show());
  const remember = (): void => {
    if (w.isDestroyed()) return;
    settings.update({ window: { ...w.getNormalBounds(), maximized: w.isMaximized() } });
  };
  w.on('close', remember);
  // The page never navigates away or opens windows; web links open in the system browser.
  w.webContents.setWindowOpenHandler(({ url }) => {
    if (/^https?:\/\//.test(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  w.webContents.on('will-navigate', (event) => event.preventDefault());
  w.webContents.session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  const devUrl = process.env['ELECTRON_RENDERER_URL'];
  if (!app.isPackaged && devUrl) void w.loadURL(devUrl);
  else void w.loadFile(rendererIndex);
  return w;
}

/** Only our own window's top frame, showing our own page, may call main (VS Code's validatedIpcMain idea). */
function trusted(event: IpcMainInvokeEvent | IpcMainEvent): boolean {
  const frame = event.senderFrame;
  if (!win || event.sender !== win.webContents || !frame || frame !== win.webContents.mainFrame) return false;
  const url = frame.url;
  const devUrl = process.env['ELECTRON_RENDERER_URL'];
  return url.startsWith('file://') ? fileURLToPath(url.split('#')[0]!) === rendererIndex : Boolean(devUrl && url.startsWith(devUrl));
}

function registerIpc(): void {
  ipcMain.on(GRANT_FILE_CHANNEL, (event, file: unknown) => {
    if (trusted(event) && typeof file === 'string') policy.grant(file);
    event.returnValue = true;
  });
  for (const method of METHOD_NAMES) {
    ipcMain.handle(invokeChannel(method), async (event, payload: unknown) => {
      if (!trusted(event)) return { ok: false, error: { code: 'FORBIDDEN', message: 'Refused: the request did not come from Residual\'s own window.', details: {} } };
      try {
        const result = await host.invoke(method, payload);
        if (method === 'project.open') onProjectOpened(result as ProjectOverview);
        return { ok: true, result };
      } catch (e) {
        return { ok: false, error: toContractError(e) };
      }
    });
  }
  host.onEvent((event, payload) => {
    if (win && !win.isDestroyed()) win.webContents.send(EVENT_CHANNEL, event, payload);
  });
}

function onProjectOpened(overview: ProjectOverview): void {
  settings.setLastProject(overview.path);
  win?.setTitle(`${overview.name} — Residual`);
  buildMenu();
}

async function openProject(file: string, create = false): Promise<void> {
  try {
    onProjectOpened((await host.invoke('project.open', { path: file, create })) as ProjectOverview);
  } catch (e) {
    dialog.showErrorBox('Cannot open project', String((e as Error).message ?? e));
  }
}

/** Tells the renderer to run a UI command (it owns the flows: import dialog, export form). */
function sendCommand(command: 'import' | 'export-report'): void {
  const w = win;
  if (!w || w.isDestroyed()) return;
  // A page may open a file picker only during a user gesture; a native menu click gives it none, so the
  // command is delivered inside one (executeJavaScript's userGesture flag).
  void w.webContents
    .executeJavaScript('void 0', true)
    .catch(() => undefined)
    .then(() => w.webContents.send(EVENT_CHANNEL, 'app.command', { command }));
}

function buildMenu(): void {
  // One recent list for the desktop and browser mode: the one the engine keeps in Residual's home.
  const recent = readRecentProjects(path.join(residualHome(), RECENT_PROJECTS_FILE)).map((p) => p.path).filter((p) => fs.existsSync(p));
  const file: MenuItemConstructorOptions = {
    label: 'File',
    submenu: [
      {
        label: 'New project…',
        accelerator: 'CmdOrCtrl+N',
        click: async () => {
          const r = await dialog.showSaveDialog({ title: 'New Residual project', filters: [{ name: 'Residual project', extensions: ['residual'] }] });
          if (!r.canceled && r.filePath) await openProject(r.filePath.endsWith('.residual') ? r.filePath : `${r.filePath}.residual`, true);
        },
      },
      {
        label: 'Open project…',
        accelerator: 'CmdOrCtrl+O',
        click: async () => {
          const r = await dialog.showOpenDialog({ properties: ['openFile'], filters: [{ name: 'Residual project', extensions: ['residual'] }] });
          if (!r.canceled && r.filePaths[0]) await openProject(r.filePaths[0]);
        },
      },
      { label: 'Open recent', submenu: recent.length ? recent.map((p) => ({ label: p, click: () => void openProject(p) })) : [{ label: 'No recent projects', enabled: false }] },
      { type: 'separator' },
      { label: 'Import dataset…', accelerator: 'CmdOrCtrl+I', click: () => sendCommand('import') },
      { label: 'Export report…', accelerator: 'CmdOrCtrl+E', click: () => sendCommand('export-report') },
      { type: 'separator' },
      { role: 'quit' },
    ],
  };
  const help: MenuItemConstructorOptions = {
    label: 'Help',
    submenu: [
      {
        label: 'About Residual',
        click: async () => {
          const status = (await host.invoke('app.status', {}).catch(() => null)) as { backend: { name: string } | null } | null;
          void dialog.showMessageBox({
            type: 'info',
            title: 'About Residual',
            message: `Residual ${RESIDUAL_VERSION}`,
            detail: `Anomaly detection with deep autoencoders, offline.\nBackend: ${status?.backend?.name ?? 'not started yet (starts with the first training or scoring)'}\nElectron ${process.versions.electron}, Node ${process.versions.node}`,
          });
        },
      },
    ],
  };
  Menu.setApplicationMenu(Menu.buildFromTemplate([file, { role: 'editMenu' }, { role: 'viewMenu' }, { role: 'windowMenu' }, help]));
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (win) {
      if (win.isMinimized()) win.restore();
      win.focus();
    }
  });
  void app.whenReady().then(async () => {
    registerIpc();
    buildMenu();
    win = createWindow();
    engine.onEvent((event, payload) => {
      if (event === 'engine.crashed') dialog.showErrorBox('The engine stopped', (payload as { message: string }).message);
    });
    const last = settings.get().lastProject;
    const first = process.env['RESIDUAL_PROJECT'] ?? (last && fs.existsSync(last) ? last : process.env['RESIDUAL_SAMPLE_PROJECT']);
    if (first) await openProject(first);
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) win = createWindow();
    });
  });
  app.on('window-all-closed', () => {
    void engine.stop().finally(() => app.quit());
  });
}
