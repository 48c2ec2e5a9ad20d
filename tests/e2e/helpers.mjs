// Shared set-up for the end-to-end tests: Debian's Chromium driven by playwright-core.
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';

export const BASE = process.env.BASE_URL ?? 'http://127.0.0.1:8080/reader/';
export const ORIGIN = new URL(BASE).origin;
export const SCREENSHOT_DIR = process.env.SCREENSHOT_DIR ?? 'target/screenshots';

const ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--disable-dev-shm-usage',
];

export async function launch() {
  return chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ARGS, headless: true });
}

/// A fresh context and page that fail the test on any page error, CSP violation or
/// request that leaves the origin.
export async function openPage(browser, options = {}) {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  watch(page);
  return { context, page };
}

export function watch(page) {
  page.problems = [];
  page.on('pageerror', (e) => page.problems.push(`page error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') page.problems.push(`console error: ${m.text()}`); });
  page.on('request', (r) => {
    const url = r.url();
    if (!url.startsWith(ORIGIN) && !url.startsWith('data:') && !url.startsWith('blob:')) {
      page.problems.push(`request left the origin: ${url}`);
    }
  });
  return page;
}

/// No page errors, console errors, or foreign requests happened.
export function assertClean(page, allow = []) {
  const problems = page.problems.filter((p) => !allow.some((a) => p.includes(a)));
  assert.deepEqual(problems, []);
}

export function url(path = '') {
  return new URL(path, BASE).href;
}

export function screenshotPath(name) {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  return `${SCREENSHOT_DIR}/${name}.png`;
}
