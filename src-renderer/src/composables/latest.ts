import { ref, type Ref } from 'vue';
import { errorMessage } from '../state';

/**
 * The views' load/try/catch idiom in one place: `run(load)` fetches, keeps only the newest answer (an older request
 * that finishes late is dropped, so a slow answer for the previous score never overwrites the current one) and
 * exposes the value, the error as a message for the analyst, and whether a request is on its way.
 */
export function useLatest<T>(initial: T) {
  const data = ref(initial) as Ref<T>;
  const error = ref<string | null>(null);
  const loading = ref(false);
  /** True once any request has ended (with an answer or an error). */
  const loaded = ref(false);
  let seq = 0;

  /** Runs `load`; resolves true when its answer is the one now shown. */
  async function run(load: () => Promise<T>): Promise<boolean> {
    const id = ++seq;
    loading.value = true;
    try {
      const value = await load();
      if (id !== seq) return false;
      data.value = value;
      error.value = null;
      return true;
    } catch (e) {
      if (id === seq) error.value = errorMessage(e);
      return false;
    } finally {
      if (id === seq) {
        loading.value = false;
        loaded.value = true;
      }
    }
  }

  /** Drops whatever is on its way (the view moved on to something that needs no request). */
  function forget(): void {
    seq++;
    loading.value = false;
  }

  return { data, error, loading, loaded, run, forget };
}
