import { describe, expect, it } from 'vitest';
import { inferColumnRole, inferPositive, inferRoles, looksLikeIdName, type ColumnFacts } from '../../../src-main/core/data/infer';
import type { ColumnStats, ValueKind } from '../../../src-main/core/store';

function facts(name: string, kind: ValueKind, values: Record<string, number>, extra: Partial<ColumnStats> = {}): ColumnFacts {
  const top = Object.entries(values)
    .map(([value, count]) => ({ value, count }))
    .sort((a, b) => b.count - a.count);
  const count = top.reduce((a, t) => a + t.count, 0);
  return { name, kind, stats: { count, missing: 0, distinct: top.length, distinctCapped: false, topValues: top.slice(0, 10), ...extra } };
}

const many = (n: number, prefix = 'v'): Record<string, number> => Object.fromEntries(Array.from({ length: n }, (_, i) => [`${prefix}${i}`, 1]));

describe('inferColumnRole', () => {
  it('ignores all-missing and constant columns', () => {
    expect(inferColumnRole(facts('x', 'number', {}, { missing: 10 }), 10)).toMatchObject({ role: 'ignored', reason: 'every value is missing' });
    expect(inferColumnRole(facts('x', 'number', { 0: 8 }, { missing: 2 }), 10).reason).toMatch(/constant: every value is "0" apart from 2 missing values/);
  });

  it('makes a column named like an id an id only when it is unique per row', () => {
    expect(inferColumnRole(facts('customer_id', 'number', many(50)), 50).role).toBe('id');
    expect(inferColumnRole(facts('customer_id', 'number', { 1: 25, 2: 25 }), 50).role).toBe('numeric');
    expect(inferColumnRole(facts('amount', 'number', many(50)), 50).role).toBe('numeric');
    for (const n of ['id', 'ID', 'key', 'uuid', 'order_id', 'order-id', 'orderId', 'row.id']) expect(looksLikeIdName(n), n).toBe(true);
    for (const n of ['idea', 'valid', 'width', 'keyboard', 'Idaho']) expect(looksLikeIdName(n), n).toBe(false);
  });

  it('splits text into id (unique), categorical (few values) and free text', () => {
    expect(inferColumnRole(facts('code', 'text', many(40)), 40)).toMatchObject({ role: 'id', reason: 'text that is different in every row' });
    expect(inferColumnRole(facts('colour', 'text', { red: 30, blue: 20, green: 10 }), 60)).toMatchObject({ role: 'categorical', reason: 'text with 3 distinct values' });
    // 50 distinct values are still categories in enough rows; 51 are past the limit.
    expect(inferColumnRole(facts('town', 'text', { ...many(49), x: 200 }), 249).role).toBe('categorical');
    expect(inferColumnRole(facts('town', 'text', { ...many(50), x: 200 }), 250).role).toBe('ignored');
    // Few values but not fewer than half the rows: free text.
    expect(inferColumnRole(facts('note', 'text', { a: 2, b: 1, c: 1 }), 5)).toMatchObject({ role: 'ignored', reason: 'free text: 3 distinct values in 4 rows' });
    expect(inferColumnRole(facts('note', 'text', many(10), { distinct: 100_000, distinctCapped: true, count: 500_000 }), 500_000).reason).toMatch(/more than 100,000/);
  });

  it('finds labels by name (2 to 10 values) and by outcome words', () => {
    expect(inferColumnRole(facts('Class', 'text', { good: 225, bad: 126 }), 351)).toMatchObject({ role: 'label', positiveValue: 'bad' });
    expect(inferColumnRole(facts('target', 'number', { 0: 90, 1: 10 }), 100)).toMatchObject({ role: 'label', positiveValue: '1' });
    expect(inferColumnRole(facts('outcome', 'text', { stay: 70, churn: 30 }), 100)).toMatchObject({ role: 'label', positiveValue: 'churn' });
    // Named like a label, but which value is the anomaly is anyone's guess: kept out, with a reason.
    const three = inferColumnRole(facts('class', 'number', { 1: 10, 2: 10, 3: 10 }), 30);
    expect(three).toMatchObject({ role: 'ignored', positiveValue: null });
    expect(three.reason).toMatch(/no value obviously marks an anomaly/);
    const eleven = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`c${i}`, 90]));
    expect(inferColumnRole(facts('class', 'text', eleven), 990).role).toBe('categorical');
    expect(inferColumnRole(facts('diabetes', 'text', { neg: 500, pos: 268 }), 768)).toMatchObject({ role: 'label', positiveValue: 'pos' });
    expect(inferColumnRole(facts('smoker', 'text', { yes: 20, no: 80 }), 100).role).toBe('categorical');
  });

  it('makes time columns timestamps', () => {
    expect(inferColumnRole(facts('when', 'time', many(5)), 5).role).toBe('timestamp');
  });
});

describe('inferPositive', () => {
  it('uses known words, then the rarer of two values, else gives up', () => {
    expect(inferPositive(facts('c', 'text', { benign: 357, malignant: 212 }).stats)?.value).toBe('malignant');
    expect(inferPositive(facts('c', 'text', { no: 10, yes: 90 }).stats)?.value).toBe('yes');
    expect(inferPositive(facts('c', 'text', { a: 10, b: 3 }).stats)).toMatchObject({ value: 'b', why: expect.stringMatching(/rarer/) });
    expect(inferPositive(facts('c', 'text', { a: 5, b: 5 }).stats)).toBeNull();
    expect(inferPositive(facts('c', 'number', { 1: 5, 2: 5, 3: 1 }).stats)).toBeNull();
  });
});

describe('inferRoles', () => {
  it('keeps one label (the one named like a label) and one timestamp (the first)', () => {
    const roles = inferRoles(
      [facts('t1', 'time', many(4)), facts('status', 'text', { normal: 3, abnormal: 1 }), facts('label', 'text', { ok: 3, fraud: 1 }), facts('t2', 'time', many(4)), facts('x', 'number', many(4))],
      4,
    );
    expect(roles.map((r) => r.role)).toEqual(['timestamp', 'ignored', 'label', 'ignored', 'numeric']);
    expect(roles[1]!.reason).toMatch(/"label" is the label/);
    expect(roles[3]!.reason).toMatch(/"t1" is the timestamp/);
  });
});
