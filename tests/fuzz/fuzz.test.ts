/**
 * The CI-short version of `npm run fuzz` (seeded, ≤ 60 s) and the regression inputs of earlier
 * findings. The long run's figures are in the README ("Fuzzing").
 */
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { AudioDecodeError, decodeAudioBytesAsync } from '../../src/engine/audio/decode.ts';
import { REGRESSIONS_DIR } from '../../fuzz/corpus.ts';
import { runFuzz } from '../../fuzz/fuzz.ts';

describe('fuzzing', () => {
  it("regression inputs of earlier findings end in the decoder's own clear error", async () => {
    const files = fs.readdirSync(REGRESSIONS_DIR).sort();
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      const err = await decodeAudioBytesAsync(
        new Uint8Array(fs.readFileSync(path.join(REGRESSIONS_DIR, f))),
        f,
      ).catch((e: unknown) => e);
      expect(err, f).toBeInstanceOf(AudioDecodeError);
      expect((err as Error).message.startsWith(`${f}: `)).toBe(true);
    }
    const absurd = await decodeAudioBytesAsync(
      new Uint8Array(fs.readFileSync(path.join(REGRESSIONS_DIR, 'float64-absurd-value.wav'))),
      'f.wav',
    ).catch((e: Error) => e.message);
    expect(absurd).toMatch(
      /f\.wav: the float data holds absurd sample values \(magnitude up to \d\.\de\+\d+; full scale is 1\)/,
    );
  });

  it('a short seeded run (≤ 40 s of inputs) finds no crash and no hang', async () => {
    const s = await runFuzz({ inputs: 2000, seed: 9, maxSeconds: 40, workers: 1 });
    expect(s.findings).toEqual([]);
    expect(s.crashes).toBe(0);
    expect(s.hangs).toBe(0);
    // It really ran: decoder and import path both, with inputs decoded and refused.
    expect(s.inputs).toBeGreaterThanOrEqual(100);
    expect(s.byTarget.import).toBeGreaterThan(0);
    expect(s.ok).toBeGreaterThan(0);
    expect(s.rejected).toBeGreaterThan(0);
    expect(s.peakRssMiB).toBeLessThan(1024);
  }, 90_000);
});
