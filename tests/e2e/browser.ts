import { chromium, type Browser } from 'playwright-core';
import { findChromium } from '../../src/app/environment.ts';

/** Launches the machine's Chromium headless (Playwright never downloads a browser of its own). */
export async function launchChromium(): Promise<Browser> {
  const executablePath = findChromium();
  if (!executablePath) {
    throw new Error('No Chromium found: install Debian\'s "chromium" package (apt-get install -y chromium) or set AUSCULT_CHROMIUM');
  }
  return chromium.launch({
    executablePath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}
