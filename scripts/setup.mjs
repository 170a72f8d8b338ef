#!/usr/bin/env node
// `npm run setup`: installs Auscult's dependencies on any machine, online or offline.
//
// Dependency-free on purpose (it runs before node_modules exists, on Linux, macOS and Windows).
// Electron's own postinstall downloads its binary and fails the whole `npm install` where that
// download cannot be reached; so we probe first and, offline, install with
// ELECTRON_SKIP_BINARY_DOWNLOAD=1 — everything but the desktop shell then works (web mode opens
// instead). Online it is the ordinary install, and it also adds a binary that an earlier offline
// set-up skipped.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const OFFLINE_MESSAGE =
  'offline: the desktop shell is skipped, web mode will open instead; run `npm run setup` again when online to add it';

/** Where @electron/get downloads Electron from (honours the same mirror settings it does). */
export function electronDownloadUrl(env = process.env) {
  const mirror = env.ELECTRON_MIRROR || env.npm_config_electron_mirror || env.NPM_CONFIG_ELECTRON_MIRROR;
  return mirror || 'https://github.com/electron/electron/releases/';
}

/**
 * Whether `url` answers at all within `timeoutMs` (any HTTP status counts: we only ask whether the
 * download host can be reached, not whether a given file exists). Never rejects.
 */
export function probeReachable(url, timeoutMs = 5000) {
  return new Promise((resolve) => {
    let settled = false;
    const done = (reachable, reason) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ reachable, reason });
    };
    let req;
    const timer = setTimeout(() => {
      req?.destroy();
      done(false, `no answer from ${new URL(url).host} in ${timeoutMs / 1000} s`);
    }, timeoutMs);
    try {
      const lib = url.startsWith('http:') ? http : https;
      req = lib.request(url, { method: 'HEAD' }, (res) => {
        res.resume();
        done(true, `${new URL(url).host} answered HTTP ${res.statusCode}`);
      });
      req.on('error', (err) => done(false, `${new URL(url).host}: ${err.code ?? err.message}`));
      req.end();
    } catch (err) {
      done(false, err instanceof Error ? err.message : String(err));
    }
  });
}

/**
 * What set-up runs: `npm ci` in CI (exactly the lockfile), `npm install` otherwise; with the
 * Electron download switched off when it cannot be reached.
 */
export function planInstall({ reachable, ci }) {
  return {
    npmArgs: ci ? ['ci', '--no-audit', '--no-fund'] : ['install', '--no-audit', '--no-fund'],
    env: reachable ? {} : { ELECTRON_SKIP_BINARY_DOWNLOAD: '1' },
    fetchElectronAfter: reachable,
    message: reachable
      ? 'online: installing everything, including the Electron desktop shell'
      : OFFLINE_MESSAGE,
  };
}

/** The installed Electron binary, if its package is there and downloaded one. */
export function electronInstalled(root = ROOT) {
  const pkgDir = path.join(root, 'node_modules', 'electron');
  try {
    const exe = fs.readFileSync(path.join(pkgDir, 'path.txt'), 'utf8').trim();
    return fs.existsSync(path.join(pkgDir, 'dist', exe));
  } catch {
    return false;
  }
}

/** Runs npm the same way on every platform: through the npm that runs us when there is one. */
function runNpm(args, env) {
  const npmCli = process.env.npm_execpath;
  const r =
    npmCli && npmCli.endsWith('.js')
      ? spawnSync(process.execPath, [npmCli, ...args], { stdio: 'inherit', cwd: ROOT, env })
      : spawnSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', args, {
          stdio: 'inherit',
          cwd: ROOT,
          env,
          shell: process.platform === 'win32',
        });
  return r.status ?? 1;
}

async function main() {
  const started = Date.now();
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major < 20 || (major === 20 && minor < 19)) {
    console.error(
      `auscult setup: Node.js ${process.versions.node} is too old; Auscult needs 20.19 or newer.`,
    );
    process.exit(1);
  }
  const ci = process.argv.includes('--ci') || /^(1|true)$/i.test(process.env.CI ?? '');
  const url = electronDownloadUrl();
  const probe = await probeReachable(url);
  const plan = planInstall({ reachable: probe.reachable, ci });
  console.log(`auscult setup: ${plan.message} (${probe.reason})`);
  const status = runNpm(plan.npmArgs, { ...process.env, ...plan.env });
  if (status !== 0) {
    console.error(`auscult setup: npm ${plan.npmArgs[0]} failed (exit ${status}); see its messages above.`);
    process.exit(status);
  }
  // npm does not re-run Electron's postinstall for a package already installed offline.
  if (plan.fetchElectronAfter && !electronInstalled()) {
    console.log('auscult setup: fetching the Electron binary skipped by an earlier offline set-up');
    const r = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'electron', 'install.js')], {
      stdio: 'inherit',
      cwd: ROOT,
    });
    if (r.status !== 0) console.log(`auscult setup: ${OFFLINE_MESSAGE}`);
  }
  const shell = electronInstalled() ? 'desktop app' : 'web mode (no Electron binary)';
  console.log(
    `auscult setup: done in ${Math.round((Date.now() - started) / 1000)} s; \`npm start\` opens the ${shell}`,
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  await main();
}
