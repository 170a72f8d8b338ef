import type { Command } from 'commander';
import { promises as fs } from 'node:fs';
import { decodeAudioFile } from '../../engine/audio/decode.ts';
import { N_MELS, WINDOW_FRAMES } from '../../engine/features/params.ts';
import { concatWindows, recordingFeatures } from '../../engine/features/recording.ts';

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

export function registerFeatures(program: Command): void {
  program
    .command('features')
    .description('write the un-normalised log-Mel of an audio file\'s 313-frame windows as little-endian float32, frames × 128 row-major')
    .argument('<audio-file>', 'WAV or FLAC recording')
    .requiredOption('--out <file.f32>', 'output file (overwritten)')
    .option('--json', 'print the result as JSON')
    .action(async (file: string, opts: { out: string; json?: boolean }) => {
      const r = await writeFeatures(file, opts.out);
      for (const w of r.warnings) process.stderr.write(`auscult: warning: ${file}: ${w}\n`);
      if (opts.json) {
        process.stdout.write(JSON.stringify(r, null, 2) + '\n');
        return;
      }
      const starts = r.windows > 1 ? `, windows start at ${r.windowStartsS.map((s) => s.toFixed(2)).join(', ')} s` : '';
      process.stdout.write(`${r.out}: shape ${r.shape[0]} x ${r.shape[1]} (${r.windows} window${r.windows > 1 ? 's' : ''} of ${WINDOW_FRAMES} frames x ${N_MELS} mel bands, float32 little-endian${starts})\n`);
    });
}
