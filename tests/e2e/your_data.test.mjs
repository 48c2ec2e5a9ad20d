// "Your data" as a reader uses it: export, delete all and import back; a bad file refused;
// damaged storage kept and reported; full storage reported while the page keeps working.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { useBrowser, openPage, assertClean, url, SEED_TITLE, storageKey, KEY_PREFIX } from './helpers.mjs';

const shared = useBrowser({ seedArticle: true });
/// The seed article's item id (`article/SLUG`).
const articleId = () => `article/${new URL(shared.articleHref).pathname.split('/').pop()}`;

async function openYourData(page) {
  await page.goto(url('data'));
  await page.getByRole('heading', { level: 1, name: 'Your data' }).waitFor();
}

async function openArticle(page) {
  await page.goto(shared.articleHref);
  await page.getByRole('heading', { level: 1, name: SEED_TITLE }).waitFor();
}

/// Every localStorage key and value of the app, to show that something changed nothing.
async function stored(page) {
  return page.evaluate((prefix) => Object.fromEntries(
    Object.keys(localStorage).filter((k) => k.startsWith(prefix)).sort().map((k) => [k, localStorage.getItem(k)]),
  ), KEY_PREFIX);
}

const status = (page) => page.locator('.your-data [role="status"]');
const alertOnPage = (page) => page.locator('.your-data [role="alert"]');
const spaceUsed = (page) => page.locator('.storage-health div', { hasText: 'Space used' }).locator('dd');

/// A valid export file with one reaction on the seed article.
function exportFile(items) {
  return Buffer.from(JSON.stringify({ format: 'broadsheet-export', version: 1, exported_at: 1, settings: {}, items }));
}

test('export my data, delete it all (confirmed), and import the file back', async () => {
  const { context, page } = await openPage(shared.browser);
  await openArticle(page);
  await page.getByRole('group', { name: 'Reactions' }).getByRole('button', { name: 'Insightful' }).click();
  await page.getByRole('textbox', { name: 'Your comment' }).fill('Kept across an export');
  await page.getByRole('button', { name: 'Post comment' }).click();
  await page.getByRole('list', { name: 'Comments' }).getByText('Kept across an export').waitFor();

  await page.getByRole('link', { name: 'Your data' }).click();
  await page.getByRole('heading', { level: 1, name: 'Your data' }).waitFor();
  assert.match(await page.locator('.your-data .lede').textContent(), /on this device only/);
  assert.match(await spaceUsed(page).textContent(), /^\d+(\.\d)? (bytes|KB|MB) used$/);

  // The file is named for the reader's local date: the day before the click or after it (the
  // same one unless midnight passes between).
  const localDate = () => page.evaluate(() => {
    const d = new Date();
    return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
  });
  const dayBefore = await localDate();
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Export my data' }).click(),
  ]);
  const dayAfter = await localDate();
  assert.ok([dayBefore, dayAfter].map((day) => `broadsheet-data-${day}.json`).includes(download.suggestedFilename()), download.suggestedFilename());
  const file = await download.path();
  const exported = JSON.parse(await readFile(file, 'utf8'));
  assert.equal(exported.format, 'broadsheet-export');
  assert.equal(exported.version, 1);
  const item = exported.items[articleId()];
  assert.ok(item, `the export holds ${articleId()}`);
  assert.deepEqual(item.comments.map((c) => c.text), ['Kept across an export']);
  assert.equal(item.reactions.insightful.on, true);
  await status(page).filter({ hasText: /^Exported 1 story/ }).waitFor();

  // Asking first; Cancel deletes nothing and takes focus back.
  const deleteButton = page.getByRole('button', { name: 'Delete all my data' });
  await deleteButton.click();
  const confirm = page.getByRole('group', { name: /^Delete everything kept on this device\?/ });
  await confirm.waitFor();
  await page.waitForFunction(() => document.activeElement?.textContent === 'Cancel');
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  await confirm.waitFor({ state: 'hidden' });
  await page.waitForFunction(() => document.activeElement?.textContent === 'Delete all my data');
  assert.ok(Object.keys(await stored(page)).includes(storageKey(`v1:item:${articleId()}`)));

  await deleteButton.click();
  await confirm.getByRole('button', { name: 'Yes, delete everything' }).click();
  await status(page).filter({ hasText: /^Deleted everything kept on this device: \d+ saved entr(y|ies) removed\.$/ }).waitFor();
  // What is left: the schema marker and when everything was deleted (so that another open tab
  // does not write back what it still holds).
  const left = await stored(page);
  assert.deepEqual(Object.keys(left).sort(), [storageKey('schema'), storageKey('v1:erased')]);
  assert.ok(Math.abs(JSON.parse(left[storageKey('v1:erased')]).data - Date.now()) < 60_000);

  await page.getByLabel('Import data').setInputFiles(file);
  await status(page).filter({ hasText: 'Imported: 1 comment added, 1 reaction changed, 0 drafts restored across 1 story.' }).waitFor();
  assert.equal(await alertOnPage(page).textContent(), '');

  await openArticle(page);
  await page.getByRole('list', { name: 'Comments' }).getByText('Kept across an export').waitFor();
  assert.equal(
    await page.getByRole('group', { name: 'Reactions' }).getByRole('button', { name: 'Insightful' }).getAttribute('aria-pressed'),
    'true',
  );
  assertClean(page);
  await context.close();
});

