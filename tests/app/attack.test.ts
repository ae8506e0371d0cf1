/**
 * What a hostile page, a careless script or a damaged disk can throw at Residual, against the real `residual serve`
 * process and the real CLI (bounded, loopback only). Each case asserts: the server still answers, the message is
 * plain (no stack trace), and the files involved are unchanged (sha256 before and after).
 */
import { execFileSync, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tmpDir } from '../helpers/tmp';
import { residual, ROOT, serve, type Served } from '../e2e/harness';

const WDBC = path.join(ROOT, 'tests', 'fixtures', 'wdbc.csv');
const GLASS = path.join(ROOT, 'tests', 'fixtures', 'glass.csv');
const BIN = path.join(ROOT, 'bin', 'residual.mjs');

const sha = (file: string): string => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
/** A plain message: one or two sentences for a person, no stack frames, no internal error class names. */
const expectPlain = (message: string): void => {
  expect(message).not.toMatch(/\n\s+at |SqliteError|RangeError|TypeError|SyntaxError|ERR_[A-Z_]+|node:internal/);
  expect(message.length).toBeLessThan(600);
};

/** One raw request line, as a hostile client would send it (fetch normalises URLs). Resolves with the status code. */
function raw(port: number, requestLine: string, host = `127.0.0.1:${port}`): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(`${requestLine}\r\nHost: ${host}\r\nConnection: close\r\n\r\n`));
    let data = '';
    socket.setTimeout(10_000, () => socket.destroy(new Error(`no answer to ${requestLine}`)));
    socket.on('data', (d) => (data += d.toString('latin1')));
    socket.on('error', reject);
    socket.on('close', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? 0)));
  });
}

/** The CLI as a process: exit code and both streams. */
function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, RESIDUAL_BACKEND: 'wasm', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    // 'close', not 'exit': the output may still be in the pipes when the process has exited (seen under load).
    child.on('close', (code) => resolve({ code: code ?? -1, out, err }));
  });
}

