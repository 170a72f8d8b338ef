/**
 * Numbers and dates as a person on the floor reads them: every number with its unit, dates in
 * local time with a relative hint. Pure functions (tested in tests/renderer/format.test.ts).
 */

const DASH = '—';

function finite(x: number | null | undefined): x is number {
  return typeof x === 'number' && Number.isFinite(x);
}

// Intl formatters are costly to build: one per format, reused (lists render thousands of rows).
const numberFormats = new Map<number, Intl.NumberFormat>();
function numberFormat(digits: number): Intl.NumberFormat {
  let f = numberFormats.get(digits);
  if (!f) {
    f = new Intl.NumberFormat('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
    numberFormats.set(digits, f);
  }
  return f;
}
const DATE_TIME = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' });
const CLOCK = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
const DAY_CLOCK = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });

/** A plain number with a fixed number of decimals, or "—". */
export function fmtNumber(x: number | null | undefined, digits = 2): string {
  if (!finite(x)) return DASH;
  return numberFormat(digits).format(x);
}

/** Health index (0 = typical normal, 1 = alarm threshold): two decimals, no unit (it is a ratio). */
export function fmtIndex(x: number | null | undefined): string {
  return fmtNumber(x, 2);
}

/** Decibels, signed when `signed` (a difference): "+6.2 dB". */
export function fmtDb(x: number | null | undefined, signed = false, digits = 1): string {
  if (!finite(x)) return DASH;
  const s = x.toFixed(digits);
  return `${signed && x > 0 ? '+' : ''}${s === '-0.0' ? '0.0' : s} dB`;
}

/** Frequencies: "850 Hz", "1.2 kHz". */
export function fmtHz(hz: number | null | undefined): string {
  if (!finite(hz)) return DASH;
  return Math.abs(hz) >= 1000 ? `${(hz / 1000).toFixed(hz >= 10_000 ? 0 : 1)} kHz` : `${Math.round(hz)} Hz`;
}

/** Durations: "0.35 s", "9.8 s", "2 min 05 s", "1 h 04 min". */
export function fmtSeconds(s: number | null | undefined): string {
  if (!finite(s)) return DASH;
  if (s < 1) return `${s.toFixed(2)} s`;
  if (s < 60) return `${s.toFixed(1)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(Math.round(s % 60)).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

/** A share as a percentage: 0.125 → "12.5 %". */
export function fmtPercent(x: number | null | undefined, digits = 1): string {
  if (!finite(x)) return DASH;
  return `${(100 * x).toFixed(digits)} %`;
}

/** A rate of events: "≈ 1.4 alarms/day", "≈ 0.3 alarms/week" (per week when under one a day). */
export function fmtRate(perDay: number | null | undefined, what = 'alarms'): string {
  if (!finite(perDay)) return DASH;
  if (perDay === 0) return `0 ${what}/day`;
  if (perDay >= 1) return `≈ ${perDay.toFixed(perDay >= 10 ? 0 : 1)} ${what}/day`;
  const perWeek = perDay * 7;
  return `≈ ${perWeek.toFixed(perWeek >= 10 ? 0 : 1)} ${what}/week`;
}

/** A count with its noun, pluralised: "1 clip", "3 clips". */
export function fmtCount(n: number, noun: string, plural = `${noun}s`): string {
  return `${numberFormat(0).format(n)} ${n === 1 ? noun : plural}`;
}

/** "3 h ago", "in 5 min", "just now": the hint next to a local date. */
export function fmtRelative(iso: string | null | undefined, now: number = Date.now()): string {
  if (!iso) return DASH;
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) return DASH;
  const ds = (t - now) / 1000;
  const a = Math.abs(ds);
  if (a < 45) return 'just now';
  const units: [number, string][] = [
    [60, 'min'],
    [3600, 'h'],
    [86_400, 'd'],
    [7 * 86_400, 'wk'],
    [30 * 86_400, 'mo'],
    [365 * 86_400, 'y'],
  ];
  let [div, unit] = units[0]!;
  for (const [d, u] of units) if (a >= d) [div, unit] = [d, u];
  const n = Math.round(a / div);
  return ds < 0 ? `${n} ${unit} ago` : `in ${n} ${unit}`;
}

/** Local date and time, e.g. "29 Nov 2026, 14:05". */
export function fmtDateTime(iso: string | null | undefined): string {
  if (!iso) return DASH;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return DASH;
  return DATE_TIME.format(d);
}

/** Local time of day, with the date when it is not today: "14:05:09", "28 Nov 14:05". */
export function fmtClock(iso: string | null | undefined, now: Date = new Date()): string {
  if (!iso) return DASH;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return DASH;
  const sameDay = d.toDateString() === now.toDateString();
  return sameDay ? CLOCK.format(d) : DAY_CLOCK.format(d);
}

/** Audio format in one line: "WAV PCM 16-bit, 16 kHz, mono". */
export function fmtFormat(f: {
  container: string;
  codec: string;
  channels: number;
  sampleRateHz: number;
  bitsPerSample: number;
}): string {
  const ch = f.channels === 1 ? 'mono' : f.channels === 2 ? 'stereo' : `${f.channels} channels`;
  return `${f.container.toUpperCase()} ${f.codec} ${f.bitsPerSample}-bit, ${fmtHz(f.sampleRateHz)}, ${ch}`;
}

/** Sizes on disk: "812 kB", "1.4 MB", "2.10 GB" (decimal units, as file managers show them). */
export function fmtBytes(bytes: number | null | undefined): string {
  if (!finite(bytes)) return DASH;
  if (bytes < 1000) return `${Math.round(bytes)} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = bytes / 1000;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${v.toFixed(v >= 100 ? 0 : v >= 10 ? 1 : 2)} ${units[u]}`;
}