test('a file that is not an export shows an alert and changes nothing', async () => {
  const { context, page } = await openPage(shared.browser);
  await openYourData(page);
  await page.getByLabel('Import data').setInputFiles({ name: 'kept.json', mimeType: 'application/json', buffer: exportFile({ [articleId()]: { reactions: { love: { on: true, at: 5 } } } }) });
  await status(page).filter({ hasText: /^Imported/ }).waitFor();
  const before = await stored(page);
  const usedBefore = await spaceUsed(page).textContent();

  const bad = [
    [Buffer.from('this is not JSON'), /^This is not a Broadsheet export: not valid JSON \(line 1, column \d+\)\. Nothing was changed\.$/],
    [Buffer.from('{"format": "another-reader", "version": 1}'), /"format" is not "broadsheet-export"/],
    [exportFile({ '../etc/passwd': {} }), /is not an article or brief/],
    [exportFile({ 'article/a/b/c': {} }), /"article\/a\/b\/c" is not an article or brief/],
    // A misspelt field is named, not ignored (it used to import nothing and say "Nothing changed").
    [exportFile({ [articleId()]: { rections: { like: { on: true, at: 5 } } } }), /unknown field "rections"/],
    [exportFile({ [articleId()]: { draft: { text: 'd'.repeat(5001), at: 5 } } }), /over 5,000 characters/],
    // Larger than any export can be: refused before it is read, with the limit.
    [Buffer.alloc(11 * 1024 * 1024, 32), /^This file is 11\.0 MB; a Broadsheet export is never larger than 10 MB/],
  ];
  for (const [buffer, message] of bad) {
    await page.getByLabel('Import data').setInputFiles({ name: 'notes.json', mimeType: 'application/json', buffer });
    await alertOnPage(page).filter({ hasText: message }).waitFor();
    assert.equal(await status(page).textContent(), '');
    assert.deepEqual(await stored(page), before);
  }
  assert.equal(await spaceUsed(page).textContent(), usedBefore);
  assertClean(page);
  await context.close();
});

