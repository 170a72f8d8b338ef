import type { Command } from 'commander';
import type { ThresholdChange, ThresholdView } from '../../shared/api.ts';
import { addWorkspaceOption, printJson, resolveProject, withApp, type WorkspaceOption } from './app-cli.ts';
import { resolveMachine } from './machines.ts';

interface ThresholdOptions extends WorkspaceOption {
  model?: string;
  json?: boolean;
}

const pct = (x: number | null) => (x === null ? '—' : `${(100 * x).toFixed(1)} %`);
const num = (x: number | null | undefined) => (x === null || x === undefined ? '—' : x.toFixed(3));

function modelArg(v: string | undefined): { modelId?: number } {
  if (v === undefined) return {};
  if (!/^\d+$/.test(v)) throw new Error(`--model must be a model id, got "${v}"`);
  return { modelId: Number(v) };
}

function number(flag: string, v: string, min: number, max: number): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < min || n > max)
    throw new Error(`${flag} must be a number in [${min}, ${max}], got "${v}"`);
  return n;
}

function printView(v: ThresholdView): void {
  const t = v.threshold;
  process.stdout.write(
    `${v.machine.type}/${v.machine.name} under model ${v.modelId}: threshold ${num(t?.value)}${t ? ` (${t.method}, set by ${t.setBy} at ${t.setAt})` : ''}\n` +
      `  health index 0 = median held-out normal score ${num(v.heldoutMedian)}; 1 = the threshold\n` +
      `  false-alarm rate ${pct(v.falseAlarmRate)} on ${v.normalCount} normal clips; detection rate ${pct(v.detectionRate)} on ${v.anomalyCount} anomalies` +
      (v.auc === null ? '\n' : `; AUC ${pct(v.auc)}, pAUC ${pct(v.pauc)}\n`),
  );
}

function printChange(c: ThresholdChange, dryRun: boolean): void {
  const verb = dryRun ? 'would' : 'did';
  process.stdout.write(
    `threshold ${num(c.from)} → ${num(c.to)}: ${c.alarmsFollowModel ? `${verb} raise ${c.raised} alarm(s) and clear ${c.cleared} untriaged alarm(s)` : 'alarms follow another model: none raised or cleared'}; false-alarm rate ${pct(c.falseAlarmRate)}, detection rate ${pct(c.detectionRate)}\n`,
  );
}

export function registerThresholds(program: Command): void {
  const cmd = program
    .command('thresholds')
    .description("a machine's alarm threshold: get, set (or --dry-run), undo, history");

  addWorkspaceOption(
    cmd
      .command('get <project> <machine>')
      .description('the threshold, the health-index scale and how the threshold performs')
      .option('--model <id>', 'another model than the active one')
      .option('--json', 'print JSON'),
  ).action(async (p: string, m: string, opts: ThresholdOptions) => {
    await withApp(opts, async (app) => {
      const machine = await resolveMachine(app, await resolveProject(app, p), m);
      const view = await app.call('thresholds/get', { machineId: machine.id, ...modelArg(opts.model) });
      if (opts.json) return printJson(view);
      printView(view);
    });
  });

  addWorkspaceOption(
    cmd
      .command('set <project> <machine>')
      .description(
        'set by value, target false-alarm rate or default quantile; stored scores are re-evaluated',
      )
      .option('--value <score>', 'threshold as a raw clip score')
      .option('--far <rate>', 'target false-alarm rate on normal clips, 0…1')
      .option('--quantile <q>', 'quantile of held-out normal scores, 0.5…1 (the default method)')
      .option('--dry-run', 'show what it would change without changing anything')
      .option('--model <id>', 'another model than the active one')
      .option('--json', 'print JSON'),
  ).action(
    async (
      p: string,
      m: string,
      opts: ThresholdOptions & { value?: string; far?: string; quantile?: string; dryRun?: boolean },
    ) => {
      const given = [opts.value, opts.far, opts.quantile].filter((x) => x !== undefined).length;
      if (given !== 1) throw new Error('give exactly one of --value, --far, --quantile');
      await withApp(opts, async (app) => {
        const machine = await resolveMachine(app, await resolveProject(app, p), m);
        const base = { machineId: machine.id, ...modelArg(opts.model) };
        const target =
          opts.value !== undefined
            ? { ...base, value: number('--value', opts.value, -Number.MAX_VALUE, Number.MAX_VALUE) }
            : opts.far !== undefined
              ? { ...base, targetFalseAlarmRate: number('--far', opts.far, 0, 1) }
              : { ...base, quantile: number('--quantile', opts.quantile!, 0.5, 1) };
        if (opts.dryRun) {
          const change = await app.call('thresholds/preview', target);
          return opts.json ? printJson(change) : printChange(change, true);
        }
        const r = await app.call('thresholds/set', target, 'cli');
        if (opts.json) return printJson(r);
        printChange(r.change, false);
      });
    },
  );

  addWorkspaceOption(
    cmd
      .command('undo <project> <machine>')
      .description('restore the threshold the current one replaced (repeat to go further back)')
      .option('--model <id>', 'another model than the active one')
      .option('--json', 'print JSON'),
  ).action(async (p: string, m: string, opts: ThresholdOptions) => {
    await withApp(opts, async (app) => {
      const machine = await resolveMachine(app, await resolveProject(app, p), m);
      const r = await app.call('thresholds/undo', { machineId: machine.id, ...modelArg(opts.model) }, 'cli');
      if (opts.json) return printJson(r);
      printChange(r.change, false);
    });
  });

  addWorkspaceOption(
    cmd
      .command('history <project> <machine>')
      .description('every threshold of the machine under the model, newest first')
      .option('--model <id>', 'another model than the active one')
      .option('--json', 'print JSON'),
  ).action(async (p: string, m: string, opts: ThresholdOptions) => {
    await withApp(opts, async (app) => {
      const machine = await resolveMachine(app, await resolveProject(app, p), m);
      const { history } = await app.call('thresholds/get', {
        machineId: machine.id,
        ...modelArg(opts.model),
      });
      if (opts.json) return printJson(history);
      for (const t of history)
        process.stdout.write(
          `${t.active ? '*' : ' '} ${String(t.id).padStart(5)}  ${num(t.value).padStart(12)}  ${t.method.padEnd(16)} ${t.setBy.padEnd(8)} ${t.setAt}\n`,
        );
    });
  });
}
