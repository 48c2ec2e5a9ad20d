// The core reading flows in Firefox ESR over WebDriver: open home, read the seed article, follow
// a related story, react, keep a draft across reload, post a comment; each test in a fresh
// browser and profile, failing on any page error, console error or request off the origin.
import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import {
  openFirefox, closeFirefox, assertClean, goto, reload, allByRole, byRole, byCss, heading, waitFor,
} from './helpers.mjs';

const SEED_TITLE = /^Russia’s special envoy for foreign investment/;
let driver;

beforeEach(async () => { driver = await openFirefox(); });
afterEach(async () => { await closeFirefox(driver); driver = undefined; });

/// Opens home and follows the seed article's link there, as a reader would. Returns whether
/// the app's router made that move (see `markDocument`).
async function openSeedArticle() {
  await goto(driver);
  await byRole(driver, 'heading', 'Latest stories');
  await markDocument();
  await (await byRole(driver, 'link', SEED_TITLE)).click();
  assert.match(await heading(driver, SEED_TITLE), SEED_TITLE);
  return sameDocument();
}

/// Reloads the page and waits for the app and the article heading again.
async function reloadArticle() {
  await reload(driver);
  await heading(driver, SEED_TITLE);
}

/// True while the document loaded before `markDocument` is still the one shown: a navigation
/// that kept it was done by the app's router, which only a working wasm app does.
async function markDocument() {
  await driver.executeScript('window.__sameDocument = true');
}
async function sameDocument() {
  return driver.executeScript('return window.__sameDocument === true');
}

test('home opens the seed article with its heading and all eight paragraphs', async () => {
  assert.ok(await openSeedArticle(), 'the app opened the article without loading a new page');
  assert.match(await driver.getCurrentUrl(), /\/reader\/article\/[a-z0-9-]+\/?$/);
  assert.match(await driver.getTitle(), /^Russia’s special envoy.* · Broadsheet$/);
  await waitFor('eight paragraphs', async () => (await driver.findElements({ css: '.article-body > p[id]' })).length === 8);
  const paragraphs = await driver.findElements({ css: '.article-body > p[id]' });
  for (const p of paragraphs) assert.notEqual((await p.getText()).trim(), '', 'every paragraph has text');
  assert.match(await paragraphs[1].getText(), /Ukraine—a move he described as “a first step/);
  await assertClean(driver);
});

test('a Read next link opens its brief inside the app, and the brief survives reload', async () => {
  await openSeedArticle();
  const readNext = await byRole(driver, 'complementary', 'Read next');
  const topics = await Promise.all((await allByRole(driver, 'link', undefined, readNext)).map((a) => a.getAccessibleName()));
  assert.deepEqual(topics, ['Biden-era AI chip', 'Russia–Ukraine war', 'Russia history', 'EU vs US policy', 'Military tests']);
  await markDocument();
  await (await byRole(driver, 'link', 'Russia history', { within: readNext })).click();
  assert.equal(await heading(driver, 'Russia history'), 'Russia history');
  assert.match(await driver.getCurrentUrl(), /\/reader\/article\/[a-z0-9-]+\/brief\/[a-z0-9-]+$/);
  assert.ok(await sameDocument(), 'the app navigated without loading a new page');
  assert.match(await (await byCss(driver, 'main')).getText(), /renaming Volgograd International Airport as Stalingrad/);
  await reload(driver);
  assert.equal(await heading(driver, 'Russia history'), 'Russia history');
  await (await byRole(driver, 'link', SEED_TITLE)).click();
  await heading(driver, SEED_TITLE);
  await assertClean(driver);
});

test('a reaction toggles with aria-pressed and survives reload', async () => {
  await openSeedArticle();
  const love = async () => byRole(driver, 'button', 'Love', { within: await byRole(driver, 'group', 'Reactions') });
  assert.equal(await (await love()).getAttribute('aria-pressed'), 'false');
  await (await love()).click();
  await waitFor('Love pressed', async () => (await (await love()).getAttribute('aria-pressed')) === 'true');
  await reloadArticle();
  await waitFor('Love still pressed after reload', async () => (await (await love()).getAttribute('aria-pressed')) === 'true');
  await (await love()).click();
  await waitFor('Love released', async () => (await (await love()).getAttribute('aria-pressed')) === 'false');
  await assertClean(driver);
});

test('a draft is saved as it is typed and is still there after reload', async () => {
  await openSeedArticle();
  const draft = 'Three steps forward, but which direction?';
  await (await byRole(driver, 'textbox', 'Your comment')).sendKeys(draft);
  await waitFor('"Draft saved"', async () => /Draft saved/.test(await (await byCss(driver, '.comment-form [role="status"]')).getText()));
  await reloadArticle();
  await waitFor('the draft back in the box', async () =>
    (await (await byRole(driver, 'textbox', 'Your comment')).getProperty('value')) === draft);
  await assertClean(driver);
});

test('a posted comment is listed, clears the box, and survives reload', async () => {
  await openSeedArticle();
  const text = 'Posted from Firefox ESR.';
  await (await byRole(driver, 'textbox', 'Your comment')).sendKeys(text);
  await (await byRole(driver, 'button', 'Post comment')).click();
  const listed = async () => {
    const list = await byRole(driver, 'list', 'Comments');
    const items = await list.findElements({ css: 'li' });
    return items.length === 1 && (await items[0].getText()).includes(text);
  };
  await waitFor('the comment in the list', listed);
  assert.equal(await (await byRole(driver, 'textbox', 'Your comment')).getProperty('value'), '');
  await reloadArticle();
  await waitFor('the comment in the list after reload', listed);
  assert.equal(await (await byRole(driver, 'textbox', 'Your comment')).getProperty('value'), '');
  await assertClean(driver);
});
