import type { Command } from 'commander';
import { promises as fs } from 'node:fs';
import { decodeAudioFile } from '../../engine/audio/decode.ts';
import { recordingFeatures } from '../../engine/features/recording.ts';
import { disposeModel, embedWindows, loadModel, normalizeWindowsForModel } from '../../engine/model/index.ts';
import { loadTf, parseBackendName } from '../../engine/tf.ts';

export interface EmbedFileRow {
  file: string;
  /** Rows of the output that belong to this file: first … first + windows − 1. */
  firstRow: number;
  windows: number;
  /** Most probable class of each window (model's own output). */
  topClasses: string[];
}

export interface EmbedReport {
  out: string;
  shape: [number, number];
  files: EmbedFileRow[];
  probsOut?: string;
}

async function writeF32(file: string, rows: Float32Array[]): Promise<void> {
  const width = rows[0]?.length ?? 0;
  const all = new Float32Array(rows.length * width);
  rows.forEach((r, i) => all.set(r, i * width));
  try {
    await fs.writeFile(file, new Uint8Array(all.buffer));
  } catch (e) {
    throw new Error(`cannot write ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** Embeds every 313-frame window of each file with the model in `modelDir`; N × 128 float32 LE to `out`. */
export async function runEmbedCommand(opts: { model: string; files: string[]; out: string; probs?: string; backend?: string }): Promise<EmbedReport> {
  if (opts.files.length === 0) throw new Error('embed: no audio files given');
  await loadTf(opts.backend ? { backend: parseBackendName(opts.backend) } : {});
  const model = await loadModel(opts.model);
  try {
    const embeddings: Float32Array[] = [];
    const probs: Float32Array[] = [];
    const rows: EmbedFileRow[] = [];
    for (const file of opts.files) {
      const audio = await decodeAudioFile(file);
      for (const w of audio.warnings) process.stderr.write(`auscult: warning: ${file}: ${w}\n`);
      const windows = normalizeWindowsForModel(model, recordingFeatures(audio).windows.map((w) => w.data));
      const r = embedWindows(model, windows);
      rows.push({
        file,
        firstRow: embeddings.length,
        windows: windows.length,
        topClasses: r.classProbs.map((p) => model.config.classNames[p.indexOf(Math.max(...p))]!),
      });
      embeddings.push(...r.embeddings);
      probs.push(...r.classProbs);
    }
    await writeF32(opts.out, embeddings);
    if (opts.probs) await writeF32(opts.probs, probs);
    return { out: opts.out, shape: [embeddings.length, model.config.embeddingDim], files: rows, probsOut: opts.probs };
  } finally {
    disposeModel(model);
  }
}

export function registerEmbed(program: Command): void {
  program
    .command('embed')
    .description('embed audio files with a trained model: one 128-d row per 313-frame window, float32 little-endian')
    .requiredOption('--model <dir>', 'model folder written by `auscult train`')
    .requiredOption('--out <file.f32>', 'output file: N × 128 float32, row-major (overwritten)')
    .option('--probs <file.f32>', "also write the model's class probabilities, N × C float32")
    .option('--backend <name>', 'TensorFlow.js backend: tensorflow, wasm or cpu (default: best available)')
    .option('--json', 'print the result as JSON')
    .argument('<audio-files...>', 'WAV or FLAC recordings')
    .action(async (files: string[], opts: { model: string; out: string; probs?: string; backend?: string; json?: boolean }) => {
      const r = await runEmbedCommand({ ...opts, files });
      if (opts.json) {
        process.stdout.write(JSON.stringify(r, null, 2) + '\n');
        return;
      }
      for (const f of r.files) {
        const rowsText = f.windows === 1 ? `row ${f.firstRow}` : `rows ${f.firstRow}–${f.firstRow + f.windows - 1}`;
        process.stdout.write(`${f.file}: ${rowsText}, model's class ${f.topClasses.join(', ')}\n`);
      }
      process.stdout.write(`${r.out}: shape ${r.shape[0]} x ${r.shape[1]} (float32 little-endian)\n`);
    });
}
