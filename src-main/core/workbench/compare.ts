import type { RankingOverlap } from '../../contract';
import { topKOverlap } from '../analysis';
import { getScore, readRankWindow } from '../engine';
import { ResidualError } from '../errors';
import type { ProjectStore } from '../store';

/**
 * The top-k agreement of several scores of one dataset (models compared on the same rows): each score's k
 * highest-ranked rows from its stored rank order (only those chunks are read), then every pair's shared rows,
 * overlap and Jaccard index. Scores of different datasets rank different rows: BAD_INPUT naming them.
 */
export function rankingOverlap(store: ProjectStore, scoreIds: readonly number[], k: number): RankingOverlap {
  if (new Set(scoreIds).size !== scoreIds.length) throw new ResidualError('BAD_INPUT', 'Each score may be compared once: scoreIds holds one twice.', { field: 'scoreIds' });
  const scores = scoreIds.map((id) => getScore(store, id));
  const datasetIds = [...new Set(scores.map((s) => s.datasetId))];
  if (datasetIds.length > 1) {
    const names = datasetIds.map((id) => {
      const ds = store.listDatasets().find((d) => d.id === id);
      return `"${ds?.name ?? `#${id}`}" (${scores.filter((s) => s.datasetId === id).map((s) => `score #${s.scoreId}`).join(', ')})`;
    });
    throw new ResidualError('BAD_INPUT', `These scores rank different datasets (${names.join(' and ')}): their rankings can only be compared on the same rows. Score one dataset with every model first.`, {
      field: 'scoreIds',
    });
  }
  const rows = scores[0]!.rows;
  if (rows === 0) throw new ResidualError('BAD_INPUT', 'The dataset has no rows to compare rankings on.', { field: 'scoreIds' });
  const kk = Math.min(k, rows);
  const tops = scores.map((s) => readRankWindow(store, s.scoreId, 0, kk).rows);
  return { datasetId: datasetIds[0]!, rows, k: kk, scoreIds: [...scoreIds], ...topKOverlap(tops, kk) };
}
