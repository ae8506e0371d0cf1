import { Prng } from '../../../src-main/core/engine/prng';
import { ResidualError } from '../../../src-main/core/errors';
import type { TestColumn } from '../../helpers/dataset';

/**
 * Rows on a 2-D manifold embedded in `width` numeric columns plus noise, with a few rows pushed off it
 * (labelled 'bad'): something an autoencoder can learn in a few epochs.
 */
export function manifoldColumns(rows: number, width: number, seed = 1, anomalies = 0): TestColumn[] {
  const rng = new Prng(seed);
  const mix = Array.from({ length: width }, () => [rng.normal(), rng.normal()] as const);
  const cols = Array.from({ length: width }, () => new Array<number>(rows));
  const label = new Array<string | null>(rows);
  for (let r = 0; r < rows; r++) {
    const a = rng.normal();
    const b = rng.normal();
    const bad = r < anomalies;
    for (let j = 0; j < width; j++) {
      const [u, v] = mix[j]!;
      cols[j]![r] = u * a + v * b + 0.05 * rng.normal() + (bad && j % 2 === 0 ? 3 : 0);
    }
    label[r] = bad ? 'bad' : 'good';
  }
  const out: TestColumn[] = cols.map((values, j) => ({ name: `x${j}`, role: 'numeric' as const, values }));
  if (anomalies > 0) out.push({ name: 'label', role: 'label', values: label, positiveValue: 'bad' });
  return out;
}

/** The ResidualError a promise rejects with (fails the test if it resolves or throws something else). */
export async function errorOf(promise: Promise<unknown>): Promise<ResidualError> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof ResidualError) return e;
    throw e;
  }
  throw new Error('expected a ResidualError');
}