test('damaged storage is reported and kept under a backup key', async () => {
  const { context, page } = await openPage(shared.browser);
  await openYourData(page);
  const garbage = '{"v":1,"data":{"reactions": <oops>';
  await page.evaluate(([key, value]) => localStorage.setItem(key, value), [storageKey(`v1:item:${articleId()}`), garbage]);
  await openArticle(page);

  const alert = page.getByRole('alert').filter({ hasText: 'could not be read' });
  await alert.waitFor();
  const backup = (await alert.textContent()).match(/“(broadsheet:[^”]*:backup:[^”]+)”/)?.[1];
  assert.ok(backup?.startsWith(storageKey(`backup:${storageKey(`v1:item:${articleId()}`)}:`)), `alert names the backup key: ${backup}`);
  assert.equal(await page.evaluate((k) => localStorage.getItem(k), backup), garbage);
  assert.equal(await page.evaluate((k) => localStorage.getItem(k), storageKey(`v1:item:${articleId()}`)), null);

  // The reader goes on with a clean slate; the backup is untouched by new writes.
  await page.getByRole('group', { name: 'Reactions' }).getByRole('button', { name: 'Like' }).click();
  assert.equal(await page.evaluate((k) => localStorage.getItem(k), backup), garbage);

  // "Your data" names the problem in its health list, after reloading too.
  await page.getByRole('link', { name: 'Your data' }).click();
  await page.getByRole('heading', { level: 1, name: 'Your data' }).waitFor();
  await page.locator('.health-problems li', { hasText: backup }).waitFor();
  assertClean(page);
  await context.close();
});

test('with storage full the page keeps working and says nothing was saved', async () => {
  const { context, page } = await openPage(shared.browser);
  await context.addInitScript((prefix) => {
    const setItem = Storage.prototype.setItem;
    Storage.prototype.setItem = function (key, value) {
      if (String(key).startsWith(prefix)) {
        throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      }
      return setItem.call(this, key, value);
    };
  }, storageKey('v1:'));
  await openYourData(page);
  await page.locator('.health-problems li', { hasText: 'No problems' }).waitFor();
  assert.match(await spaceUsed(page).textContent(), /used$/);

  // Reading still works: an export downloads.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Export my data' }).click(),
  ]);
  assert.equal(JSON.parse(await readFile(await download.path(), 'utf8')).format, 'broadsheet-export');

  // A write is refused: the reader is told, and nothing half-done is left.
  const before = await stored(page);
  await page.getByLabel('Import data').setInputFiles({ name: 'kept.json', mimeType: 'application/json', buffer: exportFile({ [articleId()]: { reactions: { like: { on: true, at: 5 } } } }) });
  await alertOnPage(page).filter({ hasText: 'Nothing was imported: browser storage is full.' }).waitFor();
  await page.getByRole('alert').filter({ hasText: 'Not saved: browser storage is full' }).waitFor();
  await page.locator('.health-problems li', { hasText: 'Storage is full' }).waitFor();
  assert.deepEqual(await stored(page), before);

  // The page still answers: asking to delete opens and closes the confirmation.
  await page.getByRole('button', { name: 'Delete all my data' }).click();
  await page.getByRole('button', { name: 'Cancel' }).click();
  assertClean(page);
  await context.close();
});

