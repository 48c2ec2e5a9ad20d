// Pages rendered ahead of time: readable without JavaScript, and taken over by the app with
// no layout shift and no lost scroll position.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, openPage, assertClean, url, storageKey, SEED_TITLE } from './helpers.mjs';

const shared = useBrowser({ seedArticle: true });

test('without JavaScript the front page, an article and a brief can still be read', async () => {
  const context = await shared.browser.newContext({ javaScriptEnabled: false });
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
  const { context, page } = await openPage(shared.browser);
  await context.addInitScript(() => {
    window.__cls = 0;
    const add = (entries) => {
      for (const entry of entries) if (!entry.hadRecentInput) window.__cls += entry.value;
    };
    window.__clsObserver = new PerformanceObserver((list) => add(list.getEntries()));
    window.__clsObserver.observe({ type: 'layout-shift', buffered: true });
    window.__clsTakeRecords = () => add(window.__clsObserver.takeRecords());
  });
  await page.goto(shared.articleHref);
  // The app has taken over (goto waits for it); once the fonts are in and two more frames are
  // drawn, every shift of the takeover has been measured: take what is not yet delivered.
  const cls = await page.evaluate(async () => {
    await document.fonts.ready;
    await new Promise((resolve) => { requestAnimationFrame(() => requestAnimationFrame(resolve)); });
    window.__clsTakeRecords();
    return window.__cls;
  });
  assert.ok(cls < 0.01, `cumulative layout shift ${cls}`);
  assertClean(page);
  await context.close();
});

test('text is on screen before the wasm arrives, and the scroll position survives the takeover', async () => {
  const { context, page } = await openPage(shared.browser, { viewport: { width: 400, height: 600 } });
  let release;
  const gate = new Promise((resolve) => { release = resolve; });
  await page.route('**/*.wasm', async (route) => { await gate; await route.continue(); });
  // The frame's own goto: the page's (which waits for the app) cannot finish while the wasm
  // is held back.
  await page.mainFrame().goto(shared.articleHref, { waitUntil: 'domcontentloaded' });
  await page.getByRole('heading', { level: 1, name: SEED_TITLE }).waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.dataset.app), undefined);
  await page.evaluate(() => document.querySelector('#p6').scrollIntoView({ block: 'start', behavior: 'instant' }));
  const before = await page.evaluate(() => window.scrollY);
  const p6 = () => page.evaluate(() => Math.round(document.querySelector('#p6').getBoundingClientRect().top));
  const p6Before = await p6();
  assert.ok(before > 300);
  release();
  await page.waitForFunction(() => document.documentElement.dataset.app === 'ready');
  assert.equal(await page.evaluate(() => window.scrollY), before);
  assert.equal(await p6(), p6Before, 'the paragraph in the window did not move (Listen was already there)');
  await page.getByRole('button', { name: 'Listen', exact: true }).waitFor();
  assert.equal(await page.locator('.article-body > p[id]').count(), 8, 'the prerendered copy is gone');
  assertClean(page);
  await context.close();
});

test('an article takes over with the paragraphs in the window first, then the rest, then what follows the article', async () => {
  const { context, page } = await openPage(shared.browser, { viewport: { width: 400, height: 600 } });
  // What the app's page held at the end of each task once the prerendered copy was gone (a
  // mutation observer runs at the end of each task): paragraphs, and whether the reactions are
  // there.
  await context.addInitScript(() => {
    window.__drawn = [];
    new MutationObserver(() => {
      if (document.getElementById('prerendered') || !document.querySelector('main .article-body')) return;
      const state = [
        document.querySelectorAll('main .article-body > p[id]').length,
        Boolean(document.querySelector('main [role="group"][aria-label="Reactions"]')),
      ].join(':');
      if (window.__drawn[window.__drawn.length - 1] !== state) window.__drawn.push(state);
    }).observe(document, { childList: true, subtree: true });
  });
  let release;
  const gate = new Promise((resolve) => { release = resolve; });
  await page.route('**/*.wasm', async (route) => { await gate; await route.continue(); });
  await page.mainFrame().goto(shared.articleHref, { waitUntil: 'domcontentloaded' });
  await page.getByRole('heading', { level: 1, name: SEED_TITLE }).waitFor();
  const inView = await page.evaluate(() => [...document.querySelectorAll('.article-body > p[id]')]
    .filter((p) => p.getBoundingClientRect().top < innerHeight).length);
  assert.ok(inView < 7, `the window shows ${inView} of 8 paragraphs`);
  release();
  await page.waitForFunction(() => document.documentElement.dataset.app === 'ready');
  const drawn = await page.evaluate(() => window.__drawn);
  assert.deepEqual(drawn, [`${inView + 1}:false`, '8:false', '8:true'], 'drawn in three tasks');
  assert.equal(await page.evaluate(() => window.scrollY), 0, 'the reader is where they were');
  // The page is whole and works: a reaction answers, and a paragraph below the first screen
  // has its link.
  const like = page.getByRole('group', { name: 'Reactions' }).getByRole('button').first();
  await like.click();
  await page.getByRole('group', { name: 'Reactions' }).locator('button[aria-pressed="true"]').waitFor();
  await page.getByRole('link', { name: 'Copy link to paragraph 8' }).waitFor();
  await page.getByRole('complementary', { name: 'Read next' }).waitFor();
  assertClean(page);
  await context.close();
});

test('a saved reading position below the first screen is restored once the article is drawn whole', async () => {
  const { context, page } = await openPage(shared.browser, { viewport: { width: 400, height: 600 } });
  const slug = new URL(shared.articleHref).pathname.split('/').pop();
  await context.addInitScript(([key]) => {
    if (!localStorage.getItem(key)) {
      localStorage.setItem(key, JSON.stringify({ v: 1, data: { progress: { paragraph: 6, offset: 0, at: 10 } } }));
    }
  }, [storageKey(`v1:item:article/${slug}`)]);
  await page.goto(shared.articleHref);
  await page.waitForFunction(() => Math.abs(document.querySelector('#p7').getBoundingClientRect().top) < 2);
  assertClean(page);
  await context.close();
});

test('the first paint waits for one stylesheet only, and the app is fetched after the first frame', async () => {
  const { context, page } = await openPage(shared.browser);
  await context.addInitScript(() => {
    requestAnimationFrame(() => { window.__firstFrame = performance.now(); });
  });
  await page.goto(shared.articleHref);
  await page.waitForFunction(() => document.documentElement.dataset.app === 'ready');
  const sheets = await page.evaluate(() => [...document.querySelectorAll('link[rel="stylesheet"]')]
    .map((link) => link.media || 'all'));
  assert.deepEqual(sheets, ['all', 'print'], 'one stylesheet for the screen; print styles never block');
  const { frame, app } = await page.evaluate(() => ({
    frame: window.__firstFrame,
    app: performance.getEntriesByType('resource')
      .filter((r) => /\/broadsheet-[0-9a-f]+(_bg\.wasm|\.js)$/.test(r.name))
      .map((r) => ({ name: r.name, start: r.startTime })),
  }));
  assert.equal(app.length, 2, JSON.stringify(app));
  for (const { name, start } of app) {
    assert.ok(start >= frame, `${name} was requested at ${start} ms, before the first frame (${frame} ms)`);
  }
  assertClean(page);
  await context.close();
});
