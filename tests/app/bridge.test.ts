import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startBridge, type Bridge } from '../../src-main/bridge/server';
import { createFilePolicy } from '../../src-main/app/file-policy';
import { createHost } from '../../src-main/app/host';
import { parseMethod } from '../../src-main/contract';
import { ResidualError } from '../../src-main/core/errors';
import { echoHost, rendererDir } from '../helpers/bridge';
import { tmpDir } from '../helpers/tmp';

const dir = tmpDir();
const staticDir = rendererDir(dir);

// A host that echoes: the bridge's own behaviour (token, origin, host, errors, events) is under test here.
const { host, emit } = echoHost((method) => {
  if (method === 'data.preview') throw new ResidualError('BAD_INPUT', 'column "x" is missing', { column: 'x' });
  return undefined;
});

let bridge: Bridge;
beforeAll(async () => {
  bridge = await startBridge(host, { staticDir, uploadsDir: path.join(dir, 'uploads') });
});
afterAll(() => bridge.close());

const api = (p: string): string => `http://127.0.0.1:${bridge.port}${p}`;
const post = (p: string, headers: Record<string, string>, body: unknown = {}): Promise<Response> =>
  fetch(api(p), { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });

describe('browser-mode bridge', () => {
  it('prints a loopback address with a random token', () => {
    expect(bridge.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=[\w-]{20,}$/);
  });

  it('serves the renderer without a token', async () => {
    const res = await fetch(api('/'));
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<title>Residual</title>');
    expect((await fetch(api('/../../etc/passwd'))).status).toBe(404);
  });

  it('refuses an API request without the token, or with a wrong one', async () => {
    const none = await post('/api/app.status', {});
    expect(none.status).toBe(401);
    expect(((await none.json()) as { error: { code: string } }).error.code).toBe('TOKEN_REQUIRED');
    const wrong = await post('/api/app.status', { Authorization: 'Bearer nope' });
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as { error: { code: string } }).error.code).toBe('TOKEN_INVALID');
  });

  it('refuses another Origin even with the right token', async () => {
    const res = await post('/api/app.status', { Authorization: `Bearer ${bridge.token}`, Origin: 'http://evil.example' });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('FORBIDDEN_ORIGIN');
  });

  it('answers with the token and its own origin, and carries errors as {code, message, details}', async () => {
    const ok = await post('/api/app.status', { Authorization: `Bearer ${bridge.token}`, Origin: `http://127.0.0.1:${bridge.port}` }, { a: 1 });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ ok: true, result: { method: 'app.status', payload: { a: 1 } } });
    const bad = await post('/api/data.preview', { Authorization: `Bearer ${bridge.token}` });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ ok: false, error: { code: 'BAD_INPUT', message: 'column "x" is missing', details: { column: 'x' } } });
    // A name that is no method of the contract never reaches the host.
    const unknown = await post('/api/drop.tables', { Authorization: `Bearer ${bridge.token}` });
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { error: { message: string } }).error.message).toBe('Unknown method "drop.tables".');
  });

  it('streams events to a client that has the token', async () => {
    const res = await fetch(api(`/api/events?token=${bridge.token}`));
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    await reader.read(); // the ": connected" comment
    emit('job.started', { jobId: 'j1', kind: 'import', title: 'Import x.csv' });
    const { value } = await reader.read();
    expect(new TextDecoder().decode(value)).toContain('event: job.started\ndata: {"jobId":"j1","kind":"import","title":"Import x.csv"}');
    await reader.cancel();
  });

  it('takes an upload and returns a server-side path', async () => {
    const res = await fetch(api('/api/upload?name=..%2F..%2Fdata.csv'), { method: 'POST', headers: { Authorization: `Bearer ${bridge.token}` }, body: 'a,b\n1,2\n' });
    const body = (await res.json()) as { ok: boolean; result: { file: string } };
    expect(body.ok).toBe(true);
    expect(path.basename(body.result.file)).toBe('data.csv');
    expect(fs.readFileSync(body.result.file, 'utf8')).toBe('a,b\n1,2\n');
  });

  /** One file of a folder upload: its path in the folder, and the upload's id after the first. */
  const uploadPart = async (b: Bridge, rel: string, body: string, upload?: string): Promise<{ status: number; ok: boolean; result: { file: string; upload: string; folder: string }; error: { message: string } }> => {
    const q = `path=${encodeURIComponent(rel)}${upload ? `&upload=${encodeURIComponent(upload)}` : ''}`;
    const res = await fetch(`http://127.0.0.1:${b.port}/api/upload?${q}`, { method: 'POST', headers: { Authorization: `Bearer ${b.token}` }, body });
    return { status: res.status, ...((await res.json()) as { ok: boolean; result: { file: string; upload: string; folder: string }; error: { message: string } }) };
  };

  it('takes a folder file by file into one upload folder, paths kept', async () => {
    const first = await uploadPart(bridge, 'shapes/cats/a.png', 'A');
    expect(first.ok).toBe(true);
    const second = await uploadPart(bridge, 'shapes/dogs/deeper/b b?.png', 'BB', first.result.upload);
    expect(second.ok).toBe(true);
    expect(second.result.upload).toBe(first.result.upload);
    expect(second.result.folder).toBe(first.result.folder);
    expect(path.basename(first.result.folder)).toBe('shapes');
    expect(path.dirname(path.dirname(first.result.folder))).toBe(path.resolve(dir, 'uploads'));
    expect(fs.readFileSync(path.join(first.result.folder, 'cats', 'a.png'), 'utf8')).toBe('A');
    expect(fs.readFileSync(path.join(first.result.folder, 'dogs', 'deeper', 'b b_.png'), 'utf8')).toBe('BB');
    // Another folder gets an upload folder of its own.
    const other = await uploadPart(bridge, 'shapes/cats/a.png', 'C');
    expect(other.result.upload).not.toBe(first.result.upload);
  });

  it('refuses a folder path that leaves the folder or is absolute, and an unknown upload id', async () => {
    const first = await uploadPart(bridge, 'f/a.png', 'A');
    for (const bad of ['../x.png', 'f/../../x.png', '/etc/x.png', 'C:\\x.png', 'f//x.png', 'f\\..\\..\\x.png']) {
      const r = await uploadPart(bridge, bad, 'X', first.result.upload);
      expect(r.status, bad).toBe(400);
      expect(r.error.message).toMatch(/leaves the folder|is absolute|empty or "\." part/);
    }
    expect(fs.readdirSync(path.join(dir, 'uploads')).some((f) => f === 'x.png')).toBe(false);
    const unknown = await uploadPart(bridge, 'f/b.png', 'B', 'u-nothere');
    expect(unknown.status).toBe(400);
    expect(unknown.error.message).toMatch(/No folder upload "u-nothere" is under way/);
  });

  it('removes a folder upload that the page cancels in the middle of a file', async () => {
    const first = await uploadPart(bridge, 'c/a.png', 'A');
    const req = http.request({ host: '127.0.0.1', port: bridge.port, method: 'POST', path: `/api/upload?path=c%2Fb.png&upload=${first.result.upload}`, headers: { Authorization: `Bearer ${bridge.token}` } });
    req.on('error', () => undefined);
    req.write('half of b');
    const partial = path.join(first.result.folder, 'b.png');
    await vi.waitFor(() => expect(fs.existsSync(partial) && fs.statSync(partial).size > 0).toBe(true), { timeout: 10_000 });
    req.destroy();
    await vi.waitFor(() => expect(fs.existsSync(path.dirname(first.result.folder))).toBe(false), { timeout: 10_000 });
    expect((await uploadPart(bridge, 'c/c.png', 'C', first.result.upload)).error.message).toMatch(/No folder upload/);
  });

  it('caps a folder upload over all its files, and removes it when the cap is passed', async () => {
    const small = await startBridge(host, { staticDir, uploadsDir: path.join(dir, 'uploads-small'), uploadMaxBytes: 10 });
    try {
      const first = await uploadPart(small, 'f/a.png', '123456');
      expect(first.ok).toBe(true);
      const second = await uploadPart(small, 'f/b.png', '123456', first.result.upload);
      expect(second.status).toBe(400);
      expect(second.error.message).toMatch(/The folder f is larger than the 0 MB an upload may be \(at f\/b\.png\)/);
      expect(fs.existsSync(first.result.file)).toBe(false);
      const third = await uploadPart(small, 'f/c.png', '1', first.result.upload);
      expect(third.error.message).toMatch(/No folder upload/);
    } finally {
      await small.close();
    }
  });
});

