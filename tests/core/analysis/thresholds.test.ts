import { describe, expect, it } from 'vitest';
import {
  alertCount,
  budgetThreshold,
  fprThreshold,
  manualThreshold,
  percentileThreshold,
  sigmaThreshold,
  thresholdFor,
} from '../../../src-main/core/analysis';
import { ResidualError } from '../../../src-main/core/errors';

function badInput(fn: () => unknown, field: string, message: RegExp): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(ResidualError);
  const err = caught as ResidualError;
  expect(err.code).toBe('BAD_INPUT');
  expect(err.details.field).toBe(field);
  expect(err.message).toMatch(message);
}

describe('alertCount', () => {
  it('counts scores >= value (ties are flagged, NaN never)', () => {
    // 0.5 >= 0.5 yes, 0.7 yes, 0.2 no, NaN no → 2
    expect(alertCount([0.5, 0.2, 0.7, NaN], 0.5)).toBe(2);
    expect(alertCount(new Float32Array([1, 2, 3]), Infinity)).toBe(0);
    expect(alertCount(new Float32Array([1, 2, 3]), -Infinity)).toBe(3);
  });

  it('rejects a NaN threshold', () => {
    badInput(() => alertCount([1], NaN), 'value', /NaN/);
  });
});

describe('sigmaThreshold', () => {
  it('is mean + k·(population σ) on [1, 2, 3, 4] with k = 2', () => {
    // mean = 10/4 = 2.5; deviations −1.5, −0.5, 0.5, 1.5 → squares 2.25 + 0.25 + 0.25 + 2.25 = 5
    // population variance = 5/4 = 1.25, σ = √1.25 = 1.118033988…; value = 2.5 + 2·1.118034 = 4.736067977…
    // (numpy: np.mean([1,2,3,4]) + 2*np.std([1,2,3,4]) = 4.73606797749979)
    const r = sigmaThreshold([1, 2, 3, 4]);
    expect(r.method).toBe('sigma');
    expect(r.mean).toBe(2.5);
    expect(r.std).toBeCloseTo(Math.sqrt(1.25), 15);
    expect(r.value).toBeCloseTo(4.73606797749979, 14);
    expect(r.params).toEqual({ k: 2 });
    expect(r.alerts).toBe(0); // max 4 < 4.736
    expect(r.why).toBe('Mean + 2σ of the errors it was fitted on (2.5 + 2 × 1.118 = 4.736). 0 of 4 rows score at or above it.');
  });

  it('counts alerts over another split and names the fitting split', () => {
    // k = 1: 2.5 + 1.118 = 3.618 → in [1, 5, 3.6, 3.7, 4] the values 5, 3.7, 4 are >= 3.618 → 3
    const r = sigmaThreshold(new Float32Array([1, 2, 3, 4]), 1, [1, 5, 3.6, 3.7, 4], 'validation');
    expect(r.value).toBeCloseTo(3.6180339887, 9);
    expect(r.alerts).toBe(3);
    expect(r.why).toMatch(/^Mean \+ 1σ of the validation errors \(2\.5 \+ 1 × 1\.118 = 3\.618\)\. 3 of 5 rows/);
  });

  it('validates k and the scores', () => {
    badInput(() => sigmaThreshold([1, 2], 0), 'k', /> 0/);
    badInput(() => sigmaThreshold([1, 2], -1), 'k', /> 0/);
    badInput(() => sigmaThreshold([], 2), 'errorsForFit', /No errorsForFit/);
    badInput(() => sigmaThreshold([1, NaN], 2), 'errorsForFit', /row 1 is NaN.*retrain/);
    badInput(() => sigmaThreshold([1, 2], 2, [1, Infinity]), 'scoresToCount', /row 1 is Infinity/);
  });
});

describe('percentileThreshold', () => {
  // Reference values from numpy 1.24.2: np.percentile([3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5], p).
  const xs = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5]; // sorted: 1 1 2 3 3 4 5 5 5 6 9, n = 11
  it.each([
    // p = 99: h = 10·0.99 = 9.9 → 6 + (9 − 6)·0.9 = 8.7 (numpy prints 8.700000000000001)
    [99, 8.700000000000001],
    // p = 90: h = 9 → x[9] = 6
    [90, 6.0],
    // p = 50: h = 5 → x[5] = 4
    [50, 4.0],
    // p = 12.5: h = 1.25 → 1 + (2 − 1)·0.25 = 1.25
    [12.5, 1.25],
    // p = 33.3: h = 3.33 → 3 + 0·0.33 = 3
    [33.3, 3.0],
    // p = 99.9: h = 9.99 → 6 + 3·0.99 = 8.97 (numpy: 8.970000000000006)
    [99.9, 8.970000000000006],
  ])('p = %f matches numpy (%f)', (p, expected) => {
    const r = percentileThreshold(xs, p);
    expect(r.value).toBe(expected);
    expect(r.alerts).toBe(xs.filter((x) => x >= expected).length);
  });

  it('defaults to the 99th percentile and says so', () => {
    // ys sorted: 0.05 0.1 0.2 0.33 0.7 1.3 2.2; h = 6·0.99 = 5.94 → numpy 2.146
    const ys = [0.1, 0.7, 0.2, 1.3, 0.05, 2.2, 0.33];
    const r = percentileThreshold(ys);
    expect(r.value).toBe(2.146);
    expect(r.params).toEqual({ p: 99 });
    expect(r.alerts).toBe(1); // only 2.2
    expect(r.why).toBe('The 99th percentile of 7 errors it was fitted on (2.146). 1 of 7 rows score at or above it.');
    // numpy: np.percentile(ys, 95) = 1.9299999999999995 (h = 5.7 → 2.2 − 0.9·0.3, computed from the upper side)
    expect(percentileThreshold(ys, 95).value).toBe(1.9299999999999995);
    expect(percentileThreshold(ys, 75.5).value).toBe(1.0180000000000002);
  });

  it('validates p', () => {
    badInput(() => percentileThreshold([1, 2], 0), 'p', /between 0 and 100/);
    badInput(() => percentileThreshold([1, 2], 100), 'p', /between 0 and 100/);
    badInput(() => percentileThreshold([1, 2], NaN), 'p', /between 0 and 100/);
  });
});

