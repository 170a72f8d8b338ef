/**
 * `auscult train` and `auscult embed` as a user runs them (a child process per command) on a tiny
 * synthetic DCASE-style root: 2 machine types × 1 id, 3 training clips each.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSyntheticFactory } from '../../src/engine/datasets/synthetic/factory.ts';

const run = promisify(execFile);
const bin = path.resolve(__dirname, '../../bin/auscult.mjs');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'auscult-cli-train-'));
const data = path.join(tmp, 'data');
const modelDir = path.join(tmp, 'model');
const env = { ...process.env, AUSCULT_HOME: path.join(tmp, 'home'), AUSCULT_TF_BACKEND: 'wasm' };

async function auscult(...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const r = await run(process.execPath, [bin, ...args], { env, encoding: 'utf8' });
    return { ...r, code: 0 };
  } catch (e) {
    const err = e as { stdout: string; stderr: string; code: number };
    return { stdout: err.stdout, stderr: err.stderr, code: err.code };
  }
}

beforeAll(async () => {
  await generateSyntheticFactory({ outDir: data, seed: 4, types: ['fan', 'valve'], idsPerType: 1, trainPerId: 3, testPerId: 2, durationS: 3 });
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('auscult train / embed', () => {
  it('trains a model folder from a DCASE-style root and embeds files into an N × 128 float32 file', async () => {
    const train = await auscult('train', '--data', data, '--out', modelDir, '--subclusters', '2', '--epochs', '2', '--batch-size', '3', '--seed', '5', '--no-progress');
    expect(train.stderr).toMatch(/6 training clips of 2 machine ids/);
    expect(train.stderr).toMatch(/epoch 2\/2: loss \d+\.\d+, ŝ \d+\.\d+/);
    expect(train.code).toBe(0);
    expect(train.stdout).toMatch(/model trained for 2 epochs/);
    expect(fs.readdirSync(modelDir).sort()).toEqual(['model.json', 'weights.bin']);
    expect(fs.existsSync(`${modelDir}.checkpoint`)).toBe(false);
    const json = JSON.parse(fs.readFileSync(path.join(modelDir, 'model.json'), 'utf8')) as { config: { classNames: string[]; subclusters: number; normStats: { mean: number[] } } };
    expect(json.config.classNames).toEqual(['fan_id_00', 'valve_id_00']);
    expect(json.config.subclusters).toBe(2);
    expect(json.config.normStats.mean).toHaveLength(128);

    const files = ['fan', 'valve'].map((t) => path.join(data, t, 'test', `normal_id_00_00000000.wav`));
    const out = path.join(tmp, 'emb.f32');
    const probs = path.join(tmp, 'probs.f32');
    const embed = await auscult('embed', '--model', modelDir, '--out', out, '--probs', probs, ...files);
    expect(embed.code).toBe(0);
    expect(embed.stdout).toMatch(/emb\.f32: shape 2 x 128/);
    const e = new Float32Array(new Uint8Array(fs.readFileSync(out)).buffer);
    expect(e.length).toBe(2 * 128);
    expect(e.every(Number.isFinite)).toBe(true);
    expect(e.slice(0, 128)).not.toEqual(e.slice(128));
    const p = new Float32Array(new Uint8Array(fs.readFileSync(probs)).buffer);
    expect(p.length).toBe(2 * 2);
    expect(p[0]! + p[1]!).toBeCloseTo(1, 5);
  }, 180_000);

  it('reports missing options and bad model folders clearly', async () => {
    const noData = await auscult('train', '--out', modelDir);
    expect(noData.code).toBe(1);
    expect(noData.stderr).toMatch(/auscult: train: --data <root> is required/);
    const badModel = await auscult('embed', '--model', path.join(tmp, 'missing'), '--out', path.join(tmp, 'x.f32'), path.join(data, 'fan', 'test', 'normal_id_00_00000000.wav'));
    expect(badModel.code).toBe(1);
    expect(badModel.stderr).toMatch(/missing: not a model folder/);
    const badS = await auscult('train', '--data', data, '--out', modelDir, '--subclusters', '0');
    expect(badS.code).not.toBe(0);
    expect(badS.stderr).toMatch(/--subclusters must be a positive integer/);
  }, 60_000);
});
