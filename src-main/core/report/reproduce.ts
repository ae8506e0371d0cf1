/**
 * The appendix's reproduction recipe: the `residual` commands that rebuild the ranking from the source file
 * in a new project (import with the same column roles, train with every setting spelled out, score, set
 * the threshold), and notes on whatever the command line cannot say. Pure: the caller reads the project.
 */
import type { ThresholdSpec } from '../analysis';
import { resolveRoles } from '../data/roles';
import type { ModelInfo, TrainSettings } from '../engine';
import { isClassical, NETWORK_ONLY_SETTINGS } from '../engine/classical';
import type { ColumnRole, DatasetInfo } from '../store';
import { shellQuote } from './format';
import type { Reproduction, ReproductionStep } from './types';

/** The project file the commands create, relative to the folder they are run in. */
export const REPRODUCTION_PROJECT = 'new.residual';

export interface ReproductionInput {
  /** The dataset the report ranks. */
  readonly reported: DatasetInfo;
  readonly model: Pick<ModelInfo, 'id' | 'name' | 'settings'>;
  /** The model's training dataset; null when it was deleted from the project. */
  readonly trainedOn: DatasetInfo | null;
  /** The model's saved threshold, with the dataset of the score it was fitted on (null: unknown or deleted). */
  readonly threshold: { readonly spec: ThresholdSpec; readonly value: number; readonly fittedOn: DatasetInfo | null; readonly verdicts: number } | null;
}

/** One shell word per argument, quoted where needed; `--flag=value` when the value could pass for a flag. */
function command(args: readonly (string | readonly [string, string])[]): string {
  return [
    'residual',
    ...args.map((a) => (typeof a === 'string' ? shellQuote(a) : a[1].startsWith('-') ? shellQuote(`${a[0]}=${a[1]}`) : `${a[0]} ${shellQuote(a[1])}`)),
  ].join(' ');
}

/** A name the CLI's comma lists (--ignore, --log1p) can carry: they split at commas and trim. */
function listable(name: string): boolean {
  return name !== '' && !name.includes(',') && name.trim() === name;
}

const ROLE_WORDS: Record<ColumnRole, string> = {
  numeric: 'a numeric feature',
  categorical: 'a categorical feature',
  timestamp: 'the timestamp',
  id: 'a row id',
  label: 'the label',
  ignored: 'ignored',
};

/** Roles `residual import` gives the columns with these options (the import's own rules, on the stored statistics). */
function importedRoles(ds: DatasetInfo, options: Parameters<typeof resolveRoles>[1]): ColumnRole[] {
  const facts = ds.columns.map((c) => ({ name: c.name, kind: c.valueKind, stats: c.stats }));
  return resolveRoles(facts, options, { file: ds.sourcePath, rowCount: ds.rowCount, hasValue: () => true }).roles.map((r) => r.role);
}

/** `residual import` for a dataset: label, time and id spelled out, and --ignore for columns inference would use. */
function importStep(ds: DatasetInfo, notes: string[]): string {
  const args: (string | readonly [string, string])[] = ['import', ds.sourcePath, ['--project', REPRODUCTION_PROJECT], ['--name', ds.name]];
  const options: { label?: string; positive?: string; time?: string; id?: string; ignore?: string[] } = {};
  const label = ds.columns.find((c) => c.role === 'label');
  if (label) {
    options.label = label.name;
    if (label.positiveValue !== null) options.positive = label.positiveValue;
  }
  const time = ds.columns.find((c) => c.role === 'timestamp');
  if (time) options.time = time.name;
  // --id takes one column: the one the analyst chose over the inference, if any, else the first.
  const ids = ds.columns.filter((c) => c.role === 'id');
  const id = ids.find((c) => c.inferredRole !== 'id') ?? ids[0];
  if (id) options.id = id.name;

  const unsaid = (what: string): void => {
    notes.push(`Dataset "${ds.name}": ${what} The command line cannot say this, so set it in the Residual app before training, or the model will not be the same.`);
  };
  let roles: ColumnRole[];
  try {
    const first = importedRoles(ds, options);
    const ignore = ds.columns.filter((c, i) => c.role === 'ignored' && first[i] !== 'ignored');
    const canList = ignore.filter((c) => listable(c.name));
    if (canList.length) options.ignore = canList.map((c) => c.name);
    for (const c of ignore.filter((x) => !listable(x.name))) unsaid(`column "${c.name}" is ignored, but --ignore cannot name it (its name has a comma or spaces at an end).`);
    roles = importedRoles(ds, options);
  } catch (e) {
    unsaid(`the import above would not give its columns their roles here (${(e as Error).message}).`);
    roles = ds.columns.map((c) => c.role);
  }
  ds.columns.forEach((c, i) => {
    const r = roles[i]!;
    if (r !== c.role && !(c.role === 'ignored' && !listable(c.name))) unsaid(`column "${c.name}" is ${ROLE_WORDS[c.role]} here, but the import above makes it ${ROLE_WORDS[r]}.`);
  });

  if (options.label !== undefined) args.push(['--label', options.label]);
  if (options.positive !== undefined) args.push(['--positive', options.positive]);
  if (options.time !== undefined) args.push(['--time', options.time]);
  if (options.id !== undefined) args.push(['--id', options.id]);
  if (options.ignore) args.push(['--ignore', options.ignore.join(',')]);
  if (ds.skippedRows > 0) args.push('--skip-bad-rows');
  return command(args);
}

