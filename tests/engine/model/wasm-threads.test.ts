/**
 * Multi-threaded wasm in Node (opt-in: AUSCULT_WASM_THREADS): the backend starts with the requested
 * thread pool and computes the same convolution as the single-threaded one.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_DIR } from '../../helpers/shared.ts';

const run = promisify(execFile);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'auscult-wasm-threads-test-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const scriptFile = path.join(tmp, 'conv.mts');
fs.writeFileSync(
  scriptFile,
  `
import { loadTf } from ${JSON.stringify(pathToFileURL(path.join(REPO_DIR, 'src/engine/tf.ts')).href)};
const rt = await loadTf({ backend: 'wasm' });
const { tf } = rt;
const x = tf.tensor4d(Float32Array.from({ length: 2 * 40 * 24 * 16 }, (_, i) => Math.sin(i * 0.37)), [2, 40, 24, 16]);
const k = tf.tensor4d(Float32Array.from({ length: 3 * 3 * 16 * 32 }, (_, i) => Math.cos(i * 0.11)), [3, 3, 16, 32]);
const y = tf.conv2d(x, k, 1, 'same');
console.log(JSON.stringify({ threads: rt.threads, sum: tf.sum(tf.abs(y)).dataSync()[0] }));
`,
);

async function convIn(threads: string): Promise<{ threads: number; sum: number }> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', scriptFile], {
    cwd: REPO_DIR,
    env: { ...process.env, AUSCULT_WASM_THREADS: threads },
    encoding: 'utf8',
  });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as { threads: number; sum: number };
}

describe('multi-threaded wasm in Node', () => {
  it('starts 2 threads when asked and gives the single-threaded result', async () => {
    const [one, two] = await Promise.all([convIn('1'), convIn('2')]);
    expect(one.threads).toBe(1);
    expect(two.threads).toBe(2);
    expect(Math.abs(two.sum - one.sum) / one.sum).toBeLessThan(1e-6);
  }, 60_000);
});
