/**
 * Uploads that leave nothing behind (issue #14 item 1): the page discards an upload it will not import
 * (DELETE /api/upload?upload=ID: cancelled between files, the panel closed, a file failed), a folder of too many
 * files is refused with what to do, and uploads never imported are removed once stale — never one on its way.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startBridge, type Bridge } from '../../src-main/bridge/server';
import type { Events } from '../../src-main/contract';
import { MAX_UPLOAD_FILES } from '../../src-main/contract';
import { echoHost, rendererDir } from '../helpers/bridge';
import { tmpDir } from '../helpers/tmp';

const dir = tmpDir('residual-bridge-uploads-');
const staticDir = rendererDir(dir);

// data.import starts job "j1" (finished when the test says so); every other method echoes.
const { host, emit } = echoHost((method) => (method === 'data.import' ? { jobId: 'j1' } : undefined));

type Answer = { status: number; ok: boolean; result: { file: string; upload: string; folder: string; removed: boolean }; error: { code: string; message: string } };

async function answer(res: Response): Promise<Answer> {
  return { status: res.status, ...((await res.json()) as Omit<Answer, 'status'>) };
}
/** One file of a folder upload: its path in the folder, and the upload's id after the first. */
async function part(b: Bridge, rel: string, body: string, upload?: string): Promise<Answer> {
  const q = `path=${encodeURIComponent(rel)}${upload ? `&upload=${encodeURIComponent(upload)}` : ''}`;
  return answer(await fetch(`http://127.0.0.1:${b.port}/api/upload?${q}`, { method: 'POST', headers: { Authorization: `Bearer ${b.token}` }, body }));
}
async function single(b: Bridge, name: string, body: string): Promise<Answer> {
  return answer(await fetch(`http://127.0.0.1:${b.port}/api/upload?name=${encodeURIComponent(name)}`, { method: 'POST', headers: { Authorization: `Bearer ${b.token}` }, body }));
}
async function discard(b: Bridge, upload: string, token = b.token): Promise<Answer> {
  return answer(await fetch(`http://127.0.0.1:${b.port}/api/upload?upload=${encodeURIComponent(upload)}`, { method: 'DELETE', headers: { Authorization: `Bearer ${token}` } }));
}
/** Makes a folder (and so an upload) look `days` old. */
function age(folder: string, days: number): void {
  const t = new Date(Date.now() - days * 24 * 3600 * 1000);
  fs.utimesSync(folder, t, t);
}

