#!/usr/bin/env node
// `npm start`: opens the embedded default (the demo factory line) in the desktop app, or — where no
// Electron binary is installed (offline set-ups skip its download) — offers to fetch it when the
// download can be reached, and otherwise says so and starts web mode.
import { spawnSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline/promises';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';
import { electronDownloadUrl, probeReachable } from '../scripts/setup.mjs';

register();
const { electronBinaryPath } = await import('../src/app/environment.ts');

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'bin', 'auscult.mjs');
const forceWeb = process.argv.includes('--web');

function run(cmd, args) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

/** Where the Electron download can be reached: fetch the binary now, if the person agrees. */
async function offerElectronDownload() {
  const probe = await probeReachable(electronDownloadUrl(), 3000);
  if (!probe.reachable) {
    console.log('No Electron binary is installed (offline set-up), so Auscult starts in web mode instead.');
    return;
  }
  const command = 'node node_modules/electron/install.js';
  if (!process.stdin.isTTY) {
    console.log(
      `No Electron binary is installed; the download can be reached: \`${command}\` adds the desktop app. Starting web mode.`,
    );
    return;
  }
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout });
  const answer = (
    await rl.question(
      'No Electron binary is installed, and the download can be reached. Fetch it now (about 100 MB)? [Y/n] ',
    )
  ).trim();
  rl.close();
  if (/^n/i.test(answer)) {
    console.log(`Starting web mode; \`${command}\` adds the desktop app later.`);
    return;
  }
  const r = spawnSync(process.execPath, [path.join(root, 'node_modules', 'electron', 'install.js')], {
    stdio: 'inherit',
    cwd: root,
  });
  if (r.status !== 0) console.log('The Electron download failed, so Auscult starts in web mode instead.');
}

// The renderer is served from its build; build once (and after a fresh clone, or a build from before
// the desktop app's preload and bundled job worker).
const builtFiles = ['renderer/index.html', 'main/index.js', 'main/job-worker.js', 'preload/index.cjs'];
if (!builtFiles.every((f) => fs.existsSync(path.join(root, 'out', f)))) {
  console.log('Building the app (first start)…');
  run(process.execPath, [
    path.join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'),
    'build',
  ]);
}

// The embedded default: the demo factory line (created on first start, reused afterwards).
run(process.execPath, [cli, 'demo', '--no-open-hint']);

if (!forceWeb && !electronBinaryPath()) await offerElectronDownload();
const exe = forceWeb ? undefined : electronBinaryPath();
if (exe) {
  const child = spawn(exe, [root], { stdio: 'inherit', cwd: root });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  const args = [cli, 'serve', ...process.argv.slice(2).filter((a) => a !== '--web')];
  const child = spawn(process.execPath, args, { stdio: 'inherit', cwd: root });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code) => process.exit(code ?? 0));
}
