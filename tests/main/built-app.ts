import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Builds the app (`electron-vite build`) into a fresh folder under tmp/ of the repository — inside
 * it so the bundles resolve their packages from its node_modules — and returns that folder
 * (main/, preload/, renderer/). A fresh build per test file: never a stale out/.
 */
export function buildApp(): { outDir: string; cleanup: () => void } {
  fs.mkdirSync(path.join(REPO_DIR, 'tmp'), { recursive: true });
  const outDir = fs.mkdtempSync(path.join(REPO_DIR, 'tmp', 'electron-build-'));
  execFileSync(
    process.execPath,
    [
      path.join(REPO_DIR, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'),
      'build',
      '--outDir',
      outDir,
      '--logLevel',
      'error',
    ],
    { cwd: REPO_DIR, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  return { outDir, cleanup: () => fs.rmSync(outDir, { recursive: true, force: true }) };
}
