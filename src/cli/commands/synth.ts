import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { generateSyntheticFactory, MACHINE_TYPES, type MachineType } from '../../engine/datasets/synthetic/factory.ts';

interface SynthOptions {
  out: string;
  seed: string;
  types?: string;
  ids: string;
  train: string;
  test: string;
  duration: string;
  force?: boolean;
  progress: boolean;
}

function parseInteger(flag: string, value: string): number {
  if (!/^\d+$/.test(value.trim())) throw new Error(`${flag} must be a non-negative integer, got "${value}"`);
  return Number(value);
}

function parseTypes(value: string | undefined): MachineType[] | undefined {
  if (value === undefined) return undefined;
  const types = value.split(',').map((t) => t.trim()).filter((t) => t !== '');
  for (const t of types) {
    if (!(MACHINE_TYPES as readonly string[]).includes(t)) throw new Error(`--types: unknown machine type "${t}" (known: ${MACHINE_TYPES.join(', ')})`);
  }
  if (types.length === 0) throw new Error('--types: give at least one machine type');
  return types as MachineType[];
}

export function registerSynth(program: Command): void {
  program
    .command('synth')
    .description('generate a deterministic synthetic factory data set in the DCASE 2020 Task 2 layout')
    .requiredOption('--out <dir>', 'output folder (created; must be empty)')
    .option('--seed <n>', 'seed: same seed and options give byte-identical files', '0')
    .option('--types <list>', `comma-separated machine types (default all: ${MACHINE_TYPES.join(',')})`)
    .option('--ids <n>', 'machine ids per type', '3')
    .option('--train <n>', 'normal training clips per id', '30')
    .option('--test <n>', 'test clips per id (half normal, half anomalous)', '20')
    .option('--duration <s>', 'clip length in seconds', '10')
    .option('--force', 'replace a previous synthetic set in --out (removes only the files its manifest.csv lists)')
    .option('--no-progress', 'no progress bar')
    .action(async (opts: SynthOptions) => {
      const durationS = Number(opts.duration);
      if (!Number.isFinite(durationS) || durationS <= 0) throw new Error(`--duration must be a positive number of seconds, got "${opts.duration}"`);
      const bar = opts.progress && process.stderr.isTTY ? new cliProgress.SingleBar({ format: 'synth [{bar}] {value}/{total} clips | {eta}s left' }, cliProgress.Presets.shades_classic) : undefined;
      const t0 = performance.now();
      let started = false;
      const manifest = await generateSyntheticFactory({
        outDir: opts.out,
        seed: parseInteger('--seed', opts.seed),
        types: parseTypes(opts.types),
        idsPerType: parseInteger('--ids', opts.ids),
        trainPerId: parseInteger('--train', opts.train),
        testPerId: parseInteger('--test', opts.test),
        durationS,
        overwrite: opts.force ?? false,
        onProgress: (done, total) => {
          if (!bar) return;
          if (!started) {
            bar.start(total, 0);
            started = true;
          }
          bar.update(done);
        },
      });
      bar?.stop();
      const anomalies = manifest.filter((e) => e.label === 'anomaly').length;
      const train = manifest.filter((e) => e.split === 'train').length;
      process.stdout.write(
        `wrote ${manifest.length} clips (${train} train, ${manifest.length - train - anomalies} normal test, ${anomalies} anomalous test) ` +
          `and manifest.csv to ${opts.out} in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`,
      );
    });
}
