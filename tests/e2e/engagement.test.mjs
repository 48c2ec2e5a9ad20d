// Reactions, drafts and comments that are never lost, two tabs in step, reading progress.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, openPage, assertClean, url, watch, SEED_TITLE, storageKey, poll } from './helpers.mjs';

const shared = useBrowser({ seedArticle: true });

async function openArticle(page) {
  await page.goto(shared.articleHref);
  await page.getByRole('heading', { level: 1, name: SEED_TITLE }).waitFor();
}

const commentBox = (page) => page.getByRole('textbox', { name: 'Your comment' });

test('reactions toggle with aria-pressed, are announced, and survive reload', async () => {
  const { context, page } = await openPage(shared.browser);
  await openArticle(page);
  const group = page.getByRole('group', { name: 'Reactions' });
  const names = ['Like', 'Love', 'Insightful', 'Surprised', 'Sad', 'Angry'];
  for (const name of names) {
    assert.equal(await group.getByRole('button', { name }).getAttribute('aria-pressed'), 'false');
  }
  await group.getByRole('button', { name: 'Insightful' }).click();
  await group.getByRole('button', { name: 'Sad' }).click();
  await group.getByRole('button', { name: 'Sad' }).click();
  assert.equal(await group.getByRole('button', { name: 'Insightful' }).getAttribute('aria-pressed'), 'true');
  assert.match(await page.locator('.reactions [aria-live="polite"]').textContent(), /Sad removed/);
  await page.reload();
  await page.getByRole('heading', { level: 1 }).waitFor();
  assert.equal(await group.getByRole('button', { name: 'Insightful' }).getAttribute('aria-pressed'), 'true');
  assert.equal(await group.getByRole('button', { name: 'Sad' }).getAttribute('aria-pressed'), 'false');
  // Home marks the article as reacted.
  await page.goto(url(''));
  await page.getByRole('list', { name: 'Your marks' }).getByText('Reacted').waitFor();
  assertClean(page);
  await context.close();
});

test('a draft is saved as you type, says so, and comes back after reload', async () => {
  const { context, page } = await openPage(shared.browser);
  await openArticle(page);
  await commentBox(page).pressSequentially('Three steps forward, but which direction?');
  await page.getByRole('status').filter({ hasText: 'Draft saved' }).waitFor();
  await page.reload();
  await page.getByRole('heading', { level: 1 }).waitFor();
  assert.equal(await commentBox(page).inputValue(), 'Three steps forward, but which direction?');
  // Discarding clears it for good.
  await page.getByRole('button', { name: 'Discard draft' }).click();
  assert.equal(await commentBox(page).inputValue(), '');
  await page.reload();
  await page.getByRole('heading', { level: 1 }).waitFor();
  assert.equal(await commentBox(page).inputValue(), '');
  assertClean(page);
  await context.close();
});

test('a draft typed right before the tab closes is there when it is opened again', async () => {
  const context = await shared.browser.newContext();
  const page = watch(await context.newPage());
  await openArticle(page);
  await commentBox(page).fill('Typed and closed at once');
  await page.close({ runBeforeUnload: true });
  const again = watch(await context.newPage());
  await openArticle(again);
  assert.equal(await commentBox(again).inputValue(), 'Typed and closed at once');
  assertClean(again);
  await context.close();
});

test('posting lists the comment, clears the draft, and survives reload; edit, delete and undo work', async () => {
  const { context, page } = await openPage(shared.browser);
  await openArticle(page);
  await page.getByText('Leave the first comment').waitFor();
  // Empty and whitespace-only comments are refused with a visible message.
  await commentBox(page).fill('   ');
  await page.getByRole('button', { name: 'Post comment' }).click();
  await page.getByRole('alert').filter({ hasText: 'empty comment cannot be posted' }).waitFor();

  const hostile = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=1</script> A fair point.';
  await commentBox(page).fill(hostile);
  assert.match(await page.locator('#comment-counter').textContent(), /^\d+ \/ 5,000 characters$/);
  await page.getByRole('button', { name: 'Post comment' }).click();
  const list = page.getByRole('list', { name: 'Comments' });
  await list.getByRole('listitem').first().waitFor();
  assert.equal(await commentBox(page).inputValue(), '');
  assert.equal(await list.locator('.comment-text').first().textContent(), hostile);
  assert.equal(await page.evaluate(() => window.__pwned), undefined, 'markup in a comment is text, never run');
  assert.match(await list.textContent(), /kept on this device/);
  await page.getByText('1 comment', { exact: true }).waitFor();

  await page.reload();
  await page.getByRole('heading', { level: 1 }).waitFor();
  assert.equal(await list.getByRole('listitem').count(), 1);
  assert.equal(await commentBox(page).inputValue(), '');

  await list.getByRole('button', { name: 'Edit' }).click();
  await list.getByRole('textbox', { name: 'Edit comment' }).fill('An edited point.');
  await list.getByRole('button', { name: 'Save' }).click();
  await list.getByText('An edited point.').waitFor();
  assert.match(await list.textContent(), /edited/);

  await list.getByRole('button', { name: 'Delete' }).click();
  await page.getByText('Leave the first comment').waitFor();
  await page.getByRole('button', { name: 'Undo' }).click();
  await list.getByText('An edited point.').waitFor();
  await page.reload();
  await list.getByText('An edited point.').waitFor();
  assertClean(page);
  await context.close();
});

