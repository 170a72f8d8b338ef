/**
 * Runs a model benchmark's child script on the wasm backend with `threads` wasm threads (fixed
 * when wasm starts, hence one process per count) and returns its last stdout line as JSON, once.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export function childResult<T extends { threads: number }>(script: string, threads: number): () => T {
  const file = path.join(path.dirname(fileURLToPath(import.meta.url)), script);
  let cached: T | undefined;
  return () => {
    if (cached) return cached;
    const stdout = execFileSync(process.execPath, ['--import', 'tsx', file], {
      env: { ...process.env, AUSCULT_TF_BACKEND: 'wasm', AUSCULT_WASM_THREADS: String(threads) },
      encoding: 'utf8',
      maxBuffer: 16 << 20,
    });
    const result = JSON.parse(stdout.trim().split('\n').at(-1)!) as T;
    if (result.threads !== threads) throw new Error(`${script}: asked for ${threads} wasm threads, the child ran ${result.threads}`);
    cached = result;
    return result;
  };
}
