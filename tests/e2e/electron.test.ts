/**
 * The real desktop app, driven by Playwright's `_electron`: it needs an Electron binary, which
 * offline installs (ELECTRON_SKIP_BINARY_DOWNLOAD=1) do not have — then every test here is
 * skipped, saying so. On a machine with one: `npm install` (without the variable), then
 * `npm run test:e2e` (builds first) or `npx vitest run -c vitest.e2e.config.ts tests/e2e/electron.test.ts`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import { electronBinaryPath } from '../../src/app/environment.ts';
import { encodeWav } from '../../src/engine/audio/wav-encode.ts';

const REPO_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const executablePath = electronBinaryPath();
const SKIP_REASON =
  'no Electron binary installed (offline install with ELECTRON_SKIP_BINARY_DOWNLOAD=1); ' +
  'see README "Desktop app" for running this spec on a machine that has one';

describe('desktop app (Playwright _electron)', () => {
  let electronApp: ElectronApplication | undefined;
  let page: Page;
  let home: string;

  beforeAll(async () => {
    if (!executablePath) {
      console.warn(`desktop app e2e skipped: ${SKIP_REASON}`);
      return;
    }
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'auscult-electron-'));
    electronApp = await _electron.launch({
      executablePath,
      args: [REPO_DIR],
      cwd: REPO_DIR,
      env: { ...process.env, AUSCULT_HOME: path.join(home, 'ws'), ELECTRON_RENDERER_URL: '' },
    });
    page = await electronApp.firstWindow();
    await page.waitForLoadState('domcontentloaded');
  });

  afterAll(async () => {
    await electronApp?.close();
    if (home) fs.rmSync(home, { recursive: true, force: true });
  });

  it('opens the renderer on the app protocol, sandboxed, with window.auscult and no Node', async (ctx) => {
    if (!electronApp) ctx.skip(SKIP_REASON);
    expect(page.url()).toBe('auscult-app://renderer/index.html');
    await expect(page.title()).resolves.toBe('Auscult');
    // The page's globals (this callback runs in the renderer, hence globalThis).
    const globals = await page.evaluate(() => {
      const g = globalThis as unknown as { auscult?: object; require?: unknown; process?: unknown };
      return {
        auscult: Object.keys(g.auscult ?? {}).sort(),
        require: typeof g.require,
        process: typeof g.process,
      };
    });
    expect(globals).toEqual({
      auscult: ['call', 'on', 'onMenuCommand', 'pickFiles', 'pickFolder'],
      require: 'undefined',
      process: 'undefined',
    });
    await page.getByTestId('tf-backend').waitFor();
    fs.mkdirSync(path.join(REPO_DIR, 'tmp', 'screenshots'), { recursive: true });
    await page.screenshot({ path: path.join(REPO_DIR, 'tmp', 'screenshots', 'electron-window.png') });
  });

  it('calls the contract over IPC and plays audio through auscult-audio:// with Range', async (ctx) => {
    if (!electronApp) ctx.skip(SKIP_REASON);
    const dir = path.join(home, 'in', 'fan_id_00');
    fs.mkdirSync(dir, { recursive: true });
    const x = Float32Array.from({ length: 16000 }, (_, i) => 0.3 * Math.sin((2 * Math.PI * 440 * i) / 16000));
    fs.writeFileSync(path.join(dir, 'normal_0.wav'), encodeWav([x], 16000, { kind: 'pcm', bits: 16 }));
    const result = await page.evaluate(async (source) => {
      type Bridge = { call(m: string, a: unknown): Promise<unknown> };
      const api = (globalThis as unknown as { auscult: Bridge }).auscult;
      const project = (await api.call('projects/create', { name: 'Electron line' })) as { id: number };
      const bad = await api.call('projects/get', { projectId: 'x' }).catch((e: { code: string }) => e.code);
      await api.call('recordings/import', { projectId: project.id, sources: [source] });
      let items: { id: number }[] = [];
      for (let i = 0; i < 120 && items.length === 0; i++) {
        items = (
          (await api.call('recordings/list', { projectId: project.id })) as { items: { id: number }[] }
        ).items;
        if (items.length === 0) await new Promise((r) => setTimeout(r, 500));
      }
      const res = await fetch(`auscult-audio://recording/${items[0]!.id}`, {
        headers: { Range: 'bytes=0-99' },
      });
      const missing = await fetch('auscult-audio://recording/999999');
      return {
        bad,
        status: res.status,
        length: (await res.arrayBuffer()).byteLength,
        missing: missing.status,
      };
    }, path.dirname(dir));
    expect(result).toEqual({ bad: 'bad_request', status: 206, length: 100, missing: 404 });
  });

  it('stays on the app when the page tries to navigate away or open windows', async (ctx) => {
    if (!electronApp) ctx.skip(SKIP_REASON);
    await page.evaluate(() => {
      const g = globalThis as unknown as { open(url: string): void; location: { href: string } };
      g.open('https://example.com/');
      g.location.href = 'https://example.com/';
    });
    await page.waitForTimeout(500);
    expect(page.url()).toBe('auscult-app://renderer/index.html');
    expect(electronApp!.windows()).toHaveLength(1);
  });
});
