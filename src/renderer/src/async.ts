import { ref, shallowRef, type Ref, type ShallowRef } from 'vue';

/**
 * State of one load from the API: the data (kept while a reload runs, so screens do not flicker),
 * the error (shown in place), and whether the first load is still running.
 */
export function useAsync<T>(load: () => Promise<T>): {
  data: ShallowRef<T | undefined>;
  error: Ref<unknown>;
  loading: Ref<boolean>;
  reload: () => Promise<void>;
} {
  const data = shallowRef<T>();
  const error = ref<unknown>(null);
  const loading = ref(true);
  let seq = 0;
  async function reload(): Promise<void> {
    const mine = ++seq;
    try {
      const value = await load();
      if (mine !== seq) return;
      data.value = value;
      error.value = null;
    } catch (err) {
      if (mine === seq) error.value = err;
    } finally {
      if (mine === seq) loading.value = false;
    }
  }
  return { data, error, loading, reload };
}
