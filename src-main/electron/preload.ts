import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { EVENT_CHANNEL, EVENT_NAMES, GRANT_FILE_CHANNEL, invokeChannel, isMethodName } from '../contract';

// Only this narrow API crosses into the page: named contract methods, contract events and a file's path.
// No ipcRenderer, no Node, no Electron object is exposed.
contextBridge.exposeInMainWorld(
  'residual',
  Object.freeze({
    kind: 'electron' as const,
    invoke(method: string, payload: unknown): Promise<unknown> {
      if (!isMethodName(method)) return Promise.reject(new Error(`Unknown method "${method}".`));
      return ipcRenderer.invoke(invokeChannel(method), payload).then((r: { ok: boolean; result?: unknown; error?: unknown }) => {
        if (r.ok) return r.result;
        throw r.error;
      });
    },
    on(event: string, listener: (payload: unknown) => void): () => void {
      if (!(EVENT_NAMES as readonly string[]).includes(event)) throw new Error(`Unknown event "${event}".`);
      const handler = (_e: unknown, name: string, payload: unknown): void => {
        if (name === event) listener(payload);
      };
      ipcRenderer.on(EVENT_CHANNEL, handler);
      return () => ipcRenderer.off(EVENT_CHANNEL, handler);
    },
    /**
     * The path of a file the user dropped or picked (Electron knows it; a browser never does). Main is told, so its
     * file policy lets preview and import read this file: a File object only comes from the user's own action.
     */
    pathForFile(file: File): string {
      const p = webUtils.getPathForFile(file);
      if (p) ipcRenderer.sendSync(GRANT_FILE_CHANNEL, p);
      return p;
    },
    /**
     * The folder the user chose with a folder picker, from one of its files: the file's path less its path inside the
     * folder (webkitRelativePath, "folder/sub/a.png", less its first part). Granted like a picked file.
     */
    pathForFolder(file: File): string {
      const p = webUtils.getPathForFile(file);
      // The page's File (a DOM File, with webkitRelativePath): typed here as Node's, which lacks it.
      const inner = ((file as { webkitRelativePath?: string }).webkitRelativePath ?? '').split('/').slice(1).join('/');
      if (!p || !inner || !p.replace(/\\/g, '/').endsWith('/' + inner)) return '';
      const folder = p.slice(0, p.length - inner.length - 1);
      ipcRenderer.sendSync(GRANT_FILE_CHANNEL, folder);
      return folder;
    },
  }),
);
