/**
 * `npm run fuzz`: mutation fuzzing of the WAV and FLAC decoders and of the import path, as
 * libsndfile is fuzzed. Inputs are seeds (corpus.ts) with 1–4 stacked mutations (mutate.ts), run in
 * child processes (fuzz-worker.ts) so that a hang can be killed and memory measured. A crash is
 * anything but the decoder's or the import's own clear error; a hang is an input that takes longer
 * than the time limit (default 2 s) twice, the second time in a fresh process. Crashing and hanging inputs are written to the findings folder
 * (they become regression inputs in fuzz/regressions/). Seeded: the same seed gives the same inputs.
 */
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Random } from '../src/engine/datasets/prng.ts';
import { buildCorpus, type Seed } from './corpus.ts';
import type { FuzzInput, FuzzOutcome } from './fuzz-worker.ts';
import { MUTATORS, mutate, type MutatorName } from './mutate.ts';

export interface FuzzOptions {
  /** Inputs to run (default 100,000). */
  inputs?: number;
  /** Stop earlier after this many seconds (default: no limit). */
  maxSeconds?: number;
  seed?: number;
  /** Per-input limit before it counts as a hang, ms (default 2000). */
  timeoutMs?: number;
  /** Worker processes (default 1). */
  workers?: number;
  /** Every n-th input goes through the import path instead of the decoder alone (default 10). */
  importEvery?: number;
  /** Where crashing and hanging inputs are written (default: not written). */
  findingsDir?: string;
  onProgress?: (s: FuzzSummary) => void;
}

export interface FuzzFinding {
  kind: 'crash' | 'hang';
  input: number;
  seed: string;
  mutators: MutatorName[];
  target: FuzzInput['target'];
  message: string;
  file?: string;
}

export interface FuzzSummary {
  seed: number;
  inputs: number;
  byTarget: Record<FuzzInput['target'], number>;
  ok: number;
  rejected: number;
  crashes: number;
  hangs: number;
  /** Inputs that took longer than the limit once and were run again (a hang only if again). */
  retried: number;
  findings: FuzzFinding[];
  /** Largest peak resident memory of a worker process (bounds every input's), MiB. */
  peakRssMiB: number;
  slowestInputMs: number;
  seconds: number;
  inputsPerSecond: number;
  corpusSeeds: number;
}

const WORKER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fuzz-worker.ts');

class FuzzProcess {
  private child!: ChildProcess;
  private ready!: Promise<void>;
  private pending: ((o: FuzzOutcome | 'exit') => void) | undefined;
  constructor() {
    this.start();
  }
  private start(): void {
    this.child = fork(WORKER, [], {
      execArgv: ['--import', 'tsx'],
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    this.ready = new Promise((resolve) => this.child.once('message', () => resolve()));
    this.child.on('message', (m: FuzzOutcome | { ready: true }) => {
      if ('id' in m) this.pending?.(m);
    });
    this.child.on('exit', () => this.pending?.('exit'));
  }
  /** Runs one input; 'hang' after `timeoutMs` (the process is then replaced), 'exit' if it died. */
  async run(input: FuzzInput, timeoutMs: number): Promise<FuzzOutcome | 'hang' | 'exit'> {
    await this.ready;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending = undefined;
        this.child.kill('SIGKILL');
        this.start();
        resolve('hang');
      }, timeoutMs);
      this.pending = (o) => {
        clearTimeout(timer);
        this.pending = undefined;
        if (o === 'exit') this.start();
        resolve(o);
      };
      this.child.send(input);
    });
  }
  close(): void {
    this.child.disconnect();
  }
}

