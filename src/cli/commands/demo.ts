import type { Command } from 'commander';
import fs from 'node:fs';
import path from 'node:path';
import {
  generateSyntheticFactory,
  MACHINE_TYPES,
  type MachineType,
} from '../../engine/datasets/synthetic/factory.ts';
import type { AppService } from '../../app/services/app-service.ts';
import {
  addWorkspaceOption,
  assertSucceeded,
  printJson,
  waitForProjectJobs,
  withApp,
  workspaceDir,
  type WorkspaceOption,
} from './app-cli.ts';
import { trainProjectModel } from './project-train.ts';
import type { PromotionDecision } from '../../app/services/promotion.ts';

export const DEMO_PROJECT = 'Demo line';

export interface DemoOptions extends WorkspaceOption {
  seed: number;
  types: MachineType[];
  idsPerType: number;
  trainPerId: number;
  testPerId: number;
  durationS: number;
  train: boolean;
  subclusters: number;
  epochs?: number;
  rebuild: boolean;
  progress: boolean;
}

export interface DemoReport extends Record<string, unknown> {
  projectId: number;
  built: boolean;
  machines: number;
  recordings: number;
  baselineModelId: number | null;
  learnedModelId: number | null;
  openAlarms: number;
  /** Mean AUC/pAUC over machines on the labelled monitor clips: baseline vs learned model. */
  comparison: { baseline: { auc: number; pauc: number }; learned: { auc: number; pauc: number } } | null;
  /** The model whose scores and alarms the line shows, and why (the promotion gate's decision). */
  activeModel: { id: number; kind: string; name: string; reason: string } | null;
}

