import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { reportCommand } from '../../../src-main/cli/commands/report';
import { parseCommandArgs } from '../../../src-main/cli/command';
import { main } from '../../../src-main/cli/main';
import type { Io } from '../../../src-main/cli/output';
import { importDataset } from '../../../src-main/core/data';
import { getModel, initBackend, latestScore, listModels, proposeSettings, readRankWindow, scoreDataset, trainModel, type TrainSettings } from '../../../src-main/core/engine';
import { ResidualError } from '../../../src-main/core/errors';
import { exportReport, gatherReportData, listReports, renderReport, type ReportResult } from '../../../src-main/core/report';
import { formatNumber } from '../../../src-main/core/report/format';
import { MARGINS } from '../../../src-main/core/report/layout';
import { REPRODUCTION_PROJECT, reproduction } from '../../../src-main/core/report/reproduce';
import { effectiveThreshold, saveThreshold, setVerdict } from '../../../src-main/core/review';
import { ProjectStore, type DatasetInfo } from '../../../src-main/core/store';
import { heatmapScale } from '../../../src-main/core/workbench/heatmap-scale';
import { heatmapCap } from '../../../src-main/contract/heatmap';
import { makeDataset } from '../../helpers/dataset';
import { tmpDir } from '../../helpers/tmp';
import { pdfFonts, pdfInfo, pdfText, wordBoxes } from './poppler';
import { shellWords } from './shell';

const dir = tmpDir('residual-report-');
const fixture = (name: string): string => fileURLToPath(new URL(`../../fixtures/${name}`, import.meta.url));
const NOW = new Date('2025-11-25T09:00:00Z');
const quick: Partial<TrainSettings> = { kind: 'ae', scaler: 'standard', clip: 0, trim: 0, layers: [8, 4], epochs: 5, batchSize: 32, seed: 7 };
const LONG_NOTE = 'Confirmed with the pathologist: very large and irregular cells, consistent with the biopsy of 12 March; keep for the tumour board.';

/** Imports a fixture, trains and scores a small model; returns the store (open) and the top ranking. */
async function scoredProject(name: string, csv: string, options: Parameters<typeof importDataset>[2]): Promise<{ store: ProjectStore; rows: number[] }> {
  const store = ProjectStore.open(path.join(dir, `${name}.residual`), { create: true });
  const { dataset } = await importDataset(store, fixture(csv), options);
  const { modelId } = await trainModel(store, { dataset: dataset.id, settings: quick });
  const { scoreId } = await scoreDataset(store, { modelId });
  return { store, rows: Array.from(readRankWindow(store, scoreId, 0, 50).rows) };
}

function sha256(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** Words of the report outside the text box: wrapping, ellipsis and chart sizes all failed if any. */
function wordsOutsideMargins(file: string): string[] {
  const { pageWidth, words } = wordBoxes(file);
  return words.filter((w) => w.xMin < MARGINS.left - 0.5 || w.xMax > pageWidth - MARGINS.right + 0.5).map((w) => `p${w.page} "${w.text}" ${w.xMin}-${w.xMax}`);
}

function io(): Io & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (t) => stdout.push(t), err: (t) => stderr.push(t), errIsTty: false };
}

/** The appendix's commands as a reader copies them out of the PDF (lines ending in a backslash continue), split into words. */
function copiedCommands(file: string): string[][] {
  const lines = pdfText(file).split('\n');
  const out: string[][] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^residual (import|train|score|threshold) /.test(lines[i]!)) continue;
    const command = [lines[i]!];
    while (command[command.length - 1]!.endsWith('\\') && i + 1 < lines.length) command.push(lines[++i]!);
    out.push(shellWords(command.join('\n')));
  }
  return out;
}

const SECTIONS = [
  'Anomaly report',
  'Contents',
  'Data summary',
  'Model card',
  'Layers',
  'Training curve',
  'Preprocessing per column',
  'Threshold and score distribution',
  'Evaluation against known outcomes',
  'Top 50 anomalies',
  'Which columns the anomalies break',
  'Error heatmap of the top rows',
  "Analyst's notes",
  'Appendix: reproducing the ranking',
  'Fingerprints',
  'Training settings',
];

beforeAll(async () => {
  await initBackend('wasm');
});