describe('budgetThreshold', () => {
  const scores = [0.5, 0.9, 0.7, 0.9, 0.7, 0.1]; // descending: 0.9 0.9 0.7 0.7 0.5 0.1

  it('takes the n-th largest score when there are no ties at it', () => {
    const r = budgetThreshold(scores, 2); // 2nd largest = 0.9 → rows 1 and 3
    expect(r.value).toBe(0.9);
    expect(r.alerts).toBe(2);
    expect(r.requested).toBe(2);
    expect(r.why).toBe('The score of the 2nd highest row (0.9), so that the top 2 rows are flagged.');
  });

  it('flags every row tied with the n-th largest score and reports the true count', () => {
    const r = budgetThreshold(scores, 3); // 3rd largest = 0.7; 0.9, 0.9, 0.7, 0.7 are >= 0.7 → 4 alerts
    expect(r.value).toBe(0.7);
    expect(r.alerts).toBe(4);
    expect(r.why).toMatch(/1 more row ties with that score, so 4 rows are flagged/);
  });

  it('flags everything when the budget exceeds the rows', () => {
    const r = budgetThreshold(new Float32Array(scores), 10);
    expect(r.value).toBeCloseTo(0.1, 7); // Float32 0.1
    expect(r.alerts).toBe(6);
    expect(r.why).toBe('The budget of 10 alerts covers all 6 scored rows, so the threshold is the lowest score (0.1) and every row is flagged.');
  });

  it('validates n', () => {
    badInput(() => budgetThreshold(scores, 0), 'alerts', /whole number ≥ 1/);
    badInput(() => budgetThreshold(scores, 2.5), 'alerts', /whole number ≥ 1/);
  });
});

describe('fprThreshold', () => {
  // 10 normals 0.1 … 1.0, anomalies 0.85, 0.95, 1.2, one unknown row at 0.82.
  const scores = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 0.85, 0.95, 1.2, 0.82];
  const labels = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, NaN];

  it('target 10%: one false positive allowed', () => {
    // m = 1 → t must exceed the 2nd largest normal (0.9); lowest labelled score above 0.9 is 0.95.
    // FP = {1.0} = 1 of 10; detected {0.95, 1.2} = 2 of 3; alerts over all 14 rows: 1.0, 0.95, 1.2 → 3
    const r = fprThreshold(scores, labels, 0.1);
    expect(r.value).toBe(0.95);
    expect(r.falsePositives).toBe(1);
    expect(r.fpr).toBe(0.1);
    expect(r.detected).toBe(2);
    expect(r.tpr).toBeCloseTo(2 / 3, 15);
    expect(r.alerts).toBe(3);
    expect(r.why).toBe(
      'The lowest threshold (0.95) that flags at most 10% of the labelled normal rows: 1 of 10 (10%), catching 2 of 3 labelled anomalies. 3 of 14 rows score at or above it.',
    );
  });

  it('target 25%: two allowed; unknown rows are not candidates', () => {
    // m = 2 (0.2 ≤ 0.25 < 0.3) → t > 3rd largest normal 0.8; lowest LABELLED score above 0.8 is 0.85
    // (the unknown row's 0.82 would be lower if it counted). FP = {0.9, 1.0}; all 3 anomalies detected.
    const r = fprThreshold(scores, labels, 0.25);
    expect(r.value).toBe(0.85);
    expect(r.falsePositives).toBe(2);
    expect(r.detected).toBe(3);
    expect(r.alerts).toBe(5); // 0.9, 1.0, 0.85, 0.95, 1.2
  });

  it('default 1% with 10 normals allows none', () => {
    // m = 0 → t > 1.0 → 1.2
    const r = fprThreshold(scores, labels);
    expect(r.params).toEqual({ fpr: 0.01 });
    expect(r.value).toBe(1.2);
    expect(r.falsePositives).toBe(0);
    expect(r.detected).toBe(1);
  });

  it('allows exactly 29 of 100 at 0.29 despite 0.29·100 = 28.999999999999996', () => {
    // normals 0 … 99, anomaly 1000. 29 FPs allowed → t > 30th largest normal = 70 → lowest labelled above = 71.
    const s = [...Array.from({ length: 100 }, (_, i) => i), 1000];
    const y = [...Array.from({ length: 100 }, () => 0), 1];
    const r = fprThreshold(s, y, 0.29);
    expect(r.value).toBe(71);
    expect(r.falsePositives).toBe(29);
    expect(r.fpr).toBe(0.29);
  });

  it('returns +∞ (no alarms) when the highest labelled score is normal and nothing is allowed', () => {
    const r = fprThreshold([0.5, 0.9, 0.1], [0, 0, 1], 0.4); // m = floor(0.8) = 0, v = 0.9, no labelled score above
    expect(r.value).toBe(Infinity);
    expect(r.alerts).toBe(0);
    expect(r.detected).toBe(0);
    expect(r.why).toMatch(/no alarms are raised/);
  });

  it('needs both classes and a valid target', () => {
    badInput(() => fprThreshold([1, 2], [0, 0], 0.1), 'labels', /found 0 labelled anomalies and 2 labelled normal rows/);
    badInput(() => fprThreshold([1, 2], [1, -1], 0.1), 'labels', /1 labelled anomaly and 0 labelled normal rows/);
    badInput(() => fprThreshold([1, 2], [1, 0], 0), 'fpr', /strictly between 0 and 1/);
    badInput(() => fprThreshold([1, 2], [1, 0], 1), 'fpr', /strictly between 0 and 1/);
    badInput(() => fprThreshold([1, 2], [1, 0, 0], 0.1), 'labels', /Got 3 labels for 2 scores/);
    badInput(() => fprThreshold([1, 2], [1, 2], 0.1), 'labels', /row 1 is 2; labels must be 1/);
  });
});

