// The archive: a site of a few thousand generated articles, one old hand-made story with a word
// found nowhere else and one malformed file (xtask/src/archive.rs builds it; `cargo xtask test`
// and `cargo xtask e2e` serve it under /archive/ beside the reader). Deep links, in-app
// fetching, search and offline reading at that size.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, rename, stat, utimes, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { useBrowser, openPage, assertClean, appReady, poll } from './helpers.mjs';

const ARCHIVE = process.env.ARCHIVE_URL;
if (!ARCHIVE) throw new Error('ARCHIVE_URL is not set: run these tests through `cargo xtask e2e --only archive`, which builds and serves the archive');
const archive = (path = '') => new URL(path, ARCHIVE).href;

/// The hand-made old story (xtask/src/archive.rs, OLD_STORY): the only one with "Quokkagram",
/// dated 2019, so it is the last of the archive's 3,000 stories.
const OLD_TITLE = 'Harbour office finds the Quokkagram letters';
const OLD_SLUG = 'harbour-office-finds-the-quokkagram-letters';
const OLD_URL = archive(`article/${OLD_SLUG}`);

/// An article file: `data/articles/SLUG.HASH.txt` (core/src/site_data.rs).
const ARTICLE_FILE = /\/archive\/data\/articles\/([^/]+)\.[0-9a-f]{16}\.txt$/;

const heading = (page, name) => page.getByRole('heading', { level: 1, name });
/// The stories listed on home (each item holds a list of its own, the reader's marks).
const stories = (page) => page.getByRole('list', { name: 'Stories' }).locator(':scope > li');

const shared = useBrowser();

test('the archive has every generated story but the malformed file, whose place the build reported', async () => {
  const problems = (await readFile(process.env.ARCHIVE_PROBLEMS, 'utf8')).trim().split('\n');
  const file = join(process.env.ARCHIVE_ARTICLES, 'malformed.txt');
  assert.deepEqual(problems, [
    `${file}:3:12: error: invalid date "2025-02-30T08:00:00Z": expected RFC 3339, e.g. 2025-04-03T08:15:00Z`,
  ]);
  const { context, page } = await openPage(shared.browser);
  const info = await (await context.request.get(archive('data/site.json'))).json();
  assert.equal(info.articles, 3002, '3,000 generated stories, the old one and the Arabic one');
  // The malformed story is not there: its address is the not-found page.
  const missing = await context.request.get(archive('article/a-story-whose-date-does-not-exist'));
  assert.equal(missing.status(), 404);
  await context.close();
});

test('a deep link to the old story shows its text from the HTML, then the app takes over, and again after reload', async () => {
  const { context, page } = await openPage(shared.browser);
  let release;
  const gate = new Promise((resolve) => { release = resolve; });
  await page.route('**/*.wasm', async (route) => { await gate; await route.continue(); });
  // The page carries where its article is: the app needs no slug shard to take it over.
  const shards = [];
  page.on('request', (request) => { if (request.url().includes('/slugs/')) shards.push(request.url()); });
  // The frame's own goto: the page's waits for the app, which cannot start yet.
  const response = await page.mainFrame().goto(OLD_URL, { waitUntil: 'domcontentloaded' });
  assert.equal(response.status(), 200);
  await heading(page, OLD_TITLE).waitFor();
  await page.getByText('A box of letters signed “Quokkagram” was found').waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.dataset.app), undefined, 'the text came before the app');
  release();
  await appReady(page);
  await heading(page, OLD_TITLE).waitFor();
  const readNext = page.getByRole('complementary', { name: 'Read next' });
  await readNext.getByRole('link', { name: 'Harbour' }).waitFor();
  assert.deepEqual(shards, [], 'no slug shard fetched for the page');

  await page.unroute('**/*.wasm');
  await page.reload();
  await heading(page, OLD_TITLE).waitFor();
  await page.getByText('The archivist said the letters describe the first ferry crossing').waitFor();
  assert.equal(page.url(), OLD_URL);
  assertClean(page);
  await context.close();
});

