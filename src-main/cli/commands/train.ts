import { ACTIVATIONS, isModelFinding, LOSSES, MODEL_KINDS, SCALERS, SPLITS, SVDD_OBJECTIVES, TRAIN_ON, trainSettingsSchema, type SettingRationale, type TrainSettings } from '../../contract/engine';
import { isClassical, NETWORK_ONLY_SETTINGS } from '../../core/engine/classical';
import { ONE_CLASS_IGNORED } from '../../core/engine/family/oneclass-settings';
import type { Command, ParsedValues } from '../command';
import { list, oneOf, optionalNumber, optionalString, requireString } from '../command';
import { formatDuration, formatNumber, printJson, progressReporter } from '../output';
import { datasetOf } from '../resolve';
import { withWorkbench } from '../workbench';
import { ResidualError } from '../../core/errors';

/** CLI flags → settings overrides; flags not given stay with the wizard's proposal. */
function overridesFrom(values: ParsedValues): Partial<TrainSettings> {
  const out: Record<string, unknown> = {};
  const set = (key: keyof TrainSettings, v: unknown): void => {
    if (v !== undefined) out[key] = v;
  };
  // Numbers are read here; their ranges are the contract's schema's (checked below, the message naming the flag).
  const flags: Partial<Record<keyof TrainSettings, string>> = {};
  const num = (key: keyof TrainSettings, flag: string): void => {
    flags[key] = flag;
    set(key, optionalNumber(values, flag));
  };
  if (values['model'] !== undefined) {
    throw new ResidualError('BAD_INPUT', `residual train names the model kind with --kind (ae, sparse, denoising, vae, aae, wae, conv, deepsvdd, ocnn, iforest or ecod); --model takes a model id in the other commands. Got --model "${String(values['model'])}".`, { field: 'model' });
  }
  set('kind', oneOf(values, 'kind', MODEL_KINDS));
  const layers = list(values, 'layers');
  if (layers) {
    const widths = layers.map(Number);
    if (widths.length === 0 || widths.some((w) => !Number.isInteger(w) || w < 1)) {
      throw new ResidualError('BAD_INPUT', `--layers takes encoder widths as whole numbers, the last being the bottleneck (e.g. 16,8); got "${String(values['layers'])}".`, { field: 'layers' });
    }
    set('layers', widths);
  }
  const filters = list(values, 'filters');
  if (filters) {
    const counts = filters.map(Number);
    if (counts.length === 0 || counts.some((f) => !Number.isInteger(f) || f < 1)) {
      throw new ResidualError('BAD_INPUT', `--filters takes the convolutional encoder's filter counts as whole numbers, one per layer (e.g. 16,8,8); got "${String(values['filters'])}".`, { field: 'filters' });
    }
    set('filters', counts);
  }
  set('activation', oneOf(values, 'activation', ACTIVATIONS));
  num('epochs', 'epochs');
  num('batchSize', 'batch');
  num('learningRate', 'lr');
  num('patience', 'patience');
  set('scaler', oneOf(values, 'scaler', SCALERS));
  set('split', oneOf(values, 'split', SPLITS));
  num('validation', 'val');
  set('trainOn', oneOf(values, 'train-on', TRAIN_ON));
  num('sampleRows', 'sample-rows');
  num('seed', 'seed');
  num('clip', 'clip');
  num('trim', 'trim');
  const members = list(values, 'members');
  if (members) set('members', members);
  num('dropout', 'dropout');
  num('l1', 'l1');
  num('noiseStd', 'noise');
  num('beta', 'beta');
  set('loss', oneOf(values, 'loss', LOSSES));
  const log1p = optionalString(values, 'log1p');
  if (log1p !== undefined) set('log1p', log1p === 'auto' || log1p === 'none' ? log1p : list(values, 'log1p'));
  num('maxCategories', 'max-categories');
  num('minDelta', 'min-delta');
  const indicators = oneOf(values, 'missing-indicators', ['yes', 'no'] as const);
  if (indicators) set('missingIndicators', indicators === 'yes');
  if (values['score-with-kl']) set('scoreWithKl', true);
  if (values['score-with-prior']) set('scoreWithPrior', true);
  num('mmdLambda', 'mmd-lambda');
  set('objective', oneOf(values, 'objective', SVDD_OBJECTIVES));
  num('nu', 'nu');
  num('weightDecay', 'weight-decay');
  num('pretrainEpochs', 'pretrain');
  checkRanges(out, flags, values);
  return out as Partial<TrainSettings>;
}