export async function runFuzz(opts: FuzzOptions = {}): Promise<FuzzSummary> {
  const total = opts.inputs ?? 100_000;
  const seedValue = opts.seed ?? 1;
  const timeoutMs = opts.timeoutMs ?? 2000;
  const importEvery = opts.importEvery ?? 10;
  const corpus: Seed[] = buildCorpus();
  const rnd = new Random(seedValue);
  const started = performance.now();
  const summary: FuzzSummary = {
    seed: seedValue,
    inputs: 0,
    byTarget: { decode: 0, import: 0 },
    ok: 0,
    rejected: 0,
    crashes: 0,
    hangs: 0,
    retried: 0,
    findings: [],
    peakRssMiB: 0,
    slowestInputMs: 0,
    seconds: 0,
    inputsPerSecond: 0,
    corpusSeeds: corpus.length,
  };
  if (opts.findingsDir) fs.mkdirSync(opts.findingsDir, { recursive: true });
  // Inputs are generated in order from one Random, so a run is reproducible whatever the workers.
  let next = 0;
  const makeInput = (): { input: FuzzInput; seed: Seed; mutators: MutatorName[] } => {
    const id = next++;
    const seed = corpus[rnd.int(0, corpus.length - 1)]!;
    const other = corpus[rnd.int(0, corpus.length - 1)]!;
    const mutators: MutatorName[] = [];
    let bytes = seed.bytes;
    for (let k = rnd.int(1, 4); k > 0; k--) {
      const m = MUTATORS[rnd.int(0, MUTATORS.length - 1)]!;
      mutators.push(m);
      bytes = mutate(bytes, other.bytes, rnd, m);
    }
    const isFlac = seed.name.startsWith('flac/') || (seed.bytes[0] === 0x66 && seed.bytes[1] === 0x4c);
    return {
      input: {
        id,
        target: id % importEvery === importEvery - 1 ? 'import' : 'decode',
        ext: isFlac ? '.flac' : '.wav',
        bytes,
      },
      seed,
      mutators,
    };
  };
  const outOfTime = () =>
    opts.maxSeconds !== undefined && (performance.now() - started) / 1000 > opts.maxSeconds;
  const workers = Array.from({ length: opts.workers ?? 1 }, () => new FuzzProcess());
  const loop = async (w: FuzzProcess) => {
    while (next < total && !outOfTime()) {
      const { input, seed, mutators } = makeInput();
      let result = await w.run(input, timeoutMs);
      if (result === 'hang') {
        // Confirmed only if it times out again in a fresh, warmed-up process: a loaded machine can
        // stall any single input.
        summary.retried++;
        result = await w.run(input, timeoutMs);
      }
      summary.inputs++;
      summary.byTarget[input.target]++;
      let finding: FuzzFinding | undefined;
      if (result === 'hang' || result === 'exit') {
        finding = {
          kind: result === 'hang' ? 'hang' : 'crash',
          input: input.id,
          seed: seed.name,
          mutators,
          target: input.target,
          message:
            result === 'hang'
              ? `took more than ${timeoutMs} ms`
              : 'the fuzzing process died (out of memory?)',
        };
      } else {
        summary.peakRssMiB = Math.max(summary.peakRssMiB, result.peakRssBytes / 2 ** 20);
        summary.slowestInputMs = Math.max(summary.slowestInputMs, result.ms);
        if (result.outcome === 'ok') summary.ok++;
        else if (result.outcome === 'rejected') summary.rejected++;
        else
          finding = {
            kind: 'crash',
            input: input.id,
            seed: seed.name,
            mutators,
            target: input.target,
            message: result.message ?? '',
          };
      }
      if (finding) {
        if (finding.kind === 'hang') summary.hangs++;
        else summary.crashes++;
        if (opts.findingsDir) {
          finding.file = path.join(opts.findingsDir, `${finding.kind}-${input.id}${input.ext}`);
          fs.writeFileSync(finding.file, input.bytes);
          fs.writeFileSync(`${finding.file}.txt`, JSON.stringify(finding, null, 2));
        }
        summary.findings.push(finding);
      }
      if (summary.inputs % 1000 === 0) opts.onProgress?.(finish());
    }
  };
  const finish = (): FuzzSummary => {
    summary.seconds = (performance.now() - started) / 1000;
    summary.inputsPerSecond = summary.inputs / summary.seconds;
    return summary;
  };
  try {
    await Promise.all(workers.map(loop));
  } finally {
    for (const w of workers) w.close();
  }
  return finish();
}

async function main(): Promise<void> {
  const { Command } = await import('commander');
  const program = new Command('fuzz')
    .description('mutation fuzzing of the WAV/FLAC decoders and the import path')
    .option('-n, --inputs <n>', 'inputs to run', '100000')
    .option('-s, --seed <n>', 'seed of the input sequence', '1')
    .option('--max-seconds <s>', 'stop after this many seconds')
    .option('--timeout-ms <ms>', 'per-input limit before an input counts as a hang', '2000')
    .option('-j, --workers <n>', 'fuzzing processes', '1')
    .option('--findings <dir>', 'folder for crashing and hanging inputs', 'fuzz/findings')
    .option('--json', 'print the summary as JSON');
  program.parse();
  const o = program.opts<{
    inputs: string;
    seed: string;
    maxSeconds?: string;
    timeoutMs: string;
    workers: string;
    findings: string;
    json?: boolean;
  }>();
  const summary = await runFuzz({
    inputs: Number(o.inputs),
    seed: Number(o.seed),
    maxSeconds: o.maxSeconds === undefined ? undefined : Number(o.maxSeconds),
    timeoutMs: Number(o.timeoutMs),
    workers: Number(o.workers),
    findingsDir: o.findings,
    onProgress: (s) =>
      process.stderr.write(
        `\r${s.inputs} inputs, ${s.crashes} crashes, ${s.hangs} hangs, peak ${s.peakRssMiB.toFixed(0)} MiB, ${s.inputsPerSecond.toFixed(0)}/s   `,
      ),
  });
  process.stderr.write('\n');
  if (o.json) process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
  else
    process.stdout.write(
      `fuzz: ${summary.inputs} inputs (seed ${summary.seed}; ${summary.byTarget.decode} decoder, ${summary.byTarget.import} import path; ${summary.corpusSeeds} seeds) in ${summary.seconds.toFixed(0)} s\n` +
        `  ${summary.ok} decoded, ${summary.rejected} refused with the decoder's own error, ${summary.crashes} crashes, ${summary.hangs} hangs (> ${o.timeoutMs} ms twice; ${summary.retried} inputs run again after one slow run)\n` +
        `  peak memory of a fuzzing process ${summary.peakRssMiB.toFixed(0)} MiB, slowest input ${summary.slowestInputMs.toFixed(0)} ms\n` +
        summary.findings
          .map(
            (f) =>
              `  ${f.kind}: input ${f.input} (${f.seed}, ${f.mutators.join('+')}) ${f.message.split('\n')[0]} ${f.file ?? ''}\n`,
          )
          .join(''),
    );
  process.exitCode = summary.crashes + summary.hangs > 0 ? 1 : 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) void main();
