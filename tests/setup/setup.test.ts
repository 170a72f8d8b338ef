import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_DIR } from '../helpers/shared.ts';
import { OFFLINE_MESSAGE, planInstall, probeReachable } from '../../scripts/setup.mjs';

/** A loopback server standing in for the Electron download host ("online"). */
let online: http.Server;
let onlineUrl = '';
/** A loopback port nobody listens on ("offline": connection refused at once). */
let offlineUrl = '';

beforeAll(async () => {
  online = http.createServer((_req, res) => res.writeHead(302, { location: '/elsewhere' }).end());
  await new Promise<void>((r) => online.listen(0, '127.0.0.1', r));
  onlineUrl = `http://127.0.0.1:${(online.address() as AddressInfo).port}/`;
  const closed = http.createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  offlineUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/`;
  await new Promise<void>((r) => closed.close(() => r()));
});
afterAll(() => online.close());

describe('probeReachable', () => {
  it('counts any HTTP answer as reachable', async () => {
    const r = await probeReachable(onlineUrl, 2000);
    expect(r.reachable).toBe(true);
    expect(r.reason).toMatch(/answered HTTP 302/);
  });

  it('reports a refused connection as unreachable, with the reason', async () => {
    const r = await probeReachable(offlineUrl, 2000);
    expect(r.reachable).toBe(false);
    expect(r.reason).toMatch(/ECONNREFUSED/);
  });

  it('gives up after its time limit when the host never answers', async () => {
    const silent = http.createServer(() => {
      /* never answers */
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const started = Date.now();
    const r = await probeReachable(`http://127.0.0.1:${(silent.address() as AddressInfo).port}/`, 300);
    silent.closeAllConnections();
    silent.close();
    expect(r.reachable).toBe(false);
    expect(r.reason).toMatch(/no answer .* in 0.3 s/);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('planInstall', () => {
  it('offline: the ordinary install with the Electron download switched off, and says so', () => {
    const plan = planInstall({ reachable: false, ci: false });
    expect(plan.npmArgs[0]).toBe('install');
    expect(plan.env).toEqual({ ELECTRON_SKIP_BINARY_DOWNLOAD: '1' });
    expect(plan.message).toBe(OFFLINE_MESSAGE);
  });

  it('online: the ordinary install, nothing switched off; CI installs the lockfile exactly', () => {
    expect(planInstall({ reachable: true, ci: false })).toMatchObject({
      npmArgs: ['install', '--no-audit', '--no-fund'],
      env: {},
    });
    expect(planInstall({ reachable: true, ci: true }).npmArgs[0]).toBe('ci');
  });
});

/**
 * Runs the real set-up script from a scratch copy of the repository layout, with npm replaced by a
 * recorder (npm_execpath) and the download host by a loopback address (ELECTRON_MIRROR).
 */
async function runSetup(mirror: string, env: NodeJS.ProcessEnv = {}) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'auscult-setup-'));
  fs.mkdirSync(path.join(root, 'scripts'));
  fs.copyFileSync(path.join(REPO_DIR, 'scripts', 'setup.mjs'), path.join(root, 'scripts', 'setup.mjs'));
  const record = path.join(root, 'calls.jsonl');
  const fakeNpm = path.join(root, 'fake-npm-cli.js');
  fs.writeFileSync(
    fakeNpm,
    `require('fs').appendFileSync(${JSON.stringify(record)}, JSON.stringify({ tool: 'npm', args: process.argv.slice(2), skip: process.env.ELECTRON_SKIP_BINARY_DOWNLOAD ?? null }) + '\\n');`,
  );
  // What npm would have installed: the electron package, without a downloaded binary.
  fs.mkdirSync(path.join(root, 'node_modules', 'electron'), { recursive: true });
  fs.writeFileSync(
    path.join(root, 'node_modules', 'electron', 'install.js'),
    `require('fs').appendFileSync(${JSON.stringify(record)}, JSON.stringify({ tool: 'electron-install' }) + '\\n');`,
  );
  const child = spawn(process.execPath, [path.join(root, 'scripts', 'setup.mjs')], {
    cwd: root,
    env: { ...process.env, CI: '', ...env, ELECTRON_MIRROR: mirror, npm_execpath: fakeNpm },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const code = await new Promise<number | null>((r) => child.on('exit', r));
  const calls = fs.existsSync(record)
    ? fs
        .readFileSync(record, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>)
    : [];
  fs.rmSync(root, { recursive: true, force: true });
  return { code, output, calls };
}

describe('npm run setup (the script, end to end)', () => {
  it('offline: installs with ELECTRON_SKIP_BINARY_DOWNLOAD=1 and says so in one line', async () => {
    const r = await runSetup(offlineUrl);
    expect(r.code).toBe(0);
    expect(r.calls).toEqual([{ tool: 'npm', args: ['install', '--no-audit', '--no-fund'], skip: '1' }]);
    expect(r.output).toContain(OFFLINE_MESSAGE);
    expect(r.output).toMatch(/`npm start` opens the web mode/);
  });

  it('online: the normal install path, then fetches a binary an earlier offline set-up skipped', async () => {
    const r = await runSetup(onlineUrl);
    expect(r.code).toBe(0);
    expect(r.calls).toEqual([
      { tool: 'npm', args: ['install', '--no-audit', '--no-fund'], skip: null },
      { tool: 'electron-install' },
    ]);
    expect(r.output).toMatch(/online: installing everything/);
  });

  it('in CI it installs the lockfile exactly (npm ci)', async () => {
    const r = await runSetup(offlineUrl, { CI: 'true' });
    expect(r.code).toBe(0);
    expect(r.calls[0]).toMatchObject({ tool: 'npm', args: ['ci', '--no-audit', '--no-fund'], skip: '1' });
  });
});