/** The numbers the flags gave, against the contract's training-settings schema: one set of ranges, the flag named. */
function checkRanges(out: Record<string, unknown>, flags: Partial<Record<keyof TrainSettings, string>>, values: ParsedValues): void {
  const numbers = Object.fromEntries(Object.keys(flags).filter((k) => out[k] !== undefined).map((k) => [k, out[k]]));
  const r = trainSettingsSchema.partial().safeParse(numbers);
  if (r.success) return;
  const issue = r.error.issues[0]!;
  const key = String(issue.path[0]) as keyof TrainSettings;
  const flag = flags[key] ?? key;
  const field = trainSettingsSchema.shape[key] as unknown as { isInt?: boolean };
  const i = issue as { code: string; minimum?: number | bigint; maximum?: number | bigint; inclusive?: boolean };
  const bound =
    i.code === 'too_small' ? `${i.inclusive ? 'at least' : 'above'} ${Number(i.minimum).toLocaleString('en-US')}` : i.code === 'too_big' ? `${i.inclusive ? 'at most' : 'below'} ${Number(i.maximum).toLocaleString('en-US')}` : '';
  const what = [field.isInt ? 'a whole number' : 'a number', bound].filter(Boolean).join(', ');
  throw new ResidualError('BAD_INPUT', `--${flag} must be ${what}; got "${String(values[flag])}".`, { field: flag });
}

function describeChoice(s: TrainSettings, rationale: readonly SettingRationale[], fromFlags: readonly string[], dataset: string): string {
  if (isClassical(s.kind)) {
    // A classical detector has no network or epochs: say what it uses, and which flags it ignored.
    const ignored = fromFlags.filter((f) => NETWORK_ONLY_SETTINGS.includes(f as keyof TrainSettings));
    const lines = [
      `Fitting ${s.kind === 'iforest' ? 'IsolationForest' : 'ECOD'} on "${dataset}": every ${s.trainOn === 'normal' ? 'normal ' : ''}row, scaler ${s.scaler}, log1p ${Array.isArray(s.log1p) ? s.log1p.join(',') : String(s.log1p)}, seed ${s.seed}.`,
    ];
    if (ignored.length) lines.push(`Ignored for ${s.kind} (no network, no epochs): ${ignored.join(', ')}.`);
    for (const r of rationale) if (!fromFlags.includes(r.setting)) lines.push(`  ${r.setting}: ${r.why}`);
    return lines.join('\n') + '\n';
  }
  const oneClass = s.kind === 'deepsvdd' || s.kind === 'ocnn';
  const lines = [
    s.kind === 'conv'
      ? `Training on "${dataset}": kind conv (convolutional autoencoder), filters ${s.filters.join('-')} (3×3, ReLU, 2×2 max-pooling; mirrored decoder), loss ${s.loss}, up to ${s.epochs} epochs (patience ${s.patience}), ` +
        `batch ${s.batchSize}, learning rate ${s.learningRate}, scaler ${s.scaler}, ${s.split} split with ${Math.round(s.validation * 100)}% validation, seed ${s.seed}.`
      : oneClass
      ? `Training on "${dataset}": kind ${s.kind}${s.kind === 'deepsvdd' ? ` (${s.objective}${s.objective === 'soft-boundary' ? `, ν ${s.nu}` : ''}, weight decay ${s.weightDecay})` : ` (ν ${s.nu})`}, ` +
        `bias-free layers ${s.layers.join('-')}${s.kind === 'ocnn' ? '-1' : ''}, ${s.activation}, ${s.pretrainEpochs ? `${s.pretrainEpochs} epochs of autoencoder pre-training, then ` : ''}up to ${s.epochs} epochs (patience ${s.patience}), ` +
        `batch ${s.batchSize}, learning rate ${s.learningRate}, scaler ${s.scaler}, ${s.split} split with ${Math.round(s.validation * 100)}% validation, seed ${s.seed}.`
      : `Training on "${dataset}": kind ${s.kind}, encoder ${s.layers.join('-')}, ${s.activation}, up to ${s.epochs} epochs (patience ${s.patience}), batch ${s.batchSize}, ` +
      `learning rate ${s.learningRate}, scaler ${s.scaler}, ${s.split} split with ${Math.round(s.validation * 100)}% validation, seed ${s.seed}.`,
  ];
  if (s.sampleRows > 0) lines.push(`On a dataset of more than ${s.sampleRows.toLocaleString('en-US')} rows it trains on a seeded uniform sample of that many (--sample-rows; 0 = all rows); every row is scored.`);
  const ignored = oneClass ? fromFlags.filter((f) => ONE_CLASS_IGNORED.includes(f as keyof TrainSettings)) : [];
  if (ignored.length) lines.push(`Ignored for ${s.kind} (it reconstructs nothing; ν is its allowance for anomalies): ${ignored.join(', ')}.`);
  if (fromFlags.length) lines.push(`From your flags: ${fromFlags.join(', ')}. The wizard chose the rest:`);
  else lines.push('The wizard chose every setting:');
  // conv: the pixels' own preparation replaces the table's (engine/conv.ts convSettings); the dense layers do not apply.
  const convReplaced: readonly (keyof TrainSettings)[] = ['layers', 'members', 'activation', 'loss', 'log1p', 'scaler', 'clip', 'missingIndicators'];
  if (s.kind === 'conv') lines.push(`  pixels: loss ${s.loss}, scaler ${s.scaler}, log1p ${Array.isArray(s.log1p) ? s.log1p.join(',') : String(s.log1p)}, clip ${s.clip}, missing indicators ${s.missingIndicators ? 'on' : 'off'} (seed 003's preparation for 0–1 pixels unless set by flags).`);
  for (const r of rationale) if (s.kind !== 'conv' || !convReplaced.includes(r.setting)) lines.push(`  ${r.setting}: ${r.why}`);
  return lines.join('\n') + '\n';
}

