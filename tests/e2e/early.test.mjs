// Before the app takes over a page rendered ahead of time (seconds on a slow phone), what the
// reader types is kept and no click is silently lost: text fields work and are carried into the
// app, every other control is disabled with a visible note until the app is ready.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, openPage, assertClean, url, watch, SEED_TITLE } from './helpers.mjs';

const shared = useBrowser({ seedArticle: true });

const commentBox = (page) => page.getByRole('textbox', { name: 'Your comment' });
const reactions = (page) => page.getByRole('group', { name: 'Reactions' });

/// Opens `href` as on a slow connection: the page's HTML and styles arrive, the wasm is held
/// back until the returned `release` is called. No service worker, so every request is seen.
async function openSlowly(page, href) {
  let release;
  const gate = new Promise((resolve) => { release = resolve; });
  await page.route('**/*.wasm', async (route) => { await gate; await route.continue(); });
  // The frame's own goto: the page's (which waits for the app) cannot finish while the wasm is
  // held back.
  await page.mainFrame().goto(href, { waitUntil: 'domcontentloaded' });
  return release;
}

async function appIsReady(page) {
  await page.waitForFunction(() => document.documentElement.dataset.app === 'ready', null, { timeout: 20000 });
}

test('words typed before the app is ready join the saved draft, are saved, and typing goes on', async () => {
  const { context, page } = await openPage(shared.browser, { serviceWorkers: 'block' });
  await page.goto(shared.articleHref);
  await commentBox(page).pressSequentially('A draft I started yesterday.');
  await page.getByRole('status').filter({ hasText: 'Draft saved' }).waitFor();

  const fresh = watch(await context.newPage());
  await page.close();
  const release = await openSlowly(fresh, shared.articleHref);
  await commentBox(fresh).waitFor();
  assert.equal(await fresh.evaluate(() => document.documentElement.dataset.app), undefined, 'the app has not started');
  await commentBox(fresh).click();
  await fresh.keyboard.press('End');
  await fresh.keyboard.type(' And early words.');
  release();
  await appIsReady(fresh);
  assert.equal(await commentBox(fresh).inputValue(), 'A draft I started yesterday. And early words.');
  // The reader's caret is still in the box, at the end: typing simply goes on.
  await fresh.keyboard.type(' More.');
  assert.equal(await commentBox(fresh).inputValue(), 'A draft I started yesterday. And early words. More.');
  await fresh.getByRole('status').filter({ hasText: 'Draft saved' }).waitFor();
  await fresh.reload();
  assert.equal(await commentBox(fresh).inputValue(), 'A draft I started yesterday. And early words. More.');
  assertClean(fresh);
  await context.close();
});

test('without a saved draft, what was typed before the takeover is the draft', async () => {
  const { context, page } = await openPage(shared.browser, { serviceWorkers: 'block' });
  const release = await openSlowly(page, shared.articleHref);
  await commentBox(page).fill('Typed on a slow phone.');
  release();
  await appIsReady(page);
  assert.equal(await commentBox(page).inputValue(), 'Typed on a slow phone.');
  await page.reload();
  assert.equal(await commentBox(page).inputValue(), 'Typed on a slow phone.');
  assertClean(page);
  await context.close();
});

test('until the app is ready, reactions and other controls are disabled with a visible note', async () => {
  const { context, page } = await openPage(shared.browser, { serviceWorkers: 'block' });
  const release = await openSlowly(page, shared.articleHref);
  await page.getByRole('heading', { level: 1, name: SEED_TITLE }).waitFor();
  for (const name of ['Like', 'Love', 'Insightful', 'Surprised', 'Sad', 'Angry']) {
    assert.equal(await reactions(page).getByRole('button', { name }).isDisabled(), true, `${name} disabled`);
  }
  assert.equal(await page.getByRole('button', { name: 'Post comment' }).isDisabled(), true);
  assert.equal(await page.getByRole('button', { name: 'Reading settings' }).isDisabled(), true);
  assert.equal(await page.getByRole('button', { name: 'Share' }).isDisabled(), true);
  assert.equal(await page.getByText('Reactions will be ready in a moment.').isVisible(), true);
  assert.equal(await commentBox(page).isEditable(), true, 'the comment box can be typed in at once');
  release();
  await appIsReady(page);
  assert.equal(await page.getByText('Reactions will be ready in a moment.').count(), 0);
  const like = reactions(page).getByRole('button', { name: 'Like' });
  assert.equal(await like.isDisabled(), false);
  await like.click();
  assert.equal(await like.getAttribute('aria-pressed'), 'true');
  assert.equal(await page.getByRole('button', { name: 'Post comment' }).isDisabled(), false);
  assertClean(page);
  await context.close();
});

test('a search typed before the app is ready is searched for once it is', async () => {
  const { context, page } = await openPage(shared.browser, { serviceWorkers: 'block' });
  const release = await openSlowly(page, url(''));
  const search = page.getByRole('searchbox', { name: 'Search articles' });
  await search.fill('envoy');
  release();
  await appIsReady(page);
  assert.equal(await search.inputValue(), 'envoy');
  await page.getByRole('link', { name: SEED_TITLE }).waitFor();
  await page.waitForFunction(() => new URL(location.href).searchParams.get('q') === 'envoy');
  assertClean(page);
  await context.close();
});
