import type { Command } from 'commander';
import { decodeAudioFile, type AudioSourceInfo } from '../../engine/audio/decode.ts';
import { MIN_DURATION_S } from '../../engine/features/params.ts';

export interface AudioInfoReport extends AudioSourceInfo {
  file: string;
  warnings: string[];
}

function describeFormat(s: AudioSourceInfo): string {
  if (s.container === 'flac') return 'FLAC';
  const codec = s.codec.startsWith('pcm_f')
    ? 'IEEE float'
    : s.codec === 'pcm_u8'
      ? 'PCM unsigned 8-bit'
      : 'PCM signed integer';
  return `WAV, ${codec}${s.extensible ? ' (WAVE_FORMAT_EXTENSIBLE)' : ''}`;
}

export function registerInfo(program: Command): void {
  program
    .command('info')
    .description(
      'print the format, channels, sample rate, bits and duration of an audio file (or why it cannot be read)',
    )
    .argument('<audio-file>', 'WAV or FLAC recording')
    .option('--json', 'print the report as JSON')
    .action(async (file: string, opts: { json?: boolean }) => {
      // Decode completely (not only the header) so that a file info accepts is one features accepts.
      const audio = await decodeAudioFile(file, { minDurationS: 0 });
      const s = audio.source;
      const warnings = [...audio.warnings];
      if (s.durationS < MIN_DURATION_S)
        warnings.push(`shorter than ${MIN_DURATION_S} s: refused for features and scoring`);
      const report: AudioInfoReport = { file, ...s, warnings };
      if (opts.json) {
        process.stdout.write(JSON.stringify(report, null, 2) + '\n');
        return;
      }
      const lines: [string, string][] = [
        ['file', file],
        ['format', `${describeFormat(s)} (${s.codec})`],
        ['channels', String(s.channels)],
        ['rate', `${s.sampleRateHz} Hz`],
        ['bits', String(s.bitsPerSample)],
        ['duration', `${s.durationS.toFixed(3)} s (${s.frames} frames)`],
        ...warnings.map((w): [string, string] => ['warning', w]),
      ];
      for (const [k, v] of lines) process.stdout.write(`${k.padEnd(9)} ${v}\n`);
    });
}
