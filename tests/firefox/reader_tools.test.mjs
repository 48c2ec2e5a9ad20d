// The reader's own tools (issue 14) in Firefox ESR: a highlight by mouse selection and one by
// keyboard (h), a note kept across reload, "Your highlights" linking back; Listen with a
// recording speech engine; the right-to-left story of the archive.
import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import {
  openFirefox, closeFirefox, assertClean, goto, reload, appReady, byRole, byCss, heading, waitFor,
} from './helpers.mjs';

const SEED_TITLE = /^Russia’s special envoy for foreign investment/;
const PHRASE = 'a move he described as';
let driver;

beforeEach(async () => { driver = await openFirefox(); });
afterEach(async () => { await closeFirefox(driver); driver = undefined; });

async function openSeedArticle() {
  await goto(driver);
  await (await byRole(driver, 'link', SEED_TITLE)).click();
  await heading(driver, SEED_TITLE);
}

const markTexts = () => driver.executeScript(
  'return [...document.querySelectorAll(".article-body mark.reader-highlight")].map((m) => m.textContent)');

/// The viewport points just inside the first and last characters of `phrase` in `selector`.
function phrasePoints(selector, phrase) {
  return driver.executeScript(`
    const [selector, phrase] = arguments;
    const p = document.querySelector(selector);
    const walker = document.createTreeWalker(p, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const at = node.data.indexOf(phrase);
      if (at < 0) continue;
      node.parentElement.scrollIntoView({ block: 'center', behavior: 'instant' });
      const range = document.createRange();
      range.setStart(node, at);
      range.setEnd(node, at + phrase.length);
      const rects = [...range.getClientRects()];
      const first = rects[0];
      const last = rects[rects.length - 1];
      return {
        start: { x: Math.ceil(first.left + 1), y: Math.round(first.top + first.height / 2) },
        end: { x: Math.floor(last.right - 1), y: Math.round(last.top + last.height / 2) },
      };
    }
    throw new Error(phrase + ' is not in ' + selector);`, selector, phrase);
}

test('a highlight made by dragging the mouse is marked and survives reload; its note is kept; Your highlights links back', async () => {
  await openSeedArticle();
  const { start, end } = await phrasePoints('#p2', PHRASE);
  await driver.actions({ async: true })
    .move({ x: start.x, y: start.y, origin: 'viewport' })
    .press()
    .move({ x: end.x, y: end.y, origin: 'viewport', duration: 200 })
    .release()
    .perform();
  await (await byRole(driver, 'button', 'Highlight')).click();
  await waitFor('the mark', async () => (await markTexts()).length === 1);
  assert.deepEqual(await markTexts(), [PHRASE]);

  const list = await byRole(driver, 'region', 'Your highlights in this story');
  await (await byRole(driver, 'textbox', 'Note', { within: list })).sendKeys('Which move?');
  await waitFor('"Note saved"', async () => /Note saved/.test(await (await byCss(driver, '.highlight-entry [role="status"]')).getText()));
  await reload(driver);
  await heading(driver, SEED_TITLE);
  await waitFor('the mark after reload', async () => (await markTexts()).join() === PHRASE);
  const again = await byRole(driver, 'region', 'Your highlights in this story');
  assert.equal(await (await byRole(driver, 'textbox', 'Note', { within: again })).getProperty('value'), 'Which move?');

  await (await byRole(driver, 'link', 'Your highlights', { within: await byRole(driver, 'navigation', 'Site') })).click();
  await heading(driver, 'Your highlights');
  await (await byRole(driver, 'link', 'Go to this highlight')).click();
  await heading(driver, SEED_TITLE);
  await waitFor('the highlight in view', () => driver.executeScript(`
    const mark = document.querySelector('mark.reader-highlight[id]');
    const r = mark && mark.getBoundingClientRect();
    return !!r && r.top >= 0 && r.bottom <= window.innerHeight;`));
  await assertClean(driver);
});

test('a selection highlighted with the h key', async () => {
  await openSeedArticle();
  await driver.executeScript(`
    const p = document.querySelector('#p4');
    const walker = document.createTreeWalker(p, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const at = node.data.indexOf('Dmitriev');
      if (at >= 0) { window.getSelection().setBaseAndExtent(node, at, node, at + 8); return; }
    }`);
  await byRole(driver, 'button', 'Highlight');
  await driver.actions().sendKeys('h').perform();
  await waitFor('the mark', async () => (await markTexts()).join() === 'Dmitriev');
  await assertClean(driver);
});

test('Listen speaks the paragraphs in order and marks the current one', async () => {
  await openSeedArticle();
  // A recording engine in place of the browser's (Firefox may have none without a speech
  // service); Listen looks the engine up on every call.
  await driver.executeScript(`
    window.__spoken = [];
    window.SpeechSynthesisUtterance = class { constructor(text) { this.text = text; this.onend = null; } };
    const engine = { current: null, paused: false,
      speak(u) { window.__spoken.push(u.text); this.current = u; },
      cancel() { this.current = null; }, pause() { this.paused = true; }, resume() { this.paused = false; },
      getVoices() { return []; } };
    Object.defineProperty(window, 'speechSynthesis', { value: engine, configurable: true });
    window.__finish = () => { const u = engine.current; engine.current = null; if (u && u.onend) u.onend(new Event('end')); };`);
  const listen = await driver.executeScript('return !!document.querySelector(".listen")');
  if (!listen) {
    // This Firefox has no speech synthesis of its own: the button is rightly absent.
    assert.equal(await driver.executeScript("return 'speechSynthesis' in Window.prototype"), false);
    return;
  }
  await (await byRole(driver, 'button', 'Listen')).click();
  await waitFor('the first paragraph spoken', async () => (await driver.executeScript('return window.__spoken.length')) === 1);
  assert.equal(await driver.executeScript('return document.querySelector(".article-body > p[aria-current=true]").id'), 'p1');
  await driver.executeScript('window.__finish()');
  await waitFor('the second paragraph spoken', async () => (await driver.executeScript('return window.__spoken.length')) === 2);
  const texts = await driver.executeScript('return window.__spoken');
  assert.ok((await (await byCss(driver, '#p2')).getText()).startsWith(texts[1].slice(0, 40)));
  assert.equal(await driver.executeScript('return document.querySelector(".article-body > p[aria-current=true]").id'), 'p2');
  await (await byRole(driver, 'button', 'Stop')).click();
  await byRole(driver, 'button', 'Listen');
  await assertClean(driver);
});

test('the Arabic story of the archive is laid out right to left inside the English reader', async () => {
  const ARCHIVE = process.env.ARCHIVE_URL;
  assert.ok(ARCHIVE, 'ARCHIVE_URL is set');
  await driver.get(new URL('article/harbour-library-opens-arabic', ARCHIVE).href);
  await appReady(driver);
  await heading(driver, 'افتتاح مكتبة جديدة في الميناء');
  const dirs = await driver.executeScript(`return {
    article: document.querySelector('article.article').getAttribute('dir'),
    paragraph: getComputedStyle(document.querySelector('#p1')).direction,
    nav: getComputedStyle(document.querySelector('nav')).direction,
    date: document.querySelector('article.article time').textContent,
  }`);
  assert.equal(dirs.article, 'rtl');
  assert.equal(dirs.paragraph, 'rtl');
  assert.equal(dirs.nav, 'ltr');
  assert.match(dirs.date, /[\u0600-\u06FF]/, dirs.date);
  await assertClean(driver);
});
