/**
 * The row detail's read (src-renderer/src/components/row/rowRead.ts) without a browser: reads answered by the test
 * when it chooses, so the race CI once hit in work-while-training (a verdict saved while the row's read was on its
 * way, the read answering with the older verdict) is replayed step by step.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('../../src-renderer/src/state', () => ({ errorMessage: (e: unknown) => (e as Error).message }));

const { useRowRead } = await import('../../src-renderer/src/components/row/rowRead');

type Verdict = 'anomaly' | 'normal' | 'unsure' | null;
interface Detail {
  readonly row: number;
  readonly verdict: Verdict;
  readonly note: string;
}
interface Read {
  readonly row: number;
  answer(verdict: Verdict, note?: string): void;
  fail(message: string): void;
}

let reads: Read[] = [];
function setup() {
  return useRowRead<Detail, Verdict, string>(
    (row) =>
      new Promise((resolve, reject) => {
        reads.push({ row, answer: (verdict, note = '') => resolve([{ row, verdict, note }, `record ${row}`]), fail: (m) => reject(new Error(m)) });
      }),
  );
}
/** Lets the timers run and the answers land. */
const settle = (ms = 0): Promise<void> => vi.advanceTimersByTimeAsync(ms).then(() => undefined);

beforeEach(() => {
  reads = [];
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('useRowRead', () => {
  it('shows a verdict saved while the row is being read, not the older verdict of the read', async () => {
    const r = setup();
    r.ask(7, 0);
    await settle();
    expect(reads.map((x) => x.row)).toEqual([7]);
    // The analyst marks row 7 from the table while its read is on the way; the read answers from before the save.
    expect(r.tell(7, 'anomaly', 'spike')).toBe(false); // nothing shown yet
    reads[0]!.answer(null);
    await settle();
    expect(r.detail.value).toEqual({ row: 7, verdict: 'anomaly', note: 'spike' });
    expect(r.extra.value).toBe('record 7');
    expect(r.loading.value).toBe(false);
  });

  it('keeps the read\'s answer over a change told before the read started (the read includes it) or for another row', async () => {
    const r = setup();
    r.ask(1, 0);
    await settle();
    reads[0]!.answer('normal');
    await settle();
    r.ask(2, 140);
    r.tell(2, 'unsure', ''); // told while the read of row 2 waits its turn: the read starts after the save
    await settle(140);
    r.tell(3, 'anomaly', ''); // another row
    reads[1]!.answer('anomaly', 'checked');
    await settle();
    expect(r.detail.value).toEqual({ row: 2, verdict: 'anomaly', note: 'checked' });
  });

  it('a change for the shown row is shown at once', async () => {
    const r = setup();
    r.ask(4, 0);
    await settle();
    reads[0]!.answer(null);
    await settle();
    expect(r.tell(4, 'normal', 'fine')).toBe(true);
    expect(r.detail.value).toEqual({ row: 4, verdict: 'normal', note: 'fine' });
    expect(r.tell(5, 'anomaly', '')).toBe(false);
    expect(r.detail.value?.verdict).toBe('normal');
  });

  it('reads only the row the arrow keys stop on; a late answer for an earlier row is dropped', async () => {
    const r = setup();
    r.ask(10, 0);
    await settle();
    reads[0]!.answer(null);
    await settle();
    r.ask(11, 140);
    expect(r.loading.value).toBe(true); // at once: the row shown is not the one asked for any more
    await settle(140);
    for (const row of [12, 13, 14]) {
      r.ask(row, 140);
      await settle(60);
    }
    await settle(140);
    expect(reads.map((x) => x.row)).toEqual([10, 11, 14]);
    reads[2]!.answer('unsure');
    await settle();
    reads[1]!.answer('anomaly'); // row 11's answer, last
    await settle();
    expect(r.detail.value).toEqual({ row: 14, verdict: 'unsure', note: '' });
    expect(r.loading.value).toBe(false);
  });

  it('says why a read failed, ignores a stale read\'s failure, and clears the error as the next read starts', async () => {
    const r = setup();
    r.ask(1, 0);
    await settle();
    r.ask(2, 0);
    await settle();
    reads[0]!.fail('stale failure');
    reads[1]!.fail('The score was deleted');
    await settle();
    expect(r.error.value).toBe('The score was deleted');
    r.ask(3, 140);
    await settle(140);
    expect(r.error.value).toBeNull();
  });

  it('no row: nothing shown, and the read on its way is dropped', async () => {
    const r = setup();
    r.ask(1, 0);
    await settle();
    r.ask(null, 0);
    reads[0]!.answer('anomaly');
    await settle();
    expect(r.detail.value).toBeNull();
    expect(r.loading.value).toBe(false);
  });
});
