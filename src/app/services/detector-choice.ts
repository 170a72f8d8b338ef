/**
 * Which detector scores a machine under a model, and why (issue 16). Each model offers candidate
 * back-ends (the training-free model: the log-Mel detectors; a trained model: GMM and the
 * nearest-neighbour back-ends on its embeddings). When a machine is fitted, every candidate is
 * fitted on its normal training clips and the best one scores the machine:
 * - with labelled test/monitor clips of both kinds on the machine: by their AUC (pAUC breaks a tie);
 * - without (the usual case on a plant): by the label-free estimate of the DCASE runner's default
 *   rule (engine/detectors/label-free.ts): held-out normal clips against synthetic faults added to
 *   some of them. The reason says which basis was used.
 * The choice is stored with the machine's back-end fit (`params.choice`), so the dashboard can show it.
 */
import { fitBackend, type BackendKind } from '../../engine/backends/index.ts';
import { probeWindowsOfFile } from '../../engine/detectors/probes.ts';
import {
  chooseDetector,
  estimateCandidates,
  LEARNED_CANDIDATES,
  LOGMEL_CANDIDATES,
  probeClipIndices,
  scoreClips,
} from '../../engine/detectors/label-free.ts';
import { auc, partialAuc } from '../../engine/metrics/index.ts';
import type { Machine, Recording } from '../../shared/domain.ts';
import { throwIfCancelled } from '../jobs/context.ts';
import type { Workspace } from '../workspace.ts';
import type { Representation } from './representation.ts';

export { LEARNED_CANDIDATES, LOGMEL_CANDIDATES };

export interface MachineDetectorChoice extends Record<string, unknown> {
  kind: BackendKind;
  basis: 'labelled clips' | 'label-free estimate' | 'only candidate';
  reason: string;
  /** Per candidate: AUC / pAUC on labelled clips, or the label-free estimate. */
  estimates: { name: string; auc: number; pauc: number }[];
}

const pct = (x: number) => `${(100 * x).toFixed(1)} %`;

/** Labelled test/monitor clips of the machine, when both labels are present. */
function labelledClips(ws: Workspace, machine: Machine): Recording[] | null {
  const clips = ws.recordings.list({ projectId: machine.projectId, machineId: machine.id }).filter((r) => r.role !== 'train' && r.label !== 'unknown' && !r.addedToTraining);
  const anomalies = clips.filter((r) => r.label === 'anomaly').length;
  return anomalies > 0 && anomalies < clips.length ? clips : null;
}

/**
 * Chooses `machine`'s detector among `rep.candidateKinds` (after `rep.prepare`), sets it on `rep`
 * and returns the choice with its reason.
 */
export async function chooseMachineDetector(
  ws: Workspace,
  rep: Representation,
  machine: Machine,
  train: Recording[],
  signal?: AbortSignal,
): Promise<MachineDetectorChoice> {
  const kinds = rep.candidateKinds;
  if (kinds.length < 2) {
    rep.useKind(machine, rep.backendKind);
    return { kind: rep.backendKind, basis: 'only candidate', reason: `${rep.backendKind}: the model's only back-end`, estimates: [] };
  }
  const context = rep.backendContext(machine);
  // Each candidate's vectors of the training clips (the learned kinds share their embeddings).
  const trainVectors = new Map<BackendKind, Float32Array[][]>();
  for (const kind of kinds) {
    rep.useKind(machine, kind);
    const perClip: Float32Array[][] = [];
    for (const rec of train) {
      if (signal) throwIfCancelled(signal);
      perClip.push((await rep.vectorsOf(rec)).vectors);
    }
    trainVectors.set(kind, perClip);
  }

  const labelled = labelledClips(ws, machine);
  if (labelled) {
    const labels = labelled.map((r) => (r.label === 'anomaly' ? 1 : 0));
    const estimates = [];
    for (const kind of kinds) {
      rep.useKind(machine, kind);
      const backend = fitBackend(kind, trainVectors.get(kind)!.flat(), context);
      const clips: Float32Array[][] = [];
      for (const rec of labelled) clips.push((await rep.vectorsOf(rec)).vectors);
      const scores = Array.from(scoreClips(backend, clips));
      estimates.push({ name: kind, auc: auc(labels, scores), pauc: partialAuc(labels, scores, 0.1) });
    }
    const best = estimates.reduce((b, e) => (e.auc > b.auc + 1e-12 || (Math.abs(e.auc - b.auc) <= 1e-12 && e.pauc > b.pauc + 1e-12) ? e : b));
    const kind = best.name as BackendKind;
    rep.useKind(machine, kind);
    const anomalies = labels.filter((l) => l === 1).length;
    return {
      kind,
      basis: 'labelled clips',
      reason: `${kind}: best AUC (${pct(best.auc)}) on ${labelled.length} labelled clips (${anomalies} anomalous) of this machine`,
      estimates,
    };
  }

  // No labels: held-out normal clips against synthetic faults added to some of them.
  const probeClips = probeClipIndices(train.length);
  const norm = rep.normStatsOf(machine);
  const probeWindows: Float32Array[][][] = [];
  for (const p of probeClips) {
    if (signal) throwIfCancelled(signal);
    probeWindows.push(await probeWindowsOfFile(train[p]!.path, train[p]!.contentHash, norm));
  }
  const inputs = kinds.map((kind) => {
    rep.useKind(machine, kind);
    return {
      candidate: { name: kind, kind, context },
      train: trainVectors.get(kind)!,
      probes: probeWindows.map((perKind) => perKind.map((windows) => rep.vectorsOfWindows(machine, windows))),
    };
  });
  const choice = chooseDetector(estimateCandidates(inputs, probeClips), train.length);
  const kind = choice.chosen as BackendKind;
  rep.useKind(machine, kind);
  return { kind, basis: 'label-free estimate', reason: choice.reason, estimates: choice.estimates };
}