describe('report of a labelled dataset (wdbc, A4)', () => {
  let store: ProjectStore;
  let top: number[];
  let result: ReportResult;
  const out = path.join(dir, 'wdbc.pdf');

  beforeAll(async () => {
    ({ store, rows: top } = await scoredProject('wdbc', 'wdbc.csv', { label: 'diagnosis', positive: 'malignant', id: 'id' }));
    const ds = store.getDataset();
    setVerdict(store, ds, top[0]!, 'anomaly', LONG_NOTE, NOW);
    setVerdict(store, ds, top[2]!, 'normal', 'False alarm: a measurement artefact.', NOW);
    setVerdict(store, ds, 0, null, 'Note without a verdict on the first row.', NOW);
    result = await exportReport(store, { out, paper: 'a4', now: NOW });
  });

  it('writes an A4 PDF whose page count and hash are the ones returned and recorded', () => {
    const info = pdfInfo(out);
    expect(info.width).toBeCloseTo(595.28, 1);
    expect(info.height).toBeCloseTo(841.89, 1);
    expect(info.paper).toBe('A4');
    expect(info.pages).toBe(result.pages);
    expect(info.pages).toBeGreaterThanOrEqual(10);
    expect(result.out).toBe(out);
    expect(result.bytes).toBe(fs.statSync(out).size);
    expect(result.sha256).toBe(sha256(out));
    const history = listReports(store);
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({ id: result.reportId, path: out, pages: result.pages, bytes: result.bytes, sha256: result.sha256, options: { top: 50, paper: 'a4' } });
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('has every section, the evaluation, the notes and a numbered page each', () => {
    const text = pdfText(out);
    for (const s of SECTIONS) expect(text, s).toContain(s);
    expect(text).toContain('ROC AUC');
    expect(text).toContain('Confusion matrix at the threshold');
    expect(text).toContain('False alarm: a measurement artefact.');
    expect(text).toContain('Note without a verdict on the first row.');
    expect(text).toContain('Confirmed with the pathologist');
    expect(text).toContain(store.getDataset().sourceSha256);
    for (let p = 1; p <= result.pages; p++) expect(text).toContain(`Page ${p} of ${result.pages}`);
  });

  it("names the verdicts as the app does (Anomaly, False positive), in the notes and in the top rows", () => {
    const text = pdfText(out);
    const notes = text.slice(text.lastIndexOf("Analyst's notes"));
    expect(notes).toMatch(/False\s+positive/);
    expect(notes).toMatch(/\bAnomaly\b/);
    // The stored value 'normal' never reaches the page as a verdict.
    expect(notes).not.toMatch(/\bnormal\b/);
    // Before the notes, the verdict appears only in the top rows' table: whole, not cut to "False posi…".
    const rows = text.slice(0, text.lastIndexOf("Analyst's notes"));
    expect(rows).toMatch(/False\s+positive/);
    expect(rows).not.toMatch(/^normal$/m);
  });

  it('lists the top 50 ids in rank order', () => {
    const ids = store.readColumn(store.getDataset().id, 'id') as Float64Array;
    const table = pdfText(out, { layout: true });
    let at = table.indexOf('Top 50 anomalies');
    expect(at).toBeGreaterThan(0);
    top.forEach((row, i) => {
      const line = new RegExp(`\\n\\s*${i + 1}\\s+${ids[row]}\\s+\\d`, 'g');
      line.lastIndex = at;
      const m = line.exec(table);
      expect(m, `rank ${i + 1} id ${ids[row]}`).not.toBeNull();
      at = m!.index + 1;
    });
  });

  it('embeds all its fonts, all DejaVu, and keeps every word inside the margins', () => {
    const fonts = pdfFonts(out);
    expect(fonts.length).toBeGreaterThanOrEqual(2);
    for (const f of fonts) {
      expect(f.embedded, f.name).toBe(true);
      expect(f.name).toMatch(/^[A-Z]{6}\+DejaVu/);
    }
    expect(wordsOutsideMargins(out)).toEqual([]);
  });

  it("prints the appendix's commands so that, copied out of the PDF, they are the gathered ones", async () => {
    const data = await gatherReportData(store, { now: NOW });
    expect(copiedCommands(out)).toEqual(data.reproduction.steps.map((step) => shellWords(step.command)));
    expect(data.reproduction.steps).toHaveLength(3);
  });

  it('renders the same bytes from the same data, and a Letter page from the same data', async () => {
    const data = await gatherReportData(store, { now: NOW });
    expect(JSON.parse(JSON.stringify(data))).toEqual(data);
    const a = await renderReport(data, { paper: 'a4' });
    const b = await renderReport(data, { paper: 'a4' });
    expect(a.pdf.equals(b.pdf)).toBe(true);
    expect(crypto.createHash('sha256').update(a.pdf).digest('hex')).toBe(result.sha256);
    const letter = path.join(dir, 'wdbc-letter.pdf');
    fs.writeFileSync(letter, (await renderReport(data, { paper: 'letter' })).pdf);
    expect(pdfInfo(letter)).toMatchObject({ width: 612, height: 792, paper: 'letter' });
    expect(wordsOutsideMargins(letter)).toEqual([]);
  });

  it('reports the data the report is drawn from', async () => {
    const data = await gatherReportData(store, { top: 10, now: NOW });
    expect(data.top.map((t) => t.row)).toEqual(top.slice(0, 10));
    expect(data.top[0]!.verdict).toBe('anomaly');
    expect(data.top[0]!.contributions).toHaveLength(3);
    expect(data.top.every((t, i) => i === 0 || t.score <= data.top[i - 1]!.score)).toBe(true);
    expect(data.heatmap.values).toHaveLength(10);
    expect(data.heatmap.values[0]).toHaveLength(30);
    expect(data.heatmap.columns[0]).toBe(data.profile.columns[0]!.feature);
    expect(data.evaluation!.positives + data.evaluation!.negatives).toBe(569);
    expect(data.notes.map((n) => n.rank)).toEqual([...data.notes.map((n) => n.rank)].sort((x, y) => x - y));
    expect(data.model.layers.reduce((s, l) => s + l.parameters, 0)).toBe(data.model.parameterCount);
  });

  it("colours the heatmap on the app's scale: linear up to the score's 99th percentile, not a log scale to 100×", async () => {
    const data = await gatherReportData(store, { top: 10, now: NOW });
    // What the app's heatmap gets (score.heatmapScale) and tops its colour scale with (the contract's heatmapCap).
    const app = heatmapScale(store, data.score.id, true);
    expect(app.normalized).toBe(true);
    expect(data.heatmap.cap).toBe(heatmapCap(app.value, [], true, false));
    expect(data.heatmap.cap).toBeLessThan(app.max);
    const text = pdfText(out);
    const heat = text.slice(text.lastIndexOf('Error heatmap of the top rows'), text.lastIndexOf("Analyst's notes"));
    const full = await gatherReportData(store, { now: NOW });
    expect(heat).toContain(`≥ ${formatNumber(full.heatmap.cap, 3)}× typical`);
    expect(heat).toContain(`linear from 0 to ${formatNumber(full.heatmap.cap, 3)}×`);
    expect(heat).not.toMatch(/≥\s*(10|100|1,000)×/);
  });

  // Last in this block: it saves a threshold, which changes the report drawn above.
  it("gives commands that, run through the CLI into a new project, reproduce the ranking (the appendix's promise)", async () => {
    const original = await gatherReportData(store, { top: 20, now: NOW });
    saveThreshold(store, original.score.id, { method: 'sigma', k: 2.5, on: 'train' }, NOW);
    const data = await gatherReportData(store, { top: 20, now: NOW });
    expect(data.reproduction.project).toBe(REPRODUCTION_PROJECT);
    expect(data.reproduction.notes).toEqual([]);
    const commands = data.reproduction.steps.map((step) => shellWords(step.command));
    expect(commands.map((c) => c.slice(0, 2).join(' '))).toEqual(['residual import', 'residual train', 'residual score', 'residual threshold']);
    expect(commands[0]!.slice(0, 3)).toEqual(['residual', 'import', fixture('wdbc.csv')]);
    expect(commands[3]!.slice(-6)).toEqual(['--method', 'sigma', '--k', '2.5', '--on', 'train']);

    // Every setting is a flag, so nothing is left to the wizard's proposal.
    const train = commands[1]!;
    for (const flag of ['--kind', '--layers', '--activation', '--epochs', '--batch', '--lr', '--patience', '--min-delta', '--scaler', '--split', '--val', '--train-on', '--seed', '--dropout', '--l1', '--noise', '--beta', '--loss', '--log1p', '--max-categories', '--missing-indicators']) {
      expect(train, flag).toContain(flag);
    }
    expect(train[train.indexOf('--seed') + 1]).toBe('7');

    const fresh = path.join(dir, 'reproduced', REPRODUCTION_PROJECT);
    fs.mkdirSync(path.dirname(fresh));
    for (const words of commands) {
      expect(words.filter((w) => w === REPRODUCTION_PROJECT)).toHaveLength(1);
      const argv = words.slice(1).map((w) => (w === REPRODUCTION_PROJECT ? fresh : w));
      const sink = io();
      expect(await main(argv, sink), `${words.join(' ')}\n${sink.stderr.join('')}`).toBe(0);
    }

    const copy = ProjectStore.open(fresh);
    try {
      const models = listModels(copy);
      expect(models).toHaveLength(1);
      const score = latestScore(copy, models[0]!.id, copy.getDataset().id)!;
      const before = readRankWindow(store, data.score.id, 0, 20);
      const after = readRankWindow(copy, score.scoreId, 0, 20);
      expect(Array.from(after.rows)).toEqual(Array.from(before.rows));
      expect(Array.from(after.rows)).toEqual(top.slice(0, 20));
      expect(Array.from(after.errors)).toEqual(Array.from(before.errors));

      const again = await gatherReportData(copy, { top: 20, now: NOW });
      expect(again.score.rankingSha256).toBe(data.score.rankingSha256);
      expect(again.model.weightsSha256).toBe(data.model.weightsSha256);
      expect(again.dataset.contentSha256).toBe(data.dataset.contentSha256);
      expect(again.dataset.sourceSha256).toBe(data.dataset.sourceSha256);
      expect(again.dataset.columns.map((c) => [c.name, c.role, c.positiveValue])).toEqual(data.dataset.columns.map((c) => [c.name, c.role, c.positiveValue]));
      expect(getModel(copy, models[0]!.id).settings).toEqual(getModel(store, data.model.id).settings);
      expect(again.model.name).toBe(data.model.name);
      expect(again.threshold.spec).toEqual(data.threshold.spec);
      expect(again.threshold.value).toBe(data.threshold.value);
      expect(effectiveThreshold(copy, score.scoreId).result.alerts).toBe(data.threshold.alerts);
      // The reproduction's own recipe is the same commands.
      expect(again.reproduction).toEqual(data.reproduction);
    } finally {
      copy.close();
    }
  });
});

describe('report of an unlabelled dataset (vowel, Letter)', () => {
  let store: ProjectStore;
  let top: number[];
  const out = path.join(dir, 'vowel.pdf');

  beforeAll(async () => {
    ({ store, rows: top } = await scoredProject('vowel', 'vowel.csv', {}));
    setVerdict(store, store.getDataset(), top[0]!, 'anomaly', 'Speaker mispronounced the vowel.', NOW);
  });

  it('omits the evaluation with a "no labels" note and lists row numbers as ids', async () => {
    const r = await exportReport(store, { out, paper: 'letter', top: 20, now: NOW });
    expect(pdfInfo(out)).toMatchObject({ width: 612, height: 792, paper: 'letter', pages: r.pages });
    const text = pdfText(out);
    for (const s of SECTIONS.map((x) => x.replace('Top 50', 'Top 20'))) expect(text, s).toContain(s);
    expect(text).toContain('No labels');
    expect(text).not.toContain('ROC AUC');
    expect(text).not.toContain('Confusion matrix');
    expect(text).toContain('Speaker mispronounced the vowel.');
    expect(text).toMatch(/residual import \S*vowel\.csv --project new\.residual/);
    expect(text).toContain('residual score --project new.residual');
    expect(text).not.toContain('residual threshold');
    expect(text).toMatch(/No threshold was saved for this model/);
    const table = pdfText(out, { layout: true });
    for (const [i, row] of top.slice(0, 20).entries()) expect(table).toMatch(new RegExp(`\\n\\s*${i + 1}\\s+#${row + 1}\\s`));
    expect(wordsOutsideMargins(out)).toEqual([]);
    expect(pdfFonts(out).every((f) => f.embedded)).toBe(true);
  });
});

describe('reproduction recipe', () => {
  let store: ProjectStore;
  let ds: DatasetInfo;
  let settings: TrainSettings;
  const model = (over: Partial<TrainSettings> = {}): Parameters<typeof reproduction>[0]['model'] => ({ id: 3, name: '-odd name', settings: { ...settings, ...over } });

  beforeAll(async () => {
    store = ProjectStore.open(path.join(dir, 'pima.residual'), { create: true });
    // "diabetes" is inferred the label (pos/neg); "pregnant" is made categorical, which the CLI cannot say.
    ({ dataset: ds } = await importDataset(store, fixture('pimaindiansdiabetes.csv'), { roles: { pregnant: 'categorical' }, ignore: ['insulin'] }));
    settings = proposeSettings(ds).settings;
  });

  it('spells out label, id and ignored columns, and notes the roles and settings the command line cannot say', () => {
    const r = reproduction({ reported: ds, model: model({ log1p: ['mass', 'glucose, fasting'] }), trainedOn: ds, threshold: { spec: { method: 'cost', cAlarm: 2 }, value: 0.5, fittedOn: ds, verdicts: 3 } });
    const words = r.steps.map((step) => shellWords(step.command));
    expect(words[0]).toEqual(['residual', 'import', fixture('pimaindiansdiabetes.csv'), '--project', REPRODUCTION_PROJECT, '--name', ds.name, '--label', 'diabetes', '--positive', 'pos', '--ignore', 'insulin']);
    expect(words[1]).toContain('--name=-odd name');
    expect(words[1]![words[1]!.indexOf('--log1p') + 1]).toBe('mass');
    expect(words[2]).toEqual(['residual', 'score', '--project', REPRODUCTION_PROJECT]);
    expect(words[3]).toEqual(['residual', 'threshold', '--project', REPRODUCTION_PROJECT, '--method', 'cost', '--c-alarm', '2']);
    const notes = r.notes.join('\n');
    expect(notes).toMatch(/column "pregnant" is a categorical feature here, but the import above makes it a numeric feature/);
    expect(notes).toMatch(/"glucose, fasting", which --log1p cannot name/);
    expect(notes).toMatch(/3 analyst verdicts that the commands do not replay/);
    expect(r.notes).toHaveLength(3);
  });

  it('says when there is no saved threshold, when the training data is gone, and sets a stale threshold by value', () => {
    let r = reproduction({ reported: ds, model: model(), trainedOn: ds, threshold: null });
    expect(r.steps.map((step) => shellWords(step.command)[1])).toEqual(['import', 'train', 'score']);
    expect(r.notes.join('\n')).toMatch(/No threshold was saved .* mean \+ 2σ/);
    r = reproduction({ reported: ds, model: model(), trainedOn: null, threshold: null });
    expect(r.steps.map((step) => shellWords(step.command)[1])).toEqual(['import']);
    expect(r.notes.join('\n')).toMatch(/deleted from this project/);
    r = reproduction({ reported: ds, model: model(), trainedOn: ds, threshold: { spec: { method: 'percentile', p: 99 }, value: 0.125, fittedOn: null, verdicts: 0 } });
    expect(shellWords(r.steps[3]!.command).slice(4)).toEqual(['--method', 'manual', '--value', '0.125']);
    r = reproduction({ reported: ds, model: model(), trainedOn: ds, threshold: { spec: { method: 'manual', value: Infinity }, value: Infinity, fittedOn: null, verdicts: 0 } });
    expect(r.steps).toHaveLength(3);
    expect(r.notes.join('\n')).toMatch(/flags no row/);
  });

  it('imports the training dataset first and names the others when the report ranks another dataset', async () => {
    const { dataset: other } = await importDataset(store, fixture('pimaindiansdiabetes.csv'), { name: 'pima later', roles: { pregnant: 'categorical' }, ignore: ['insulin'] });
    const r = reproduction({ reported: other, model: model(), trainedOn: ds, threshold: { spec: { method: 'budget', alerts: 10 }, value: 1, fittedOn: other, verdicts: 0 } });
    expect(r.steps.map((step) => shellWords(step.command).slice(1, 2).concat(shellWords(step.command).filter((w, i, all) => all[i - 1] === '--name' || all[i - 1] === '--dataset')))).toEqual([
      ['import', ds.name],
      ['import', 'pima later'],
      ['train', ds.name],
      ['score', 'pima later'],
      ['threshold', 'pima later'],
    ]);
  });
});

describe('bad input', () => {
  const reject = async (p: Promise<unknown>): Promise<ResidualError> => {
    const e = await p.then(
      () => null,
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(ResidualError);
    return e as ResidualError;
  };

  it('says to train and score first, names an unknown model, and writes nothing', async () => {
    const store = ProjectStore.open(path.join(dir, 'glass.residual'), { create: true });
    const { dataset } = await importDataset(store, fixture('glass.csv'), { label: 'Type', positive: '6' });
    const out = path.join(dir, 'glass.pdf');
    let e = await reject(exportReport(store, { out }));
    expect(e.code).toBe('NOT_FOUND');
    expect(e.message).toMatch(/no scores yet\. Train a model and score the dataset/);
    const { modelId } = await trainModel(store, { dataset: dataset.id, settings: { ...quick, epochs: 2 } });
    e = await reject(exportReport(store, { out }));
    expect(e.message).toMatch(/Score the dataset with a model first/);
    e = await reject(exportReport(store, { out, modelId }));
    expect(e.message).toMatch(new RegExp(`Model #${modelId} .* has not scored any rows yet`));
    e = await reject(exportReport(store, { out, modelId: 99 }));
    expect(e.code).toBe('NOT_FOUND');
    expect(e.message).toMatch(/No model #99/);
    expect(fs.existsSync(out)).toBe(false);
    expect(listReports(store)).toEqual([]);
    store.close();
  });

  it('refuses a missing folder, a folder as the file, a bad paper or top, and cleans up on cancel', async () => {
    const store = ProjectStore.open(path.join(dir, 'wdbc.residual'));
    const before = listReports(store).length;
    let e = await reject(exportReport(store, { out: path.join(dir, 'no-such-folder', 'r.pdf') }));
    expect(e.code).toBe('NOT_FOUND');
    expect(e.message).toMatch(/no-such-folder does not exist/);
    expect(fs.existsSync(path.join(dir, 'no-such-folder'))).toBe(false);
    e = await reject(exportReport(store, { out: dir }));
    expect(e.message).toMatch(/is a folder/);
    e = await reject(exportReport(store, { out: path.join(dir, 'x.pdf'), paper: 'a5' as 'a4' }));
    expect(e.code).toBe('BAD_INPUT');
    e = await reject(exportReport(store, { out: path.join(dir, 'x.pdf'), top: 0 }));
    expect(e.message).toMatch(/from 1 to 1000/);

    const controller = new AbortController();
    const out = path.join(dir, 'cancelled.pdf');
    e = await reject(exportReport(store, { out }, { signal: controller.signal, onProgress: (p) => p.phase === 'render' && controller.abort() }));
    expect(e.code).toBe('CANCELLED');
    expect(fs.existsSync(out)).toBe(false);
    expect(fs.readdirSync(dir).filter((f) => f.includes('cancelled'))).toEqual([]);
    expect(listReports(store)).toHaveLength(before);
    store.close();
  });
});

describe('awkward names', () => {
  it('keeps long names, ids and notes inside the page', async () => {
    const store = ProjectStore.open(path.join(dir, 'awkward.residual'), { create: true });
    const rows = 300;
    let seed = 7;
    const next = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const long = (j: number): string => `measurement_of_the_${j}th_sensor_channel_in_the_north_wing_of_the_building_(calibrated)`;
    const ds = makeDataset(store, 'A dataset with a very long name that goes on and on: quarterly card transactions of every branch office', [
      { name: 'transaction reference', role: 'id', values: Array.from({ length: rows }, (_, i) => `REF-${'X'.repeat(40)}-${i}`) },
      ...Array.from({ length: 45 }, (_, j) => ({ name: long(j), role: 'numeric' as const, values: Array.from({ length: rows }, () => next() * (j + 1)) })),
      { name: 'kind of payment', role: 'categorical', values: Array.from({ length: rows }, (_, i) => (i % 3 ? 'contactless card payment at the counter' : null)) },
    ]);
    const { modelId } = await trainModel(store, { dataset: ds.id, settings: { ...quick, epochs: 1 } });
    const { scoreId } = await scoreDataset(store, { modelId });
    const first = readRankWindow(store, scoreId, 0, 1).rows[0]!;
    setVerdict(store, ds, first, 'unsure', `Line one of a note.\nLine two, with a URL https://example.org/${'very/'.repeat(30)}end\n\n${'Long note. '.repeat(80)}`, NOW);
    const out = path.join(dir, 'awkward.pdf');
    await exportReport(store, { out, paper: 'letter', now: NOW });
    expect(wordsOutsideMargins(out)).toEqual([]);
    const data = await gatherReportData(store, { now: NOW });
    expect(copiedCommands(out)).toEqual(data.reproduction.steps.map((step) => shellWords(step.command)));
    expect(pdfFonts(out).map((f) => f.name.replace(/^[A-Z]{6}\+/, ''))).toContain('DejaVuSansMono');
    const text = pdfText(out);
    expect(text).toContain('Line one of a note.');
    expect(text).toMatch(/6 further\s+columns are left out/);
    store.close();
  });
});

describe('a 10,000-row project', () => {
  it('reports in seconds', async () => {
    const store = ProjectStore.open(path.join(dir, 'big.residual'), { create: true });
    const rows = 10_000;
    let seed = 42;
    const next = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const features = Array.from({ length: 24 }, (_, j) => ({ name: `amount_${j}`, role: 'numeric' as const, values: Array.from({ length: rows }, () => next() * 10 + j) }));
    const ds = makeDataset(store, 'transactions', [
      { name: 'txn', role: 'id', values: Array.from({ length: rows }, (_, i) => `T${String(i).padStart(6, '0')}`) },
      ...features,
      { name: 'merchant', role: 'categorical', values: Array.from({ length: rows }, (_, i) => `m${i % 13}`) },
    ]);
    const { modelId } = await trainModel(store, { dataset: ds.id, settings: { ...quick, epochs: 1, batchSize: 256 } });
    await scoreDataset(store, { modelId });
    const out = path.join(dir, 'big.pdf');
    const r = await exportReport(store, { out, now: NOW });
    expect(r.seconds).toBeGreaterThan(0);
    expect(pdfInfo(out).pages).toBe(r.pages);
    expect(pdfText(out, { layout: true })).toMatch(/\n\s*1\s+T\d{6}\s/);
    store.close();
  });
});

describe('residual report (CLI)', () => {
  const run = (args: string[], sink: Io): Promise<number> => {
    const { values, positionals } = parseCommandArgs(reportCommand, args);
    return reportCommand.run({ values, positionals, io: sink, signal: new AbortController().signal });
  };

  it('writes the report and prints {out, pages, bytes, sha256, seconds} with --json', async () => {
    const sink = io();
    const out = path.join(dir, 'cli.pdf');
    const code = await run(['--project', path.join(dir, 'wdbc.residual'), '--model', '1', '--top', '10', '--paper', 'letter', '--out', out, '--json'], sink);
    expect(code).toBe(0);
    const printed = JSON.parse(sink.stdout.join('')) as Record<string, unknown>;
    expect(Object.keys(printed).sort()).toEqual(['bytes', 'out', 'pages', 'seconds', 'sha256']);
    expect(printed['out']).toBe(out);
    expect(printed['sha256']).toBe(sha256(out));
    expect(pdfInfo(out)).toMatchObject({ paper: 'letter', pages: printed['pages'] });
    expect(pdfText(out)).toContain('Top 10 anomalies');
  });

  it('rejects a bad --paper and --top before touching anything', async () => {
    const out = path.join(dir, 'cli-bad.pdf');
    await expect(run(['--project', path.join(dir, 'wdbc.residual'), '--paper', 'a5', '--out', out], io())).rejects.toThrow(/--paper must be one of a4, letter/);
    await expect(run(['--project', path.join(dir, 'wdbc.residual'), '--top', '1001', '--out', out], io())).rejects.toThrow(/--top must be a whole number, at least 1, at most 1000/);
    await expect(run(['--project', path.join(dir, 'wdbc.residual')], io())).rejects.toThrow(/--out is required/);
    expect(fs.existsSync(out)).toBe(false);
  });
});
