import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium } from './browser.ts';
import { startWebServer, type RunningServer } from './server.ts';

describe('web mode smoke test', () => {
  let server: RunningServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startWebServer();
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('serves the built renderer, which shows the live service status', async () => {
    const health = (await (await fetch(new URL('api/health', server.url))).json()) as { tfBackend: string };
    const page = await browser.newPage();
    await page.goto(server.url);
    await expect(page.title()).resolves.toBe('Auscult');
    await page.getByTestId('tf-backend').waitFor();
    expect(await page.getByTestId('tf-backend').textContent()).toBe(health.tfBackend);
    expect(await page.locator('h1').first().textContent()).toContain('Auscult');
  });
});
