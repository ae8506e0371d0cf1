import { describe, expect, it } from 'vitest';
import { costOptimalThreshold } from '../../../src-main/core/analysis';
import { ResidualError } from '../../../src-main/core/errors';
import { parkMiller, randInt, uniform } from './helpers';

/**
 * Time-ordered example worked by hand (cAlarm = 1, cMissed = 5):
 *
 *   row    0    1    2    3    4    5    6    7    8    9
 *   score 0.1  0.2  0.9  0.3  0.2  0.8  0.1  0.7  0.1  0.2
 *   label  0    0    0    1    0    0    0    1    0    0
 *
 * A spike at row 2 sits just before the low-scoring anomaly at row 3; row 5 is an isolated normal spike.
 */
const scores = [0.1, 0.2, 0.9, 0.3, 0.2, 0.8, 0.1, 0.7, 0.1, 0.2];
const labels = [0, 0, 0, 1, 0, 0, 0, 1, 0, 0];

describe('costOptimalThreshold — hand-worked', () => {
  it('tolerance 0: plain row-by-row costs', () => {
    // t = ∞   : FA 0, missed 2            → 10
    // t = 0.9 : FA 1 (row 2), missed 2    → 11
    // t = 0.8 : FA 2 (rows 2, 5), missed 2 → 12
    // t = 0.7 : FA 2, missed 1 (row 3)    → 7
    // t = 0.3 : FA 2, missed 0            → 2   ← optimum
    // t = 0.2 : FA 5 (rows 1, 2, 4, 5, 9) → 5
    // t = 0.1 : FA 8                      → 8
    const r = costOptimalThreshold(scores, labels);
    expect(r.value).toBe(0.3);
    expect(r.cost).toBe(2);
    expect(r.falseAlarms).toBe(2);
    expect(r.missed).toBe(0);
    expect(r.detected).toBe(2);
    expect(r.anomalies).toBe(2);
    expect(r.alerts).toBe(4); // 0.9, 0.3, 0.8, 0.7
    expect(r.params).toEqual({ cAlarm: 1, cMissed: 5, tolerance: 0 });
    expect(r.why).toBe(
      'Threshold 0.3 minimises 1 × false alarms + 5 × missed anomalies on the labelled rows: 2 false alarms and 0 of 2 anomalies missed (cost 2).',
    );
  });

  it('tolerance 1 changes the optimum (and equal costs resolve to the higher threshold)', () => {
    // Window maxima: anomaly 3 → rows 2..4 → max(0.9, 0.3, 0.2) = 0.9; anomaly 7 → rows 6..8 → 0.7.
    // Far normals (no anomaly within 1 row): rows 0 (0.1), 1 (0.2), 5 (0.8), 9 (0.2); rows 2, 4, 6, 8 are near.
    // t = ∞   : FA 0, missed 2            → 10
    // t = 0.9 : FA 0, missed 1 (w = 0.7)  → 5
    // t = 0.8 : FA 1 (row 5), missed 1    → 6
    // t = 0.7 : FA 1, missed 0            → 1   ← tie, higher threshold wins
    // t = 0.3 : FA 1, missed 0            → 1
    // t = 0.2 : FA 3                      → 3
    // t = 0.1 : FA 4                      → 4
    const r = costOptimalThreshold(scores, labels, { tolerance: 1 });
    expect(r.value).toBe(0.7);
    expect(r.cost).toBe(1);
    expect(r.falseAlarms).toBe(1);
    expect(r.missed).toBe(0);
    expect(r.alerts).toBe(3); // 0.9, 0.8, 0.7 — row 2's flag costs nothing: it is next to anomaly 3
    expect(r.why).toMatch(/An anomaly counts as caught when any row within 1 row of it is flagged\.$/);
  });

  it('can choose +∞ (no alarms) when that ties with the best finite threshold', () => {
    // scores 0.5 (anomaly), 0.9, 0.1 (normal); cAlarm = cMissed = 1
    // ∞: 1; 0.9: FA 1 + missed 1 = 2; 0.5: FA 1 = 1; 0.1: FA 2 = 2 → tie ∞ / 0.5 → ∞
    const r = costOptimalThreshold([0.5, 0.9, 0.1], [1, 0, 0], { cAlarm: 1, cMissed: 1 });
    expect(r.value).toBe(Infinity);
    expect(r.alerts).toBe(0);
    expect(r.cost).toBe(1);
    expect(r.missed).toBe(1);
    expect(r.why).toMatch(/^Raising no alarms is cheapest/);
    // With a slightly higher miss cost 0.5 wins: ∞ = 1.1, 0.5 = 1
    expect(costOptimalThreshold([0.5, 0.9, 0.1], [1, 0, 0], { cAlarm: 1, cMissed: 1.1 }).value).toBe(0.5);
  });

  it('leaves unknown-label rows out of the false alarms', () => {
    // scores 0.9 (unknown), 0.5 (normal), 0.1 (anomaly): ∞ 5; 0.9: 5; 0.5: FA 1 + 5 = 6; 0.1: FA 1 → 1
    // (as normal, row 0 would make it FA 2).
    const r = costOptimalThreshold([0.9, 0.5, 0.1], [NaN, 0, 1]);
    expect(r.value).toBe(0.1);
    expect(r.falseAlarms).toBe(1);
    expect(r.cost).toBe(1);
    expect(costOptimalThreshold([0.9, 0.5, 0.1], [-1, 0, 1]).falseAlarms).toBe(1);
  });

  it('counts alerts over other scores when asked', () => {
    const r = costOptimalThreshold(scores, labels, {}, [0.29, 0.3, 0.31]);
    expect(r.value).toBe(0.3);
    expect(r.alerts).toBe(2);
  });

  it('validates its parameters with clear messages', () => {
    const expectBad = (fn: () => unknown, field: string, re: RegExp): void => {
      try {
        fn();
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(ResidualError);
        expect((e as ResidualError).details.field).toBe(field);
        expect((e as ResidualError).message).toMatch(re);
      }
    };
    expectBad(() => costOptimalThreshold(scores, labels, { cAlarm: 0 }), 'cAlarm', /> 0/);
    expectBad(() => costOptimalThreshold(scores, labels, { cMissed: -2 }), 'cMissed', /> 0/);
    expectBad(() => costOptimalThreshold(scores, labels, { tolerance: 1.5 }), 'tolerance', /whole number ≥ 0/);
    expectBad(() => costOptimalThreshold(scores, labels, { tolerance: -1 }), 'tolerance', /whole number ≥ 0/);
    expectBad(() => costOptimalThreshold([1, 2], [0, NaN]), 'labels', /cost-optimal threshold needs labelled anomalies/);
  });
});