/**
 * Every training setting as its `residual train` flag. The mapped type makes a new TrainSettings field a
 * compile error here until it has a flag.
 */
const TRAIN_FLAGS: { readonly [K in keyof TrainSettings]-?: (v: TrainSettings[K], notes: string[]) => (string | readonly [string, string])[] } = {
  kind: (v) => [['--kind', v]],
  layers: (v) => [['--layers', v.join(',')]],
  filters: (v) => [['--filters', v.join(',')]],
  activation: (v) => [['--activation', v]],
  epochs: (v) => [['--epochs', String(v)]],
  batchSize: (v) => [['--batch', String(v)]],
  learningRate: (v) => [['--lr', String(v)]],
  patience: (v) => [['--patience', String(v)]],
  minDelta: (v) => [['--min-delta', String(v)]],
  scaler: (v) => [['--scaler', v]],
  split: (v) => [['--split', v]],
  validation: (v, notes) => {
    if (v > 0.9) notes.push(`The model held out ${v} of its rows for validation; residual train --val accepts at most 0.9, so train it in the Residual app.`);
    return [['--val', String(v)]];
  },
  trainOn: (v) => [['--train-on', v]],
  sampleRows: (v) => [['--sample-rows', String(v)]],
  seed: (v) => [['--seed', String(v)]],
  clip: (v) => [['--clip', String(v)]],
  trim: (v) => [['--trim', String(v)]],
  // Only an ensemble has members; other kinds store none.
  members: (v) => (v && v.length ? [['--members', v.join(',')]] : []),
  dropout: (v, notes) => {
    if (v > 0.9) notes.push(`The model's dropout is ${v}; residual train --dropout accepts at most 0.9, so train it in the Residual app.`);
    return [['--dropout', String(v)]];
  },
  l1: (v) => [['--l1', String(v)]],
  noiseStd: (v) => [['--noise', String(v)]],
  beta: (v) => [['--beta', String(v)]],
  // The flag can only switch it on; off is the wizard's default.
  scoreWithKl: (v) => (v ? ['--score-with-kl'] : []),
  scoreWithPrior: (v) => (v ? ['--score-with-prior'] : []),
  mmdLambda: (v) => [['--mmd-lambda', String(v)]],
  objective: (v) => [['--objective', v]],
  nu: (v) => [['--nu', String(v)]],
  weightDecay: (v) => [['--weight-decay', String(v)]],
  pretrainEpochs: (v) => [['--pretrain', String(v)]],
  loss: (v) => [['--loss', v]],
  log1p: (v, notes) => {
    if (typeof v === 'string') return [['--log1p', v]];
    const bad = v.filter((name) => !listable(name));
    if (bad.length) notes.push(`log1p applies to ${bad.map((n) => `"${n}"`).join(', ')}, which --log1p cannot name (a comma or spaces at an end); train the model in the Residual app.`);
    return [['--log1p', v.filter(listable).join(',')]];
  },
  maxCategories: (v) => [['--max-categories', String(v)]],
  missingIndicators: (v) => [['--missing-indicators', v ? 'yes' : 'no']],
};

function trainStep(model: ReproductionInput['model'], dataset: string | null, notes: string[]): string {
  const args: (string | readonly [string, string])[] = ['train', ['--project', REPRODUCTION_PROJECT]];
  if (dataset !== null) args.push(['--dataset', dataset]);
  args.push(['--name', model.name]);
  const settings = model.settings as unknown as Record<string, unknown>;
  for (const [key, flag] of Object.entries(TRAIN_FLAGS) as [keyof TrainSettings, (v: unknown, n: string[]) => (string | readonly [string, string])[]][]) {
    // A classical detector ignores the network's settings: its command names only what it used.
    if (isClassical(model.settings.kind) && NETWORK_ONLY_SETTINGS.includes(key)) continue;
    // The filters are the convolutional autoencoder's alone.
    if (key === 'filters' && model.settings.kind !== 'conv') continue;
    if (settings[key] === undefined) notes.push(`The model has no recorded "${key}" setting (it predates it), so residual train takes the wizard's proposal for it.`);
    else args.push(...flag(settings[key], notes));
  }
  return command(args);
}

const THRESHOLD_FLAGS: Record<string, string> = {
  k: '--k', on: '--on', p: '--p', alerts: '--alerts', fpr: '--fpr', cAlarm: '--c-alarm', cMissed: '--c-missed', tolerance: '--tolerance', value: '--value',
};

