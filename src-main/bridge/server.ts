import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { ResidualError } from '../core/errors';

/** What the bridge serves: the same contract main serves over IPC. */
export interface ContractHost {
  /** Validates the payload and runs the method; rejects with ResidualError for bad input. */
  invoke(method: string, payload: unknown): Promise<unknown>;
  /** Subscribes to every event; returns the unsubscribe function. */
  onEvent(listener: (event: string, payload: unknown) => void): () => void;
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
};

const SECURITY_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/** Any error as the contract's {code, message, details}: core's, the contract's and the engine's all carry a code. */
function errorBody(e: unknown): { code: string; message: string; details: unknown } {
  const x = e as { code?: unknown; message?: unknown; details?: unknown };
  if (typeof x?.code === 'string' && typeof x.message === 'string') return { code: x.code, message: x.message, details: x.details ?? {} };
  return { code: 'INTERNAL', message: e instanceof Error ? e.message : String(e), details: {} };
}

async function receiveUpload(req: http.IncomingMessage, name: string, maxBytes: number): Promise<string> {
  const safe = path.basename(name).replace(/[^\w.\- ()]/g, '_') || 'upload.csv';
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'residual-upload-'));
  const file = path.join(dir, safe);
  let size = 0;
  const out = fs.createWriteStream(file, { mode: 0o600 });
  try {
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > maxBytes) throw new ResidualError('BAD_INPUT', `${safe} is larger than the ${Math.round(maxBytes / 1024 ** 2)} MB an upload may be.`, { file: safe });
      if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
    }
    await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
    return file;
  } catch (e) {
    out.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
    throw e;
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

  function refuse(res: http.ServerResponse, status: number, code: string, message: string): void {
    sendJson(res, status, { ok: false, error: { code, message, details: {} } });
  }

  function checkAccess(req: http.IncomingMessage, res: http.ServerResponse, url: URL): boolean {
    const origin = req.headers.origin;
    if (origin !== undefined && !allowedOrigins().includes(origin)) {
      refuse(res, 403, 'FORBIDDEN_ORIGIN', `Requests from ${origin} are not allowed; open Residual at its own address.`);
      return false;
    }
    const auth = req.headers.authorization;
    const given = auth?.startsWith('Bearer ') ? auth.slice(7) : (url.searchParams.get('token') ?? '');
    if (!given) {
      refuse(res, 401, 'TOKEN_REQUIRED', 'This Residual server needs its access token: open the address it printed, including #token=….');
      return false;
    }
    if (!tokensEqual(given, token)) {
      refuse(res, 401, 'TOKEN_INVALID', 'Wrong access token: open the address this Residual server printed when it started.');
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

  function serveStatic(url: URL, res: http.ServerResponse): void {
    const rel = decodeURIComponent(url.pathname === '/' ? '/index.html' : url.pathname);
    const file = path.resolve(staticRoot, '.' + rel);
    if (!file.startsWith(staticRoot + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS });
      res.end('Not found');
      return;
    }
    res.writeHead(200, {
      'Content-Type': MIME[path.extname(file)] ?? 'application/octet-stream',
      'Cache-Control': rel === '/index.html' ? 'no-store' : 'max-age=3600',
      ...SECURITY_HEADERS,
    });
    fs.createReadStream(file).pipe(res);
  }

  const server = http.createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (!allowedHosts().includes(req.headers.host ?? '')) {
        refuse(res, 421, 'FORBIDDEN_HOST', `Host ${req.headers.host ?? '(none)'} is not this server; use http://127.0.0.1:${port}/.`);
        return;
      }
      if (!url.pathname.startsWith('/api/')) {
        if (req.method !== 'GET' && req.method !== 'HEAD') {
          refuse(res, 405, 'METHOD', 'Only GET here.');
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
      if (req.method !== 'POST') {
        refuse(res, 405, 'METHOD', 'Contract methods are called with POST.');
        return;
      }
      if (url.pathname === '/api/upload') {
        // A browser cannot hand over a file path: the file picked or dropped is streamed to a private temporary
        // folder, and its path is what the contract's data.preview / data.import then take.
        try {
          sendJson(res, 200, { ok: true, result: { file: await receiveUpload(req, url.searchParams.get('name') ?? 'upload.csv', options.uploadMaxBytes ?? 4 * 1024 ** 3) } });
        } catch (e) {
          sendJson(res, 400, { ok: false, error: errorBody(e) });
        }
        return;
      }
      const method = url.pathname.slice('/api/'.length);
      try {
        const payload = await readBody(req);
        const result = await host.invoke(method, payload);
        sendJson(res, 200, { ok: true, result: result ?? null });
      } catch (e) {
        const err = errorBody(e);
        const status = err.code === 'BAD_INPUT' ? 400 : err.code === 'NOT_FOUND' ? 404 : err.code === 'CONFLICT' ? 409 : err.code === 'CANCELLED' ? 409 : 500;
        sendJson(res, status, { ok: false, error: err });
      }
    })();
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
        unsubscribe();
        for (const res of sse) res.end();
        sse.clear();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
