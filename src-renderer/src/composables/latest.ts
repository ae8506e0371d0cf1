import { getCurrentScope, onScopeDispose, ref, type Ref } from 'vue';
import { errorMessage } from '../state';

/** When a failure clears the shown error: as soon as a new call starts, or only once an answer arrives. */
export interface LatestOptions {
  /** 'start': the error box goes as a new request starts; 'answer' (default): it stays until one succeeds. */
  readonly clearError?: 'start' | 'answer';
}

/**
 * "Latest request wins", the views' load idiom in one place. Each `run(load, apply)` is a call; only the newest call's
 * answer reaches `apply` (an older request that ends late is dropped, so a slow answer for the previous row never
 * overwrites the current one), and only its failure reaches `error` (or `fail`, when given). `schedule` runs a call
 * after a quiet spell (typing, arrow keys held down): a newer schedule or run replaces it, and from the moment it is
 * scheduled the answers of calls already on their way are stale. `loading` is true from a call's start to the newest
 * call's end. Inside a component, a pending schedule is dropped when the component goes.
 */
export function useLatestCall(options: LatestOptions = {}) {
  const error = ref<string | null>(null);
  const loading = ref(false);
  let seq = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;

  /**
   * Starts `load` now (it is called synchronously, so what it does before its first await happens at once); resolves
   * true when its answer was applied, false when a newer call superseded it or it failed.
   */
  async function run<T>(load: () => Promise<T>, apply: (value: T) => void, fail?: (e: unknown) => void): Promise<boolean> {
    clearTimeout(timer);
    timer = undefined;
    const id = ++seq;
    loading.value = true;
    if (options.clearError === 'start') error.value = null;
    try {
      const value = await load();
      if (id !== seq) return false;
      error.value = null;
      apply(value);
      return true;
    } catch (e) {
      if (id === seq) {
        if (fail) fail(e);
        else error.value = errorMessage(e);
      }
      return false;
    } finally {
      if (id === seq) loading.value = false;
    }
  }

  /** Runs the call after `ms` without a newer one; what is on its way now is stale already. */
  function schedule<T>(ms: number, load: () => Promise<T>, apply: (value: T) => void, fail?: (e: unknown) => void): void {
    clearTimeout(timer);
    seq++;
    timer = setTimeout(() => void run(load, apply, fail), ms);
  }

  /** Drops whatever is on its way or waiting (the view moved on to something that needs no request). */
  function forget(): void {
    clearTimeout(timer);
    timer = undefined;
    seq++;
    loading.value = false;
  }

  if (getCurrentScope()) onScopeDispose(forget);

  return { error, loading, run, schedule, forget };
}

/**
 * The latest-wins call that keeps its answer: `run(load)` fetches (`schedule(ms, load)` after a quiet spell), the
 * newest answer is `data`, a failure a message for the analyst in `error`; `loaded` turns true once any request has
 * ended (with an answer or an error).
 */
export function useLatest<T>(initial: T, options: LatestOptions = {}) {
  const data = ref(initial) as Ref<T>;
  const loaded = ref(false);
  const call = useLatestCall(options);

  /** Runs `load`; resolves true when its answer is the one now shown. */
  const apply = (value: T): void => {
    data.value = value;
    loaded.value = true;
  };
  const fail = (e: unknown): void => {
    call.error.value = errorMessage(e);
    loaded.value = true;
  };
  function run(load: () => Promise<T>): Promise<boolean> {
    return call.run(load, apply, fail);
  }
  /** Runs `load` after `ms` without a newer call (see useLatestCall's schedule). */
  function schedule(ms: number, load: () => Promise<T>): void {
    call.schedule(ms, load, apply, fail);
  }

  return { data, error: call.error, loading: call.loading, loaded, run, schedule, forget: call.forget };
}