export const trainCommand: Command = {
  name: 'train',
  usage:
    'residual train --project P [--dataset N] [--kind ae|sparse|denoising|vae|aae|wae|conv|deepsvdd|ocnn|iforest|ecod|ensemble] [--members ae,ae,ae,iforest,ecod] [--layers 16,8] [--filters 16,8,8] [--activation relu] [--epochs 50] [--batch 256] [--lr 0.001] ' +
    '[--patience 5] [--scaler standard|minmax|robust] [--split random|time] [--val 0.2] [--train-on all|normal] [--sample-rows 1000000|0] [--seed 0] [--clip 10] [--trim 0.05] ' +
    '[--dropout 0] [--l1 0.001] [--noise 0.1] [--beta 1] [--score-with-kl] [--score-with-prior] [--mmd-lambda 10] [--objective one-class|soft-boundary] [--nu 0.1] [--weight-decay 0.000001] [--pretrain 10] [--loss mse|bce] [--log1p auto|none|COL,COL] [--max-categories 20] ' +
    '[--missing-indicators yes|no] [--min-delta 0.0001] [--name NAME] [--json]',
  options: {
    project: { type: 'string' },
    dataset: { type: 'string' },
    kind: { type: 'string' },
    // Only to say that the kind is --kind: --model means a model id everywhere else.
    model: { type: 'string' },
    layers: { type: 'string' },
    filters: { type: 'string' },
    activation: { type: 'string' },
    epochs: { type: 'string' },
    batch: { type: 'string' },
    lr: { type: 'string' },
    patience: { type: 'string' },
    scaler: { type: 'string' },
    split: { type: 'string' },
    val: { type: 'string' },
    'train-on': { type: 'string' },
    'sample-rows': { type: 'string' },
    seed: { type: 'string' },
    clip: { type: 'string' },
    trim: { type: 'string' },
    members: { type: 'string' },
    dropout: { type: 'string' },
    l1: { type: 'string' },
    noise: { type: 'string' },
    beta: { type: 'string' },
    loss: { type: 'string' },
    'score-with-kl': { type: 'boolean' },
    'score-with-prior': { type: 'boolean' },
    'mmd-lambda': { type: 'string' },
    objective: { type: 'string' },
    nu: { type: 'string' },
    'weight-decay': { type: 'string' },
    pretrain: { type: 'string' },
    log1p: { type: 'string' },
    'max-categories': { type: 'string' },
    'missing-indicators': { type: 'string' },
    'min-delta': { type: 'string' },
    name: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run({ values, io, signal }) {
    const project = requireString(values, 'project', this);
    const settings = overridesFrom(values);
    const progress = progressReporter(io, 'Training');
    let chosen: { settings: TrainSettings; rationale: readonly SettingRationale[]; dataset: string } | null = null;
    const result = await withWorkbench(project, {}, async (wb) => {
      wb.on('engine.backend', (backend) => io.err(`Backend: ${backend.name}${backend.simd ? ' (SIMD)' : ''}\n`));
      const ref = optionalString(values, 'dataset');
      const ds = ref === undefined ? wb.overview.datasets.at(-1) : datasetOf(wb.overview, values);
      if (!ds) throw new ResidualError('NOT_FOUND', `Project ${wb.path} has no dataset yet. Import one first (residual import <file> --project ${wb.path}).`);
      // The same checks as the Model section's: the wizard's proposal, the flags on top, both checked against the data.
      const proposal = await wb.invoke('model.propose', { datasetId: ds.id });
      const check = await wb.invoke('model.check', { datasetId: ds.id, settings });
      // The wizard's reasons for what the analyst left to it; flags given on the command line need none.
      chosen = { settings: check.settings, rationale: proposal.rationale.filter((r) => !(r.setting in settings)), dataset: ds.name };
      if (!values['json']) io.err(describeChoice(chosen.settings, chosen.rationale, Object.keys(settings), ds.name));
      const name = optionalString(values, 'name');
      return wb.job(
        'model.train',
        { datasetId: ds.id, settings, ...(name ? { name } : {}) },
        ({ detail }) => {
          if (detail.kind !== 'train') return;
          const p = detail.progress;
          progress.update(
            p.epoch / p.epochs,
            p.phase === 'pretrain' ? `pre-training the layers as an autoencoder, epoch ${p.epoch}/${p.epochs}  reconstruction ${formatNumber(p.trainLoss)}` : isClassical(chosen?.settings.kind ?? 'ae') ? `fitting ${p.epoch}/${p.epochs}  ${Math.round(p.samplesPerSecond).toLocaleString('en-US')} rows/s` : `epoch ${p.epoch}/${p.epochs}${Number.isFinite(p.trainLoss) ? `  train ${formatNumber(p.trainLoss)}` : ''}${p.valLoss === null || !Number.isFinite(p.valLoss) ? '' : `  val ${formatNumber(p.valLoss)}`}${p.samplesPerSecond > 0 ? `  ${Math.round(p.samplesPerSecond).toLocaleString('en-US')} samples/s` : ''}`,
            p.etaSeconds,
          );
        },
        signal,
      );
    });
    progress.done();
    if (values['json']) {
      printJson(io, {
        modelId: result.modelId,
        backend: result.backend,
        path: result.path,
        pathReason: result.pathReason,
        status: result.status,
        epochs: result.epochs,
        bestEpoch: result.bestEpoch,
        bestValLoss: result.bestValLoss,
        seconds: result.seconds,
        samplesPerSecond: result.samplesPerSecond,
        warnings: result.warnings,
        dataset: chosen!.dataset,
        settings: chosen!.settings,
        fromFlags: Object.keys(settings),
        wizard: chosen!.rationale.map((r) => ({ setting: r.setting, value: r.value, why: r.why })),
      });
      return 0;
    }
    // An ensemble's stability figure is information, not a warning (an unstable one adds its own warning).
    for (const w of result.warnings) io.out(isModelFinding(w) ? `${w}\n` : `Warning: ${w}\n`);
    if (result.path === 'classical') {
      const ensemble = chosen!.settings.kind === 'ensemble';
      io.out(
        `Model #${result.modelId} ${ensemble ? 'trained' : 'fitted'} (${result.pathReason}): ${formatDuration(result.seconds)}` +
          `${ensemble ? '' : `, ${Math.round(result.samplesPerSecond).toLocaleString('en-US')} rows/s`}.\n` +
          `Next: residual score --project ${project} --model ${result.modelId}\n`,
      );
      return 0;
    }
    io.out(
      `Model #${result.modelId} ${result.status === 'cancelled' ? 'cancelled (best-so-far weights kept)' : 'trained'} on ${result.backend} (${result.path}: ${result.pathReason}): ` +
        `${result.epochs} epochs${result.stoppedEarly ? ' (stopped early)' : ''}, best epoch ${result.bestEpoch} with loss ${formatNumber(result.bestValLoss)}, ` +
        `${formatDuration(result.seconds)}, ${Math.round(result.samplesPerSecond).toLocaleString('en-US')} samples/s.\n` +
        `Next: residual score --project ${project} --model ${result.modelId}\n`,
    );
    return 0;
  },
};
