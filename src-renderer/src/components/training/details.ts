import type { ModelDetail } from '../../../../src-main/contract';
import { api } from '../../api/client';

const cache = new Map<number, Promise<ModelDetail>>();

/** A model's full settings and loss history (model.get): fixed once trained, so fetched once per model. */
export function modelDetail(modelId: number): Promise<ModelDetail> {
  let p = cache.get(modelId);
  if (!p) {
    p = api.invoke('model.get', { modelId });
    cache.set(modelId, p);
    p.catch(() => cache.delete(modelId));
  }
  return p;
}
