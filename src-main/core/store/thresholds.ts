/** Saved thresholds (table `thresholds`, migration 003): the only SQL for them. Computing one lives in core/review. */
import type { StoredThreshold } from '../../contract/review';
import type { ProjectStore } from './store';

interface ThresholdRow {
  id: number;
  model_id: number;
  score_id: number | null;
  spec_json: string;
  result_json: string;
  created_at: string;
}

// JSON has no Infinity: a "no alarms" threshold (+∞) is stored as this marker.
const INF = '+Infinity';
const encode = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => (x === Infinity ? INF : x));
const decode = <T>(s: string): T => JSON.parse(s, (_k, x: unknown) => (x === INF ? Infinity : x)) as T;

function toStored(r: ThresholdRow): StoredThreshold {
  return { id: r.id, modelId: r.model_id, scoreId: r.score_id, spec: decode<StoredThreshold['spec']>(r.spec_json), result: decode<StoredThreshold['result']>(r.result_json), createdAt: r.created_at };
}

/** Stores a threshold (it becomes the model's active one); returns its id. One statement. */
export function insertThreshold(store: ProjectStore, t: Omit<StoredThreshold, 'id'>): number {
  return Number(
    store.db
      .prepare(
        `INSERT INTO thresholds(model_id, score_id, method, spec_json, result_json, value, alerts, why, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(t.modelId, t.scoreId, t.spec.method, encode(t.spec), encode(t.result), t.result.value, t.result.alerts, t.result.why, t.createdAt).lastInsertRowid,
  );
}

/** The model's active threshold: the one set last. */
export function activeThreshold(store: ProjectStore, modelId: number): StoredThreshold | undefined {
  const r = store.db.prepare('SELECT * FROM thresholds WHERE model_id = ? ORDER BY id DESC LIMIT 1').get(modelId) as ThresholdRow | undefined;
  return r ? toStored(r) : undefined;
}

export function listThresholds(store: ProjectStore, modelId: number): StoredThreshold[] {
  return (store.db.prepare('SELECT * FROM thresholds WHERE model_id = ? ORDER BY id').all(modelId) as ThresholdRow[]).map(toStored);
}
