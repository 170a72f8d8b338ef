import { logMelVector, type BackendContext, type BackendKind, type LogMelKind } from '../../engine/backends/index.ts';
import type { CachedRecording, FeatureCache } from '../../engine/features/cache.ts';
import { normStatsFromJson, normStatsToJson, type NormStats } from '../../engine/features/normalization.ts';
import { LOGMEL_CANDIDATES } from './detector-choice.ts';
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
  /** The model's default back-end kind (kept when the per-machine choice cannot tell candidates apart). */
  backendKind: BackendKind;
  /** Kinds the per-machine detector choice (detector-choice.ts) picks from; the first is the default. */
  readonly candidateKinds: readonly BackendKind[];
  /** The kind `machine` is scored with (set by the choice or a restored fit; default `backendKind`). */
  kindOf(machine: Pick<Machine, 'id'>): BackendKind;
  useKind(machine: Pick<Machine, 'id'>, kind: BackendKind): void;
  /** The vectors of normalised windows for `machine`'s kind (the choice's perturbed probes). */
  vectorsOfWindows(machine: Pick<Machine, 'id'>, windows: Float32Array[]): Float32Array[];
  /** How `machine`'s windows are normalised (after prepare/restore). */
  normStatsOf(machine: Pick<Machine, 'id'>): NormStats;
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

/** Per machine, the chosen kind of a representation (default: its `backendKind`). */
export class MachineKinds {
  private readonly kinds = new Map<number, BackendKind>();
  constructor(
    private readonly fallback: BackendKind,
    private readonly allowed: readonly BackendKind[],
  ) {}
  get(machine: Pick<Machine, 'id'>): BackendKind {
    return this.kinds.get(machine.id) ?? this.fallback;
  }
  set(machine: Pick<Machine, 'id'>, kind: BackendKind): void {
    if (!this.allowed.includes(kind)) throw new Error(`back-end ${kind} is not one of ${this.allowed.join(', ')}`);
    this.kinds.set(machine.id, kind);
  }
}

/**
 * The training-free model (method.md §6, "simple representations", and the small-data log-Mel
 * detectors): per machine, the bands are normalised with that machine's training statistics; each
 * window becomes the chosen detector's input (`logMelVector`): the temporal mean scored by a
 * full-covariance Gaussian (the baseline, default), per-band statistics, or the window's frames.
 */
export class LogMelRepresentation implements Representation {
  readonly backendKind = 'mean-logmel' as const;
  readonly candidateKinds = LOGMEL_CANDIDATES;
  private readonly stats = new Map<number, NormStats>();
  private readonly kinds = new MachineKinds(this.backendKind, this.candidateKinds);

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

  kindOf(machine: Pick<Machine, 'id'>): BackendKind {
    return this.kinds.get(machine);
  }

  useKind(machine: Pick<Machine, 'id'>, kind: BackendKind): void {
    this.kinds.set(machine, kind);
  }

  normStatsOf(machine: Pick<Machine, 'id'>): NormStats {
    const stats = this.stats.get(machine.id);
    if (!stats) throw new Error(`no normalisation statistics for machine ${machine.id}: fit its back-end first`);
    return stats;
  }

  vectorsOfWindows(machine: Pick<Machine, 'id'>, windows: Float32Array[]): Float32Array[] {
    const kind = this.kinds.get(machine) as LogMelKind;
    return windows.map((w) => logMelVector(kind, w));
  }

  async vectorsOf(rec: Recording): Promise<WindowVectors> {
    const machine = { id: rec.machineId };
    const { windows, startsS } = await cachedWindows(this.cache, rec, this.normStatsOf(machine));
    return { vectors: this.vectorsOfWindows(machine, windows), startsS };
  }

  dispose(): void {}
}