function say(text: string): void {
  process.stderr.write(`demo: ${text}\n`);
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/**
 * Builds the demo factory line: synthetic machines (DCASE layout), their normal clips imported
 * for training and scored at once by the mean-log-Mel baseline, a monitored stream with some
 * anomalies, then an SC-AdaCos model trained with the quick preset, thresholds and alarms.
 * Already built: returns its state without doing anything (unless `rebuild`).
 */
export async function buildDemo(app: AppService, o: DemoOptions): Promise<DemoReport> {
  let project = (await app.call('projects/list', {})).find((p) => p.name === DEMO_PROJECT);
  if (project && o.rebuild) {
    await app.call('projects/delete', { projectId: project.id }, 'demo');
    project = undefined;
  }
  const built = !project;
  if (!project) {
    const dataDir = path.join(await workspaceDir(app), 'demo', 'synthetic');
    say(`generating ${o.types.length * o.idsPerType} synthetic machines in ${dataDir}`);
    fs.mkdirSync(dataDir, { recursive: true });
    await generateSyntheticFactory({
      outDir: dataDir,
      seed: o.seed,
      types: o.types,
      idsPerType: o.idsPerType,
      trainPerId: o.trainPerId,
      testPerId: o.testPerId,
      durationS: o.durationS,
      overwrite: true,
    });
    project = await app.call(
      'projects/create',
      { name: DEMO_PROJECT, description: `synthetic demo line (seed ${o.seed}): ${o.types.join(', ')}` },
      'demo',
    );
    const pid = project.id;
    say('importing normal training clips (scored at once by the mean-log-Mel baseline)');
    const trainJob = await app.call(
      'recordings/import',
      {
        projectId: pid,
        sources: o.types.map((t) => path.join(dataDir, t, 'train')),
        mapping: 'dcase',
        copy: false,
      },
      'demo',
    );
    await waitForProjectJobs(app, pid, { progress: o.progress });
    assertSucceeded(await app.call('jobs/get', { jobId: trainJob.id }));
    say('importing the monitored stream (normal and anomalous clips)');
    const monitorJob = await app.call(
      'recordings/import',
      {
        projectId: pid,
        sources: o.types.map((t) => path.join(dataDir, t, 'test')),
        mapping: 'dcase',
        role: 'monitor',
        copy: false,
      },
      'demo',
    );
    await waitForProjectJobs(app, pid, { progress: o.progress });
    assertSucceeded(await app.call('jobs/get', { jobId: monitorJob.id }));
    if (o.train) {
      say(
        `training an SC-AdaCos model (S = ${o.subclusters}, quick preset${o.epochs ? `, ${o.epochs} epochs` : ''}); on a CPU this takes a minute or so`,
      );
      await trainProjectModel(app, {
        project: String(pid),
        subclusters: o.subclusters,
        preset: 'quick',
        epochs: o.epochs,
        seed: o.seed + 1,
        progress: o.progress,
      });
    }
  }
  const pid = project.id;
  const models = await app.call('models/list', { projectId: pid });
  const baseline = models.find((m) => m.kind === 'mean-logmel') ?? null;
  const learned =
    models
      .filter((m) => m.kind === 'sc-adacos' && m.status === 'trained')
      .at(-1) ?? null;
  let comparison: DemoReport['comparison'] = null;
  if (baseline && learned) {
    const c = await app.call('models/compare', { projectId: pid, modelA: baseline.id, modelB: learned.id });
    const rows = c.machines.filter((m) => m.auc && m.pauc);
    if (rows.length) {
      comparison = {
        baseline: { auc: mean(rows.map((m) => m.auc![0])), pauc: mean(rows.map((m) => m.pauc![0])) },
        learned: { auc: mean(rows.map((m) => m.auc![1])), pauc: mean(rows.map((m) => m.pauc![1])) },
      };
    }
  }
  const summary = await app.call('dashboard/summary', { projectId: pid });
  const active = summary.activeModel;
  const promotion = learned?.metrics?.promotion as PromotionDecision | undefined;
  const reason = !active
    ? ''
    : promotion
      ? promotion.activated
        ? `the trained model ${learned!.id} was activated: ${promotion.reason}`
        : `the trained model ${learned!.id} was not activated: ${promotion.reason}`
      : active.kind === 'mean-logmel'
        ? 'no trained model yet'
        : 'chosen by hand';
  return {
    projectId: pid,
    built,
    machines: summary.machines.length,
    recordings: (await app.call('recordings/list', { projectId: pid, limit: 1 })).total,
    baselineModelId: baseline?.id ?? null,
    learnedModelId: learned?.id ?? null,
    openAlarms: summary.openAlarms,
    comparison,
    activeModel: active && { id: active.id, kind: active.kind, name: active.name, reason },
  };
}

function int(flag: string, v: string, min: number): number {
  if (!/^\d+$/.test(v) || Number(v) < min) throw new Error(`${flag} must be an integer ≥ ${min}, got "${v}"`);
  return Number(v);
}

export function registerDemo(program: Command): void {
  addWorkspaceOption(
    program
      .command('demo')
      .description(
        'build the demo factory line from the synthetic generator: import, baseline scores, quick training, thresholds, alarms',
      )
      .option('--seed <n>', 'seed of the synthetic line', '7')
      .option('--types <list>', `machine types (${MACHINE_TYPES.join(', ')})`, 'fan,pump,slider')
      .option('--ids <n>', 'machines per type', '2')
      .option('--train-clips <n>', 'normal training clips per machine', '12')
      .option('--test-clips <n>', 'monitored clips per machine (half anomalous)', '8')
      .option('--duration <s>', 'clip length, seconds', '10')
      .option('-S, --subclusters <n>', 'sub-clusters per machine for the trained model', '4')
      .option('--epochs <n>', "override the quick preset's epochs")
      .option('--no-train', 'stop after the baseline scores (no network training)')
      .option('--rebuild', 'delete the demo project and build it again')
      .option('--json', 'print the report as JSON')
      .option('--no-progress', 'no progress bars')
      .option('--no-open-hint', 'do not print how to open the line (npm start opens it itself)'),
  ).action(async (opts: WorkspaceOption & Record<string, string | boolean | undefined>) => {
    const types = String(opts.types)
      .split(',')
      .map((t) => t.trim());
    for (const t of types)
      if (!(MACHINE_TYPES as readonly string[]).includes(t))
        throw new Error(`--types: unknown machine type "${t}" (known: ${MACHINE_TYPES.join(', ')})`);
    const durationS = Number(opts.duration);
    if (!(durationS >= 1 && durationS <= 60))
      throw new Error(`--duration must be 1…60 seconds, got "${String(opts.duration)}"`);
    const o: DemoOptions = {
      workspace: opts.workspace as string | undefined,
      seed: int('--seed', String(opts.seed), 0),
      types: types as MachineType[],
      idsPerType: int('--ids', String(opts.ids), 1),
      trainPerId: int('--train-clips', String(opts.trainClips), 2),
      testPerId: int('--test-clips', String(opts.testClips), 2),
      durationS,
      train: opts.train !== false,
      subclusters: int('--subclusters', String(opts.subclusters), 1),
      epochs: opts.epochs === undefined ? undefined : int('--epochs', String(opts.epochs), 1),
      rebuild: opts.rebuild === true,
      progress: opts.progress !== false,
    };
    if (o.types.length * o.idsPerType < 2)
      throw new Error('the demo line needs at least 2 machines (--types × --ids)');
    await withApp(
      o,
      async (app) => {
        const r = await buildDemo(app, o);
        if (opts.json) return printJson(r);
        process.stdout.write(
          `${r.built ? 'built' : 'already built:'} "${DEMO_PROJECT}" (project ${r.projectId}) in ${await workspaceDir(app)}: ${r.machines} machines, ${r.recordings} recordings, ${r.openAlarms} open alarms\n`,
        );
        if (r.comparison) {
          const f = (x: number) => (100 * x).toFixed(1);
          process.stdout.write(
            `monitored clips, mean over machines: baseline AUC ${f(r.comparison.baseline.auc)} / pAUC ${f(r.comparison.baseline.pauc)}; SC-AdaCos AUC ${f(r.comparison.learned.auc)} / pAUC ${f(r.comparison.learned.pauc)}\n`,
          );
        }
        if (r.activeModel)
          process.stdout.write(
            `active model: ${r.activeModel.id} (${r.activeModel.kind === 'mean-logmel' ? 'mean-log-Mel baseline' : `SC-AdaCos "${r.activeModel.name}"`}); ${r.activeModel.reason}\n`,
          );
        if (opts.openHint !== false) process.stdout.write('open it with: npx auscult serve\n');
      },
      { runJobs: true },
    );
  });
}
