import path from 'node:path';
import type { FeatureCache } from '../../engine/features/cache.ts';
import {
  classCentres,
  disposeModel,
  embedWindows,
  loadModel,
  modelNormStats,
} from '../../engine/model/index.ts';
import type { Machine, Model } from '../../shared/domain.ts';
import type { Workspace } from '../workspace.ts';
import { cachedWindows, MachineKinds, type Representation } from './representation.ts';
import { LEARNED_CANDIDATES } from './detector-choice.ts';

/** Class name of a machine in a model trained on a project: `<type>_<name>`, as DCASE names classes. */
export function machineClassName(m: Pick<Machine, 'type' | 'name'>): string {
  return `${m.type}_${m.name}`;
}

/** Folder of a trained model's final weights (checkpoints live beside it in `checkpoint/`). */
export function finalModelDir(model: Model): string {
  if (!model.dir) throw new Error(`model ${model.id} has no folder`);
  return path.join(model.dir, 'final');
}

/**
 * A trained SC-AdaCos network: windows are normalised with the model's statistics and embedded;
 * each machine's GMM starts at that machine's S sub-cluster centres (method.md §6).
 */
export async function learnedRepresentation(
  _ws: Workspace,
  model: Model,
  cache: FeatureCache,
): Promise<Representation> {
  const net = await loadModel(finalModelDir(model));
  const classIndex = (machine: Machine): number => {
    const i = net.config.classNames.indexOf(machineClassName(machine));
    if (i < 0)
      throw new Error(
        `machine ${machine.type}/${machine.name} was not one of the classes model ${model.id} was trained on: train a new model`,
      );
    return i;
  };
  // Every learned back-end reads the same embeddings: the choice changes only the scoring.
  const kinds = new MachineKinds('gmm', LEARNED_CANDIDATES);
  return {
    backendKind: 'gmm',
    candidateKinds: LEARNED_CANDIDATES,
    kindOf: (machine) => kinds.get(machine),
    useKind: (machine, kind) => kinds.set(machine, kind),
    normStatsOf: () => modelNormStats(net),
    vectorsOfWindows: (_machine, windows) => embedWindows(net, windows).embeddings,
    prepare: async (machine) => ({ classIndex: classIndex(machine) }),
    restore: () => {},
    backendContext: (machine) => ({ centres: classCentres(net, classIndex(machine)) }),
    async vectorsOf(rec) {
      const { windows, startsS } = await cachedWindows(cache, rec, modelNormStats(net));
      return { vectors: embedWindows(net, windows).embeddings, startsS };
    },
    dispose: () => disposeModel(net),
  };
}
