/**
 * The states a machine or a clip is shown in, one palette everywhere (styles.css `--state-*`), each
 * with an icon and a word so colour is never the only cue.
 */
export type DisplayState = 'ok' | 'watch' | 'alarm' | 'no-model' | 'check-recording';

export const STATE_LABEL: Record<DisplayState, string> = {
  ok: 'ok',
  watch: 'watch',
  alarm: 'alarm',
  'no-model': 'no model',
  'check-recording': 'check recording',
};

/** Worst first: the order machines are sorted in. */
export const STATE_SEVERITY: Record<DisplayState, number> = {
  alarm: 4,
  'check-recording': 3,
  watch: 2,
  ok: 1,
  'no-model': 0,
};

/** Maps the contract's machine state names (`no_model`, `no model`, …) onto the display states. */
export function toDisplayState(state: string | null | undefined): DisplayState {
  const s = String(state ?? '').toLowerCase().replace(/[\s_]+/g, '-');
  if (s === 'ok' || s === 'watch' || s === 'alarm' || s === 'check-recording') return s;
  return 'no-model';
}

/** Alarm statuses in words (one vocabulary on every screen). */
export const ALARM_STATUS_WORD: Record<string, string> = {
  new: 'new',
  acknowledged: 'acknowledged',
  confirmed_anomaly: 'confirmed anomaly',
  false_alarm: 'false alarm',
  cleared: 'cleared',
};
