import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');

describe('our WebAssembly kernels', () => {
  it('the committed binaries are a fresh compile of src/engine/tf-kernels/assembly/ (npm run build:kernels)', () => {
    const out = execFileSync(process.execPath, [path.join(root, 'scripts/build-kernels.mjs'), '--check'], { encoding: 'utf8' });
    expect(out).toContain('up to date');
  });
});
