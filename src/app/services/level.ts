/**
 * Clip level: RMS of the decoded signal (the mono mix at 16 kHz the features are computed from)
 * in dBFS, where a full-scale square wave is 0 dB and a full-scale sine −3.01 dB. Measured once at
 * import. A clip recorded much quieter or louder than its machine's training clips (microphone
 * moved, gain changed) is reported as a level finding of its own, so that a person does not read
 * a level change as a machine fault.
 */
import type { ClipLevel } from '../../shared/api.ts';

/** A level difference from training beyond this is reported as a finding. */
export const LEVEL_MARGIN_DB = 6;
/** Digital silence is reported at this level rather than −∞. */
const SILENCE_DBFS = -150;

export function rmsDbfs(samples: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += samples[i]! * samples[i]!;
  const rms = Math.sqrt(sum / Math.max(1, samples.length));
  return rms > 0 ? Math.max(SILENCE_DBFS, 20 * Math.log10(rms)) : SILENCE_DBFS;
}

/** A clip's level against its machine's training level (median of the training clips' levels). */
export function clipLevel(levelDbfs: number | null, trainingLevelDbfs: number | null): ClipLevel {
  if (levelDbfs === null || trainingLevelDbfs === null)
    return { levelDbfs, trainingLevelDbfs, differenceDb: null, finding: null };
  const differenceDb = levelDbfs - trainingLevelDbfs;
  const finding =
    Math.abs(differenceDb) > LEVEL_MARGIN_DB
      ? `recorded ${Math.abs(differenceDb).toFixed(1)} dB ${differenceDb < 0 ? 'quieter' : 'louder'} than training`
      : null;
  return { levelDbfs, trainingLevelDbfs, differenceDb, finding };
}
