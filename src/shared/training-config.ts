/**
 * The training configuration of a project model: one zod schema, one set of defaults, used by the
 * API (`models/train`), the CLI (`auscult project train`, `auscult train`) and the training job
 * (which re-validates the stored config, so a model trained from any adapter gets the same values).
 * Browser-safe: no Node imports.
 */
import { z } from 'zod';

export const TRAINING_PRESETS = ['quick', 'standard', 'paper'] as const;
export type TrainingPresetName = (typeof TRAINING_PRESETS)[number];

/** The defaults every adapter shows and uses. */
export const TRAINING_DEFAULTS = {
  /** Sub-clusters per machine (S); 1 = AdaCos. 16 is the paper's best single value. */
  subclusters: 16,
  /** quick: minutes on a CPU; standard and paper (400 epochs) need hours. */
  preset: 'quick',
  seed: 1,
} as const satisfies { subclusters: number; preset: TrainingPresetName; seed: number };

export const trainingConfigSchema = z
  .object({
    subclusters: z.number().int().min(1).max(64).default(TRAINING_DEFAULTS.subclusters),
    preset: z.enum(TRAINING_PRESETS).default(TRAINING_DEFAULTS.preset),
    /** Overrides the preset's epochs. */
    epochs: z.number().int().min(1).max(10_000).optional(),
    seed: z.number().int().min(0).default(TRAINING_DEFAULTS.seed),
  })
  .strict();

/** A validated training configuration (defaults filled in): what a model stores and the trainer reads. */
export type TrainingConfig = z.output<typeof trainingConfigSchema>;
