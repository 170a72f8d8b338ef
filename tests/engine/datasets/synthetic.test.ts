import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  ANOMALY_KINDS,
  DIFFICULTIES,
  generateSyntheticFactory,
  parseManifest,
  planSyntheticFactory,
  renderSyntheticClip,
  SNR_RANGE_DB,
} from '../../../src/engine/datasets/synthetic/factory.ts';
import { drawMachineProfile, renderMachine, type ClipConditions } from '../../../src/engine/datasets/synthetic/machines.ts';
import { renderAddedFault } from '../../../src/engine/datasets/synthetic/anomalies.ts';
import { rms } from '../../../src/engine/datasets/synthetic/dsp.ts';
import { Random, deriveSeed } from '../../../src/engine/datasets/prng.ts';
import { readDcaseDataset } from '../../../src/engine/datasets/dcase-layout.ts';
import { decodeAudioFile } from '../../../src/engine/audio/decode.ts';

const FS = 16000;
const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'auscult-synth-'));

/** Power of `x` at `freqHz` (Goertzel), normalised by length². */
function powerAt(x: ArrayLike<number>, freqHz: number): number {
  const w = (2 * Math.PI * freqHz) / FS;
  const c = 2 * Math.cos(w);
  let s1 = 0;
  let s2 = 0;
  for (let n = 0; n < x.length; n++) {
    const s = x[n]! + c * s1 - s2;
    s2 = s1;
    s1 = s;
  }
  return (s1 * s1 + s2 * s2 - c * s1 * s2) / (x.length * x.length);
}

/** Frequency of the strongest component in [loHz, hiHz] (0.5 Hz steps). */
function peakFrequency(x: ArrayLike<number>, loHz: number, hiHz: number): number {
  let best = loHz;
  let bestPower = -1;
  for (let f = loHz; f <= hiHz; f += 0.5) {
    const p = powerAt(x, f);
    if (p > bestPower) {
      bestPower = p;
      best = f;
    }
  }
  return best;
}

function conditions(length: number, speed = 1): ClipConditions {
  return { sampleRateHz: FS, length, speed: new Float64Array(length).fill(speed), tonalGainDb: 0, noiseGainDb: 0, amDepth: 0.05, resonanceDetune: 0 };
}