describe('manualThreshold', () => {
  it('counts scores >= the value', () => {
    const r = manualThreshold([0.2, 0.5, 0.8], 0.5);
    expect(r).toEqual({ method: 'manual', params: { value: 0.5 }, value: 0.5, alerts: 2, why: 'Set by hand to 0.5. 2 of 3 rows score at or above it.' });
  });
  it('rejects non-finite values', () => {
    badInput(() => manualThreshold([1], NaN), 'value', /finite number/);
    badInput(() => manualThreshold([1], Infinity), 'value', /finite number/);
  });
});

describe('thresholdFor', () => {
  const fit = [1, 2, 3, 4];
  const count = [1, 5, 4.8, 4.7, 4];

  it('dispatches every method with its defaults, counting alerts over data.count', () => {
    const sigma = thresholdFor({ method: 'sigma', on: 'train' }, { fit, count });
    expect(sigma.value).toBeCloseTo(4.73606797749979, 14);
    expect(sigma.alerts).toBe(2); // 5 and 4.8
    expect(sigma.why).toMatch(/of the training errors/);

    const pct = thresholdFor({ method: 'percentile', p: 50 }, { fit, count }); // median of 1..4 = 2.5
    expect(pct.value).toBe(2.5);
    expect(pct.alerts).toBe(4);

    // budget works on data.count: 2nd largest of count = 4.8
    const budget = thresholdFor({ method: 'budget', alerts: 2 }, { fit, count });
    expect(budget.value).toBe(4.8);
    expect(budget.alerts).toBe(2);

    const manual = thresholdFor({ method: 'manual', value: 4.7 }, { fit, count });
    expect(manual.alerts).toBe(3);

    const fpr = thresholdFor({ method: 'fpr', fpr: 0.5 }, { fit, labels: [0, 0, 1, 0], count });
    // 3 normals, m = 1 → t > 2nd largest normal (2) → lowest labelled above: 3
    expect(fpr.value).toBe(3);
    expect(fpr.alerts).toBe(4);

    const cost = thresholdFor({ method: 'cost' }, { fit, labels: [0, 0, 1, 0] });
    // t=∞: 5; t=4: FA1 missed1 = 6; t=3: FA1 = 1; t=2: FA2 = 2; t=1: 3 → 3, cost 1
    expect(cost.value).toBe(3);
    expect(cost.method === 'cost' && cost.cost).toBe(1);
    expect(cost.params).toEqual({ cAlarm: 1, cMissed: 5, tolerance: 0 });
  });

  it('asks for labels for fpr and cost', () => {
    badInput(() => thresholdFor({ method: 'fpr' }, { fit }), 'labels', /needs labels/);
    badInput(() => thresholdFor({ method: 'cost' }, { fit, labels: null }), 'labels', /needs labels/);
  });

  it('rejects an unknown method', () => {
    badInput(() => thresholdFor({ method: 'magic' } as never, { fit }), 'method', /Unknown threshold method magic/);
  });
});