describe('folder uploads that the page discards', () => {
  const uploads = path.join(dir, 'uploads');
  let bridge: Bridge;
  beforeAll(async () => {
    bridge = await startBridge(host, { staticDir, uploadsDir: uploads });
  });
  afterAll(() => bridge.close());

  it('removes an upload cancelled between two files, and says so once', async () => {
    const first = await part(bridge, 'digits/0/a.png', 'A');
    expect(first.ok).toBe(true);
    const second = await part(bridge, 'digits/1/b.png', 'B', first.result.upload);
    expect(second.ok).toBe(true);
    const folder = path.dirname(first.result.folder);
    expect(fs.existsSync(folder)).toBe(true);
    // No request is on its way: only the page's DELETE can say the upload is over.
    const gone = await discard(bridge, first.result.upload);
    expect(gone).toMatchObject({ status: 200, ok: true, result: { removed: true } });
    expect(fs.existsSync(folder)).toBe(false);
    expect((await part(bridge, 'digits/2/c.png', 'C', first.result.upload)).error.message).toMatch(/No folder upload ".*" is under way/);
    // Again (the page discards on a failed file too, after the bridge removed it): nothing left to remove, no error.
    expect(await discard(bridge, first.result.upload)).toMatchObject({ status: 200, ok: true, result: { removed: false } });
  });

  it('removes a single file upload the page discards (the panel closed before importing)', async () => {
    const up = await single(bridge, 'table.csv', 'a,b\n1,2\n');
    expect(up.ok).toBe(true);
    expect(path.basename(path.dirname(up.result.file))).toBe(up.result.upload);
    expect((await discard(bridge, up.result.upload)).result.removed).toBe(true);
    expect(fs.existsSync(up.result.file)).toBe(false);
  });

  it('removes what a file on its way wrote when the upload is discarded meanwhile', async () => {
    const first = await part(bridge, 'late/a.png', 'A');
    const req = http.request({ host: '127.0.0.1', port: bridge.port, method: 'POST', path: `/api/upload?path=late%2Fb.png&upload=${first.result.upload}`, headers: { Authorization: `Bearer ${bridge.token}` } });
    const reply = new Promise<{ status: number; body: string }>((resolve, reject) => {
      req.on('response', (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
    });
    req.write('half of b');
    const partial = path.join(first.result.folder, 'b.png');
    await vi.waitFor(() => expect(fs.existsSync(partial) && fs.statSync(partial).size > 0).toBe(true), { timeout: 10_000 });
    expect((await discard(bridge, first.result.upload)).result.removed).toBe(true);
    req.end(' and the rest');
    const r = await reply;
    expect(r.status).toBe(409);
    expect((JSON.parse(r.body) as { error: { code: string; message: string } }).error).toMatchObject({ code: 'CANCELLED', message: 'The upload of the folder late was cancelled.' });
    expect(fs.existsSync(path.dirname(first.result.folder))).toBe(false);
  });

  it('refuses a discard without the token, of a name that is not an upload id, and of an upload being imported', async () => {
    const first = await part(bridge, 'kept/a.png', 'A');
    const noToken = await fetch(`http://127.0.0.1:${bridge.port}/api/upload?upload=${first.result.upload}`, { method: 'DELETE' });
    expect(noToken.status).toBe(401);
    expect((await discard(bridge, first.result.upload, 'wrong')).error.code).toBe('TOKEN_INVALID');
    for (const bad of ['../renderer', 'u-../../x', '', 'renderer']) {
      const r = await discard(bridge, bad);
      expect(r.status, bad).toBe(400);
      expect(r.error.message).toContain("is not an upload's id");
    }
    expect(fs.existsSync(path.join(staticDir, 'index.html'))).toBe(true);
    // Imported: the running import reads it, so it stays until the import finishes (then the bridge removes it).
    const imp = await fetch(`http://127.0.0.1:${bridge.port}/api/data.import`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${bridge.token}` },
      body: JSON.stringify({ file: first.result.folder }),
    });
    expect(((await imp.json()) as { result: { jobId: string } }).result.jobId).toBe('j1');
    const busy = await discard(bridge, first.result.upload);
    expect(busy.status).toBe(409);
    expect(busy.error.message).toBe(`The upload ${first.result.upload} is being imported: cancel the import first.`);
    expect(fs.existsSync(first.result.folder)).toBe(true);
    emit('job.finished', { jobId: 'j1' } as Events['job.finished']);
    expect(fs.existsSync(path.dirname(first.result.folder))).toBe(false);
  });
});

describe('the cap on a folder upload’s files', () => {
  it('is 200,000 files by default', () => {
    expect(MAX_UPLOAD_FILES).toBe(200_000);
  });

  it('refuses the file past it, naming the folder and what to do, and removes the upload', async () => {
    const b = await startBridge(host, { staticDir, uploadsDir: path.join(dir, 'uploads-cap'), uploadMaxFiles: 2 });
    try {
      const first = await part(b, 'scans/a.png', 'A');
      expect((await part(b, 'scans/b.png', 'B', first.result.upload)).ok).toBe(true);
      const third = await part(b, 'scans/sub/c.png', 'C', first.result.upload);
      expect(third.status).toBe(400);
      expect(third.error.code).toBe('BAD_INPUT');
      expect(third.error.message).toBe(
        'The folder scans has more than 2 files, the most one upload may hold: import it in parts (a subfolder at a time), or start the server with `residual serve --data-dir <the folder above it>` and import it from there without uploading. (refused at scans/sub/c.png)',
      );
      expect(fs.existsSync(path.dirname(first.result.folder))).toBe(false);
      // Another folder starts its own count.
      expect((await part(b, 'other/a.png', 'A')).ok).toBe(true);
    } finally {
      await b.close();
    }
  });
});

describe('uploads never imported', () => {
  afterEach(() => vi.useRealTimers());

  it('are removed when the bridge starts once older than a day; fresh ones and other files stay', async () => {
    const uploads = path.join(dir, 'uploads-start');
    for (const name of ['u-old001', 'u-new001']) {
      fs.mkdirSync(path.join(uploads, name), { recursive: true });
      fs.writeFileSync(path.join(uploads, name, 'data.csv'), 'a\n1\n');
    }
    fs.writeFileSync(path.join(uploads, 'notes.txt'), 'not an upload');
    age(path.join(uploads, 'u-old001'), 2);
    age(path.join(uploads, 'notes.txt'), 2);
    const b = await startBridge(host, { staticDir, uploadsDir: uploads });
    try {
      expect(fs.readdirSync(uploads).sort()).toEqual(['notes.txt', 'u-new001']);
    } finally {
      await b.close();
    }
  });

  it('are removed when a new upload begins, never a folder upload still receiving files', async () => {
    const uploads = path.join(dir, 'uploads-run');
    const b = await startBridge(host, { staticDir, uploadsDir: uploads });
    try {
      const left = await single(b, 'left.csv', 'a\n1\n');
      const going = await part(b, 'going/a.png', 'A');
      // Both folders look two days old; the folder upload received its last file just now.
      age(path.dirname(left.result.file), 2);
      age(path.dirname(going.result.folder), 2);
      const next = await single(b, 'next.csv', 'a\n2\n');
      expect(next.ok).toBe(true);
      expect(fs.existsSync(left.result.file)).toBe(false);
      expect(fs.existsSync(path.join(going.result.folder, 'a.png'))).toBe(true);
      expect((await part(b, 'going/b.png', 'B', going.result.upload)).ok).toBe(true);
      expect(fs.existsSync(next.result.file)).toBe(true);
    } finally {
      await b.close();
    }
  });

  it('remove a folder upload that received nothing for a day (the page went away in the middle)', async () => {
    const uploads = path.join(dir, 'uploads-abandoned');
    const b = await startBridge(host, { staticDir, uploadsDir: uploads });
    try {
      const going = await part(b, 'going/a.png', 'A');
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(Date.now() + 25 * 3600 * 1000);
      const other = await part(b, 'other/a.png', 'A');
      expect(other.ok).toBe(true);
      expect(fs.existsSync(path.dirname(going.result.folder))).toBe(false);
      expect((await part(b, 'going/b.png', 'B', going.result.upload)).error.message).toMatch(/No folder upload/);
      // The new one, a day later by the clock, is on its way and stays.
      expect(fs.existsSync(other.result.file)).toBe(true);
    } finally {
      vi.useRealTimers();
      await b.close();
    }
  });
});
