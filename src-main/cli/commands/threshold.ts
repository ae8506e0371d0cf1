import { thresholdSpecSchema, type ThresholdSpec } from '../../contract';
import { ResidualError } from '../../core/errors';
import type { Command } from '../command';
import { oneOf, optionalNumber, requireString } from '../command';
import { formatNumber, printJson } from '../output';
import { scoreOf } from '../resolve';
import { withWorkbench } from '../workbench';

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
    // The flags are checked by the contract's own schema (the window's and the bridge's rules and messages), before the project opens.
    const spec = specFrom(method, values);
    return withWorkbench(project, {}, async (wb) => {
      const { model, dataset, score } = scoreOf(wb.overview, values);
      const saved = await wb.invoke('score.thresholdSave', { scoreId: score.scoreId, spec });
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

/** Each threshold parameter's flag. */
const FLAGS: Record<string, string> = { k: '--k', on: '--on', p: '--p', alerts: '--alerts', fpr: '--fpr', cAlarm: '--c-alarm', cMissed: '--c-missed', tolerance: '--tolerance', value: '--value' };

/** The spec the flags give, checked against the contract's schema; its messages name the flag. */
function specFrom(method: ThresholdSpec['method'], values: Parameters<Command['run']>[0]['values']): ThresholdSpec {
  const raw: Record<string, unknown> = { method };
  for (const [key, flag] of Object.entries(FLAGS)) {
    const name = flag.slice(2);
    if (values[name] === undefined) continue;
    raw[key] = key === 'on' ? values[name] : optionalNumber(values, name);
  }
  if (method === 'budget' && raw['alerts'] === undefined) throw new ResidualError('BAD_INPUT', '--method budget needs --alerts N: how many rows you can review.', { field: 'alerts' });
  if (method === 'manual' && raw['value'] === undefined) throw new ResidualError('BAD_INPUT', '--method manual needs --value V.', { field: 'value' });
  const r = thresholdSpecSchema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const key = String(issue.path[0] ?? '');
    const flag = FLAGS[key];
    if (issue.code === 'unrecognized_keys') {
      const keys = (issue as { keys?: string[] }).keys ?? [];
      throw new ResidualError('BAD_INPUT', `--method ${method} does not take ${keys.map((k) => FLAGS[k] ?? k).join(', ')}.`, { field: keys[0] ?? 'method' });
    }
    throw new ResidualError('BAD_INPUT', `${flag ?? key}: ${issue.message}; got ${JSON.stringify(values[flag ? flag.slice(2) : key] ?? raw[key])}.`, { field: key });
  }
  return r.data;
}
