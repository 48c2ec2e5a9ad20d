// Finding stories: search with the query in the URL, and the keyboard shortcuts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, openPage, assertClean, url, SEED_TITLE } from './helpers.mjs';

const shared = useBrowser();

const searchBox = (page) => page.getByRole('searchbox', { name: 'Search articles' });

test('a word only in one brief’s summary finds that brief, marked, and opens it', async () => {
  const { context, page } = await openPage(shared.browser);
  await page.goto(url(''));
  await searchBox(page).pressSequentially('Stalingr');
  await page.getByRole('status').filter({ hasText: '1 result for “Stalingr”' }).waitFor();
  const results = page.getByRole('list', { name: 'Search results' });
  assert.equal(await results.getByRole('listitem').count(), 1);
  assert.deepEqual(await results.locator('mark').allTextContents(), ['Stalingrad']);
  assert.match(page.url(), /\?q=Stalingr$/);
  await results.getByRole('link', { name: 'Russia history' }).click();
  await page.getByRole('heading', { level: 1, name: 'Russia history' }).waitFor();
  assertClean(page);
  await context.close();
});

test('the query in the URL restores the search on load, and an empty result says so', async () => {
  const { context, page } = await openPage(shared.browser);
  await page.goto(url('?q=Choe%20Hyon'));
  await page.getByRole('status').filter({ hasText: '1 result for “Choe Hyon”' }).waitFor();
  assert.equal(await searchBox(page).inputValue(), 'Choe Hyon');
  await page.reload();
  await page.getByRole('list', { name: 'Search results' }).getByRole('link', { name: 'Military tests' }).waitFor();
  await searchBox(page).fill('zzzzqx');
  await page.getByRole('status').filter({ hasText: 'No stories match “zzzzqx”' }).waitFor();
  await searchBox(page).fill('');
  await page.getByRole('list', { name: 'Stories' }).getByRole('link', { name: SEED_TITLE }).waitFor();
  assertClean(page);
  await context.close();
});

test('shortcuts: / focuses search, j/k move, Enter opens, ? opens help and Esc closes it', async () => {
  const { context, page } = await openPage(shared.browser);
  await page.goto(url(''));
  await page.getByRole('heading', { level: 1 }).waitFor();
  await page.keyboard.press('?');
  const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await help.waitFor();
  for (const what of ['Search articles', 'Next story', 'Previous story', 'Show this help']) {
    await help.getByText(what).waitFor();
  }
  await page.keyboard.press('Escape');
  await help.waitFor({ state: 'hidden' });

  await page.keyboard.press('j');
  assert.match(await page.evaluate(() => document.activeElement.textContent), SEED_TITLE);
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { level: 1, name: SEED_TITLE }).waitFor();
  // On an article, j/k walk the related stories.
  await page.keyboard.press('j');
  await page.keyboard.press('j');
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Russia–Ukraine war');
  await page.keyboard.press('k');
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Biden-era AI chip');

  await page.keyboard.press('/');
  await searchBox(page).waitFor();
  await page.waitForFunction(() => document.activeElement?.id === 'search');
  assertClean(page);
  await context.close();
});

test('no shortcut fires while typing in the comment box or the search box', async () => {
  const { context, page } = await openPage(shared.browser);
  await page.goto(url(''));
  await page.getByRole('link', { name: SEED_TITLE }).click();
  const box = page.getByRole('textbox', { name: 'Your comment' });
  await box.click();
  await page.keyboard.type('j/k? are letters');
  assert.equal(await box.inputValue(), 'j/k? are letters');
  assert.equal(await page.getByRole('dialog').count(), 0);
  assert.match(page.url(), /\/article\//);
  await page.goto(url(''));
  await searchBox(page).click();
  await page.keyboard.type('j?');
  assert.equal(await searchBox(page).inputValue(), 'j?');
  assert.equal(await page.getByRole('dialog').count(), 0);
  assertClean(page);
  await context.close();
});

test('a query downloads the index’s meta, the chunks of its words and its results’ docs, nothing more', async () => {
  const { context, page } = await openPage(shared.browser);
  // Each piece is listed when its response arrives; its size is awaited before it is summed
  // (a listener that awaited the body first could list it after the results showed).
  const fetched = [];
  page.on('response', (response) => {
    const path = new URL(response.url()).pathname;
    if (path.includes('/search/')) fetched.push({ path, bytes: response.body().then((body) => body.length) });
  });
  await page.goto(url(''));
  await searchBox(page).fill('Stalingrad');
  await page.getByRole('status').filter({ hasText: '1 result for “Stalingrad”' }).waitFor();
  const kinds = fetched.map(({ path }) => path.replace(/^.*\/search\//, '').replace(/\d+\.json$/, 'N.json'));
  assert.ok(kinds.includes('meta.json'), `fetched ${kinds}`);
  assert.ok(kinds.includes('words/N.json'), `fetched ${kinds}`);
  assert.ok(kinds.includes('docs/N.json'), `fetched ${kinds}`);
  // One word: its chunk once, one doc shard; the whole index of the seed is far from needed
  // at scale, and each piece is fetched once however many keystrokes ask for it.
  assert.equal(new Set(fetched.map((f) => f.path)).size, fetched.length, `fetched twice: ${kinds}`);
  const bytes = (await Promise.all(fetched.map((f) => f.bytes))).reduce((sum, n) => sum + n, 0);
  assert.ok(bytes <= 150_000, `${bytes} bytes`);
  assertClean(page);
  await context.close();
});

test('offline, a search whose pieces are not downloaded says so, and works again online', async () => {
  const { context, page } = await openPage(shared.browser);
  await page.goto(url(''));
  await context.setOffline(true);
  await searchBox(page).fill('Volgograd');
  await page.getByRole('status').filter({ hasText: 'Search is unavailable' }).waitFor();
  await context.setOffline(false);
  await searchBox(page).fill('Volgogra');
  await page.getByRole('status').filter({ hasText: '1 result for “Volgogra”' }).waitFor();
  await page.getByRole('list', { name: 'Search results' }).getByRole('link', { name: 'Russia history' }).waitFor();
  assertClean(page, ['Failed to load resource', 'ERR_INTERNET_DISCONNECTED']);
  await context.close();
});
