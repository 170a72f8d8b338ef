/**
 * Perturbed probes of one recording for the label-free choice: decode → perturb (every kind) →
 * log-Mel windows → normalise — the feature path of features/recording.ts applied to changed audio.
 */
import { decodeAudioFile, type DecodedAudio } from '../audio/decode.ts';
import { normalizeInPlace, type NormStats } from '../features/normalization.ts';
import { recordingFeatures } from '../features/recording.ts';
import { perturbationSeed, perturbAudio, PERTURBATION_KINDS, type PerturbationKind } from './perturbations.ts';

/** The log-Mel windows of `audio` with fault `kind` added, normalised with `norm` when given. */
export function perturbedWindows(audio: DecodedAudio, kind: PerturbationKind, seed: number, norm?: NormStats): Float32Array[] {
  const { windows } = recordingFeatures({ ...audio, samples: perturbAudio(audio.samples, kind, seed) });
  return windows.map((w) => (norm ? normalizeInPlace(w.data, norm) : w.data));
}

/**
 * One recording's probes: for each of PERTURBATION_KINDS (in order), its normalised windows.
 * `identity` seeds the perturbations (use the content hash: the same clip always gets the same faults).
 */
export async function probeWindowsOfFile(file: string, identity: string, norm: NormStats): Promise<Float32Array[][]> {
  const audio = await decodeAudioFile(file);
  const seed = perturbationSeed(identity);
  return PERTURBATION_KINDS.map((kind) => perturbedWindows(audio, kind, seed, norm));
}