test('keys are scoped to the base path: old unscoped data is taken over, another copy and another app survive delete all, the theme applies before the app', async () => {
  // No service worker: the held-back wasm below must come from the network.
  const { context, page } = await openPage(shared.browser, { serviceWorkers: 'block' });
  await openYourData(page);
  const staging = `broadsheet:/staging/:v1:item:${articleId()}`;
  await page.evaluate(([legacy, staging]) => {
    // As the version before scoping left it, and as a copy under /staging/ of this origin keeps it.
    localStorage.setItem(legacy, JSON.stringify({ v: 1, data: { reactions: { like: { on: true, at: 5 } } } }));
    localStorage.setItem(staging, JSON.stringify({ v: 1, data: { reactions: { sad: { on: true, at: 5 } } } }));
    localStorage.setItem('broadsheet:/staging/:v1:settings', JSON.stringify({ v: 1, data: { theme: 'dark', at: 5 } }));
    localStorage.setItem('broadsheet-admin', 'another app');
  }, [`broadsheet:v1:item:${articleId()}`, staging]);
  await openArticle(page);
  const reactions = page.getByRole('group', { name: 'Reactions' });
  assert.equal(await reactions.getByRole('button', { name: 'Like' }).getAttribute('aria-pressed'), 'true', 'taken over');
  assert.equal(await reactions.getByRole('button', { name: 'Sad' }).getAttribute('aria-pressed'), 'false', "not /staging/'s");
  assert.equal(await page.evaluate((k) => localStorage.getItem(k), `broadsheet:v1:item:${articleId()}`), null);
  assert.ok(await page.evaluate((k) => localStorage.getItem(k), storageKey(`v1:item:${articleId()}`)));
  assert.notEqual(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');

  // The theme script reads this copy's settings before the app has loaded.
  await page.getByRole('button', { name: 'Reading settings' }).click();
  await page.getByRole('group', { name: 'Theme' }).getByRole('radio', { name: 'Sepia' }).check();
  await page.waitForFunction((k) => localStorage.getItem(k)?.includes('sepia'), storageKey('v1:settings'));
  const early = await context.newPage();
  await early.route('**/*.wasm', (route) => route.abort());
  await early.mainFrame().goto(shared.articleHref, { waitUntil: 'domcontentloaded' });
  assert.equal(await early.evaluate(() => document.documentElement.dataset.theme), 'sepia');
  assert.equal(await early.evaluate(() => document.documentElement.dataset.app), undefined, 'without the app');
  await early.close();

  await openYourData(page);
  await page.getByRole('button', { name: 'Delete all my data' }).click();
  await page.getByRole('button', { name: 'Yes, delete everything' }).click();
  await status(page).filter({ hasText: /^Deleted everything kept on this device/ }).waitFor();
  assert.deepEqual(Object.keys(await stored(page)).sort(), [storageKey('schema'), storageKey('v1:erased')]);
  const others = await page.evaluate((prefix) => Object.keys(localStorage).filter((k) => !k.startsWith(prefix)).sort(), KEY_PREFIX);
  assert.deepEqual(others, ['broadsheet-admin', staging, 'broadsheet:/staging/:v1:settings'].sort());
  assertClean(page);
  await context.close();
});

/// Fills localStorage with another app's keys until it refuses even one more character.
async function fillStorage(page) {
  await page.evaluate(() => {
    let n = Object.keys(localStorage).filter((k) => k.startsWith('filler:')).length;
    for (const size of [1 << 20, 1 << 16, 1 << 12, 1 << 8, 16, 1]) {
      const piece = 'x'.repeat(size);
      for (;;) {
        try { localStorage.setItem(`filler:${n}`, piece); n += 1; } catch { break; }
      }
    }
  });
}

test('storage full: the banner leads to Your data, where forgetting positions or discarding backups saves the unsaved draft', async () => {
  const { context, page } = await openPage(shared.browser);
  await openYourData(page);
  // Stories read before (a reading position each) and a large backup of damaged data.
  await page.evaluate(([prefix]) => {
    for (let i = 0; i < 30; i += 1) {
      localStorage.setItem(`${prefix}v1:item:article/read-before-${i}`, JSON.stringify({ v: 1, data: { progress: { paragraph: 4, offset: 0.5, at: 10 + i } } }));
    }
    localStorage.setItem(`${prefix}backup:${prefix}v1:item:article/old:5`, '#'.repeat(20000));
  }, [KEY_PREFIX]);
  await openArticle(page);
  await fillStorage(page);
  const box = page.getByRole('textbox', { name: 'Your comment' });
  await box.fill('Typed while storage was full, and kept.');
  const banner = page.getByRole('alert').filter({ hasText: 'Not saved: browser storage is full' });
  await banner.waitFor();

  await banner.getByRole('link', { name: 'Your data' }).click();
  await page.getByRole('heading', { level: 1, name: 'Your data' }).waitFor();
  const free = page.getByRole('region', { name: 'Free up space' });
  await free.getByRole('button', { name: 'Forget reading positions' }).click();
  await status(page).filter({ hasText: /^Forgot the reading position of \d+ stories, freeing .*Everything is saved\.$/ }).waitFor();
  await banner.waitFor({ state: 'detached' });
  const saved = () => page.evaluate((k) => JSON.parse(localStorage.getItem(k) ?? 'null')?.data?.draft?.text, storageKey(`v1:item:${articleId()}`));
  assert.equal(await saved(), 'Typed while storage was full, and kept.');

  // Full again: discarding the backups makes room, and the longer draft is saved.
  await openArticle(page);
  await fillStorage(page);
  await box.fill(`Typed while storage was full, and kept. ${'And more. '.repeat(50)}`);
  await banner.waitFor();
  await banner.getByRole('link', { name: 'Your data' }).click();
  await free.getByRole('button', { name: 'Discard all backups' }).click();
  await status(page).filter({ hasText: /^Discarded 1 backup, freeing .*Everything is saved\.$/ }).waitFor();
  await banner.waitFor({ state: 'detached' });
  assert.match(await saved(), /And more\. $/);
  await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('filler:')).forEach((k) => localStorage.removeItem(k)));
  assertClean(page);
  await context.close();
});

