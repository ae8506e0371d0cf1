import type { ContractError, EventName, Events, MethodName, Reply, Request, ResidualApi } from '../../../src-main/contract';
// Values from the contract's zod-free modules: the renderer bundle does not carry the request schemas.
import { contractError, type ErrorCode, type ErrorDetails } from '../../../src-main/contract/errors';
import { MAX_UPLOAD_FILES, tooManyUploadFiles } from '../../../src-main/contract/data';
import { downloadName } from './download-name';

/** What the Electron preload exposes as window.residual. */
interface PreloadApi {
  readonly kind: 'electron';
  invoke(method: string, payload: unknown): Promise<unknown>;
  on(event: string, listener: (payload: unknown) => void): () => void;
  pathForFile(file: File): string;
  /** The path of the folder a file picked with a folder picker lies in (its webkitRelativePath's first part). */
  pathForFolder(file: File): string;
}

/** An error from main or the engine, as the contract carries it. */
export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: ErrorDetails = {},
  ) {
    super(message);
  }
}

function toApiError(e: unknown): ApiError {
  const c = contractError(e);
  return new ApiError(c.code, c.message, c.details);
}

export interface Client extends ResidualApi {
  readonly mode: 'electron' | 'browser';
  /** A path main can read for a file the user picked or dropped (uploaded first in browser mode). */
  fileToPath(file: File, onProgress?: (fraction: number) => void): Promise<string>;
  /**
   * A path main can read for the folder the user chose with a folder picker (`<input webkitdirectory>`): `files` are
   * the ones to import from it, each with its `webkitRelativePath`. Browser mode uploads them one by one into one
   * upload folder, their paths kept, reporting files done of all; `signal` cancels (the partial upload is removed,
   * as it is when a file fails). A folder of more than MAX_UPLOAD_FILES files is refused before anything is sent.
   */
  folderToPath(files: readonly File[], onProgress?: (done: number, total: number) => void, signal?: AbortSignal): Promise<string>;
  /**
   * Browser mode: removes an upload (a path fileToPath or folderToPath gave) that will not be imported, such as when
   * the import panel closes without importing; never rejects. Electron: nothing was copied, nothing to remove.
   */
  discardUpload(path: string): Promise<void>;
  /**
   * Browser mode: downloads a file Residual wrote into the reports folder (a CSV export, a report) to the browser's
   * downloads, and resolves true. Electron: the file is already on this machine where its path says; resolves false.
   */
  download(file: string): Promise<boolean>;
}

function electronClient(api: PreloadApi): Client {
  return {
    mode: 'electron',
    invoke: async <M extends MethodName>(name: M, request: Request<M>) => {
      try {
        return (await api.invoke(name, request)) as Reply<M>;
      } catch (e) {
        throw toApiError(e);
      }
    },
    on: <E extends EventName>(event: E, listener: (payload: Events[E]) => void) => api.on(event, (p) => listener(p as Events[E])),
    fileToPath: (file) => Promise.resolve(api.pathForFile(file)),
    folderToPath: (files) => {
      const folder = files[0] ? api.pathForFolder(files[0]) : '';
      return folder ? Promise.resolve(folder) : Promise.reject(new ApiError('BAD_INPUT', files[0] ? `The folder of ${files[0].webkitRelativePath} could not be found on this computer.` : 'The folder has no PNG or JPEG file to import.'));
    },
    discardUpload: () => Promise.resolve(),
    download: () => Promise.resolve(false),
  };
}