test('the 5,000-character limit shows a counter and refuses a longer comment', async () => {
  const { context, page } = await openPage(shared.browser);
  await openArticle(page);
  await commentBox(page).fill('x'.repeat(5001));
  assert.equal(await page.locator('#comment-counter').textContent(), '5001 / 5,000 characters');
  await page.getByRole('button', { name: 'Post comment' }).click();
  await page.getByRole('alert').filter({ hasText: 'longer than 5,000 characters' }).waitFor();
  assert.equal((await commentBox(page).inputValue()).length, 5001, 'nothing typed is lost');
  assertClean(page);
  await context.close();
});

test('two tabs stay in step without reload and never overwrite each other', async () => {
  const context = await shared.browser.newContext();
  const a = watch(await context.newPage());
  const b = watch(await context.newPage());
  await openArticle(a);
  await openArticle(b);
  await a.getByRole('group', { name: 'Reactions' }).getByRole('button', { name: 'Love' }).click();
  await b.waitForFunction(() => document.querySelector('.reaction[aria-pressed="true"]')?.textContent.includes('Love'));
  await b.getByRole('group', { name: 'Reactions' }).getByRole('button', { name: 'Angry' }).click();
  await a.waitForFunction(() => [...document.querySelectorAll('.reaction[aria-pressed="true"]')].some((e) => e.textContent.includes('Angry')));
  // Both reactions survive: neither tab overwrote the other.
  await a.reload();
  await a.getByRole('heading', { level: 1 }).waitFor();
  const pressed = await a.locator('.reaction[aria-pressed="true"] .reaction-name').allTextContents();
  assert.deepEqual(pressed.sort(), ['Angry', 'Love']);

  await commentBox(a).fill('Written in tab A');
  await b.waitForFunction(() => document.querySelector('#comment-box').value === 'Written in tab A');
  await a.getByRole('button', { name: 'Post comment' }).click();
  await b.getByRole('list', { name: 'Comments' }).getByText('Written in tab A').waitFor();
  assertClean(a);
  assertClean(b);
  await context.close();
});

/// Turns the wheel a little down and back up (real scroll events, the page ending where it
/// was) until the seed article's saved state passes `saved`: while scrolling, progress is
/// written at most once a second, so the position reached may only be written on a later event.
async function scrollUntilSaved(page, what, saved) {
  const key = storageKey(`v1:item:article/${new URL(shared.articleHref).pathname.split('/').pop()}`);
  let down = true;
  await poll(what, async () => {
    await page.mouse.wheel(0, down ? 10 : -10);
    down = !down;
    const item = await page.evaluate((k) => JSON.parse(localStorage.getItem(k) ?? 'null')?.data, key);
    return item && saved(item);
  });
}

test('reading progress is remembered and offered as "Continue reading" on home', async () => {
  const { context, page } = await openPage(shared.browser, { viewport: { width: 400, height: 500 } });
  await openArticle(page);
  await page.locator('#p5').evaluate((el) => el.scrollIntoView({ behavior: 'instant', block: 'start' }));
  await scrollUntilSaved(page, 'the position at #p5 saved', (item) => item.progress?.paragraph === 4);
  await page.goto(url(''));
  await page.getByRole('list', { name: 'Your marks' }).getByText('In progress').waitFor();
  await page.getByRole('link', { name: /^Continue reading:/ }).click();
  await page.getByRole('heading', { level: 1, name: SEED_TITLE }).waitFor();
  await page.waitForFunction(() => {
    const top = document.querySelector('#p5').getBoundingClientRect().top;
    return Math.abs(top) < 120;
  }, null, { timeout: 5000 });
  // Reading to the end marks the article read.
  await page.locator('.read-next').evaluate((el) => el.scrollIntoView({ behavior: 'instant' }));
  await scrollUntilSaved(page, 'the article saved as read', (item) => item.read === true);
  await page.goto(url(''));
  await page.getByRole('list', { name: 'Your marks' }).getByText('Read', { exact: true }).waitFor();
  assertClean(page);
  await context.close();
});

