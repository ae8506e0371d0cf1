import { THRESHOLD_LIMITS } from '../../contract';
import type { ThresholdSpec } from '../../core/analysis';
import { ResidualError } from '../../core/errors';
import { saveThreshold } from '../../core/review';
import type { Command } from '../command';
import { oneOf, optionalNumber, requireString } from '../command';
import { formatNumber, printJson } from '../output';
import { withProject } from '../project';
import { resolveScoreArg } from '../resolve';

export const thresholdCommand: Command = {
  name: 'threshold',
  usage:
    'residual threshold --project P [--model ID] [--dataset N] --method sigma|percentile|budget|fpr|cost|manual [--k 2] [--on train|validation|all] [--p 99] ' +
    '[--alerts N] [--fpr 0.01] [--c-alarm 1] [--c-missed 5] [--tolerance 0] [--value V] [--json]',
  options: {
    project: { type: 'string' },
    model: { type: 'string' },
    dataset: { type: 'string' },
    method: { type: 'string' },
    k: { type: 'string' },
    on: { type: 'string' },
    p: { type: 'string' },
    alerts: { type: 'string' },
    fpr: { type: 'string' },
    'c-alarm': { type: 'string' },
    'c-missed': { type: 'string' },
    tolerance: { type: 'string' },
    value: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run({ values, io }) {
    const project = requireString(values, 'project', this);
    const method = oneOf(values, 'method', ['sigma', 'percentile', 'budget', 'fpr', 'cost', 'manual'] as const);
    if (!method) throw new ResidualError('BAD_INPUT', `residual threshold: --method is required.\nUsage: ${this.usage}`, { field: 'method' });
    const spec = specFrom(method, values);
    return withProject(project, {}, async (store) => {
      const { model, dataset, score } = resolveScoreArg(store, values);
      const saved = await store.write(() => saveThreshold(store, score.scoreId, spec));
      if (values['json']) {
        printJson(io, { id: saved.id, modelId: model.id, dataset: dataset.name, ...saved.result });
        return 0;
      }
      io.out(
        `Threshold ${formatNumber(saved.result.value)} (${saved.result.method}) saved for model #${model.id}: ` +
          `${saved.result.alerts.toLocaleString('en-US')} of ${score.rows.toLocaleString('en-US')} rows of "${dataset.name}" flagged.\n${saved.result.why}\n`,
      );
      return 0;
    });
  },
};

function specFrom(method: ThresholdSpec['method'], values: Parameters<Command['run']>[0]['values']): ThresholdSpec {
  const num = (name: string, check: Parameters<typeof optionalNumber>[2] = {}): number | undefined => optionalNumber(values, name, check);
  switch (method) {
    case 'sigma': {
      const on = oneOf(values, 'on', ['train', 'validation', 'all'] as const);
      const k = num('k', { min: 0, exclusiveMin: true, max: THRESHOLD_LIMITS.k });
      return { method, ...(k !== undefined ? { k } : {}), ...(on ? { on } : {}) };
    }
    case 'percentile': {
      const p = num('p', { min: 0, max: 100, exclusiveMin: true });
      return { method, ...(p !== undefined ? { p } : {}) };
    }
    case 'budget': {
      const alerts = num('alerts', { integer: true, min: 1, max: THRESHOLD_LIMITS.alerts });
      if (alerts === undefined) throw new ResidualError('BAD_INPUT', '--method budget needs --alerts N: how many rows you can review.', { field: 'alerts' });
      return { method, alerts };
    }
    case 'fpr': {
      const fpr = num('fpr', { min: 0, max: 1, exclusiveMin: true });
      return { method, ...(fpr !== undefined ? { fpr } : {}) };
    }
    case 'cost': {
      const cAlarm = num('c-alarm', { min: 0, exclusiveMin: true, max: THRESHOLD_LIMITS.cost });
      const cMissed = num('c-missed', { min: 0, exclusiveMin: true, max: THRESHOLD_LIMITS.cost });
      const tolerance = num('tolerance', { integer: true, min: 0, max: THRESHOLD_LIMITS.tolerance });
      return { method, ...(cAlarm !== undefined ? { cAlarm } : {}), ...(cMissed !== undefined ? { cMissed } : {}), ...(tolerance !== undefined ? { tolerance } : {}) };
    }
    case 'manual': {
      const value = num('value');
      if (value === undefined) throw new ResidualError('BAD_INPUT', '--method manual needs --value V.', { field: 'value' });
      return { method, value };
    }
  }
}
