#!/usr/bin/env node
// `npm start`: opens the embedded default (the demo factory line) in the desktop app, or — where no
// Electron binary is installed (offline installs skip its download) — says so and starts web mode.
import { spawnSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

register();
const { electronBinaryPath } = await import('../src/app/environment.ts');

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'bin', 'auscult.mjs');

function run(cmd, args) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

// The renderer is served from its build; build once (and after a fresh clone, or a build from before
// the desktop app's preload and bundled job worker).
const builtFiles = ['renderer/index.html', 'main/index.js', 'main/job-worker.js', 'preload/index.cjs'];
if (!builtFiles.every((f) => fs.existsSync(path.join(root, 'out', f)))) {
  console.log('Building the app (first start)…');
  run(process.execPath, [path.join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build']);
}

// The embedded default: the demo factory line (created on first start, reused afterwards).
run(process.execPath, [cli, 'demo']);

const exe = electronBinaryPath();
if (exe && !process.argv.includes('--web')) {
  const child = spawn(exe, [root], { stdio: 'inherit', cwd: root });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  if (!exe) console.log('No Electron binary is installed (offline install), so Auscult starts in web mode instead.');
  const args = [cli, 'serve', ...process.argv.slice(2).filter((a) => a !== '--web')];
  const child = spawn(process.execPath, args, { stdio: 'inherit', cwd: root });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code) => process.exit(code ?? 0));
}