test('home takes over with the stories in the window first and the rest just after, keeping the scroll position', async () => {
  const { context, page } = await openPage(shared.browser, { viewport: { width: 400, height: 600 } });
  // How many stories the app's list held after each change once the prerendered copy was gone
  // (a mutation observer runs at the end of each task, so each later task's stories show).
  await context.addInitScript(() => {
    window.__drawn = [];
    new MutationObserver(() => {
      if (document.getElementById('prerendered')) return;
      const n = document.querySelectorAll('main .story-list > li.story').length;
      if (n && window.__drawn[window.__drawn.length - 1] !== n) window.__drawn.push(n);
    }).observe(document, { childList: true, subtree: true });
  });
  let release;
  const gate = new Promise((resolve) => { release = resolve; });
  await page.route('**/*.wasm', async (route) => { await gate; await route.continue(); });
  // The frame's own goto: the page's waits for the app, which cannot start yet.
  await page.mainFrame().goto(archive(''), { waitUntil: 'domcontentloaded' });
  await stories(page).nth(49).waitFor();
  const before = await page.evaluate(() => {
    const items = [...document.querySelectorAll('.story-list > li')];
    items[11].scrollIntoView({ block: 'start', behavior: 'instant' });
    const top = document.elementFromPoint(200, 5)?.closest('li.story')?.querySelector('a')?.textContent;
    return { y: window.scrollY, top, inView: items.filter((li) => li.getBoundingClientRect().top < innerHeight).length };
  });
  assert.ok(before.y > 1000 && before.top, JSON.stringify(before));
  release();
  await appReady(page);
  assert.equal(await stories(page).count(), 50, 'the whole first page is drawn once the app is ready');
  const after = await page.evaluate(() => ({
    y: window.scrollY,
    top: document.elementFromPoint(200, 5)?.closest('li.story')?.querySelector('a')?.textContent,
  }));
  assert.deepEqual(after, { y: before.y, top: before.top }, 'the reader is where they were');
  const drawn = await page.evaluate(() => window.__drawn);
  assert.ok(drawn[0] > before.inView && drawn[0] < 50, `the takeover drew the stories in the window first: ${drawn}`);
  assert.equal(drawn[drawn.length - 1], 50, `${drawn}`);
  await page.getByRole('button', { name: /^Show more stories/ }).waitFor();
  assertClean(page);
  await context.close();
});

/// From the archive's home, "Show more stories" once, then the 76th story (on the second
/// listing page, so not in the home page's HTML): its article file is fetched and it opens.
/// Returns the story's title and the article file's URL.
async function openStoryOnSecondPage(page) {
  await page.goto(archive(''));
  assert.equal(await stories(page).count(), 50, 'home lists the first page of 50');
  await page.getByRole('button', { name: /^Show more stories/ }).click();
  await stories(page).nth(75).waitFor();
  const link = stories(page).nth(75).getByRole('link').first();
  const title = (await link.textContent()).trim();
  const fetched = page.waitForRequest(ARTICLE_FILE);
  await link.click();
  const file = (await fetched).url();
  await heading(page, title).waitFor();
  return { title, file };
}

test('in-app navigation to a story on a later listing page fetches its article file and renders it', async () => {
  const { context, page } = await openPage(shared.browser);
  const { title, file } = await openStoryOnSecondPage(page);
  // Generated stories are numbered newest first (xtask/src/archive.rs).
  assert.equal(file.match(ARTICLE_FILE)[1], 'generated-00075');
  assert.match(page.url(), /\/archive\/article\/generated-00075$/);
  assert.match(title, / \(generated 75\)$/);
  assert.ok((await page.locator('.article-body > p').count()) >= 4, 'the body is rendered');
  assertClean(page);
  await context.close();
});

test('search finds the planted word in exactly one story and opens it', async () => {
  const { context, page } = await openPage(shared.browser);
  await page.goto(archive(''));
  await page.getByRole('searchbox', { name: 'Search articles' }).pressSequentially('Quokkagram');
  await page.getByRole('status').filter({ hasText: '1 result for “Quokkagram”' }).waitFor();
  const results = page.getByRole('list', { name: 'Search results' });
  assert.equal(await results.getByRole('listitem').count(), 1);
  const fetched = page.waitForRequest(ARTICLE_FILE);
  await results.getByRole('link', { name: OLD_TITLE }).click();
  assert.equal((await fetched).url().match(ARTICLE_FILE)[1], OLD_SLUG);
  await heading(page, OLD_TITLE).waitFor();
  await page.getByText('A box of letters signed “Quokkagram” was found').waitFor();
  assertClean(page);
  await context.close();
});

test('an article fetched once is readable offline in the app', async () => {
  const { context, page } = await openPage(shared.browser);
  const { title } = await openStoryOnSecondPage(page);
  const story = page.url();
  await page.goBack();
  await stories(page).first().waitFor();
  await context.setOffline(true);
  await page.goForward();
  await heading(page, title).waitFor();
  assert.equal(page.url(), story);
  assert.ok((await page.locator('.article-body > p').count()) >= 4, 'the body is rendered offline');
  await context.setOffline(false);
  assertClean(page);
  await context.close();
});

