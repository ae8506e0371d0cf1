import os from 'node:os';
import { trainSettingsSchema } from '../../contract/engine';
import { ResidualError } from '../errors';
import type { DatasetInfo } from '../store/types';
import type { Proposal, TrainSettings } from './types';
import { classicalProposal, classicalSettings, isClassical } from './classical';
import { DEFAULT_MEMBERS } from './ensemble';
import { describeSettings, proposeSettings } from './wizard';
import { isOneClass } from './family/oneclass';
import { convProposal, convSettings, describeConv } from './conv';
import { oneClassProposal, oneClassSettings } from './family/oneclass-settings';

/**
 * The most parameters a network may have. Autoencoders for tabular data need thousands to a few million;
 * 50 M already needs 800 MB just for the training state below, and the fused WebAssembly kernel lives in a
 * 32-bit (4 GiB) memory that must also hold the batches.
 */
export const MAX_PARAMETERS = 50_000_000;
/** Training memory per parameter: float32 weights, gradients and Adam's two moments (4 × 4 bytes). */
export const TRAINING_BYTES_PER_PARAMETER = 16;
/** Share of the machine's memory the training state of one network may take. */
export const MAX_MEMORY_SHARE = 0.25;

/** Checks user overrides (unknown keys, types, ranges) with BAD_INPUT errors naming the setting. */
export function parseOverrides(overrides: unknown): Partial<TrainSettings> {
  const r = trainSettingsSchema.partial().safeParse(overrides ?? {});
  if (!r.success) {
    const msgs = r.error.issues.map((i) => `${i.path.join('.') || 'settings'}: ${i.message}`);
    const field = String(r.error.issues[0]?.path[0] ?? 'settings');
    // Per setting, the message alone, for a form that shows it beside its field.
    const issues = r.error.issues.map((i) => ({ field: String(i.path[0] ?? 'settings'), message: i.message }));
    throw new ResidualError('BAD_INPUT', `Invalid training settings. ${msgs.join('; ')}.`, { field, issues });
  }
  return r.data as Partial<TrainSettings>;
}

/**
 * The settings a run uses: the wizard's proposal for the dataset with the user's overrides on top, then
 * checked against the data (label for 'normal', timestamp for 'time', min-max scaling for BCE).
 */
export function resolveSettings(ds: DatasetInfo, overrides: unknown): { settings: TrainSettings; proposal: Proposal } {
  const user = parseOverrides(overrides);
  const proposal = proposeSettings(ds);
  let settings: TrainSettings = { ...proposal.settings, ...user };
  // IsolationForest and ECOD: no network, no epochs, no validation part; only preprocessing, train on and seed apply.
  if (isClassical(settings.kind)) {
    const classical = classicalSettings(settings, user);
    return { settings: classical, proposal: classicalProposal(proposal, classical) };
  }
  // Deep SVDD and OC-NN: no reconstruction, so no loss, dropout or robust training; their own ν instead.
  if (isOneClass(settings.kind)) settings = oneClassSettings(settings, user);
  // The convolutional autoencoder: image datasets only, pixels as imported, seed 003's loss unless set (engine/conv.ts).
  if (settings.kind === 'conv') settings = convSettings(ds, settings, user);
  // Members mean something only to an ensemble; an ensemble without them gets the wizard's.
  if (settings.kind !== 'ensemble') settings = { ...settings, members: [] };
  else if (settings.members.length === 0) settings = { ...settings, members: [...DEFAULT_MEMBERS] };
  if (settings.kind === 'ensemble' && settings.members.length < 2) {
    throw new ResidualError('BAD_INPUT', `An ensemble needs at least two members (e.g. ${DEFAULT_MEMBERS.join(',')}); got ${settings.members.join(',') || 'none'}.`, { field: 'members' });
  }
  if (settings.loss === 'bce') {
    if (user.scaler && user.scaler !== 'minmax') {
      throw new ResidualError('BAD_INPUT', `BCE loss needs inputs in [0, 1], so it needs scaler minmax (got ${user.scaler}). Use --scaler minmax or --loss mse.`, { field: 'scaler' });
    }
    settings = { ...settings, scaler: 'minmax' };
  }
  if (settings.trainOn === 'normal' && !ds.columns.some((c) => c.role === 'label')) {
    throw new ResidualError('BAD_INPUT', `Training on normal rows needs a label column, and "${ds.name}" has none. Mark one (role label, with its positive value) or train on all rows.`, { field: 'trainOn' });
  }
  if (settings.split === 'time' && !ds.columns.some((c) => c.role === 'timestamp')) {
    throw new ResidualError('BAD_INPUT', `A chronological split needs a timestamp column, and "${ds.name}" has none. Use split random or mark a timestamp column.`, { field: 'split' });
  }
  // Without validation rows there is nothing to stop on.
  if (settings.validation === 0) settings = { ...settings, patience: 0 };
  const described = describeSettings(ds, settings);
  checkNetworkSize(described, settings.kind === 'conv' ? undefined : proposal.settings.layers);
  if (settings.kind === 'conv') return { settings, proposal: convProposal(proposal, settings, describeConv(ds, settings)) };
  if (isOneClass(settings.kind)) return { settings, proposal: { ...oneClassProposal(proposal, settings, described.inputDims), parameterCount: described.parameterCount } };
  return { settings, proposal };
}

/**
 * The parameter cap on this machine: MAX_PARAMETERS, or fewer when MAX_MEMORY_SHARE of its memory cannot hold
 * the training state (TRAINING_BYTES_PER_PARAMETER per parameter).
 */
export function maxParameters(totalMemory = os.totalmem()): number {
  return Math.max(1, Math.min(MAX_PARAMETERS, Math.floor((totalMemory * MAX_MEMORY_SHARE) / TRAINING_BYTES_PER_PARAMETER)));
}

/**
 * Refuses (BAD_INPUT, field 'layers') a network whose training state would not fit: before any tensor is
 * allocated, so that too wide layers give a plain message instead of a RangeError or an out-of-memory crash.
 */
export function checkNetworkSize(
  net: { readonly parameterCount: number; readonly architecture: string },
  suggestedLayers?: readonly number[],
  totalMemory = os.totalmem(),
): void {
  const cap = maxParameters(totalMemory);
  if (net.parameterCount <= cap) return;
  const bytes = net.parameterCount * TRAINING_BYTES_PER_PARAMETER;
  const capBytes = cap * TRAINING_BYTES_PER_PARAMETER;
  const suggestion = suggestedLayers?.length ? ` (the wizard proposes ${suggestedLayers.join(',')} for this data)` : '';
  throw new ResidualError(
    'BAD_INPUT',
    `The network ${net.architecture} has ${count(net.parameterCount)} parameters; training it needs about ${formatBytes(bytes)} of memory ` +
      `(float32 weights, gradients and Adam's two moments, ${TRAINING_BYTES_PER_PARAMETER} bytes per parameter), over the cap of ${count(cap)} parameters ` +
      `(${formatBytes(capBytes)}) on this machine (${formatBytes(totalMemory)} of memory). Use narrower or fewer layers${suggestion}.`,
    { field: 'layers', parameterCount: net.parameterCount, bytes, maxParameters: cap, maxBytes: capBytes },
  );
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}

function formatBytes(b: number): string {
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB', 'PB'];
  let v = b;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return u === 0 ? `${v} bytes` : `${v >= 100 ? Math.round(v) : v.toFixed(1)} ${units[u]}`;
}
