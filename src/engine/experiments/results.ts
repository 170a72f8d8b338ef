/**
 * Results of a DCASE experiment: AUC and pAUC per machine id for every system run, averaged per
 * machine type and over types (the mean over types of the per-type means of ids, as the paper
 * reports), written as a tidy CSV and as Markdown tables laid out like the paper's Tables II–V.
 */

/** One scoring system: a representation scored by a back-end (e.g. SC-AdaCos S = 32 + GMM). */
export interface SystemKey {
  /** Unique, human-readable name, e.g. `S=32 gmm`, `mean-logmel`, `ensemble S=1,2,4 gmm`. */
  name: string;
  /**
   * `learned` (embeddings), `mean` / `max` / `meanstd` / `robust` (per-band log-Mel statistics),
   * `frames` / `patches` (frame-level log-Mel models), `ensemble`, `combined`, `chosen` (the
   * label-free choice per machine), `fusion` (normal-data score fusion).
   */
  representation: 'learned' | 'mean' | 'max' | 'meanstd' | 'robust' | 'frames' | 'patches' | 'ensemble' | 'combined' | 'chosen' | 'fusion';
  /** Back-end kind (`gmm`, `gaussian-full`, …). */
  backend: string;
  /** Sub-clusters S of the model, or undefined when no model is involved. */
  subclusters?: number;
}

export interface IdResult {
  system: SystemKey;
  machineType: string;
  machineId: string;
  auc: number;
  pauc: number;
  normals: number;
  anomalies: number;
}

export interface AveragedResult {
  system: SystemKey;
  /** Machine type, or `mean` for the mean over types. */
  machineType: string;
  auc: number;
  pauc: number;
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/** Per-type means of ids and the mean over types, for each system (systems in first-seen order). */
export function averageResults(results: IdResult[]): AveragedResult[] {
  const out: AveragedResult[] = [];
  const systems = [...new Map(results.map((r) => [r.system.name, r.system])).values()];
  for (const system of systems) {
    const own = results.filter((r) => r.system.name === system.name);
    const types = [...new Set(own.map((r) => r.machineType))].sort();
    const perType = types.map((machineType) => {
      const ids = own.filter((r) => r.machineType === machineType);
      return { system, machineType, auc: mean(ids.map((r) => r.auc)), pauc: mean(ids.map((r) => r.pauc)) };
    });
    out.push(...perType, { system, machineType: 'mean', auc: mean(perType.map((r) => r.auc)), pauc: mean(perType.map((r) => r.pauc)) });
  }
  return out;
}

export const RESULTS_CSV_HEADER = 'system,representation,backend,subclusters,machine_type,machine_id,auc,pauc,normals,anomalies';

/** Tidy CSV: one line per (system, id), then per (system, type) with machine_id `mean`, then the overall mean. */
export function formatResultsCsv(results: IdResult[]): string {
  const lines = [RESULTS_CSV_HEADER];
  const cells = (s: SystemKey): string => [s.name, s.representation, s.backend, s.subclusters ?? ''].join(',');
  for (const r of results) lines.push([cells(r.system), r.machineType, r.machineId, r.auc.toFixed(6), r.pauc.toFixed(6), r.normals, r.anomalies].join(','));
  for (const a of averageResults(results)) {
    const machineType = a.machineType === 'mean' ? 'mean' : a.machineType;
    lines.push([cells(a.system), machineType, 'mean', a.auc.toFixed(6), a.pauc.toFixed(6), '', ''].join(','));
  }
  return lines.join('\n') + '\n';
}

const pct = (x: number): string => (Number.isFinite(x) ? `${(100 * x).toFixed(2)}%` : 'n/a');

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]): string => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

export interface ResultsReportContext {
  title: string;
  /** Free lines under the title (data roots, preset, seeds, timing). */
  notes: string[];
  /** The system whose scores went into the submission CSVs. */
  defaultSystem: string;
}

/**
 * Markdown report: mean over types per system (Table II), Gaussian vs GMM per S (Table IV), per
 * machine type per representation (Table V), and per id for the default system.
 */
export function formatResultsMarkdown(results: IdResult[], context: ResultsReportContext): string {
  const averaged = averageResults(results);
  const systems = [...new Map(results.map((r) => [r.system.name, r.system])).values()];
  const types = [...new Set(results.map((r) => r.machineType))].sort();
  const meanOf = (name: string, machineType: string): AveragedResult | undefined =>
    averaged.find((a) => a.system.name === name && a.machineType === machineType);
  const parts: string[] = [`# ${context.title}`, '', ...context.notes.map((n) => `- ${n}`), ''];

  parts.push('## Mean AUC and pAUC of every system (mean over machine types; cf. Table II)', '');
  parts.push(
    table(
      ['system', 'representation', 'back-end', 'S', 'AUC', 'pAUC'],
      systems.map((s) => {
        const m = meanOf(s.name, 'mean')!;
        const name = s.name === context.defaultSystem ? `**${s.name}** (submission)` : s.name;
        return [name, s.representation, s.backend, s.subclusters === undefined ? '' : String(s.subclusters), pct(m.auc), pct(m.pauc)];
      }),
    ),
    '',
  );

  const learnedS = [...new Set(systems.filter((s) => s.representation === 'learned' && s.subclusters !== undefined).map((s) => s.subclusters!))].sort((a, b) => a - b);
  const gaussVsGmm = learnedS.flatMap((S) =>
    (['gaussian-full', 'gmm'] as const).flatMap((backend) => {
      const s = systems.find((x) => x.representation === 'learned' && x.subclusters === S && x.backend === backend);
      if (!s) return [];
      const m = meanOf(s.name, 'mean')!;
      return [[String(S), backend === 'gmm' ? 'GMM' : 'Gaussian', pct(m.auc), pct(m.pauc)]];
    }),
  );
  if (gaussVsGmm.length > 0) {
    parts.push('## Sub-clusters: single Gaussian vs GMM (cf. Table IV)', '', table(['S', 'back-end', 'AUC', 'pAUC'], gaussVsGmm), '');
  }

  // Table V: per type, the representations mean / max / learned (default system) / combined.
  const isLearned = (s: SystemKey): boolean => s.representation === 'learned' || s.representation === 'ensemble';
  const perTypeSystems = systems.filter((s) => !isLearned(s) || s.name === context.defaultSystem);
  const rowsV: string[][] = [];
  for (const machineType of [...types, 'mean']) {
    for (const s of perTypeSystems) {
      const a = meanOf(s.name, machineType);
      if (!a) continue;
      const representation = isLearned(s) ? `learned (${s.name})` : s.representation === 'mean' || s.representation === 'max' ? s.representation : s.name;
      rowsV.push([representation, machineType, pct(a.auc), pct(a.pauc)]);
    }
  }
  parts.push('## Per machine type and representation (cf. Table V)', '', table(['representation', 'machine type', 'AUC', 'pAUC'], rowsV), '');

  const perId = results.filter((r) => r.system.name === context.defaultSystem);
  if (perId.length > 0) {
    parts.push(
      `## Per machine id: ${context.defaultSystem}`,
      '',
      table(
        ['machine type', 'machine id', 'AUC', 'pAUC', 'normal / anomalous test clips'],
        perId.map((r) => [r.machineType, r.machineId, pct(r.auc), pct(r.pauc), `${r.normals} / ${r.anomalies}`]),
      ),
      '',
    );
  }
  parts.push('pAUC: McClish-standardised partial AUC for FPR ∈ [0, 0.1] (scikit-learn `roc_auc_score(max_fpr=0.1)`, as the DCASE 2020 evaluator).', '');
  return parts.join('\n');
}
