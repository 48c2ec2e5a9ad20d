// Shared set-up for the end-to-end tests: the Chromium named by CHROMIUM (`cargo xtask e2e`
// finds it and sets it) driven by playwright-core.
import { chromium } from 'playwright-core';
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';

export const BASE = process.env.BASE_URL ?? 'http://127.0.0.1:8080/reader/';
export const ORIGIN = new URL(BASE).origin;

/// What every localStorage key of the reader served under `base` starts with: `broadsheet:`,
/// its base path with one leading and one trailing `/` (`:` written `%3A`), then `:`. The app
/// (core/src/store/repo.rs, `scope_of`) and assets/boot.js compute it the same way.
export function keyPrefix(base = BASE) {
  const path = new URL(base).pathname.replace(/^\/+|\/+$/g, '').replace(/:/g, '%3A');
  return `broadsheet:${path ? `/${path}/` : '/'}:`;
}

/// The reader's keys under BASE start with this (`broadsheet:/reader/:`).
export const KEY_PREFIX = keyPrefix();

/// The localStorage key `rest` (`v1:settings`, `v1:item:article/SLUG`, `schema`) of the
/// reader served under BASE.
export function storageKey(rest) {
  return KEY_PREFIX + rest;
}
export const SCREENSHOT_DIR = process.env.SCREENSHOT_DIR ?? 'target/screenshots';

const ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--disable-dev-shm-usage',
];

/// Starts headless Chromium: the program CHROMIUM names (no place on disk is assumed).
export async function launch() {
  const executablePath = process.env.CHROMIUM;
  if (!executablePath) throw new Error('CHROMIUM is not set: set it to the path of Chromium (cargo xtask e2e sets it)');
  if (!existsSync(executablePath)) throw new Error(`CHROMIUM is set to ${executablePath}, which does not exist`);
  return chromium.launch({ executablePath, args: ARGS, headless: true });
}

/// The set-up every test file shares: one browser launched before its tests and closed after
/// them, and with `seedArticle` the seed article's URL. Read `browser` and `articleHref` from
/// the returned object inside the tests (they are set once `before` has run). A file's own
/// set-up that needs the browser goes in `prepare(shared)`, run after these: node 20 runs a
/// file's `before` hooks side by side, so a second hook would not find the browser yet.
export function useBrowser({ seedArticle = false, prepare = async () => {} } = {}) {
  const shared = { browser: undefined, articleHref: undefined };
  before(async () => {
    shared.browser = await launch();
    if (seedArticle) shared.articleHref = await seedArticleHref(shared.browser);
    await prepare(shared);
  });
  after(async () => { await shared.browser?.close(); });
  return shared;
}

/// Calls `probe` until it returns a truthy value, which it returns; fails naming `what` after
/// `timeout` ms. For conditions outside the page (or that need the test to act between tries,
/// like a nudge to a throttled listener), where `page.waitForFunction` does not fit.
export async function poll(what, probe, { timeout = 15_000, every = 100 } = {}) {
  const until = Date.now() + timeout;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await new Promise((resolve) => { setTimeout(resolve, every); });
  }
}

/// Runs in every document before its own scripts: keeps each Content-Security-Policy violation
/// in `window.__cspViolations` and reports it as a console error, which `watch` records.
function recordCspViolations() {
  window.__cspViolations = [];
  document.addEventListener('securitypolicyviolation', (e) => {
    const what = `${e.effectiveDirective} blocked ${e.blockedURI || 'inline'} (${e.sourceFile || 'document'}:${e.lineNumber})`;
    window.__cspViolations.push(what);
    console.error(`securitypolicyviolation: ${what}`);
  }, true);
}

const recording = new WeakSet();

/// Records CSP violations in every page of `context` (once per context).
export async function recordCsp(context) {
  if (recording.has(context)) return;
  recording.add(context);
  await context.addInitScript(recordCspViolations);
}

/// A fresh context and page that fail the test on any page error, CSP violation or
/// request that leaves the origin.
export async function openPage(browser, options = {}) {
  const context = await browser.newContext(options);
  await recordCsp(context);
  const page = await context.newPage();
  watch(page);
  return { context, page };
}

/// The CSP violations recorded in `page`'s current document.
export async function cspViolations(page) {
  return page.evaluate(() => window.__cspViolations ?? ['violation recorder missing']);
}

/// Records page errors, console errors, CSP violations and foreign requests in `page.problems`.
/// For a page of a context not made by `openPage` it starts recording violations in the page
/// (`await recordCsp(context)` first to be sure it is in place before the first navigation);
/// Chromium's own console report of a violation is caught either way.
export function watch(page) {
  page.problems = [];
  // Pages arrive rendered ahead of time; wait for the app to take over after each load, so a
  // test acts on the live page, not on the prerendered copy.
  for (const method of ['goto', 'reload']) {
    const original = page[method].bind(page);
    page[method] = async (...args) => {
      const response = await original(...args);
      await appReady(page);
      return response;
    };
  }
  recordCsp(page.context()).catch(() => {});
  page.on('pageerror', (e) => page.problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    const text = m.text();
    if (/Content Security Policy|securitypolicyviolation/i.test(text)) page.problems.push(`CSP: ${text}`);
    else if (m.type() === 'error') page.problems.push(`console error: ${text}`);
  });
  page.on('request', (r) => {
    const url = r.url();
    if (!url.startsWith(ORIGIN) && !url.startsWith('data:') && !url.startsWith('blob:')) {
      page.problems.push(`request left the origin: ${url}`);
    }
  });
  return page;
}

/// Waits until the app has started and replaced the page rendered ahead of time.
export async function appReady(page) {
  await page.waitForFunction(() => document.documentElement.dataset.app === 'ready', null, { timeout: 20000 });
}

/// No page errors, console errors, CSP violations or foreign requests happened.
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

/// The seed article's headline, as its links and h1 are named.
export const SEED_TITLE = /^Russia’s special envoy for foreign investment/;

/// The seed article's URL, as the front page links to it.
export async function seedArticleHref(browser) {
  const { context, page } = await openPage(browser);
  await page.goto(url(''));
  const href = await page.getByRole('link', { name: SEED_TITLE }).getAttribute('href');
  await context.close();
  return new URL(href, url('')).href;
}
