import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { REPO_DIR } from '../helpers/shared.ts';

/** Where e2e tests save the screenshot of every screen (README "Screens" shows them). */
export const SCREENSHOT_DIR = path.join(REPO_DIR, 'docs', 'screenshots');

/** The two sizes ui.md asks every screen to be judged at. */
export const VIEWPORTS = {
  laptop: { width: 1280, height: 800 },
  desktop: { width: 1920, height: 1080 },
} as const;

/** A page at a viewport and colour scheme (the renderer follows the system's light/dark theme). */
export async function newScreenPage(
  browser: Browser,
  options: { viewport?: keyof typeof VIEWPORTS; colorScheme?: 'light' | 'dark' } = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    viewport: VIEWPORTS[options.viewport ?? 'laptop'],
    colorScheme: options.colorScheme ?? 'light',
  });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console error: ${msg.text()}`);
  });
  (page as Page & { problems: string[] }).problems = problems;
  return { context, page };
}

/** Errors the page logged since it was opened (uncaught exceptions, console.error). */
export function pageProblems(page: Page): string[] {
  return (page as Page & { problems?: string[] }).problems ?? [];
}

/**
 * Saves `docs/screenshots/<name>.png` of the whole page once fonts and animations settled (the
 * caller waits for the screen's content first).
 */
export async function saveScreenshot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<string> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.evaluate('document.fonts.ready.then(() => true)');
  // A full-page capture of a scrolled page would draw the sticky top bar in the middle.
  if (options.fullPage) await page.evaluate('window.scrollTo(0, 0)');
  await page.screenshot({ path: file, fullPage: options.fullPage ?? false, animations: 'disabled' });
  return file;
}

/**
 * Starts recording long tasks (main-thread work over 50 ms, PerformanceObserver `longtask`);
 * `read()` returns their durations in ms since the start.
 */
export async function watchLongTasks(page: Page): Promise<{ read(): Promise<number[]> }> {
  // A string: this file is compiled for Node (no DOM types); the code runs in the page.
  await page.evaluate(`(() => {
    window.__longTasks = [];
    window.__longTaskObserver?.disconnect();
    window.__longTaskObserver = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longTasks.push(e.duration);
    });
    window.__longTaskObserver.observe({ type: 'longtask', buffered: false });
  })()`);
  return {
    read: () => page.evaluate('[...window.__longTasks]') as Promise<number[]>,
  };
}
