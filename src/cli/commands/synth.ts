import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { DIFFICULTIES, generateSyntheticFactory, MACHINE_TYPES, type Difficulty, type MachineType } from '../../engine/datasets/synthetic/factory.ts';

interface SynthOptions {
  out: string;
  seed: string;
  types?: string;
  ids: string;
  train: string;
  test: string;
  duration: string;
  snrDb?: string;
  difficulties?: string;
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

function parseSnrRange(value: string | undefined): [number, number] | undefined {
  if (value === undefined) return undefined;
  const parts = value.split(',').map((v) => Number(v.trim()));
  if (parts.length !== 2 || !parts.every(Number.isFinite) || parts[0]! > parts[1]!) throw new Error(`--snr-db must be "low,high" in dB with low ≤ high, got "${value}"`);
  return [parts[0]!, parts[1]!];
}

function parseDifficulties(value: string | undefined): Difficulty[] | undefined {
  if (value === undefined) return undefined;
  const list = value.split(',').map((t) => t.trim()).filter((t) => t !== '');
  for (const d of list) if (!(DIFFICULTIES as readonly string[]).includes(d)) throw new Error(`--difficulties: unknown difficulty "${d}" (known: ${DIFFICULTIES.join(', ')})`);
  if (list.length === 0) throw new Error('--difficulties: give at least one difficulty');
  return list as Difficulty[];
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
    .option('--snr-db <low,high>', 'machine-to-background SNR range in dB (default -3,9; lower is harder)')
    .option('--difficulties <list>', `anomaly difficulties to use (default all: ${DIFFICULTIES.join(',')})`)
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
        snrRangeDb: parseSnrRange(opts.snrDb),
        difficulties: parseDifficulties(opts.difficulties),
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
