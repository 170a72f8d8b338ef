import { describe, expect, it } from 'vitest';
import { fmtCount, fmtDb, fmtFormat, fmtHz, fmtIndex, fmtPercent, fmtRate, fmtRelative, fmtSeconds } from '../../src/renderer/src/format.ts';
import { toDisplayState } from '../../src/renderer/src/states.ts';

describe('numbers with units', () => {
  it('formats every quantity with its unit, and missing values as a dash', () => {
    expect(fmtIndex(1.234)).toBe('1.23');
    expect(fmtIndex(null)).toBe('—');
    expect(fmtDb(6.04, true)).toBe('+6.0 dB');
    expect(fmtDb(-12)).toBe('-12.0 dB');
    expect(fmtDb(-0.01, true)).toBe('0.0 dB');
    expect(fmtHz(854.4)).toBe('854 Hz');
    expect(fmtHz(3660)).toBe('3.7 kHz');
    expect(fmtSeconds(0.35)).toBe('0.35 s');
    expect(fmtSeconds(125)).toBe('2 min 05 s');
    expect(fmtPercent(0.125)).toBe('12.5 %');
    expect(fmtCount(1, 'alarm')).toBe('1 alarm');
    expect(fmtCount(5000, 'alarm')).toBe('5,000 alarms');
    expect(fmtFormat({ container: 'wav', codec: 'pcm_s16le', channels: 1, sampleRateHz: 16000, bitsPerSample: 16 })).toBe(
      'WAV pcm_s16le 16-bit, 16 kHz, mono',
    );
  });
  it('rates per day, or per week when under one a day', () => {
    expect(fmtRate(14.4)).toBe('≈ 14 alarms/day');
    expect(fmtRate(2.5)).toBe('≈ 2.5 alarms/day');
    expect(fmtRate(0.1)).toBe('≈ 0.7 alarms/week');
    expect(fmtRate(0)).toBe('0 alarms/day');
  });
  it('relative hints', () => {
    const now = Date.parse('2026-11-29T12:00:00Z');
    expect(fmtRelative('2026-11-29T11:59:40Z', now)).toBe('just now');
    expect(fmtRelative('2026-11-29T09:00:00Z', now)).toBe('3 h ago');
    expect(fmtRelative('2026-11-29T12:05:00Z', now)).toBe('in 5 min');
    expect(fmtRelative('2026-11-27T12:00:00Z', now)).toBe('2 d ago');
  });
  it("maps the contract's machine states onto the display states", () => {
    expect(toDisplayState('no model')).toBe('no-model');
    expect(toDisplayState('alarm')).toBe('alarm');
    expect(toDisplayState('check recording')).toBe('check-recording');
    expect(toDisplayState(undefined)).toBe('no-model');
  });
});