/** O(n²·tol) reference straight from the definition. */
function bruteForce(
  s: number[],
  y: number[],
  cAlarm: number,
  cMissed: number,
  tol: number,
): { value: number; cost: number; falseAlarms: number; missed: number } {
  const n = s.length;
  const candidates = [...new Set(s), Infinity];
  let best = { value: NaN, cost: Infinity, falseAlarms: 0, missed: 0 };
  for (const t of candidates) {
    let fa = 0;
    let missed = 0;
    for (let i = 0; i < n; i++) {
      const lo = Math.max(0, i - tol);
      const hi = Math.min(n - 1, i + tol);
      if (y[i] === 1) {
        let hit = false;
        for (let j = lo; j <= hi; j++) if ((s[j] as number) >= t) hit = true;
        if (!hit) missed++;
      } else if (y[i] === 0 && (s[i] as number) >= t) {
        let nearAnomaly = false;
        for (let j = lo; j <= hi; j++) if (y[j] === 1) nearAnomaly = true;
        if (!nearAnomaly) fa++;
      }
    }
    const cost = cAlarm * fa + cMissed * missed;
    if (cost < best.cost || (cost === best.cost && t > best.value)) best = { value: t, cost, falseAlarms: fa, missed };
  }
  return best;
}

describe('costOptimalThreshold — property test against the O(n²) definition', () => {
  it('agrees on 400 seeded random cases with tolerance 0..3', () => {
    const next = parkMiller(20240611);
    const costs = [0.5, 1, 2, 3.7, 5, 10];
    let checked = 0;
    let withTies = 0;
    for (let c = 0; c < 400; c++) {
      const n = 2 + randInt(next, 40);
      const levels = randInt(next, 2) === 0 ? 5 : 1000; // half the cases with many ties
      const anomalyRate = 0.05 + 0.4 * uniform(next);
      const s: number[] = [];
      const y: number[] = [];
      for (let i = 0; i < n; i++) {
        s.push(randInt(next, levels) / levels);
        const u = uniform(next);
        y.push(u < anomalyRate ? 1 : u < 0.9 ? 0 : randInt(next, 2) === 0 ? -1 : NaN);
      }
      if (!y.includes(1)) y[randInt(next, n)] = 1;
      if (!y.includes(0)) y[y.indexOf(1) === 0 ? n - 1 : 0] = 0;
      if (!y.includes(1)) continue;
      const cAlarm = costs[randInt(next, costs.length)] as number;
      const cMissed = costs[randInt(next, costs.length)] as number;
      const tolerance = c % 4;
      const ref = bruteForce(s, y, cAlarm, cMissed, tolerance);
      const got = costOptimalThreshold(new Float64Array(s), y, { cAlarm, cMissed, tolerance });
      expect({ value: got.value, cost: got.cost, falseAlarms: got.falseAlarms, missed: got.missed }, `case ${c}`).toEqual(ref);
      expect(got.alerts).toBe(s.filter((v) => v >= ref.value).length);
      expect(got.detected + got.missed).toBe(y.filter((v) => v === 1).length);
      if (levels === 5) withTies++;
      checked++;
    }
    expect(checked).toBeGreaterThan(380);
    expect(withTies).toBeGreaterThan(100);
  });

  it('stays O(n log n): one million rows with tolerance 3 in a few seconds', () => {
    // Normals score in [0, 1), every 500th row is an anomaly scoring in [2, 3): the optimum flags exactly the
    // anomalies, i.e. threshold = the lowest anomaly score, cost 0.
    const n = 1_000_000;
    const next = parkMiller(99);
    const s = new Float32Array(n);
    const y = new Int8Array(n);
    let lowestAnomaly = Infinity;
    for (let i = 0; i < n; i++) {
      s[i] = uniform(next);
      y[i] = i % 500 === 0 ? 1 : 0;
      if (y[i] === 1) {
        s[i] = 2 + (s[i] as number);
        lowestAnomaly = Math.min(lowestAnomaly, s[i] as number);
      }
    }
    // An O(n²) sweep would run for hours: the test's timeout is the guard, the bench has the timings.
    const r = costOptimalThreshold(s, y, { tolerance: 3 });
    expect(r.anomalies).toBe(2000);
    expect(r.value).toBe(lowestAnomaly);
    expect(r.cost).toBe(0);
    expect(r.alerts).toBe(2000);
  });
});

