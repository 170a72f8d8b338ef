/**
 * Training a model for a project (`auscult project train`, and `auscult train --project`): all
 * machines of the line are the classes; S and the preset are the user's choice.
 */
import type { ApiArgs } from '../../shared/api.ts';
import { TRAINING_PRESETS } from '../../shared/training-config.ts';
import type { Job, Model } from '../../shared/domain.ts';
import type { AppService } from '../../app/services/app-service.ts';
import type { PromotionDecision } from '../../app/services/promotion.ts';
import {
  assertSucceeded,
  printJson,
  resolveProject,
  waitForProjectJobs,
  withApp,
  type WorkspaceOption,
} from './app-cli.ts';

export interface ProjectTrainOptions extends WorkspaceOption {
  /** Project name or id. */
  project: string;
  subclusters?: number;
  preset?: 'quick' | 'standard' | 'paper';
  epochs?: number;
  seed?: number;
  /** Continue the interrupted training of this model id instead of starting one. */
  resume?: number;
  json?: boolean;
  progress?: boolean;
}

/** Starts (or resumes) training and waits for it and the rescoring that follows. */
export async function trainProjectModel(
  app: AppService,
  opts: ProjectTrainOptions,
): Promise<{ model: Model; jobs: Job[] }> {
  const project = await resolveProject(app, opts.project);
  const started =
    opts.resume !== undefined
      ? await app.call('models/resume', { modelId: opts.resume }, 'cli')
      : await app.call(
          'models/train',
          {
            projectId: project.id,
            subclusters: opts.subclusters,
            preset: opts.preset,
            epochs: opts.epochs,
            seed: opts.seed,
          } satisfies ApiArgs<'models/train'>,
          'cli',
        );
  const jobs = await waitForProjectJobs(app, project.id, { progress: opts.progress });
  assertSucceeded(await app.call('jobs/get', { jobId: started.job.id }));
  const models = await app.call('models/list', { projectId: project.id });
  return { model: models.find((m) => m.id === started.model.id)!, jobs };
}

/** The CLI action: prints the trained model and the rescoring outcome. */
export async function runProjectTraining(opts: ProjectTrainOptions): Promise<void> {
  await withApp(
    opts,
    async (app) => {
      const { model, jobs } = await trainProjectModel(app, opts);
      if (opts.json)
        return printJson({
          model,
          jobs: jobs.map((j) => ({
            id: j.id,
            kind: j.kind,
            status: j.status,
            result: j.result,
            error: j.error,
          })),
        });
      const m = model.metrics as { epochsDone?: number; finalLoss?: number; classes?: string[] } | null;
      process.stdout.write(
        `model ${model.id} trained: S = ${model.subclusters}, preset ${model.preset}, ${m?.epochsDone} epochs, final loss ${m?.finalLoss?.toFixed(4)}, classes ${m?.classes?.join(', ')}\n`,
      );
      process.stdout.write(`${await promotionLine(app, model)}\n`);
      for (const j of jobs.filter((x) => x.kind === 'score')) {
        const r = j.result as { scored: number; alarms: number } | null;
        // A candidate's scoring raises no alarms itself: they follow its activation, if any.
        const candidate = j.params.raiseAlarms === false;
        process.stdout.write(
          j.status !== 'succeeded'
            ? `scoring job ${j.id} ${j.status}: ${j.error}\n`
            : candidate
              ? `scored ${r?.scored} recordings with the new model (its alarms are raised only if it is activated)\n`
              : `rescored ${r?.scored} recordings, ${r?.alarms} new alarms\n`,
        );
      }
    },
    { runJobs: true },
  );
}

/** Whether the promotion gate activated the model, and why (from the model's `metrics.promotion`). */
export async function promotionLine(app: AppService, model: Model): Promise<string> {
  const project = await app.call('projects/get', { projectId: model.projectId });
  const p = model.metrics?.promotion as PromotionDecision | undefined;
  const active = project.activeModelId === model.id;
  if (!p)
    return active
      ? `model ${model.id} is the active model of "${project.name}"`
      : `model ${model.id} was not activated; the active model of "${project.name}" is ${project.activeModelId ?? 'the baseline'}`;
  return p.activated
    ? `model ${model.id} is now the active model of "${project.name}": ${p.reason}`
    : `model ${model.id} was not activated (activate it by hand with models/activate if you want it): ${p.reason}`;
}

function positiveInt(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < 1) throw new Error(`${flag} must be a positive integer, got "${v}"`);
  return Number(v);
}

/** Parses the CLI flags shared by `project train` and `train --project`. */
export function projectTrainOptionsFrom(
  project: string,
  o: {
    workspace?: string;
    subclusters?: string;
    preset?: string;
    epochs?: string;
    seed?: string;
    resume?: string;
    json?: boolean;
    progress?: boolean;
  },
): ProjectTrainOptions {
  if (o.preset !== undefined && !(TRAINING_PRESETS as readonly string[]).includes(o.preset))
    throw new Error(`--preset must be ${TRAINING_PRESETS.join(', ')}, got "${o.preset}"`);
  return {
    workspace: o.workspace,
    project,
    subclusters: positiveInt('--subclusters', o.subclusters),
    preset: o.preset as ProjectTrainOptions['preset'],
    epochs: positiveInt('--epochs', o.epochs),
    seed: o.seed === undefined ? undefined : Number(o.seed),
    resume: positiveInt('--resume', o.resume),
    json: o.json,
    progress: o.progress,
  };
}

/**
 * `auscult train --project <name|id>`: the train command's own flags (already parsed by it) mapped
 * onto project training; `--resume` continues the project's latest interrupted or failed model.
 */
export async function trainProjectFromTrainCommand(opts: {
  project: string;
  workspace?: string;
  subclusters: number;
  epochs?: number;
  seed: number;
  preset: string;
  resume?: boolean;
  progress: boolean;
}): Promise<void> {
  let resume: number | undefined;
  if (opts.resume) {
    resume = await withApp(opts, async (app) => {
      const p = await resolveProject(app, opts.project);
      const m = (await app.call('models/list', { projectId: p.id }))
        .filter((x) => x.kind === 'sc-adacos' && (x.status === 'interrupted' || x.status === 'failed'))
        .at(-1);
      if (!m) throw new Error(`project "${p.name}" has no interrupted or failed training to resume`);
      return m.id;
    });
  }
  const base = projectTrainOptionsFrom(opts.project, {
    workspace: opts.workspace,
    preset: opts.preset,
    progress: opts.progress,
  });
  await runProjectTraining({
    ...base,
    subclusters: opts.subclusters,
    epochs: opts.epochs,
    seed: opts.seed,
    resume,
  });
}
