import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { MAX_UPLOAD_FILES, parseMethod, tooManyUploadFiles, type EventName, type Events, type MethodName, type Reply } from '../contract';
import { ERROR_STATUS, type ErrorCode } from '../contract/errors';
import { plainError, ResidualError, toContractError } from '../core/errors';

/** What the bridge serves: the same contract main serves over IPC. */
export interface ContractHost {
  /** Validates the payload and runs the method; rejects with ResidualError for bad input. */
  invoke<M extends MethodName>(method: M, payload: unknown): Promise<Reply<M>>;
  /** Subscribes to every event; returns the unsubscribe function. */
  onEvent(listener: (event: EventName, payload: Events[EventName]) => void): () => void;
}

export interface BridgeOptions {
  /** 0 (default) picks a free port. */
  readonly port?: number;
  /** The built renderer (out/renderer). */
  readonly staticDir: string;
  /** Fixed token for tests; a random one per run otherwise. */
  readonly token?: string;
  readonly maxBodyBytes?: number;
  /** Largest file the browser may upload for import. Default 4 GiB. */
  readonly uploadMaxBytes?: number;
  /** The most files one folder upload may hold. Default MAX_UPLOAD_FILES (200,000). */
  readonly uploadMaxFiles?: number;
  /**
   * An upload left this long (ms) without being imported, or a folder upload that received nothing for this long, is
   * removed (at start, then every hour, and whenever a new upload begins). Default a day.
   */
  readonly uploadMaxAgeMs?: number;
  /**
   * Where uploads go (each in a folder of its own); the file policy lets preview and import read only there. Made
   * private (0700) when absent; removed with everything in it when the bridge closes.
   */
  readonly uploadsDir: string;
  /**
   * GET /api/download?file=…: the real path of a file the page may download, or throws (FORBIDDEN) — the file
   * policy's rule (reports and CSV or Parquet exports Residual wrote, inside the reports folder). Absent: no downloads.
   */
  readonly download?: (file: string) => string;
}

export interface Bridge {
  readonly url: string;
  readonly port: number;
  readonly token: string;
  close(): Promise<void>;
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.ico': 'image/x-icon',
  '.csv': 'text/csv; charset=utf-8',
  '.parquet': 'application/vnd.apache.parquet',
  '.pdf': 'application/pdf',
};

const SECURITY_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  // frame-ancestors works only as a header (a <meta> policy ignores it); the page's own policy is its <meta>.
  'Content-Security-Policy': "frame-ancestors 'none'",
};

/** The most characters of an uploaded file's name that are kept (the rest of a long name is cut, its extension kept). */
const MAX_UPLOAD_NAME = 120;

/** An upload's name as a plain file name: no folders, no dot-only names, no odd characters, not too long. */
export function safeUploadName(name: string): string {
  let base = path.basename(name.replace(/\\/g, '/')).replace(/[^\w.\- ()]/g, '_').replace(/^\.+/, '');
  if (base.length > MAX_UPLOAD_NAME) {
    const ext = path.extname(base).slice(0, 16);
    base = base.slice(0, MAX_UPLOAD_NAME - ext.length) + ext;
  }
  return base.trim() === '' ? 'upload.csv' : base;
}

/** The most folders deep a file of an uploaded folder may lie. */
const MAX_UPLOAD_DEPTH = 32;

/**
 * A file's path inside an uploaded folder (`folder/sub/a.png`, as the browser's folder picker gives it) as safe
 * segments: each one sanitised like a file name; an absolute path, an empty, `.` or `..` segment is refused.
 */
export function safeUploadPath(rel: string): string[] {
  const bad = (why: string): ResidualError => new ResidualError('BAD_INPUT', `The uploaded path ${JSON.stringify(rel)} ${why}: a file of a folder is named by its path inside the folder, such as folder/cats/a.png.`, { field: 'path' });
  if (rel.includes('\0')) throw bad('contains a NUL character');
  const slashed = rel.replace(/\\/g, '/');
  if (slashed.startsWith('/') || /^[A-Za-z]:/.test(slashed)) throw bad('is absolute');
  const parts = slashed.split('/');
  if (parts.some((p) => p === '..')) throw bad('leaves the folder (..)');
  if (parts.some((p) => p === '' || p === '.')) throw bad('has an empty or "." part');
  if (parts.length > MAX_UPLOAD_DEPTH) throw bad(`is more than ${MAX_UPLOAD_DEPTH} folders deep`);
  return parts.map((p) => safeUploadName(p));
}

