import type { BackendContext, BackendKind } from '../../engine/backends/index.ts';
import type { CachedRecording, FeatureCache } from '../../engine/features/cache.ts';
import { normStatsFromJson, normStatsToJson, type NormStats } from '../../engine/features/normalization.ts';
import { temporalMean } from '../../engine/features/simple.ts';
import type { Machine, Recording } from '../../shared/domain.ts';

/** The vectors a back-end scores for one recording: one per 313-frame window, with its start time. */
export interface WindowVectors {
  vectors: Float32Array[];
  startsS: number[];
}

/**
 * How a model turns a recording into vectors for the back-end of one machine. Prepared once per
 * machine from its training recordings (`prepare`), or restored from the stored fit (`restore`).
 */
export interface Representation {
  backendKind: BackendKind;
  prepare(machine: Machine, train: Recording[]): Promise<unknown>;
  restore(machine: Machine, state: unknown): void;
  backendContext(machine: Machine): BackendContext;
  vectorsOf(rec: Recording): Promise<WindowVectors>;
  dispose(): void;
}

/**
 * Cached log-Mel windows of a recording (decoding and log-Mel happen once per content), normalised
 * with `norm` when given (else un-normalised, dB).
 */
export async function cachedWindows(
  cache: FeatureCache,
  rec: Recording,
  norm?: NormStats,
): Promise<{ windows: Float32Array[]; startsS: number[] }> {
  const entry = await cache.ensureFile(rec.path);
  return { windows: cache.readWindows(entry.key, norm), startsS: entry.windowStartsS };
}

/**
 * The training-free baseline (method.md §6, "simple representations"): per machine, the bands are
 * normalised with that machine's training statistics, and each window becomes its temporal mean
 * (128-d), scored by a full-covariance Gaussian.
 */
export class MeanLogMelRepresentation implements Representation {
  readonly backendKind = 'mean-logmel' as const;
  private readonly stats = new Map<number, NormStats>();

  constructor(private readonly cache: FeatureCache) {}

  async prepare(machine: Machine, train: Recording[]): Promise<unknown> {
    const entries: CachedRecording[] = [];
    for (const rec of train) entries.push(await this.cache.ensureFile(rec.path));
    const stats = this.cache.normStats(entries);
    this.stats.set(machine.id, stats);
    return { norm: normStatsToJson(stats) };
  }

  restore(machine: Machine, state: unknown): void {
    this.stats.set(machine.id, normStatsFromJson((state as { norm?: unknown })?.norm));
  }

  backendContext(): BackendContext {
    return {};
  }

  async vectorsOf(rec: Recording): Promise<WindowVectors> {
    const stats = this.stats.get(rec.machineId);
    if (!stats)
      throw new Error(`no normalisation statistics for machine ${rec.machineId}: fit its back-end first`);
    const { windows, startsS } = await cachedWindows(this.cache, rec, stats);
    return { vectors: windows.map((w) => temporalMean(w)), startsS };
  }

  dispose(): void {}
}