// Through the service worker (assets/sw.js): it serves the page and keeps the article file the
// reader fetched.
test('an article fetched once is readable offline after a reload', async () => {
  const { context, page } = await openPage(shared.browser);
  const { title } = await openStoryOnSecondPage(page);
  await page.evaluate(async () => { await navigator.serviceWorker.ready; });
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  await context.setOffline(true);
  await page.reload();
  await heading(page, title).waitFor();
  assert.ok((await page.locator('.article-body > p').count()) >= 4, 'the body is rendered offline');
  await context.setOffline(false);
  assertClean(page);
  await context.close();
});

// A link opened cold: its page tells the app where the story is, so the app fetches no slug
// shard; the service worker keeps the story's file and fetches its shard itself, which the app
// needs offline, where the page comes from the shell (assets/sw.js, keepShard).
test('a story opened from a link is readable offline after a reload', async () => {
  const { context, page } = await openPage(shared.browser);
  await page.goto(OLD_URL);
  await appReady(page);
  await page.evaluate(async () => { await navigator.serviceWorker.ready; });
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  // Opened again under the worker, which keeps what the page loads.
  await page.reload();
  await appReady(page);
  await poll('the story\'s file and slug shard in the worker\'s caches', () => page.evaluate(async (slug) => {
    const urls = [];
    for (const name of await caches.keys()) {
      for (const request of await (await caches.open(name)).keys()) urls.push(request.url);
    }
    return urls.some((u) => u.includes(`/data/articles/${slug}.`)) && urls.some((u) => u.includes('/slugs/'));
  }, OLD_SLUG));
  await context.setOffline(true);
  await page.reload();
  await heading(page, OLD_TITLE).waitFor();
  await page.getByText('The archivist said the letters describe the first ferry crossing').waitFor();
  await context.setOffline(false);
  assertClean(page);
  await context.close();
});

/// The archive's folder on disk: beside the reader's (SITE_DIR), as `cargo xtask e2e` serves
/// them; `undefined` when SITE_DIR is not set.
const ARCHIVE_DIR = process.env.SITE_DIR && join(dirname(process.env.SITE_DIR), 'archive');

// A deployment under an open tab: the data of the version the tab started with is gone. The
// deployment is simulated by moving the data folder to a new version name and naming that in
// `data/site.json` (the same files, as a rebuild with one changed article would move them); both
// are put back afterwards whatever happens.
test('after a deployment under an open tab, Show more and a story on the next page come from the new data', { skip: !ARCHIVE_DIR && 'SITE_DIR (the served site folder) is not set' }, async () => {
  const infoPath = join(ARCHIVE_DIR, 'data/site.json');
  const infoText = await readFile(infoPath, 'utf8');
  const { mtime } = await stat(infoPath);
  const old = JSON.parse(infoText).version;
  const next = 'f'.repeat(16) === old ? 'e'.repeat(16) : 'f'.repeat(16);
  const { context, page } = await openPage(shared.browser);
  let moved = false;
  try {
    await page.goto(archive(''));
    assert.equal(await stories(page).count(), 50);

    await rename(join(ARCHIVE_DIR, 'data', old), join(ARCHIVE_DIR, 'data', next));
    moved = true;
    await writeFile(infoPath, infoText.replace(`"${old}"`, `"${next}"`));
    const requests = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.getByRole('button', { name: /^Show more stories/ }).click();
    await stories(page).nth(99).waitFor();
    assert.equal(await stories(page).count(), 100);
    assert.equal(await page.getByRole('alert').count(), 0, 'no error shown');
    const asked = requests.map((u) => new URL(u).pathname.replace('/archive/', ''));
    assert.deepEqual(asked.filter((p) => p.startsWith(`data/${old}/`) || p === 'data/site.json'),
      [`data/${old}/list/all/1.json`, 'data/site.json'], 'the old page is gone; the info is asked again');
    assert.ok(asked.includes(`data/${next}/list/all/1.json`), asked.join(', '));

    const link = stories(page).nth(75).getByRole('link').first();
    const title = (await link.textContent()).trim();
    await link.click();
    await heading(page, title).waitFor();
    assert.match(page.url(), /\/archive\/article\/generated-00075$/);
    assert.ok((await page.locator('.article-body > p').count()) >= 4, 'the body is rendered');
    // The browser logs the one 404 the app recovered from.
    assertClean(page, [`data/${old}/list/all/1.json`, 'status of 404']);
  } finally {
    if (moved) await rename(join(ARCHIVE_DIR, 'data', next), join(ARCHIVE_DIR, 'data', old));
    await writeFile(infoPath, infoText);
    await utimes(infoPath, mtime, mtime);
    await context.close();
  }
});