describe('synthetic factory', () => {
  const small = { seed: 5, types: ['fan' as const, 'valve' as const], idsPerType: 2, trainPerId: 2, testPerId: 3, durationS: 2 };

  it('writes the DCASE layout and a manifest; the same seed gives byte-identical files, another seed different ones', async () => {
    const a = tmp();
    const b = tmp();
    const c = tmp();
    const manifest = await generateSyntheticFactory({ ...small, outDir: a });
    await generateSyntheticFactory({ ...small, outDir: b });
    await generateSyntheticFactory({ ...small, seed: 6, outDir: c });
    expect(manifest).toHaveLength(2 * 2 * (2 + 3));
    expect(fs.readFileSync(path.join(a, 'manifest.csv'), 'utf8')).toBe(fs.readFileSync(path.join(b, 'manifest.csv'), 'utf8'));
    expect(parseManifest(fs.readFileSync(path.join(a, 'manifest.csv'), 'utf8'))).toEqual(manifest.map((e) => ({ ...e, snrDb: Number(e.snrDb.toFixed(2)) })));
    let differing = 0;
    for (const e of manifest) {
      const bytesA = fs.readFileSync(path.join(a, e.file));
      expect(bytesA.equals(fs.readFileSync(path.join(b, e.file)))).toBe(true);
      if (!bytesA.equals(fs.readFileSync(path.join(c, e.file)))) differing++;
    }
    expect(differing).toBe(manifest.length);

    const ds = readDcaseDataset([a]);
    expect(ds.classes).toEqual(['fan_id_00', 'fan_id_01', 'valve_id_00', 'valve_id_01']);
    expect(ds.train).toHaveLength(8);
    expect(ds.test.filter((t) => t.label === 'normal')).toHaveLength(8); // ceil(3/2) per id
    expect(ds.test.filter((t) => t.label === 'anomaly')).toHaveLength(4);
    for (const e of manifest) {
      expect(e.snrDb).toBeGreaterThanOrEqual(SNR_RANGE_DB[0]);
      expect(e.snrDb).toBeLessThanOrEqual(SNR_RANGE_DB[1]);
      expect(e.label === 'anomaly').toBe(e.anomalyKind !== '' && e.difficulty !== '');
    }

    // The decoder reads the files back as 16 kHz mono within 16-bit quantisation of the rendered clip.
    const first = manifest.find((e) => e.label === 'anomaly')!;
    const decoded = await decodeAudioFile(path.join(a, first.file));
    const spec = planSyntheticFactory(small).find((s) => s.split === 'test' && s.label === 'anomaly')!;
    const rendered = renderSyntheticClip(small.seed, spec, small.durationS).samples;
    expect(decoded.samples.length).toBe(2 * FS);
    let maxErr = 0;
    for (let i = 0; i < rendered.length; i++) maxErr = Math.max(maxErr, Math.abs(decoded.samples[i]! - rendered[i]!));
    expect(maxErr).toBeLessThanOrEqual(0.5 / 32768 + 1e-9);
  });

  it('refuses a non-empty folder, and replaces only a previous synthetic set with overwrite', async () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'mine');
    await expect(generateSyntheticFactory({ ...small, outDir: dir })).rejects.toThrow(/is not empty/);
    const set = tmp();
    await generateSyntheticFactory({ ...small, idsPerType: 3, outDir: set });
    await expect(generateSyntheticFactory({ ...small, outDir: set })).rejects.toThrow(/--force/);
    await generateSyntheticFactory({ ...small, outDir: set, overwrite: true });
    expect(fs.existsSync(path.join(set, 'fan/train/normal_id_02_00000000.wav'))).toBe(false); // the old id_02 is gone
    expect(readDcaseDataset([set]).classes).toHaveLength(4);

    // An interrupted generation leaves a partial manifest, so the set can still be replaced.
    const interrupted = tmp();
    const stop = (done: number): void => {
      if (done === 3) throw new Error('interrupted');
    };
    await expect(generateSyntheticFactory({ ...small, outDir: interrupted, onProgress: stop })).rejects.toThrow('interrupted');
    expect(fs.existsSync(path.join(interrupted, 'manifest.csv'))).toBe(false);
    expect(parseManifest(fs.readFileSync(path.join(interrupted, 'manifest.csv.partial'), 'utf8'))).toHaveLength(3);
    await expect(generateSyntheticFactory({ ...small, outDir: interrupted })).rejects.toThrow(/--force/);
    await generateSyntheticFactory({ ...small, outDir: interrupted, overwrite: true });
    expect(fs.readdirSync(interrupted).sort()).toEqual(['fan', 'manifest.csv', 'valve']);
  });

  it('rejects bad options with clear messages', async () => {
    expect(() => planSyntheticFactory({ types: ['drill' as never] })).toThrow(/unknown machine type "drill"/);
    expect(() => planSyntheticFactory({ trainPerId: 0 })).toThrow(/trainPerId must be an integer ≥ 1/);
    await expect(generateSyntheticFactory({ outDir: tmp(), seed: -1 })).rejects.toThrow(/seed must be an integer/);
  });

  it('balances anomaly kinds and difficulties: 18 anomalous clips of an id cover every (kind, difficulty) once', () => {
    const specs = planSyntheticFactory({ seed: 1, types: ['pump'], idsPerType: 1, trainPerId: 1, testPerId: 36 });
    const pairs = specs.filter((s) => s.anomaly).map((s) => `${s.anomaly!.kind}/${s.anomaly!.difficulty}`);
    expect(pairs).toHaveLength(18);
    expect(new Set(pairs).size).toBe(ANOMALY_KINDS.length * DIFFICULTIES.length);
  });

  it('makes harder sets: only the chosen difficulties, SNR drawn from the given range; defaults unchanged', async () => {
    const specs = planSyntheticFactory({ seed: 1, types: ['pump'], idsPerType: 1, trainPerId: 1, testPerId: 24, difficulties: ['medium', 'hard'] });
    const pairs = specs.filter((s) => s.anomaly).map((s) => `${s.anomaly!.kind}/${s.anomaly!.difficulty}`);
    expect(new Set(pairs).size).toBe(ANOMALY_KINDS.length * 2);
    expect(pairs.some((p) => p.endsWith('/easy'))).toBe(false);
    expect(() => planSyntheticFactory({ difficulties: ['trivial' as never] })).toThrow(/unknown difficulty "trivial"/);
    const spec = specs[0]!;
    expect(renderSyntheticClip(1, spec, 1, [-6, -6]).snrDb).toBe(-6);
    const standard = renderSyntheticClip(1, spec, 1);
    expect(renderSyntheticClip(1, spec, 1, SNR_RANGE_DB).samples).toEqual(standard.samples);
    const manifest = await generateSyntheticFactory({ outDir: tmp(), seed: 2, types: ['valve'], idsPerType: 1, trainPerId: 1, testPerId: 2, durationS: 1, snrRangeDb: [-9, -8] });
    for (const e of manifest) {
      expect(e.snrDb).toBeGreaterThanOrEqual(-9);
      expect(e.snrDb).toBeLessThanOrEqual(-8);
    }
    await expect(generateSyntheticFactory({ outDir: tmp(), snrRangeDb: [3, 1] })).rejects.toThrow(/SNR range must be two finite numbers, low ≤ high/);
  });

  it('gives ids of one type subtly different machines, and a fan a blade-pass tone that follows speed', () => {
    const p0 = drawMachineProfile('fan', new Random(deriveSeed(0, 'profile/fan/id_00')));
    const p1 = drawMachineProfile('fan', new Random(deriveSeed(0, 'profile/fan/id_01')));
    const rel = Math.abs(p0.shaftHz - p1.shaftHz) / p0.shaftHz;
    expect(rel).toBeGreaterThan(0);
    expect(rel).toBeLessThan(0.13);
    expect(p0.resonances[0]!.freqHz).not.toBe(p1.resonances[0]!.freqHz);

    const length = 2 * FS;
    const nominal = renderMachine(p0, conditions(length), new Random(1));
    expect(rms(nominal)).toBeCloseTo(1, 6);
    const fast = renderMachine(p0, conditions(length, 1.05), new Random(1));
    const lo = p0.toneHz * 0.9;
    const hi = p0.toneHz * 1.15;
    expect(peakFrequency(nominal, lo, hi)).toBeCloseTo(p0.toneHz, -0.5); // within ~1.5 Hz
    expect(peakFrequency(fast, lo, hi)).toBeCloseTo(p0.toneHz * 1.05, -0.5);
  });

  it('renders added faults at their stated level relative to the machine, hard quieter than easy', () => {
    const profile = drawMachineProfile('gearbox', new Random(3));
    const speed = new Float64Array(FS).fill(1);
    for (const kind of ['bearing', 'whine', 'friction', 'rattle'] as const) {
      const easy = renderAddedFault(kind, 'easy', profile, speed, new Random(2), FS, 0.5);
      const hard = renderAddedFault(kind, 'hard', profile, speed, new Random(2), FS, 0.5);
      expect(rms(easy) / rms(hard)).toBeCloseTo(10 ** (12 / 20), 6); // 12 dB apart for every added kind
      expect(rms(easy)).toBeLessThan(0.5);
    }
  });

  it('shifts the machine tone in a drift anomaly beyond normal speed variation', () => {
    const spec = { machineType: 'gearbox' as const, idNumber: 0, split: 'test' as const, index: 0 };
    const profile = drawMachineProfile('gearbox', new Random(deriveSeed(9, 'profile/gearbox/id_00')));
    const normal = renderSyntheticClip(9, { ...spec, label: 'normal' }, 2).samples;
    const drift = renderSyntheticClip(9, { ...spec, label: 'anomaly', anomaly: { kind: 'drift', difficulty: 'easy' } }, 2).samples;
    const lo = profile.toneHz * 0.8;
    const hi = profile.toneHz * 1.2;
    const normalPeak = peakFrequency(normal, lo, hi);
    const driftPeak = peakFrequency(drift, lo, hi);
    expect(Math.abs(normalPeak / profile.toneHz - 1)).toBeLessThan(0.045); // clamp of normal speed variation
    expect(Math.abs(driftPeak / normalPeak - 1)).toBeGreaterThan(0.03);
  });
});