function thresholdStep(spec: ThresholdSpec, dataset: string | null, notes: string[]): string {
  const args: (string | readonly [string, string])[] = ['threshold', ['--project', REPRODUCTION_PROJECT]];
  if (dataset !== null) args.push(['--dataset', dataset]);
  args.push(['--method', spec.method]);
  for (const [key, v] of Object.entries(spec)) {
    if (key === 'method' || v === undefined) continue;
    const flag = THRESHOLD_FLAGS[key];
    if (!flag) notes.push(`The threshold's "${key}" (${String(v)}) has no residual threshold flag; set it in the Residual app.`);
    else args.push([flag, String(v)]);
  }
  return command(args);
}

function describeSpec(spec: ThresholdSpec): string {
  const params = Object.entries(spec).filter(([k, v]) => k !== 'method' && v !== undefined).map(([k, v]) => `${k} ${String(v)}`);
  return params.length ? `${spec.method}, ${params.join(', ')}` : spec.method;
}

/** The commands that rebuild the ranking in a new project, and what they cannot say. */
export function reproduction(input: ReproductionInput): Reproduction {
  const { reported, model, trainedOn, threshold } = input;
  const notes: string[] = [];
  const steps: ReproductionStep[] = [];
  // The training dataset first: `residual score` and `residual threshold` default to it.
  const datasets = [trainedOn, reported, threshold?.fittedOn ?? null].filter((d): d is DatasetInfo => d !== null).filter((d, i, all) => all.findIndex((x) => x.id === d.id) === i);
  // Datasets are named in the steps only when there is more than one.
  const named = (ds: DatasetInfo, alone: string): string => (datasets.length > 1 ? `"${ds.name}"` : alone);
  for (const ds of datasets) {
    steps.push({ what: `Import ${named(ds, 'the source file')} (its SHA-256 must be ${ds.sourceSha256}) with the same column roles`, command: importStep(ds, notes) });
  }
  if (!trainedOn) {
    notes.push(`Model #${model.id} was trained on a dataset that has since been deleted from this project, so its training cannot be replayed from a source file: the commands stop after the import.`);
    return { project: REPRODUCTION_PROJECT, steps, notes };
  }
  // `residual train` trains on the newest dataset unless told; the training dataset is the first imported.
  const other = (ds: DatasetInfo): string | null => (ds.id === trainedOn.id ? null : ds.name);
  steps.push({
    what: `Train model #${model.id}${datasets.length > 1 ? ` on "${trainedOn.name}"` : ''} with every setting spelled out (seed ${model.settings.seed}), so the wizard's proposal plays no part`,
    command: trainStep(model, datasets.length > 1 ? trainedOn.name : null, notes),
  });
  const scored = [threshold?.fittedOn ?? null, reported].filter((d): d is DatasetInfo => d !== null).filter((d, i, all) => all.findIndex((x) => x.id === d.id) === i);
  for (const ds of scored) {
    const args: (string | readonly [string, string])[] = ['score', ['--project', REPRODUCTION_PROJECT]];
    if (other(ds) !== null) args.push(['--dataset', ds.name]);
    steps.push({
      what: ds.id === reported.id ? `Score ${named(ds, 'it')}: the ranking's SHA-256 (Fingerprints below) must match` : `Score "${ds.name}", the dataset the threshold was fitted on`,
      command: command(args),
    });
  }
  if (!threshold) {
    notes.push('No threshold was saved for this model, so there is none to set: the default, mean + 2σ of the scores, applies in the new project as it does here.');
  } else if (threshold.fittedOn) {
    steps.push({ what: `Set the saved threshold (${describeSpec(threshold.spec)})`, command: thresholdStep(threshold.spec, other(threshold.fittedOn), notes) });
    if ((threshold.spec.method === 'fpr' || threshold.spec.method === 'cost') && threshold.verdicts > 0) {
      notes.push(
        `The ${threshold.spec.method} threshold is fitted to the known outcomes, and here they include ${threshold.verdicts} analyst verdict${threshold.verdicts === 1 ? '' : 's'} that the commands do not replay ` +
          `(residual verdict marks them), so without them the new project's threshold can differ; the ranking does not depend on them.`,
      );
    }
  } else if (Number.isFinite(threshold.value)) {
    notes.push(`The saved threshold (${describeSpec(threshold.spec)}) was fitted on a score that is no longer in the project, so the command sets its value directly.`);
    steps.push({ what: `Set the saved threshold's value`, command: thresholdStep({ method: 'manual', value: threshold.value }, null, notes) });
  } else {
    notes.push(`The saved threshold (${describeSpec(threshold.spec)}) flags no row (+∞), which residual threshold cannot set; set it in the Residual app.`);
  }
  return { project: REPRODUCTION_PROJECT, steps, notes };
}