describe('costOptimalThreshold — tolerances beyond the number of rows (issue #18)', () => {
  const outcome = (r: ReturnType<typeof costOptimalThreshold>) => ({
    value: r.value,
    cost: r.cost,
    falseAlarms: r.falseAlarms,
    missed: r.missed,
    detected: r.detected,
    anomalies: r.anomalies,
    alerts: r.alerts,
  });

  it('tolerance 1e12 (and MAX_SAFE_INTEGER) gives the tolerance-n result, without a loop over the tolerance', () => {
    const n = scores.length;
    const atN = costOptimalThreshold(scores, labels, { tolerance: n });
    // Before the fix this ran a loop of n + 1e12 iterations (minutes); now the window is clamped to n rows.
    for (const tolerance of [n + 1, 1e12, Number.MAX_SAFE_INTEGER]) {
      const r = costOptimalThreshold(scores, labels, { tolerance });
      expect(outcome(r), `tolerance ${tolerance}`).toEqual(outcome(atN));
      expect(r.params.tolerance).toBe(tolerance); // reports what was asked for
    }
  });

  it('tolerance 1e12 on a larger series equals tolerance = n and the O(n²) definition', () => {
    const next = parkMiller(1812);
    const n = 5000;
    const s = new Float64Array(n);
    const y = new Int8Array(n);
    for (let i = 0; i < n; i++) {
      s[i] = uniform(next);
      y[i] = i % 97 === 0 ? 1 : 0;
    }
    const atN = costOptimalThreshold(s, y, { tolerance: n });
    const huge = costOptimalThreshold(s, y, { tolerance: 1e12 });
    expect(outcome(huge)).toEqual(outcome(atN));
    // A window covering every row: every anomaly is caught once the top score is flagged, no normal row is far
    // from an anomaly, so flagging only the top score costs nothing.
    expect(huge.value).toBe(Math.max(...s));
    expect(huge.cost).toBe(0);
  });

  it('agrees with the O(n²) definition for tolerances at and beyond n', () => {
    const next = parkMiller(4242);
    for (let c = 0; c < 100; c++) {
      const n = 2 + randInt(next, 25);
      const s: number[] = [];
      const y: number[] = [];
      for (let i = 0; i < n; i++) {
        s.push(randInt(next, 6) / 6);
        y.push(uniform(next) < 0.3 ? 1 : 0);
      }
      if (!y.includes(1)) y[0] = 1;
      if (!y.includes(0)) y[n - 1] = 0;
      for (const tolerance of [n - 1, n, n + 3, 1e12]) {
        const ref = bruteForce(s, y, 1, 5, Math.min(tolerance, n));
        const got = costOptimalThreshold(s, y, { tolerance });
        expect({ value: got.value, cost: got.cost, falseAlarms: got.falseAlarms, missed: got.missed }, `case ${c}, tolerance ${tolerance}`).toEqual(ref);
      }
    }
  });
});