function canMount(): boolean {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return false;
  try {
    execFileSync('sh', ['-c', 'command -v mount && command -v umount'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Runs `fn` with a small tmpfs mounted at `dir` (root only), unmounted afterwards whatever happens. */
async function withTmpfs(dir: string, size: string, fn: () => Promise<void>): Promise<void> {
  fs.mkdirSync(dir, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]);
  try {
    await fn();
  } finally {
    execFileSync('umount', ['-l', dir]);
  }
}

describe('the server survives hostile requests', () => {
  const dir = tmpDir('residual-attack-');
  const project = path.join(dir, 'p.residual');
  const reports = path.join(dir, 'reports');
  const home = path.join(dir, 'home');
  let served: Served;
  let port: number;

  const call = async (method: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: { ok: boolean; result?: unknown; error?: { code: string; message: string } } }> => {
    const res = await fetch(`${served.origin}/api/${method}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${served.token}`, ...headers },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as never };
  };
  const idle = async (): Promise<void> => {
    for (let t = 0; t < 600; t++) {
      if (((await call('app.status', {})).body.result as { jobs: unknown[] }).jobs.length === 0) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('jobs still running after 60 s');
  };
  const alive = async (): Promise<void> => {
    const r = await call('app.status', {});
    expect(r.status).toBe(200);
    expect(served.process.exitCode).toBeNull();
  };

  beforeAll(async () => {
    fs.mkdirSync(reports);
    await residual(['import', WDBC, '--project', project, '--label', 'diagnosis', '--positive', 'malignant', '--id', 'id']);
    await residual(['train', '--project', project, '--epochs', '3']);
    await residual(['score', '--project', project]);
    served = await serve(['--project', project], { RESIDUAL_REPORTS_DIR: reports, RESIDUAL_HOME: home });
    port = Number(new URL(served.origin).port);
  });
  afterAll(() => served?.stop());

  it('malformed URLs and encodings, without the token: answered, never fatal', async () => {
    const lines = [
      'GET /%zz HTTP/1.1',
      'GET /%E0%A4%A HTTP/1.1',
      'GET /%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd HTTP/1.1',
      'GET //[ HTTP/1.1',
      'GET //evil.example/x HTTP/1.1',
      'GET /..%2f..%2f..%2fetc%2fpasswd HTTP/1.1',
      'GET /%00 HTTP/1.1',
      'GET /index.html%00.js HTTP/1.1',
      'GET /api/%zz HTTP/1.1',
      'POST /api/%E0 HTTP/1.1',
      'GET http://[::1 HTTP/1.1',
      'GET * HTTP/1.1',
      `GET /${'a'.repeat(20_000)} HTTP/1.1`,
      'FOO / HTTP/1.1',
      'GET / HTTP/9.9',
      'garbage',
    ];
    for (const line of lines) {
      const status = await raw(port, line);
      expect(status, line).toBeGreaterThanOrEqual(400);
      expect(status, line).toBeLessThan(500);
      await alive();
    }
    // Another Host (DNS rebinding) and a malformed one are refused before the URL is read.
    expect(await raw(port, 'GET //[ HTTP/1.1', 'evil.example')).toBe(421);
    expect(await raw(port, 'GET / HTTP/1.1', '[')).toBe(421);
    await alive();
  });

  it('the token travels in the header; ?token= is taken only by the event stream', async () => {
    const res = await fetch(`${served.origin}/api/app.status?token=${served.token}`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(401);
    const events = await fetch(`${served.origin}/api/events?token=${served.token}`);
    expect(events.status).toBe(200);
    await events.body!.cancel();
  });

  it('hostile upload names: stored under a safe name in the private uploads folder, or refused; never fatal', async () => {
    const names = ['.', '..', '...', '../../etc/cron.d/x', '/etc/passwd', 'a'.repeat(300) + '.csv', '%00.csv', 'con:', '\u202Egnp.csv', ' '];
    for (const name of names) {
      const res = await fetch(`${served.origin}/api/upload?name=${encodeURIComponent(name)}`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${served.token}` },
        body: 'a,b\n1,2\n',
      });
      const body = (await res.json()) as { ok: boolean; result?: { file: string }; error?: { message: string } };
      expect(res.status, name).toBe(200);
      const file = body.result!.file;
      expect(path.basename(file).length, name).toBeLessThanOrEqual(120);
      expect(path.basename(file), name).not.toMatch(/^\.|\//);
      expect(fs.readFileSync(file, 'utf8')).toBe('a,b\n1,2\n');
      expect(path.basename(path.dirname(path.dirname(file)))).toMatch(/^residual-uploads-\d+-/);
      await alive();
    }
  });

  it('an upload is deleted when its import succeeds', async () => {
    const res = await fetch(`${served.origin}/api/upload?name=glass.csv`, { method: 'POST', headers: { Authorization: `Bearer ${served.token}` }, body: fs.readFileSync(GLASS) });
    const { file } = ((await res.json()) as { result: { file: string } }).result;
    const preview = await call('data.preview', { file });
    expect(preview.status).toBe(200);
    const job = await call('data.import', { file, options: { name: 'glass upload' } });
    expect(job.status).toBe(200);
    for (let i = 0; i < 200 && fs.existsSync(file); i++) await new Promise((r) => setTimeout(r, 100));
    expect(fs.existsSync(file)).toBe(false);
    const overview = await call('project.overview', {});
    expect((overview.body.result as { datasets: { name: string }[] }).datasets.map((d) => d.name)).toContain('glass upload');
  });

  it('paths outside the allowed folders, for every contract method that takes one: FORBIDDEN, files unchanged', async () => {
    const victim = path.join(dir, 'notes.txt');
    fs.writeFileSync(victim, 'my notes\n');
    const before = sha(victim);
    const cases: [string, unknown][] = [
      ['data.preview', { file: '/etc/passwd' }],
      ['data.preview', { file: WDBC }],
      ['data.preview', { file: `${path.dirname(path.dirname(path.join(ROOT, 'x')))}/../../etc/passwd` }],
      ['data.import', { file: '/etc/hostname' }],
      ['data.import', { file: victim }],
      ['report.export', { modelId: 1, out: victim }],
      ['report.export', { modelId: 1, out: path.join(dir, 'elsewhere.pdf') }],
      ['report.export', { modelId: 1, out: path.join(reports, 'x.txt') }],
      ['report.export', { modelId: 1, out: path.join(reports, '..', 'escape.pdf') }],
      ['score.export', { scoreId: 1, out: victim }],
      ['score.export', { scoreId: 1, out: path.join(dir, 'elsewhere.csv') }],
      ['score.export', { scoreId: 1, out: path.join(reports, 'x.pdf') }],
      ['score.export', { scoreId: 1, out: path.join(reports, '..', 'escape.csv') }],
      ['project.open', { path: victim }],
      ['project.open', { path: '/etc/passwd' }],
      ['project.open', { path: path.join(dir, 'no', 'such', 'folder', 'x.residual'), create: true }],
      // Browser mode opens and creates projects only in the projects folder, the --project's folder, or from the recents.
      ['project.open', { path: path.join(path.dirname(dir), `${path.basename(dir)}-elsewhere.residual`), create: true }],
      ['project.open', { path: path.join(home, 'projects', '..', 'escape.residual'), create: true }],
      ['project.open', { path: path.join(reports, 'r.residual'), create: true }],
    ];
    for (const [method, body] of cases) {
      const r = await call(method, body);
      expect(r.status, `${method} ${JSON.stringify(body)}`).toBe(403);
      expect(r.body.error!.code).toBe('FORBIDDEN');
      expectPlain(r.body.error!.message);
      await alive();
    }
    expect(sha(victim)).toBe(before);
    expect(fs.existsSync(path.join(dir, 'elsewhere.pdf'))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'no'))).toBe(false);
    expect(fs.existsSync(path.join(path.dirname(dir), `${path.basename(dir)}-elsewhere.residual`))).toBe(false);
    expect(fs.existsSync(path.join(home, 'escape.residual'))).toBe(false);
    expect(fs.existsSync(path.join(reports, 'r.residual'))).toBe(false);
    // A report into the reports folder is fine, and may replace an earlier Residual report there.
    const out = path.join(reports, 'case.pdf');
    for (let i = 0; i < 2; i++) {
      const ok = await call('report.export', { modelId: 1, out });
      expect(ok.status).toBe(200);
      await idle();
      expect(fs.readFileSync(out).subarray(0, 5).toString()).toBe('%PDF-');
    }
  });

  it('a new project goes into the projects folder, and the recent list names the projects opened', async () => {
    await idle();
    const cases = path.join(home, 'projects', 'cases.residual');
    const created = await call('project.open', { path: cases, create: true });
    expect(created.status).toBe(200);
    expect(fs.existsSync(cases)).toBe(true);
    const back = await call('project.open', { path: project });
    expect(back.status).toBe(200);
    const list = (await call('project.list', {})).body.result as { recent: { path: string; openedAt: string }[]; projectsDir: string };
    expect(list.projectsDir).toBe(path.join(home, 'projects'));
    expect(list.recent.map((p) => p.path).slice(0, 2)).toEqual([project, cases]);
    expect(list.recent.every((p) => !Number.isNaN(Date.parse(p.openedAt)))).toBe(true);
    await alive();
  });

  it('the download endpoint serves only Residual’s files in the reports folder, and only with the token', async () => {
    // A CSV export into the reports folder (the default place in browser mode), then its download.
    const ok = await call('score.export', { scoreId: 1, top: 3 });
    expect(ok.status).toBe(200);
    await idle();
    const csv = fs.readdirSync(reports).find((f) => f.endsWith('.csv'))!;
    expect(csv).toBeDefined();
    const file = path.join(reports, csv);
    const get = (f: string, headers: Record<string, string> = { Authorization: `Bearer ${served.token}` }): Promise<Response> =>
      fetch(`${served.origin}/api/download?file=${encodeURIComponent(f)}`, { headers });
    const res = await get(file);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="/);
    expect((await res.text()).split('\r\n')[0]).toBe('rank,id,score,flagged,feature_1,share_1,feature_2,share_2,feature_3,share_3,label,verdict,note');
    // Without the token, with a wrong one, or with it in the query: refused.
    expect((await get(file, {})).status).toBe(401);
    expect((await get(file, { Authorization: 'Bearer nope' })).status).toBe(401);
    expect((await fetch(`${served.origin}/api/download?file=${encodeURIComponent(file)}&token=${served.token}`)).status).toBe(401);
    // Outside the reports folder, through "..", a folder, a file Residual did not write, relative paths: FORBIDDEN.
    const planted = path.join(reports, 'planted.csv');
    fs.writeFileSync(planted, 'a,b\r\n1,2\r\n');
    for (const f of ['/etc/passwd', project, path.join(reports, '..', 'p.residual'), `${reports}/../../../etc/passwd`, reports, planted, path.join(reports, 'missing.csv'), 'relative.csv', '', `${file}\0.txt`]) {
      const r = await get(f);
      expect(r.status, f).toBe(403);
      const body = (await r.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('FORBIDDEN');
      expectPlain(body.error.message);
    }
    // A POST to it is not a download.
    expect((await call('download', { file })).status).toBe(400);
    await alive();
  });

  it('extreme parameters are refused with a plain message and never freeze the engine', async () => {
    const overview = (await call('project.overview', {})).body.result as { scores: { scoreId: number }[] };
    const scoreId = overview.scores[0]!.scoreId;
    const extreme: [string, unknown][] = [
      ['score.thresholdPreview', { scoreId, spec: { method: 'cost', tolerance: 1e13 } }],
      ['score.thresholdPreview', { scoreId, spec: { method: 'budget', alerts: 1e15 } }],
      ['score.rank', { scoreId, offset: 0, limit: 1e9 }],
      ['score.rank', { scoreId, offset: 1e18, limit: 10 }],
      ['score.heatmap', { scoreId, order: 'rank', start: 0, end: 1e12, bands: 1e9 }],
      ['model.check', { datasetId: 1, settings: { layers: [65536, 65536] } }],
      ['model.train', { datasetId: 1, settings: { layers: [65536, 65536] } }],
      ['data.rows', { datasetId: 1, rows: [1e15] }],
    ];
    for (const [method, body] of extreme) {
      // Each must come back at all (a frozen engine fails the test by its timeout) and refuse plainly.
      const r = await call(method, body);
      expect(r.status, `${method} ${JSON.stringify(body)}`).toBeGreaterThanOrEqual(400);
      expect(r.status, `${method} ${JSON.stringify(body)}: ${r.body.error?.message}`).toBeLessThan(500);
      expectPlain(r.body.error!.message);
      await alive();
    }
  });

  it('a bad-file error is the caller’s (4xx), not the server’s', async () => {
    await idle();
    const empty = path.join(dir, 'empty.residual');
    fs.writeFileSync(empty, '');
    const r = await call('project.open', { path: empty });
    expect(r.status).toBe(422);
    expect(r.body.error!.code).toBe('BAD_FILE');
    expect(fs.statSync(empty).size).toBe(0);
    // The server still serves the project it had.
    await alive();
    expect((await call('project.overview', {})).status).toBe(200);
  });
});

describe('project files that are not what they claim: refused plainly, never changed', () => {
  const dir = tmpDir('residual-attack-files-');
  let good: string;

  beforeAll(async () => {
    good = path.join(dir, 'good.residual');
    await residual(['import', GLASS, '--project', good]);
  });

  const variants: { name: string; make(file: string): void; code: string; message: RegExp }[] = [
    { name: 'empty (0 bytes)', make: (f) => fs.writeFileSync(f, ''), code: 'BAD_FILE', message: /is an empty file, not a Residual project/ },
    { name: 'not SQLite', make: (f) => fs.writeFileSync(f, 'id,name\n1,x\n'), code: 'BAD_FILE', message: /not a SQLite database at all/ },
    {
      name: "another application's SQLite",
      make: (f) => {
        const db = new Database(f);
        db.exec('CREATE TABLE users(id INTEGER PRIMARY KEY, email TEXT); INSERT INTO users(email) VALUES (\'a@b\')');
        db.close();
      },
      code: 'BAD_FILE',
      message: /another application's SQLite database \(tables "users"\), not a Residual project\. It was not changed/,
    },
    {
      name: 'newer schema',
      make: (f) => {
        fs.copyFileSync(good, f);
        const db = new Database(f);
        db.pragma('journal_mode = DELETE');
        db.pragma('user_version = 99');
        db.close();
      },
      code: 'SCHEMA',
      message: /written by a newer Residual \(schema 99, this one knows \d+\)\. Update Residual to open it; the file was not changed/,
    },
    {
      name: 'truncated',
      make: (f) => {
        const bytes = fs.readFileSync(good);
        fs.writeFileSync(f, bytes.subarray(0, Math.floor(bytes.length / 3)));
      },
      code: 'BAD_FILE',
      message: /damaged|not a complete Residual project|corrupt/,
    },
    {
      name: 'byte-flipped',
      make: (f) => {
        const bytes = Buffer.from(fs.readFileSync(good));
        // Flip every byte of a stretch in the middle of the file: pages of data and records.
        for (let i = Math.floor(bytes.length * 0.2); i < Math.floor(bytes.length * 0.9); i += 7) bytes[i] = bytes[i]! ^ 0xff;
        fs.writeFileSync(f, bytes);
      },
      code: 'BAD_FILE',
      message: /damaged|not a complete Residual project|corrupt/,
    },
  ];

  for (const v of variants) {
    it(`${v.name}: info refuses it with a plain ${v.code}, and the file is byte-identical`, async () => {
      const file = path.join(dir, `${v.name.replace(/\W+/g, '-')}.residual`);
      v.make(file);
      // The byte-flipped project must leave nothing in a -wal beside it either.
      const before = sha(file);
      const r = await cli(['info', '--project', file, '--json']);
      if (v.name === 'truncated' || v.name === 'byte-flipped') {
        // Damage can sit where `info` does not read; then the command that reads it must say so instead.
        const again = r.code === 0 ? await cli(['top', '--project', file, '--json']) : r;
        if (again.code === 0) return;
        expect(JSON.parse(again.out).error.code).toMatch(/BAD_FILE|NOT_FOUND/);
        expectPlain(again.err);
      } else {
        expect(r.code).not.toBe(0);
        const error = JSON.parse(r.out).error as { code: string; message: string };
        expect(error.code).toBe(v.code);
        expect(error.message).toMatch(v.message);
        expectPlain(r.err);
      }
      expect(sha(file)).toBe(before);
      // Nor does a command that would write (import) change it.
      const imp = await cli(['import', GLASS, '--project', file, '--name', 'again']);
      // An empty file may become a project (that is what creating one is); nothing else that is not one may.
      if (v.name !== 'truncated' && v.name !== 'byte-flipped' && v.name !== 'empty (0 bytes)') expect(imp.code).not.toBe(0);
      expectPlain(imp.err);
      if (imp.code !== 0) expect(sha(file)).toBe(before);
    });
  }

  it('a score left half-written by a killed process is removed on the next open', async () => {
    const p = path.join(dir, 'stale.residual');
    await residual(['import', GLASS, '--project', p]);
    await residual(['train', '--project', p, '--epochs', '2']);
    await residual(['score', '--project', p]);
    const db = new Database(p);
    const dead = 2 ** 22 + 12345; // above Linux's default pid_max: no such process
    db.prepare(
      "INSERT INTO scores(model_id, dataset_id, status, row_count, columns_json, chunk_rows, backend, stats_json, seconds, rows_per_second, created_at, writer_pid) VALUES (1, 1, 'writing', 214, '[]', 65536, 'wasm', '{}', 0, 0, '2026-01-01', ?)",
    ).run(dead);
    db.prepare("INSERT INTO scores(model_id, dataset_id, status, row_count, columns_json, chunk_rows, backend, stats_json, seconds, rows_per_second, created_at, writer_pid) VALUES (1, 1, 'writing', 214, '[]', 65536, 'wasm', '{}', 0, 0, '2026-01-01', ?)").run(process.pid);
    db.close();
    expect((await cli(['info', '--project', p])).code).toBe(0);
    const after = new Database(p, { readonly: true });
    const writing = after.prepare("SELECT writer_pid FROM scores WHERE status = 'writing'").all() as { writer_pid: number }[];
    after.close();
    // The dead writer's score is gone; the live one's (this test process) is left alone.
    expect(writing).toEqual([{ writer_pid: process.pid }]);
  });
});

describe('two writers at once', () => {
  const dir = tmpDir('residual-attack-writers-');

  it('verdicts from parallel processes, and during an import, are all kept', async () => {
    const p = path.join(dir, 'v.residual');
    await residual(['import', WDBC, '--project', p, '--id', 'id']);
    // A long import into the same project holds the write lock for seconds meanwhile.
    const big = path.join(dir, 'big.csv');
    const lines = ['a,b,c,d,e,f'];
    for (let i = 0; i < 150_000; i++) lines.push(`${i},${(i * 7) % 13},${Math.sin(i)},${i % 5},${(i * 3) % 17},${Math.cos(i)}`);
    fs.writeFileSync(big, lines.join('\n') + '\n');
    const importing = cli(['import', big, '--project', p, '--name', 'big']);
    const rows = Array.from({ length: 12 }, (_, i) => i + 1);
    const results = await Promise.all(rows.map((r) => cli(['verdict', '--project', p, '--dataset', 'wdbc', '--row', String(r), '--is', r % 2 ? 'anomaly' : 'normal', '--note', `row ${r}`])));
    for (const r of results) {
      expect(r.code, r.err).toBe(0);
      expectPlain(r.err);
    }
    expect((await importing).code).toBe(0);
    const db = new Database(p, { readonly: true });
    const saved = db.prepare('SELECT row_index, verdict, note FROM verdicts ORDER BY row_index').all() as { row_index: number; verdict: string; note: string }[];
    db.close();
    expect(saved).toHaveLength(12);
    expect(saved.map((s) => s.note)).toEqual(rows.map((r) => `row ${r}`));
  });
});

describe.skipIf(!canMount())('a full disk and a read-only file system (tmpfs, as root)', () => {
  const dir = tmpDir('residual-attack-disk-');

  it('a full disk: a plain DISK_FULL message, the project as it was', async () => {
    const mnt = path.join(dir, 'small');
    await withTmpfs(mnt, '3m', async () => {
      const p = path.join(mnt, 'p.residual');
      expect((await cli(['import', GLASS, '--project', p])).code).toBe(0);
      // A file that cannot fit: the import must fail cleanly, leaving the project with its one dataset.
      const big = path.join(dir, 'big.csv');
      const lines = ['a,b,c,d,e,f,g,h'];
      for (let i = 0; i < 200_000; i++) lines.push(`${i},${i * 1.5},${i % 7},${Math.sin(i)},${i % 3},${i * 2},${Math.cos(i)},${i % 11}`);
      fs.writeFileSync(big, lines.join('\n') + '\n');
      const r = await cli(['import', big, '--project', p, '--json']);
      expect(r.code).not.toBe(0);
      const error = JSON.parse(r.out).error as { code: string; message: string };
      expect(error.code).toBe('DISK_FULL');
      expect(error.message).toMatch(/disk holding the project .* is full: nothing was changed/);
      expectPlain(r.err);
      const info = await cli(['info', '--project', p, '--json']);
      expect(info.code, info.err).toBe(0);
      expect(JSON.parse(info.out).datasets.map((d: { name: string }) => d.name)).toEqual(['glass']);
    });
  });

  it('a read-only project: READ_ONLY says so (not "not a Residual project"), the file unchanged', async () => {
    const mnt = path.join(dir, 'ro');
    await withTmpfs(mnt, '8m', async () => {
      const p = path.join(mnt, 'p.residual');
      expect((await cli(['import', GLASS, '--project', p])).code).toBe(0);
      execFileSync('mount', ['-o', 'remount,ro', mnt]);
      const before = sha(p);
      const r = await cli(['verdict', '--project', p, '--row', '1', '--is', 'anomaly', '--json']);
      expect(r.code).not.toBe(0);
      const error = JSON.parse(r.out).error as { code: string; message: string };
      expect(error.code).toBe('READ_ONLY');
      expect(error.message).toMatch(/cannot be written: .* read-only/);
      expectPlain(r.err);
      expect(sha(p)).toBe(before);
    });
  });
});
