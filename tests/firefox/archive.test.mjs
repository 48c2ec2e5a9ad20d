// The archive (xtask/src/archive.rs: 3,000 generated stories, one old hand-made story with a
// word found nowhere else, served under /archive/) in Firefox ESR: the flows of
// tests/e2e/archive.test.mjs (deep link and reload, a story on a later listing page opened in
// the app, search), each in a fresh browser and profile, failing on any page error, console
// error or request off the origin.
import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import {
  openFirefox, closeFirefox, assertClean, appReady, byRole, allByRole, heading, waitFor,
} from './helpers.mjs';

const ARCHIVE = process.env.ARCHIVE_URL;
if (!ARCHIVE) throw new Error('ARCHIVE_URL is not set: run these tests through `cargo xtask e2e`, which builds and serves the archive');
const archive = (path = '') => new URL(path, ARCHIVE).href;

/// The hand-made old story (xtask/src/archive.rs, OLD_STORY), the last of the archive's.
const OLD_TITLE = 'Harbour office finds the Quokkagram letters';
const OLD_SLUG = 'harbour-office-finds-the-quokkagram-letters';
const OLD_URL = archive(`article/${OLD_SLUG}`);
const OLD_LEDE = 'A box of letters signed “Quokkagram” was found';

/// An article file: `data/articles/SLUG.HASH.txt` (core/src/site_data.rs).
const ARTICLE_FILE = /\/archive\/data\/articles\/([^/]+)\.[0-9a-f]{16}\.txt$/;

let driver;
beforeEach(async () => { driver = await openFirefox(); });
afterEach(async () => { await closeFirefox(driver); driver = undefined; });

/// The slugs of the article files this document fetched (its resource timing entries).
async function articleFilesFetched() {
  const urls = await driver.executeScript("return performance.getEntriesByType('resource').map((e) => e.name)");
  return urls.map((u) => u.match(ARTICLE_FILE)?.[1]).filter(Boolean);
}

/// Waits until the page's text contains `text`.
async function textShown(text) {
  await waitFor(`the text “${text}”`, () => driver.executeScript('return document.body.innerText.includes(arguments[0])', text));
}

/// The stories listed on home (each item holds a list of its own, the reader's marks).
async function stories() {
  return driver.findElements({ css: 'ul[aria-label="Stories"] > li' });
}

/// True while the document loaded before `markDocument` is still the one shown: a navigation
/// that kept it was the app's router.
async function markDocument() {
  await driver.executeScript('window.__sameDocument = true');
}
async function sameDocument() {
  return driver.executeScript('return window.__sameDocument === true');
}

test('a deep link to the old story shows its text in the HTML, then in the app, and again after reload', async () => {
  // The page file itself, as the host serves it: the story is there before any script runs.
  const response = await fetch(OLD_URL);
  assert.equal(response.status, 200);
  const html = await response.text();
  assert.ok(html.includes(OLD_TITLE) && html.includes(OLD_LEDE), 'the page file holds the story');

  await driver.get(OLD_URL);
  await appReady(driver);
  assert.equal(await heading(driver, OLD_TITLE), OLD_TITLE);
  await textShown(OLD_LEDE);
  const readNext = await byRole(driver, 'complementary', 'Read next');
  await byRole(driver, 'link', 'Harbour', { within: readNext });

  await driver.navigate().refresh();
  await appReady(driver);
  assert.equal(await heading(driver, OLD_TITLE), OLD_TITLE);
  await textShown('The archivist said the letters describe the first ferry crossing');
  assert.equal(await driver.getCurrentUrl(), OLD_URL);
  await assertClean(driver);
});

