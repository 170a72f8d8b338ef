/**
 * A fuzzing process: runs inputs sent by the fuzzer (fuzz.ts) through the decoder or the import
 * path and reports how each ended. "rejected" is the decoder's (or the import's) own clear error,
 * naming the file; anything else thrown is a "crash". Its memory is measured per input.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AudioDecodeError, decodeAudioBytesAsync } from '../src/engine/audio/decode.ts';
import { importOneFile } from '../src/app/services/import-run.ts';
import { Workspace } from '../src/app/workspace.ts';

export interface FuzzInput {
  id: number;
  target: 'decode' | 'import';
  ext: '.wav' | '.flac';
  bytes: Uint8Array;
}

export interface FuzzOutcome {
  id: number;
  outcome: 'ok' | 'rejected' | 'crash';
  message?: string;
  /** Peak resident memory of this process so far (getrusage maxrss), bytes: bounds every input's. */
  peakRssBytes: number;
  ms: number;
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auscult-fuzz-'));
let ws: Workspace | undefined;
let projectId = 0;

function workspace(): Workspace {
  if (!ws) {
    ws = Workspace.open(path.join(dir, 'ws'));
    projectId = ws.projects.create({ name: 'fuzz' }).id;
  }
  return ws;
}

async function run(m: FuzzInput): Promise<Omit<FuzzOutcome, 'id' | 'peakRssBytes' | 'ms'>> {
  if (m.target === 'decode') {
    const name = `input${m.ext}`;
    try {
      const d = await decodeAudioBytesAsync(m.bytes, name);
      let acc = 0;
      for (let i = 0; i < d.samples.length; i++) acc += d.samples[i]! * 0;
      if (!Number.isFinite(acc) || d.samples.length === 0 || !(d.durationS > 0))
        return { outcome: 'crash', message: 'decoded audio holds non-finite samples or is empty' };
      return { outcome: 'ok' };
    } catch (err) {
      if (err instanceof AudioDecodeError && err.message.startsWith(`${name}: `))
        return { outcome: 'rejected' };
      return { outcome: 'crash', message: (err as Error)?.stack ?? String(err) };
    }
  }
  const file = path.join(dir, `in-${m.id}${m.ext}`);
  fs.writeFileSync(file, m.bytes);
  try {
    await importOneFile(
      workspace(),
      {
        path: file,
        machineType: 'fan',
        machineName: 'id_00',
        mappedBy: 'given',
        groupKey: 'fan/id_00/train/normal',
        role: 'train',
        label: 'normal',
        section: null,
        domain: null,
        attributes: {},
      },
      { projectId, copy: false, source: 'import', jobId: null, rules: {} },
    );
    return { outcome: 'ok' };
  } catch (err) {
    const message = (err as Error)?.message ?? String(err);
    if (
      err instanceof Error &&
      message.startsWith(`${file}: `) &&
      !(err instanceof TypeError) &&
      !(err instanceof RangeError)
    )
      return { outcome: 'rejected' };
    return { outcome: 'crash', message: (err as Error)?.stack ?? message };
  } finally {
    fs.rmSync(file, { force: true });
  }
}

process.on('message', (m: FuzzInput) => {
  const t0 = performance.now();
  void run(m).then((r) => {
    const reply: FuzzOutcome = {
      id: m.id,
      ...r,
      peakRssBytes: process.resourceUsage().maxRSS * 1024,
      ms: performance.now() - t0,
    };
    process.send!(reply);
  });
});
process.on('disconnect', () => {
  ws?.close();
  fs.rmSync(dir, { recursive: true, force: true });
  process.exit(0);
});
// Warm up before taking inputs (database open and migrated, decoders compiled), so that the first
// inputs are not timed with the start-up.
void (async () => {
  workspace();
  const { encodeWav } = await import('../src/engine/audio/wav-encode.ts');
  const { encodeFlacVerbatim } = await import('../tests/engine/audio/flac-writer.ts');
  await decodeAudioBytesAsync(
    encodeWav([new Float32Array(16_000)], 16000, { kind: 'pcm', bits: 16 }),
    'warm-up.wav',
  );
  await decodeAudioBytesAsync(encodeFlacVerbatim([new Int32Array(16_000)], 16000, 16), 'warm-up.flac');
  await decodeAudioBytesAsync(
    encodeWav([new Float32Array(44_100)], 44100, { kind: 'pcm', bits: 16 }),
    'warm-up.wav',
  );
  process.send!({ ready: true });
})();
