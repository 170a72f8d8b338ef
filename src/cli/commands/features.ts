import type { Command } from 'commander';
import { promises as fs } from 'node:fs';
import { decodeAudioFile } from '../../engine/audio/decode.ts';
import { N_MELS, WINDOW_FRAMES } from '../../engine/features/params.ts';
import { concatWindows, recordingFeatures } from '../../engine/features/recording.ts';
import { FeatureCache } from '../../engine/features/cache.ts';
import path from 'node:path';

export interface FeaturesReport {
  file: string;
  out: string;
  /** [rows, 128]: rows = windows × 313. */
  shape: [number, number];
  windows: number;
  windowStartsS: number[];
  warnings: string[];
}

/** Decode `file`, compute its windows' log-Mel and write them to `out` as float32 LE. */
export async function writeFeatures(file: string, out: string): Promise<FeaturesReport> {
  const audio = await decodeAudioFile(file);
  const { windows } = recordingFeatures(audio);
  const data = concatWindows(windows);
  try {
    await fs.writeFile(out, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  } catch (e) {
    throw new Error(`cannot write ${out}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return {
    file,
    out,
    shape: [windows.length * WINDOW_FRAMES, N_MELS],
    windows: windows.length,
    windowStartsS: windows.map((w) => w.startS),
    warnings: audio.warnings,
  };
}

/** Audio files named on the command line; folders are searched recursively for .wav/.flac. */
async function expandAudioPaths(paths: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of paths) {
    const stat = await fs.stat(p).catch(() => undefined);
    if (stat?.isDirectory()) {
      const entries = await fs.readdir(p, { recursive: true, withFileTypes: true });
      const found = entries
        .filter((e) => e.isFile() && /\.(wav|flac)$/i.test(e.name))
        .map((e) => path.join(e.parentPath, e.name));
      out.push(...found.sort());
    } else {
      out.push(p); // missing files are reported per file by the extraction
    }
  }
  return out;
}

async function cacheFeatures(
  paths: string[],
  cacheDir: string,
  threads: number | undefined,
  json: boolean,
): Promise<void> {
  const files = await expandAudioPaths(paths);
  if (files.length === 0) throw new Error(`no .wav or .flac files found in ${paths.join(', ')}`);
  const cache = new FeatureCache(cacheDir);
  const t0 = performance.now();
  const showProgress = process.stderr.isTTY && !json;
  const outcomes = await cache.extractFiles(files, {
    threads,
    onProgress: showProgress
      ? (p) =>
          process.stderr.write(
            `\rfeatures: ${p.done}/${p.total} files${p.failed ? `, ${p.failed} failed` : ''}`,
          )
      : undefined,
  });
  if (showProgress) process.stderr.write('\n');
  const seconds = (performance.now() - t0) / 1000;
  const failed = outcomes.filter((o) => !o.ok);
  for (const f of failed) if (!f.ok) process.stderr.write(`auscult: ${f.error}\n`);
  if (json) {
    process.stdout.write(
      JSON.stringify({ cacheDir: cache.dir, paramsId: cache.params.id, seconds, outcomes }, null, 2) + '\n',
    );
  } else {
    const windows = outcomes.reduce((n, o) => n + (o.ok ? o.recording.windowCount : 0), 0);
    process.stdout.write(
      `cached ${outcomes.length - failed.length} of ${outcomes.length} files (${windows} windows of ${WINDOW_FRAMES} x ${N_MELS}) in ${cache.dir} in ${seconds.toFixed(1)} s (${(outcomes.length / seconds).toFixed(0)} files/s)\n`,
    );
  }
  if (failed.length) process.exitCode = 1;
}

export function registerFeatures(program: Command): void {
  program
    .command('features')
    .description(
      "write the un-normalised log-Mel of an audio file's 313-frame windows as little-endian float32, frames × 128 row-major (--out), or cache the features of many files over worker threads (--cache)",
    )
    .argument('<audio-files...>', 'WAV or FLAC recording (with --cache: files and folders)')
    .option('--out <file.f32>', 'output file (overwritten); needs exactly one audio file')
    .option('--cache <dir>', 'feature cache folder to fill instead of writing --out')
    .option('--threads <n>', 'worker threads for --cache (default: all cores)', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0)
        throw new Error(`--threads must be a non-negative integer, got "${v}"`);
      return n;
    })
    .option('--json', 'print the result as JSON')
    .action(
      async (files: string[], opts: { out?: string; cache?: string; threads?: number; json?: boolean }) => {
        if (opts.cache !== undefined) {
          if (opts.out !== undefined) throw new Error('use either --out or --cache, not both');
          await cacheFeatures(files, opts.cache, opts.threads, opts.json ?? false);
          return;
        }
        if (opts.out === undefined)
          throw new Error('features: --out <file.f32> is required (or --cache <dir> for many files)');
        if (files.length !== 1)
          throw new Error(
            `features --out writes one file's features; got ${files.length} audio files (use --cache for many)`,
          );
        const file = files[0]!;
        const r = await writeFeatures(file, opts.out);
        for (const w of r.warnings) process.stderr.write(`auscult: warning: ${file}: ${w}\n`);
        if (opts.json) {
          process.stdout.write(JSON.stringify(r, null, 2) + '\n');
          return;
        }
        const shown =
          r.windowStartsS.length > 8
            ? [
                ...r.windowStartsS.slice(0, 6).map((s) => s.toFixed(2)),
                '…',
                r.windowStartsS.at(-1)!.toFixed(2),
              ]
            : r.windowStartsS.map((s) => s.toFixed(2));
        const starts = r.windows > 1 ? `, windows start at ${shown.join(', ')} s; all in --json` : '';
        process.stdout.write(
          `${r.out}: shape ${r.shape[0]} x ${r.shape[1]} (${r.windows} window${r.windows > 1 ? 's' : ''} of ${WINDOW_FRAMES} frames x ${N_MELS} mel bands, float32 little-endian${starts})\n`,
        );
      },
    );
}