/**
 * A folder being uploaded file by file: its own folder under the uploads folder, the bytes and files received so far,
 * when it last received one (Date.now()), and whether the page discarded it (DELETE) while a file was on its way.
 */
interface FolderUpload {
  readonly dir: string;
  bytes: number;
  files: number;
  touched: number;
  discarded: boolean;
}

/** An upload's id: the name of its folder under the uploads folder (mkdtemp's `u-` and six characters). */
const UPLOAD_ID = /^u-[A-Za-z0-9]{6}$/;

async function receiveUpload(req: http.IncomingMessage, uploadsDir: string, name: string, maxBytes: number, receiving: Set<string>): Promise<string> {
  const safe = safeUploadName(name);
  fs.mkdirSync(uploadsDir, { recursive: true, mode: 0o700 });
  const dir = fs.mkdtempSync(path.join(uploadsDir, 'u-'));
  const file = path.join(dir, safe);
  let size = 0;
  receiving.add(dir);
  try {
    const limit = new Transform({
      transform(chunk: Buffer, _enc, done) {
        size += chunk.length;
        if (size > maxBytes) done(new ResidualError('BAD_INPUT', `${safe} is larger than the ${Math.round(maxBytes / 1024 ** 2)} MB an upload may be.`, { file: safe }));
        else done(null, chunk);
      },
    });
    await pipeline(req, limit, fs.createWriteStream(file, { mode: 0o600, flags: 'wx' }));
    return file;
  } catch (e) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw plainError(e) ?? new ResidualError('BAD_INPUT', `The upload of ${safe} failed: ${(e as Error).message}`, { file: safe });
  } finally {
    receiving.delete(dir);
  }
}

/**
 * One file of a folder upload: the first (no `upload` id) makes the upload's folder, the rest name it by the id the
 * first got; each lands at its relative path; the size cap holds over the whole folder, and so does the cap on its
 * number of files. A failed file (too large, one too many, cut off, cancelled) removes the whole upload. Returns the
 * file, the upload's id, and the folder to import (the path's first segment inside the upload's folder).
 */
async function receiveFolderFile(
  req: http.IncomingMessage,
  uploadsDir: string,
  folders: Map<string, FolderUpload>,
  id: string | null,
  rel: string,
  maxBytes: number,
  maxFiles: number,
): Promise<{ file: string; upload: string; folder: string }> {
  const parts = safeUploadPath(rel);
  let upload: FolderUpload | undefined;
  if (id === null) {
    fs.mkdirSync(uploadsDir, { recursive: true, mode: 0o700 });
    upload = { dir: fs.mkdtempSync(path.join(uploadsDir, 'u-')), bytes: 0, files: 0, touched: Date.now(), discarded: false };
    id = path.basename(upload.dir);
    folders.set(id, upload);
  } else {
    upload = folders.get(id);
    if (!upload || !fs.existsSync(upload.dir)) {
      throw new ResidualError('BAD_INPUT', `No folder upload ${JSON.stringify(id)} is under way (it failed, was cancelled or was imported): choose the folder again.`, { field: 'upload' });
    }
  }
  const current = upload;
  const file = path.join(current.dir, ...parts);
  const top = parts.length > 1 ? path.join(current.dir, parts[0]!) : current.dir;
  current.touched = Date.now();
  try {
    if (++current.files > maxFiles) {
      req.resume();
      throw new ResidualError('BAD_INPUT', `${tooManyUploadFiles(parts[0]!, maxFiles)} (refused at ${parts.join('/')})`, { file: parts.join('/'), field: 'path' });
    }
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const limit = new Transform({
      transform(chunk: Buffer, _enc, done) {
        current.bytes += chunk.length;
        if (current.bytes > maxBytes) done(new ResidualError('BAD_INPUT', `The folder ${parts[0]} is larger than the ${Math.round(maxBytes / 1024 ** 2)} MB an upload may be (at ${parts.join('/')}).`, { file: parts.join('/') }));
        else done(null, chunk);
      },
    });
    await pipeline(req, limit, fs.createWriteStream(file, { mode: 0o600, flags: 'wx' }));
    // Discarded while this file was on its way: what it wrote goes too.
    if (current.discarded) throw new ResidualError('CANCELLED', `The upload of the folder ${parts[0]} was cancelled.`, { field: 'upload' });
    current.touched = Date.now();
    return { file, upload: id, folder: top };
  } catch (e) {
    fs.rmSync(current.dir, { recursive: true, force: true });
    folders.delete(id);
    throw plainError(e) ?? new ResidualError('BAD_INPUT', `The upload of ${parts.join('/')} failed: ${(e as Error).message}`, { file: parts.join('/') });
  }
}

function tokensEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

/**
 * Browser mode: the renderer and the contract over loopback HTTP (POST /api/<method>) plus server-sent events
 * (GET /api/events). Bound to 127.0.0.1 only; every API request needs the per-run token and, when a browser sends an
 * Origin, it must be this server's own; the Host header must name the loopback address (no DNS rebinding).
 * Static files need no token: they are the app's own code, and the token lives in the URL fragment, never sent.
 */
export async function startBridge(host: ContractHost, options: BridgeOptions): Promise<Bridge> {
  const token = options.token ?? crypto.randomBytes(24).toString('base64url');
  const maxBody = options.maxBodyBytes ?? 16 * 1024 * 1024;
  const staticRoot = path.resolve(options.staticDir);
  let port = 0;
  const sse = new Set<http.ServerResponse>();

  const unsubscribe = host.onEvent((event, payload) => {
    const data = `event: ${event}\ndata: ${JSON.stringify(payload)}\n\n`;
    for (const res of sse) res.write(data);
  });

  const allowedHosts = (): string[] => [`127.0.0.1:${port}`, `localhost:${port}`];
  const allowedOrigins = (): string[] => allowedHosts().map((h) => `http://${h}`);

  function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...SECURITY_HEADERS });
    res.end(JSON.stringify(body));
  }

  function refuse(res: http.ServerResponse, code: ErrorCode, message: string): void {
    sendJson(res, ERROR_STATUS[code], { ok: false, error: { code, message, details: {} } });
  }

  /** The token: in the Authorization header, or (only for the event stream, which EventSource cannot give headers) ?token=. */
  function checkAccess(req: http.IncomingMessage, res: http.ServerResponse, url: URL): boolean {
    const origin = req.headers.origin;
    if (origin !== undefined && !allowedOrigins().includes(origin)) {
      refuse(res, 'FORBIDDEN_ORIGIN', `Requests from ${origin} are not allowed; open Residual at its own address.`);
      return false;
    }
    const auth = req.headers.authorization;
    const events = url.pathname === '/api/events' && req.method === 'GET';
    const given = auth?.startsWith('Bearer ') ? auth.slice(7) : events ? (url.searchParams.get('token') ?? '') : '';
    if (!given) {
      refuse(res, 'TOKEN_REQUIRED', 'This Residual server needs its access token: open the address it printed, including #token=….');
      return false;
    }
    if (!tokensEqual(given, token)) {
      refuse(res, 'TOKEN_INVALID', 'Wrong access token: open the address this Residual server printed when it started.');
      return false;
    }
    return true;
  }

  async function readBody(req: http.IncomingMessage): Promise<unknown> {
    const parts: Buffer[] = [];
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > maxBody) throw new ResidualError('BAD_INPUT', `Request body is larger than ${maxBody} bytes.`);
      parts.push(chunk);
    }
    const text = Buffer.concat(parts).toString('utf8');
    if (text.trim() === '') return {};
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new ResidualError('BAD_INPUT', 'Request body is not valid JSON.');
    }
  }

  function notFound(res: http.ServerResponse): void {
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS });
    res.end('Not found');
  }

  function serveStatic(url: URL, res: http.ServerResponse): void {
    let rel: string;
    try {
      rel = decodeURIComponent(url.pathname === '/' ? '/index.html' : url.pathname);
    } catch {
      // Malformed percent-encoding names no file of ours.
      notFound(res);
      return;
    }
    const file = path.resolve(staticRoot, '.' + rel);
    if (rel.includes('\0') || !file.startsWith(staticRoot + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      notFound(res);
      return;
    }
    res.writeHead(200, {
      'Content-Type': MIME[path.extname(file)] ?? 'application/octet-stream',
      'Cache-Control': rel === '/index.html' ? 'no-store' : 'max-age=3600',
      ...SECURITY_HEADERS,
    });
    const stream = fs.createReadStream(file);
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  }

  /** A report or an export from the reports folder, as an attachment (the file policy decides which files). */
  function serveDownload(url: URL, res: http.ServerResponse): void {
    const file = url.searchParams.get('file') ?? '';
    let real: string;
    try {
      if (!options.download) throw new ResidualError('FORBIDDEN', 'This server offers no downloads.');
      if (file === '' || file.includes('\0') || !path.isAbsolute(file)) throw new ResidualError('FORBIDDEN', 'Name the file to download by its full path in the reports folder.', { field: 'file' });
      real = options.download(file);
    } catch (e) {
      const err = toContractError(e);
      sendJson(res, ERROR_STATUS[err.code], { ok: false, error: err });
      return;
    }
    const name = path.basename(real);
    const ascii = name.replace(/[^\w.\- ()]/g, '_');
    res.writeHead(200, {
      'Content-Type': MIME[path.extname(real).toLowerCase()] ?? 'application/octet-stream',
      'Content-Disposition': `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`,
      'Content-Length': String(fs.statSync(real).size),
      'Cache-Control': 'no-store',
      ...SECURITY_HEADERS,
    });
    const stream = fs.createReadStream(real);
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  }

  // Uploads waiting for their import: removed when that import succeeds (or at close). A failed import keeps its
  // upload, so the analyst can try again with other options (skip bad rows, other roles) without uploading again.
  const uploadOfJob = new Map<string, string[]>();
  const folderUploads = new Map<string, FolderUpload>();
  /** Single-file uploads on their way (their folders). */
  const receiving = new Set<string>();
  const uploadsRoot = path.resolve(options.uploadsDir);
  const forgetUpload = (file: string): void => {
    const dir = path.dirname(file);
    if (path.dirname(dir) === uploadsRoot) fs.rmSync(dir, { recursive: true, force: true });
  };
  /** The upload folders a running import reads from. */
  const importing = (): Set<string> => {
    const dirs = new Set<string>();
    for (const files of uploadOfJob.values()) for (const f of files) dirs.add(path.dirname(path.resolve(f)));
    return dirs;
  };
  /**
   * Removes the uploads left behind: never imported (or whose import failed) and older than uploadMaxAgeMs, and
   * folder uploads that received nothing for that long (the page went away in the middle). An upload on its way, a
   * folder upload still receiving files and one a running import reads are left alone.
   */
  const maxAge = options.uploadMaxAgeMs ?? 24 * 3600 * 1000;
  const sweepUploads = (): void => {
    let names: string[];
    try {
      names = fs.readdirSync(uploadsRoot);
    } catch {
      return;
    }
    const now = Date.now();
    const busy = importing();
    for (const name of names) {
      if (!UPLOAD_ID.test(name)) continue;
      const dir = path.join(uploadsRoot, name);
      if (receiving.has(dir) || busy.has(dir)) continue;
      const folder = folderUploads.get(name);
      let last: number;
      try {
        last = folder ? folder.touched : fs.statSync(dir).mtimeMs;
      } catch {
        continue;
      }
      if (now - last < maxAge) continue;
      if (folder) {
        folder.discarded = true;
        folderUploads.delete(name);
      }
      fs.rmSync(dir, { recursive: true, force: true });
    }
    // Folder uploads since imported (their folders removed with the import) are forgotten too.
    for (const [id, folder] of folderUploads) if (!fs.existsSync(folder.dir)) folderUploads.delete(id);
  };
  sweepUploads();
  const sweeper = setInterval(sweepUploads, Math.max(60_000, Math.min(maxAge, 3600 * 1000)));
  sweeper.unref();
  /** DELETE /api/upload?upload=ID: the page discards an upload it will not import (cancelled, closed, a file failed). */
  function discardUpload(url: URL): { removed: boolean } {
    const id = url.searchParams.get('upload') ?? '';
    if (!UPLOAD_ID.test(id)) throw new ResidualError('BAD_INPUT', `${JSON.stringify(id)} is not an upload's id: name the upload by the id its first file's reply gave (upload=u-…).`, { field: 'upload' });
    const dir = path.join(uploadsRoot, id);
    if (importing().has(dir)) throw new ResidualError('CONFLICT', `The upload ${id} is being imported: cancel the import first.`, { field: 'upload' });
    const folder = folderUploads.get(id);
    if (folder) {
      folder.discarded = true;
      folderUploads.delete(id);
    }
    const removed = fs.existsSync(dir);
    fs.rmSync(dir, { recursive: true, force: true });
    return { removed };
  }
  const unsubscribeUploads = host.onEvent((event, payload) => {
    if (event !== 'job.finished' && event !== 'job.failed') return;
    const files = uploadOfJob.get((payload as { jobId: string }).jobId);
    if (files === undefined) return;
    uploadOfJob.delete((payload as { jobId: string }).jobId);
    if (event === 'job.finished') files.forEach(forgetUpload);
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    // The Host check comes before anything reads the URL: a request for another host gets no further.
    if (!allowedHosts().includes(req.headers.host ?? '')) {
      refuse(res, 'FORBIDDEN_HOST', `Host ${req.headers.host ?? '(none)'} is not this server; use http://127.0.0.1:${port}/.`);
      return;
    }
    let url: URL;
    try {
      url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
      // A request target such as "//host/x" names another origin: not ours.
      if (url.host !== `127.0.0.1:${port}`) throw new Error('another origin');
    } catch {
      refuse(res, 'BAD_REQUEST', 'Malformed request address.');
      return;
    }
    if (!url.pathname.startsWith('/api/')) {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        refuse(res, 'METHOD_NOT_ALLOWED', 'Only GET here.');
        return;
      }
      serveStatic(url, res);
      return;
    }
    if (!checkAccess(req, res, url)) return;
    if (url.pathname === '/api/events' && req.method === 'GET') {
      res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive', ...SECURITY_HEADERS });
      res.write(': connected\n\n');
      sse.add(res);
      req.on('close', () => sse.delete(res));
      return;
    }
    if (url.pathname === '/api/download' && req.method === 'GET') {
      serveDownload(url, res);
      return;
    }
    if (url.pathname === '/api/upload' && req.method === 'DELETE') {
      try {
        sendJson(res, 200, { ok: true, result: discardUpload(url) });
      } catch (e) {
        const err = toContractError(e);
        sendJson(res, ERROR_STATUS[err.code], { ok: false, error: err });
      }
      return;
    }
    if (req.method !== 'POST') {
      refuse(res, 'METHOD_NOT_ALLOWED', 'Contract methods are called with POST.');
      return;
    }
    if (url.pathname === '/api/upload') {
      // A browser cannot hand over a file path: the file picked or dropped is streamed to a private folder, and its
      // path is what the contract's data.preview / data.import then take (the file policy allows nothing else).
      // A folder comes file by file, each with its path in the folder (?path=…) and, after the first, the upload's id
      // (?upload=…) so that all land in one folder.
      // A new upload (a file, or a folder's first file) first clears away the ones left too long (sweepUploads).
      const maxBytes = options.uploadMaxBytes ?? 4 * 1024 ** 3;
      const rel = url.searchParams.get('path');
      const id = url.searchParams.get('upload');
      try {
        if (rel === null || id === null) sweepUploads();
        if (rel !== null) {
          sendJson(res, 200, { ok: true, result: await receiveFolderFile(req, options.uploadsDir, folderUploads, id, rel, maxBytes, options.uploadMaxFiles ?? MAX_UPLOAD_FILES) });
          return;
        }
        const file = await receiveUpload(req, options.uploadsDir, url.searchParams.get('name') ?? 'upload.csv', maxBytes, receiving);
        sendJson(res, 200, { ok: true, result: { file, upload: path.basename(path.dirname(file)) } });
      } catch (e) {
        const err = toContractError(e);
        sendJson(res, ERROR_STATUS[err.code], { ok: false, error: err });
      }
      return;
    }
    try {
      const method = parseMethod(url.pathname.slice('/api/'.length));
      const payload = await readBody(req);
      const result = await host.invoke(method, payload);
      if (method === 'data.import') {
        // The file (or folder) and an IDX labels file.
        const p = payload as { file?: unknown; options?: { labels?: unknown } };
        const files = [p.file, p.options?.labels].filter((f): f is string => typeof f === 'string');
        if (files.length > 0) uploadOfJob.set((result as Reply<'data.import'>).jobId, files);
      }
      sendJson(res, 200, { ok: true, result: result ?? null });
    } catch (e) {
      const err = toContractError(e);
      sendJson(res, ERROR_STATUS[err.code], { ok: false, error: err });
    }
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      // Nothing a request sends may end the server: whatever escaped is answered (or the socket dropped) here.
      if (!res.headersSent) {
        try {
          refuse(res, 'INTERNAL', `Internal error: ${(e as Error)?.message ?? String(e)}`);
          return;
        } catch {
          // fall through
        }
      }
      res.destroy();
    });
  });
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const heartbeat = setInterval(() => {
    for (const res of sse) res.write(': ping\n\n');
  }, 15_000);
  heartbeat.unref();

  return {
    url: `http://127.0.0.1:${port}/#token=${token}`,
    port,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(heartbeat);
        clearInterval(sweeper);
        unsubscribe();
        unsubscribeUploads();
        fs.rmSync(options.uploadsDir, { recursive: true, force: true });
        for (const res of sse) res.end();
        sse.clear();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
