// Pages rendered ahead of time: readable without JavaScript, and taken over by the app with
// no layout shift and no lost scroll position.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, assertClean, url, SEED_TITLE, seedArticleHref } from './helpers.mjs';

let browser;
let articleHref;

before(async () => {
  browser = await launch();
  articleHref = await seedArticleHref(browser);
});
after(async () => { await browser?.close(); });

test('without JavaScript the front page, an article and a brief can still be read', async () => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(url(''));
  await page.getByRole('link', { name: SEED_TITLE }).click();
  await page.getByRole('heading', { level: 1, name: SEED_TITLE }).waitFor();
  assert.equal(await page.locator('.article-body > p[id]').count(), 8);
  assert.match(await page.title(), /^Russia’s special envoy.* · Broadsheet$/);
  await page.getByRole('complementary', { name: 'Read next' }).getByRole('link', { name: 'EU vs US policy' }).click();
  await page.getByRole('heading', { level: 1, name: 'EU vs US policy' }).waitFor();
  await context.close();
});

test('the app takes over with no layout shift', async () => {
  const { context, page } = await openPage(browser);
  await context.addInitScript(() => {
    window.__cls = 0;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) if (!entry.hadRecentInput) window.__cls += entry.value;
    }).observe({ type: 'layout-shift', buffered: true });
  });
  await page.goto(articleHref);
  await page.waitForTimeout(500);
  const cls = await page.evaluate(() => window.__cls);
  assert.ok(cls < 0.01, `cumulative layout shift ${cls}`);
  assertClean(page);
  await context.close();
});

test('text is on screen before the wasm arrives, and the scroll position survives the takeover', async () => {
  const { context, page } = await openPage(browser, { viewport: { width: 400, height: 600 } });
  let release;
  const gate = new Promise((resolve) => { release = resolve; });
  await page.route('**/*.wasm', async (route) => { await gate; await route.continue(); });
  // The frame's own goto: the page's (which waits for the app) cannot finish while the wasm
  // is held back.
  await page.mainFrame().goto(articleHref, { waitUntil: 'domcontentloaded' });
  await page.getByRole('heading', { level: 1, name: SEED_TITLE }).waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.dataset.app), undefined);
  await page.evaluate(() => document.querySelector('#p6').scrollIntoView({ block: 'start', behavior: 'instant' }));
  const before = await page.evaluate(() => window.scrollY);
  assert.ok(before > 300);
  release();
  await page.waitForFunction(() => document.documentElement.dataset.app === 'ready');
  assert.equal(await page.evaluate(() => window.scrollY), before);
  assert.equal(await page.locator('.article-body > p[id]').count(), 8, 'the prerendered copy is gone');
  assertClean(page);
  await context.close();
});