test('in-app navigation to a story on a later listing page fetches its article file and renders it', async () => {
  await driver.get(archive(''));
  await appReady(driver);
  assert.equal((await stories()).length, 50, 'home lists the first page of 50');
  await (await byRole(driver, 'button', /^Show more stories/)).click();
  await waitFor('the second listing page', async () => (await stories()).length === 100);
  const link = (await allByRole(driver, 'link', undefined, (await stories())[75]))[0];
  const title = (await link.getText()).trim();
  // Generated stories are numbered newest first (xtask/src/archive.rs).
  assert.match(title, / \(generated 75\)$/);
  assert.deepEqual(await articleFilesFetched(), [], 'no article file before the click');
  await markDocument();
  await link.click();
  assert.equal(await heading(driver, title), title);
  assert.ok(await sameDocument(), 'the app opened the story without loading a new page');
  assert.match(await driver.getCurrentUrl(), /\/archive\/article\/generated-00075$/);
  assert.deepEqual(await articleFilesFetched(), ['generated-00075']);
  await waitFor('the body', async () => (await driver.findElements({ css: '.article-body > p' })).length >= 4);
  await assertClean(driver);
});

test('search finds the planted word in exactly one story and opens it', async () => {
  await driver.get(archive(''));
  await appReady(driver);
  await (await byRole(driver, 'searchbox', 'Search articles')).sendKeys('Quokkagram');
  await waitFor('one result', () => driver.executeScript(
    "return document.querySelector('.search-summary')?.textContent === '1 result for “Quokkagram”'"));
  const results = await byRole(driver, 'list', 'Search results');
  assert.equal((await allByRole(driver, 'listitem', undefined, results)).length, 1);
  await markDocument();
  await (await byRole(driver, 'link', OLD_TITLE, { within: results })).click();
  assert.equal(await heading(driver, OLD_TITLE), OLD_TITLE);
  assert.ok(await sameDocument(), 'the app opened the story without loading a new page');
  await textShown(OLD_LEDE);
  assert.deepEqual(await articleFilesFetched(), [OLD_SLUG]);
  await assertClean(driver);
});

/// Takes the browser off the network (or back on) through WebDriver BiDi's network emulation.
async function setOffline(offline) {
  const bidi = await driver.getBidi();
  const answer = await bidi.send({
    method: 'emulation.setNetworkConditions',
    params: { networkConditions: offline ? { type: 'offline' } : null, contexts: [await driver.getWindowHandle()] },
  });
  assert.equal(answer.type, 'success', `emulation.setNetworkConditions: ${JSON.stringify(answer)}`);
}

/// Whether a request of the page for a file the site does not have fails (offline) rather than
/// being answered 404 (online): through the service worker too, when it controls the page.
async function requestsFail() {
  return driver.executeAsyncScript(`const done = arguments[arguments.length - 1];
    fetch('no-such-file-' + Date.now()).then(() => done(false), () => done(true));`);
}

/// From home, "Show more stories" once, then the 76th story; returns its title.
async function openStoryOnSecondPage() {
  await driver.get(archive(''));
  await appReady(driver);
  await (await byRole(driver, 'button', /^Show more stories/)).click();
  await waitFor('the second listing page', async () => (await stories()).length === 100);
  const link = (await allByRole(driver, 'link', undefined, (await stories())[75]))[0];
  const title = (await link.getText()).trim();
  await link.click();
  assert.equal(await heading(driver, title), title);
  return title;
}

// Offline in the app alone: Firefox's network emulation (WebDriver BiDi) does not reach a
// service worker's own requests, so the worker is turned off here, and the page's requests
// really fail. For the same reason the archive's offline reload through the worker (in
// tests/e2e/archive.test.mjs) runs in Chromium only: in Firefox the worker would still reach
// the server, and the test could not fail.
test('an article fetched once is readable offline in the app', async () => {
  await closeFirefox(driver);
  driver = await openFirefox({ prefs: { 'dom.serviceWorkers.enabled': false } });
  const title = await openStoryOnSecondPage();
  const story = await driver.getCurrentUrl();
  await driver.navigate().back();
  await byRole(driver, 'heading', 'Latest stories');
  await setOffline(true);
  assert.ok(await requestsFail(), 'offline');
  await driver.navigate().forward();
  assert.equal(await heading(driver, title), title);
  assert.equal(await driver.getCurrentUrl(), story);
  await waitFor('the body', async () => (await driver.findElements({ css: '.article-body > p' })).length >= 4);
  await setOffline(false);
  await assertClean(driver);
});
