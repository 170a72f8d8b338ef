import { defineStore } from 'pinia';
import { ref } from 'vue';

/**
 * The list j/k walk in the clip inspector: the flagged clips of a machine, or the filtered alarms
 * list the inspector was opened from (newest first). A deep link without one walks the machine's
 * flagged clips.
 */
export const useWalkStore = defineStore('walk', () => {
  const recordingIds = ref<number[]>([]);
  const label = ref('');
  function set(ids: number[], what: string): void {
    recordingIds.value = [...new Set(ids)];
    label.value = what;
  }
  return { recordingIds, label, set };
});
