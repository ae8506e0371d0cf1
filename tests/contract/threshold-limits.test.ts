/**
 * Issue #18: threshold parameters are bounded where they enter (the request contract and the CLI), with a message
 * naming the field and the allowed range, so that one absurd value cannot reach the engine.
 */
import { describe, expect, it } from 'vitest';
import { parseRequest, THRESHOLD_LIMITS } from '../../src-main/contract';
import { cli } from '../helpers/cli';

function rejects(spec: unknown, re: RegExp, field: string): void {
  let err: unknown;
  try {
    parseRequest('score.thresholdPreview', { scoreId: 1, spec });
  } catch (e) {
    err = e;
  }
  expect(err, JSON.stringify(spec)).toBeInstanceOf(Error);
  expect((err as { code: string }).code).toBe('BAD_INPUT');
  expect((err as Error).message).toMatch(re);
  expect((err as { details: { field: string } }).details.field).toBe(field);
}

describe('thresholdSpecSchema bounds', () => {
  it('refuses a tolerance of 1e13 rows, naming the field and the range', () => {
    rejects({ method: 'cost', tolerance: 1e13 }, /tolerance must be a whole number of rows from 0 to 1,000,000/, 'spec.tolerance');
    rejects({ method: 'cost', tolerance: THRESHOLD_LIMITS.tolerance + 1 }, /tolerance/, 'spec.tolerance');
    rejects({ method: 'cost', tolerance: -1 }, /tolerance/, 'spec.tolerance');
    rejects({ method: 'cost', tolerance: 2.5 }, /tolerance/, 'spec.tolerance');
  });

  it('bounds k, alerts and the costs too', () => {
    rejects({ method: 'sigma', k: 1e9 }, /k must be above 0 and at most 1,000 standard deviations/, 'spec.k');
    rejects({ method: 'budget', alerts: 1e15 }, /alerts must be a whole number of rows from 1 to 1,000,000,000/, 'spec.alerts');
    rejects({ method: 'cost', cAlarm: 1e300 }, /cAlarm must be above 0 and at most 1,000,000,000/, 'spec.cAlarm');
    rejects({ method: 'cost', cMissed: 0 }, /cMissed must be above 0/, 'spec.cMissed');
  });

  it('accepts the limits themselves and ordinary values', () => {
    for (const spec of [
      { method: 'cost', tolerance: THRESHOLD_LIMITS.tolerance, cAlarm: THRESHOLD_LIMITS.cost, cMissed: 5 },
      { method: 'cost', tolerance: 0 },
      { method: 'sigma', k: THRESHOLD_LIMITS.k },
      { method: 'budget', alerts: THRESHOLD_LIMITS.alerts },
      { method: 'budget', alerts: 50 },
    ]) {
      expect(parseRequest('score.thresholdSave', { scoreId: 1, spec }).spec).toEqual(spec);
    }
  });
});

describe('residual threshold bounds', () => {
  // The flags are checked (by the contract's own schema, so with the window's and the bridge's messages, naming the
  // flag) before the project is opened, so no project is needed.
  it.each([
    [['--method', 'cost', '--tolerance', '1e12'], /--tolerance: tolerance must be a whole number of rows from 0 to 1,000,000; got "1e12"/],
    [['--method', 'cost', '--c-missed', '1e20'], /--c-missed: cMissed must be above 0 and at most 1,000,000,000/],
    [['--method', 'sigma', '--k', '5000'], /--k: k must be above 0 and at most 1,000 standard deviations/],
    [['--method', 'budget', '--alerts', '1e12'], /--alerts: alerts must be a whole number of rows from 1 to 1,000,000,000/],
    [['--method', 'percentile', '--k', '3'], /--method percentile does not take --k/],
  ])('refuses %j', async (args, re) => {
    const r = await cli('threshold', '--project', '/nonexistent/never.residual', ...args);
    expect(r.code, r.err).toBe(2);
    expect(r.err).toMatch(re);
  });
});

describe('residual train bounds', () => {
  // The numbers' ranges are the contract's training-settings schema's (no second copy in the CLI), worded with the flag,
  // checked before the project is opened.
  it.each([
    [['--epochs', '0'], /--epochs must be a whole number, at least 1; got "0"/],
    [['--epochs', '2.5'], /--epochs must be a whole number; got "2.5"/],
    [['--epochs', '1e9'], /--epochs must be a whole number, at most 100,000; got "1e9"/],
    [['--lr', '0'], /--lr must be a number, above 0; got "0"/],
    [['--val', '1'], /--val must be a number, below 1; got "1"/],
    [['--nu', '1.5'], /--nu must be a number, at most 1; got "1.5"/],
    [['--trim', '0.6'], /--trim must be a number, at most 0.5; got "0.6"/],
    [['--batch', 'lots'], /--batch must be a number; got "lots"/],
  ])('refuses %j', async (args, re) => {
    const r = await cli('train', '--project', '/nonexistent/never.residual', ...args);
    expect(r.code, r.err).toBe(2);
    expect(r.err).toMatch(re);
  });
});