test('delete all says what unsaved changes this tab holds and keeps the unsaved draft', async () => {
  const { context, page } = await openPage(shared.browser);
  await openArticle(page);
  await page.getByRole('group', { name: 'Reactions' }).getByRole('button', { name: 'Like' }).click();
  await fillStorage(page);
  await page.getByRole('textbox', { name: 'Your comment' }).fill('An unsaved draft survives.');
  const banner = page.getByRole('alert').filter({ hasText: 'Not saved: browser storage is full' });
  await banner.waitFor();
  await banner.getByRole('link', { name: 'Your data' }).click();
  await page.getByRole('heading', { level: 1, name: 'Your data' }).waitFor();
  await page.getByRole('button', { name: 'Delete all my data' }).click();
  const confirm = page.getByRole('group', { name: /^Delete everything kept on this device\?/ });
  await confirm.filter({ hasText: 'This tab also holds changes not yet saved (to 1 story): the 1 unsaved draft is kept and saved again' }).waitFor();
  // The other app's keys go (the reader's deletion frees little room of its own).
  await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('filler:')).forEach((k) => localStorage.removeItem(k)));
  await confirm.getByRole('button', { name: 'Yes, delete everything' }).click();
  await status(page).filter({ hasText: /Your 1 unsaved draft was kept\.$/ }).waitFor();
  await page.waitForFunction((k) => localStorage.getItem(k)?.includes('An unsaved draft survives.'), storageKey(`v1:item:${articleId()}`));
  await openArticle(page);
  assert.equal(await page.getByRole('textbox', { name: 'Your comment' }).inputValue(), 'An unsaved draft survives.');
  assert.equal(await page.getByRole('group', { name: 'Reactions' }).getByRole('button', { name: 'Like' }).getAttribute('aria-pressed'), 'false');
  assertClean(page);
  await context.close();
});

test('an import stamped in the future is dated now, says so, and later changes still win', async () => {
  const { context, page } = await openPage(shared.browser);
  await openYourData(page);
  const year3000 = Date.UTC(3000, 0, 1);
  await page.getByLabel('Import data').setInputFiles({ name: 'ahead.json', mimeType: 'application/json', buffer: exportFile({ [articleId()]: { reactions: { like: { on: true, at: year3000 } } } }) });
  await status(page).filter({ hasText: /dated in the future .* dated to now instead/ }).waitFor();
  await openArticle(page);
  const like = page.getByRole('group', { name: 'Reactions' }).getByRole('button', { name: 'Like' });
  assert.equal(await like.getAttribute('aria-pressed'), 'true');
  // Taking the reaction back is not frozen by a stamp from the year 3000.
  await like.click();
  assert.equal(await like.getAttribute('aria-pressed'), 'false');
  await page.reload();
  assert.equal(await like.getAttribute('aria-pressed'), 'false');
  assertClean(page);
  await context.close();
});