test('with storage full, typing is kept and reported, and saved once there is room', async () => {
  const { context, page } = await openPage(shared.browser);
  await context.addInitScript((prefix) => {
    const setItem = Storage.prototype.setItem;
    window.__storageFull = true;
    Storage.prototype.setItem = function (key, value) {
      if (window.__storageFull && key.startsWith(prefix)) {
        throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      }
      return setItem.call(this, key, value);
    };
  }, storageKey('v1:'));
  await openArticle(page);
  await commentBox(page).pressSequentially('Every word kept');
  await page.getByRole('alert').filter({ hasText: 'Not saved: browser storage is full' }).waitFor();
  assert.equal(await commentBox(page).inputValue(), 'Every word kept');
  await page.getByRole('group', { name: 'Reactions' }).getByRole('button', { name: 'Like' }).click();
  assert.equal(await page.getByRole('group', { name: 'Reactions' }).getByRole('button', { name: 'Like' }).getAttribute('aria-pressed'), 'true');

  // Room again: the next change writes everything kept in memory.
  await page.evaluate(() => { window.__storageFull = false; });
  await commentBox(page).pressSequentially('.');
  await page.getByRole('alert').filter({ hasText: 'Not saved' }).waitFor({ state: 'detached' });
  // The first successful write may be another change (reading progress) made before the
  // debounced draft of '.' lands; the draft follows within its 500 ms debounce.
  await page.getByRole('status').filter({ hasText: 'Draft saved' }).waitFor();
  const items = storageKey('v1:item:');
  await page.waitForFunction((items) => Object.keys(localStorage).some((k) => k.startsWith(items) && localStorage.getItem(k).includes('Every word kept.')), items, { timeout: 3000 });
  const saved = await page.evaluate((items) => Object.keys(localStorage).filter((k) => k.startsWith(items)).map((k) => localStorage.getItem(k)).join(), items);
  assert.match(saved, /Every word kept\./);
  assert.match(saved, /"like":\{"on":true/);
  assertClean(page);
  await context.close();
});

test('a comment edit in progress survives a reload and a visit to another page, until saved or cancelled', async () => {
  const { context, page } = await openPage(shared.browser);
  await openArticle(page);
  await commentBox(page).fill('My first point.');
  await page.getByRole('button', { name: 'Post comment' }).click();
  const list = page.getByRole('list', { name: 'Comments' });
  await list.getByText('My first point.').waitFor();
  await list.getByRole('button', { name: 'Edit' }).click();
  const editBox = list.getByRole('textbox', { name: 'Edit comment' });
  await editBox.fill('My first point, half rewritten');
  await list.getByRole('status').filter({ hasText: 'Edit kept' }).waitFor();

  await page.reload();
  assert.equal(await editBox.inputValue(), 'My first point, half rewritten');
  // In-app navigation away and back.
  await page.getByRole('link', { name: 'Your data' }).click();
  await page.getByRole('heading', { level: 1, name: 'Your data' }).waitFor();
  await page.goBack();
  assert.equal(await editBox.inputValue(), 'My first point, half rewritten');

  await list.getByRole('button', { name: 'Cancel' }).click();
  await list.getByText('My first point.').waitFor();
  await page.reload();
  assert.equal(await list.getByRole('textbox', { name: 'Edit comment' }).count(), 0, 'cancelled for good');
  await list.getByRole('button', { name: 'Edit' }).click();
  await editBox.fill('My first point, rewritten.');
  await list.getByRole('button', { name: 'Save' }).click();
  await list.getByText('My first point, rewritten.').waitFor();
  await page.reload();
  await list.getByText('My first point, rewritten.').waitFor();
  assert.equal(await list.getByRole('textbox', { name: 'Edit comment' }).count(), 0, 'saved, closed');
  assertClean(page);
  await context.close();
});
