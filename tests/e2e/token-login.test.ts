/**
 * Web mode as users run it (issue 9): `auscult serve` with a token. The printed URL opens the app
 * (the token becomes an HttpOnly cookie and leaves the address bar); a browser without it gets the
 * sign-in page, and pasting the token there opens the app.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { launchChromium } from './browser.ts';
import { startWebServer, type RunningServer } from './server.ts';

const TOKEN = 'e2e-token-0123456789abcdefghijkl';
const SHOTS = path.resolve('tmp', 'screenshots');

describe('web mode behind its token', () => {
  let server: RunningServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startWebServer({ token: TOKEN });
    browser = await launchChromium();
    fs.mkdirSync(SHOTS, { recursive: true });
    const res = await fetch(new URL('api/projects/create', server.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ name: 'Press line 3' }),
    });
    expect(res.status).toBe(200);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('the printed URL opens the app; the token moves into an HttpOnly cookie', async () => {
    expect(server.openUrl).toBe(`${server.url}?token=${TOKEN}`);
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(server.openUrl);
    // The app opens on its list of lines (the API answered with the cookie alone).
    await page.getByRole('link', { name: 'Press line 3' }).waitFor();
    expect(page.url()).toBe(`${server.url}#/lines`); // no token left in the address bar or history
    const cookies = await context.cookies();
    expect(cookies).toEqual([expect.objectContaining({ value: TOKEN, httpOnly: true, sameSite: 'Strict' })]);
    expect(await page.evaluate('document.cookie')).toBe(''); // not readable by scripts
    await context.close();
  });

  it('a browser without the token gets the sign-in page, and the pasted token opens the app', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const res = await page.goto(server.url);
    expect(res?.status()).toBe(401);
    expect(await page.locator('h1').textContent()).toBe('Auscult web mode');
    await page.screenshot({ path: path.join(SHOTS, 'web-mode-sign-in.png') });
    await page.getByLabel('token').fill(TOKEN);
    await page.getByRole('button', { name: 'Open Auscult' }).click();
    await page.getByRole('link', { name: 'Press line 3' }).waitFor();
    expect(page.url()).toBe(`${server.url}#/lines`);
    await context.close();
  });
});
