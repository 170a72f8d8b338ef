import { ref, type Ref } from 'vue';

/**
 * One clock for every relative date on screen ("3 min ago"), ticking once a minute: a list of
 * thousands of rows shares one timer instead of one per row.
 */
const now = ref(Date.now());
let timer: ReturnType<typeof setInterval> | undefined;

export function useMinuteClock(): Readonly<Ref<number>> {
  timer ??= setInterval(() => (now.value = Date.now()), 60_000);
  return now;
}