describe('main-side contract validation', () => {
  const calls: unknown[] = [];
  const engine = { invoke: async (m: string, p: unknown) => (calls.push([m, p]), null), onEvent: () => () => undefined };
  const app = createHost(engine as never, createFilePolicy({ readRoots: [dir] }));

  it('rejects unknown methods and malformed payloads before they reach the engine', async () => {
    expect(() => parseMethod('drop.tables')).toThrow(/Unknown method "drop.tables"/);
    await expect(app.invoke('score.rank', { scoreId: 1, offset: -1, limit: 10 })).rejects.toThrow(/offset/);
    await expect(app.invoke('score.rank', { scoreId: 1, offset: 0, limit: 1_000_000 })).rejects.toThrow(/limit/);
    await expect(app.invoke('row.verdict', { datasetId: 1, row: 0, verdict: 'maybe' })).rejects.toThrow(/verdict/);
    await expect(app.invoke('score.thresholdSave', { scoreId: 1, spec: { method: 'cost', cAlarm: -1 } })).rejects.toThrow(/cAlarm/);
    await expect(app.invoke('data.import', { file: '/x.csv', options: { unknownOption: true } })).rejects.toThrow(/unknownOption|Unrecognized/);
    await expect(app.invoke('data.preview', { file: '/etc/passwd' })).rejects.toMatchObject({ code: 'FORBIDDEN', message: expect.stringMatching(/may only read files you hand it: \/etc\/passwd/) });
    expect(calls).toEqual([]);
  });

  it('passes a valid payload on', async () => {
    await app.invoke('score.rank', { scoreId: 1, offset: 0, limit: 100, filter: { flagged: true } });
    expect(calls).toEqual([['score.rank', { scoreId: 1, offset: 0, limit: 100, filter: { flagged: true } }]]);
  });
});
