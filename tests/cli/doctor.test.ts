import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const bin = path.resolve(__dirname, '../../bin/auscult.mjs');

describe('auscult doctor', () => {
  it('prints versions and the active TF backend', () => {
    const out = execFileSync(process.execPath, [bin, 'doctor', '--json'], {
      encoding: 'utf8',
      env: { ...process.env, AUSCULT_HOME: '/tmp/auscult-doctor-test' },
    });
    const r = JSON.parse(out) as { node: string; tfBackend: string; sqlite: string; workspace: string };
    expect(r.node).toBe(process.version);
    expect(['tensorflow', 'wasm', 'cpu']).toContain(r.tfBackend);
    expect(r.sqlite).toMatch(/^3\.\d+/);
    expect(r.workspace).toBe('/tmp/auscult-doctor-test');
  });
});