/** Browser mode: the same contract over the loopback bridge, with the token from the address's #token=…. */
function browserClient(): Client {
  const fromHash = new URLSearchParams(location.hash.slice(1)).get('token');
  if (fromHash) sessionStorage.setItem('residual.token', fromHash);
  const token = fromHash ?? sessionStorage.getItem('residual.token') ?? '';
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  let source: EventSource | null = null;
  const connect = (): void => {
    if (source) return;
    source = new EventSource(`/api/events?token=${encodeURIComponent(token)}`);
    for (const name of listeners.keys()) attach(name);
  };
  const attached = new Set<string>();
  /** The upload id of each path an upload gave, to discard it by. */
  const uploadIds = new Map<string, string>();
  /** DELETE /api/upload?upload=ID, best effort (keepalive: it goes out even as the page unloads). */
  const discard = async (upload: string): Promise<void> => {
    for (const [p, id] of uploadIds) if (id === upload) uploadIds.delete(p);
    await fetch(`/api/upload?upload=${encodeURIComponent(upload)}`, { method: 'DELETE', headers: { Authorization: `Bearer ${token}` }, keepalive: true }).catch(() => undefined);
  };
  const attach = (name: string): void => {
    if (!source || attached.has(name)) return;
    attached.add(name);
    source.addEventListener(name, (e) => {
      const payload = JSON.parse((e as MessageEvent<string>).data) as unknown;
      for (const l of listeners.get(name) ?? []) l(payload);
    });
  };
  return {
    mode: 'browser',
    async invoke<M extends MethodName>(name: M, request: Request<M>): Promise<Reply<M>> {
      let res: Response;
      try {
        res = await fetch(`/api/${name}`, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` }, body: JSON.stringify(request) });
      } catch {
        throw new ApiError('DISCONNECTED', 'Residual is not answering: is the `residual serve` process still running?');
      }
      const body = (await res.json()) as { ok: boolean; result?: unknown; error?: ContractError };
      if (!body.ok) throw toApiError(body.error);
      return body.result as Reply<M>;
    },
    on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      const l = listener as (p: unknown) => void;
      set.add(l);
      connect();
      attach(event);
      return () => set.delete(l);
    },
    fileToPath(file, onProgress) {
      return new Promise((resolve, reject) => {
        const xhr = new XMLHttpRequest();
        xhr.open('POST', `/api/upload?name=${encodeURIComponent(file.name)}`);
        xhr.setRequestHeader('Authorization', `Bearer ${token}`);
        xhr.upload.onprogress = (e) => onProgress?.(e.lengthComputable ? e.loaded / e.total : 0);
        xhr.onerror = () => reject(new ApiError('DISCONNECTED', `Uploading ${file.name} failed: is Residual still running?`));
        xhr.onload = () => {
          const body = JSON.parse(xhr.responseText) as { ok: boolean; result?: { file: string; upload: string }; error?: ContractError };
          if (body.ok && body.result) {
            uploadIds.set(body.result.file, body.result.upload);
            resolve(body.result.file);
          } else reject(toApiError(body.error));
        };
        xhr.send(file);
      });
    },
    async folderToPath(files, onProgress, signal) {
      if (files.length === 0) throw new ApiError('BAD_INPUT', 'The folder has no PNG or JPEG file to import.');
      const name = (files[0]!.webkitRelativePath || files[0]!.name).split('/')[0]!;
      if (files.length > MAX_UPLOAD_FILES) throw new ApiError('BAD_INPUT', tooManyUploadFiles(name, MAX_UPLOAD_FILES), { file: name });
      let upload: string | null = null;
      let folder = '';
      try {
        for (const [i, file] of files.entries()) {
          onProgress?.(i, files.length);
          const rel = file.webkitRelativePath || file.name;
          const q = `path=${encodeURIComponent(rel)}${upload ? `&upload=${encodeURIComponent(upload)}` : ''}`;
          const result = await new Promise<{ upload: string; folder: string }>((resolve, reject) => {
            if (signal?.aborted) return reject(new ApiError('CANCELLED', 'The folder upload was cancelled.'));
            const xhr = new XMLHttpRequest();
            const onAbort = (): void => xhr.abort();
            signal?.addEventListener('abort', onAbort, { once: true });
            xhr.open('POST', `/api/upload?${q}`);
            xhr.setRequestHeader('Authorization', `Bearer ${token}`);
            xhr.onabort = () => reject(new ApiError('CANCELLED', 'The folder upload was cancelled.'));
            xhr.onerror = () => reject(new ApiError('DISCONNECTED', `Uploading ${rel} failed: is Residual still running?`));
            xhr.onloadend = () => signal?.removeEventListener('abort', onAbort);
            xhr.onload = () => {
              const body = JSON.parse(xhr.responseText) as { ok: boolean; result?: { upload: string; folder: string }; error?: ContractError };
              if (body.ok && body.result) resolve(body.result);
              else reject(toApiError(body.error));
            };
            xhr.send(file);
          });
          upload = result.upload;
          folder = result.folder;
        }
      } catch (e) {
        // Cancelled (between files too, when no request is on its way) or a file failed: nothing of it stays behind.
        if (upload !== null) await discard(upload);
        throw e;
      }
      if (upload !== null) uploadIds.set(folder, upload);
      onProgress?.(files.length, files.length);
      return folder;
    },
    async discardUpload(path) {
      const upload = uploadIds.get(path);
      if (upload !== undefined) await discard(upload);
    },
    async download(file) {
      let res: Response;
      try {
        res = await fetch(`/api/download?file=${encodeURIComponent(file)}`, { headers: { Authorization: `Bearer ${token}` } });
      } catch {
        throw new ApiError('DISCONNECTED', 'Residual is not answering: is the `residual serve` process still running?');
      }
      if (!res.ok) {
        const body = (await res.json().catch(() => null)) as { error?: ContractError } | null;
        throw toApiError(body?.error ?? { code: 'INTERNAL', message: `The download of ${file} failed (HTTP ${res.status}).`, details: {} });
      }
      const blob = await res.blob();
      const href = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = href;
      a.download = downloadName(file);
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(href), 60_000);
      return true;
    },
  };
}

const preload = (window as unknown as { residual?: PreloadApi }).residual;
export const api: Client = preload?.kind === 'electron' ? electronClient(preload) : browserClient();
