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
    const page = await browser.newPage();
    await page.goto(server.url);
    expect(await page.title()).toContain('Auscult');
    // The server says 'loading' until TensorFlow.js has chosen its backend; the page follows it.
    await page.getByTestId('tf-backend').waitFor();
    await expect
      .poll(() => page.getByTestId('tf-backend').textContent(), { timeout: 60_000 })
      .not.toBe('loading');
    const health = (await (await fetch(new URL('api/health', server.url))).json()) as { tfBackend: string };
    expect(['tensorflow', 'wasm', 'cpu']).toContain(health.tfBackend);
    expect(await page.getByTestId('tf-backend').textContent()).toBe(health.tfBackend);
    expect(await page.locator('h1').first().textContent()).toContain('Auscult');
  });

  it('lists the factory lines from the API and shows the selected line\'s dashboard', async () => {
    const res = await fetch(new URL('api/projects/create', server.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Press line 3', description: 'stamping presses, hall B' }),
    });
    expect(res.status).toBe(200);
    const project = (await res.json()) as { id: number };
    const page = await browser.newPage();
    await page.goto(server.url);
    await page.getByTestId(`project-${project.id}`).click();
    await page.getByTestId('project-name').waitFor();
    expect(page.url()).toContain(`#/lines/${project.id}`);
    expect(await page.getByTestId('project-name').textContent()).toBe('Press line 3');
    expect(await page.getByTestId('open-alarms').textContent()).toBe('0');
    expect(await page.getByTestId('no-machines').textContent()).toContain('No machines yet');
  });

  it('opens the new-line form from #/lines?new (where the desktop menu\'s File › New line leads)', async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}#/lines?new`);
    const name = page.getByLabel('Name', { exact: true });
    await name.waitFor();
    await expect.poll(() => page.evaluate('document.activeElement && document.activeElement.id')).toBe('new-line-name');
    // The query is consumed: reloading the list does not open the form again.
    await expect.poll(() => page.url()).toMatch(/#\/lines$/);
  });
});
