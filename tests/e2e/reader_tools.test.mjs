// The reader's own tools (issue 14): highlights by mouse and by keyboard, notes, "Your
// highlights" and its Markdown export, delete all; an article written right to left.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import AxeBuilder from '@axe-core/playwright';
import { useBrowser, openPage, assertClean, watch, url, SEED_TITLE } from './helpers.mjs';

const shared = useBrowser({ seedArticle: true });

/// Words of the seed article's second paragraph, and of its fourth.
const PHRASE = 'a move he described as';
const OTHER = 'Dmitriev';

async function openArticle(page) {
  await page.goto(shared.articleHref);
  await page.getByRole('heading', { level: 1, name: SEED_TITLE }).waitFor();
}

const marks = (page) => page.locator('.article-body mark.reader-highlight');
const list = (page) => page.getByRole('region', { name: 'Your highlights in this story' });

/// The viewport points just inside the first and the last character of `phrase` in the
/// paragraph `selector`.
async function phrasePoints(page, selector, phrase) {
  return page.evaluate(([selector, phrase]) => {
    const p = document.querySelector(selector);
    const walker = document.createTreeWalker(p, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const at = node.data.indexOf(phrase);
      if (at < 0) continue;
      const range = document.createRange();
      range.setStart(node, at);
      range.setEnd(node, at + phrase.length);
      range.startContainer.parentElement.scrollIntoView({ block: 'center', behavior: 'instant' });
      const rects = [...range.getClientRects()];
      const first = rects[0];
      const last = rects[rects.length - 1];
      return {
        start: { x: first.left + 1, y: first.top + first.height / 2 },
        end: { x: last.right - 1, y: last.top + last.height / 2 },
      };
    }
    throw new Error(`${phrase} is not in ${selector}`);
  }, [selector, phrase]);
}

/// Selects `phrase` of paragraph `selector` by dragging the mouse across it.
async function dragSelect(page, selector, phrase) {
  const { start, end } = await phrasePoints(page, selector, phrase);
  await page.mouse.move(start.x, start.y);
  await page.mouse.down();
  await page.mouse.move(end.x, end.y, { steps: 8 });
  await page.mouse.up();
}

test('a highlight made with the mouse is marked, survives reload and a text size change, and can be removed with undo', async () => {
  const { context, page } = await openPage(shared.browser);
  await openArticle(page);
  const button = page.getByRole('button', { name: 'Highlight', exact: true });
  assert.equal(await button.isVisible(), false, 'no Highlight button without a selection');
  await dragSelect(page, '#p2', PHRASE);
  await button.click();
  await marks(page).first().waitFor();
  assert.deepEqual(await marks(page).allTextContents(), [PHRASE]);
  assert.equal(await page.evaluate(() => window.getSelection().isCollapsed), true, 'the selection is cleared');
  await page.getByRole('status').filter({ hasText: /^Highlighted/ }).waitFor();
  assert.equal(await list(page).locator('blockquote').textContent(), PHRASE);
  // The paragraph reads as before: the mark adds no text.
  assert.match(await page.locator('#p2').textContent(), /Ukraine—a move he described as “a first step/);

  await page.reload();
  await marks(page).first().waitFor();
  assert.deepEqual(await marks(page).allTextContents(), [PHRASE]);
  await page.getByRole('button', { name: 'Reading settings' }).click();
  await page.getByRole('region', { name: 'Reading settings' }).getByRole('slider', { name: 'Text size' }).fill('6');
  await page.waitForFunction(() => document.documentElement.dataset.size === '6');
  assert.deepEqual(await marks(page).allTextContents(), [PHRASE]);

  await list(page).getByRole('button', { name: 'Remove highlight' }).click();
  await marks(page).first().waitFor({ state: 'detached' });
  await page.getByRole('status').filter({ hasText: 'Highlight removed' }).waitFor();
  await page.getByRole('button', { name: 'Undo' }).click();
  await marks(page).first().waitFor();
  assert.deepEqual(await marks(page).allTextContents(), [PHRASE]);
  assertClean(page);
  await context.close();
});

test('a selection highlighted from the keyboard: h, or Tab to the Highlight button and Enter', async () => {
  const { context, page } = await openPage(shared.browser);
  await openArticle(page);
  // The words selected as caret browsing or a screen reader would select them; Chromium
  // without caret browsing does not move a selection with Shift+arrows, so it is set here.
  const select = (selector, word) => page.evaluate(([selector, word]) => {
    const p = document.querySelector(selector);
    const walker = document.createTreeWalker(p, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const at = node.data.indexOf(word);
      if (at >= 0) { window.getSelection().setBaseAndExtent(node, at, node, at + word.length); return; }
    }
    throw new Error(`${word} is not in ${selector}`);
  }, [selector, word]);
  await select('#p4', OTHER);
  await page.getByRole('button', { name: 'Highlight', exact: true }).waitFor();
  await page.keyboard.press('h');
  await marks(page).first().waitFor();
  assert.deepEqual(await marks(page).allTextContents(), [OTHER]);

  // The button itself is in the tab order right after the article.
  await select('#p8', 'incremental progress');
  const button = page.getByRole('button', { name: 'Highlight', exact: true });
  await button.waitFor();
  await page.locator('#p8 .para-link').focus();
  await page.keyboard.press('Tab');
  assert.equal(await button.evaluate((b) => b === document.activeElement), true, 'Tab from the last paragraph reaches Highlight');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelectorAll('.article-body mark.reader-highlight').length === 2);
  assert.deepEqual(await marks(page).allTextContents(), [OTHER, 'incremental progress']);
  assertClean(page);
  await context.close();
});

test('a note is saved as typed and is there after the tab is closed; Your highlights lists it, links back and exports it as Markdown; delete all removes it', async () => {
  const context = await shared.browser.newContext();
  const page = watch(await context.newPage());
  await openArticle(page);
  await dragSelect(page, '#p2', PHRASE);
  await page.getByRole('button', { name: 'Highlight', exact: true }).click();
  const note = list(page).getByRole('textbox', { name: 'Note' });
  await note.pressSequentially('Which move, exactly?');
  await list(page).getByRole('status').filter({ hasText: 'Note saved' }).waitFor();
  await note.pressSequentially(' Typed and closed at once.');
  await page.close({ runBeforeUnload: true });

  const again = watch(await context.newPage());
  await openArticle(again);
  assert.equal(await list(again).getByRole('textbox', { name: 'Note' }).inputValue(), 'Which move, exactly? Typed and closed at once.');

  // "Your highlights", from the header.
  await again.getByRole('navigation', { name: 'Site' }).getByRole('link', { name: 'Your highlights' }).click();
  await again.getByRole('heading', { level: 1, name: 'Your highlights' }).waitFor();
  const story = again.getByRole('article').filter({ has: again.getByRole('heading', { name: SEED_TITLE }) });
  assert.equal(await story.locator('blockquote').textContent(), PHRASE);
  assert.equal(await story.locator('.highlight-note').textContent(), 'Which move, exactly? Typed and closed at once.');

  const [download] = await Promise.all([
    again.waitForEvent('download'),
    again.getByRole('button', { name: 'Export highlights as Markdown' }).click(),
  ]);
  assert.match(download.suggestedFilename(), /^broadsheet-highlights-\d{4}-\d{2}-\d{2}\.md$/);
  const markdown = await readFile(await download.path(), 'utf8');
  const articleUrl = shared.articleHref.replace(/\/$/, '');
  assert.match(markdown, /^# Highlights from Broadsheet\n/);
  assert.ok(markdown.includes(`> ${PHRASE}\n`), markdown);
  assert.ok(markdown.includes('Which move, exactly? Typed and closed at once\\.'), markdown);
  assert.ok(markdown.includes(`](<${articleUrl}>)`), `the title links to the article: ${markdown}`);
  const link = markdown.match(/\[Go to this highlight\]\(<([^>]+)>\)/)[1];
  assert.ok(link.startsWith(`${articleUrl}#hl-`), link);

  // The link back opens the article at the highlight.
  await story.getByRole('link', { name: 'Go to this highlight' }).click();
  await again.getByRole('heading', { level: 1, name: SEED_TITLE }).waitFor();
  const mark = again.locator(`[id="${new URL(link).hash.slice(1)}"]`);
  await mark.waitFor();
  await again.waitForFunction((id) => {
    const r = document.getElementById(id).getBoundingClientRect();
    return r.top >= 0 && r.bottom <= window.innerHeight;
  }, new URL(link).hash.slice(1));

  // Your data counts it, and "Delete all my data" removes it.
  await again.goto(url('data'));
  await again.getByText('1 highlight (1 with a note) in 1 story').waitFor();
  await again.getByRole('button', { name: 'Delete all my data' }).click();
  await again.getByRole('button', { name: 'Yes, delete everything' }).click();
  await again.getByRole('status').filter({ hasText: /^Deleted everything kept on this device/ }).waitFor();
  await again.goto(url('highlights'));
  await again.getByText('No highlights yet.').waitFor();
  await openArticle(again);
  assert.equal(await marks(again).count(), 0);
  assertClean(again);
  await context.close();
});

test('an article written right to left is laid out right to left inside the English reader, with its dates in its language, and passes axe', async () => {
  const ARCHIVE = process.env.ARCHIVE_URL;
  assert.ok(ARCHIVE, 'ARCHIVE_URL is set (cargo xtask e2e serves the archive, which holds the right-to-left story)');
  const { context, page } = await openPage(shared.browser);
  await page.goto(new URL('article/harbour-library-opens-arabic', ARCHIVE).href);
  await page.getByRole('heading', { level: 1, name: 'افتتاح مكتبة جديدة في الميناء' }).waitFor();
  const article = page.locator('article.article');
  assert.equal(await article.getAttribute('dir'), 'rtl');
  assert.equal(await article.getAttribute('lang'), 'ar');
  assert.equal(await page.locator('#p1').evaluate((p) => getComputedStyle(p).direction), 'rtl');
  // The reader around it stays left to right.
  assert.equal(await page.getByRole('navigation', { name: 'Site' }).evaluate((n) => getComputedStyle(n).direction), 'ltr');
  assert.equal(await page.getByRole('group', { name: 'Reactions' }).evaluate((n) => getComputedStyle(n).direction), 'ltr');
  // The date in Arabic (Intl), not the English text.
  const date = await article.locator('time').textContent();
  assert.match(date, /[\u0600-\u06FF]/, date);
  // Closing punctuation stays at the end of its sentence: the paragraph's text runs right to
  // left, so its last character is the full stop at the left edge.
  const edges = await page.locator('#p1').evaluate((p) => {
    const range = document.createRange();
    range.selectNodeContents(p);
    const rects = [...range.getClientRects()];
    return { first: rects[0].right, paragraph: p.getBoundingClientRect().right };
  });
  assert.ok(Math.abs(edges.first - edges.paragraph) < 40, `the first line starts at the right: ${JSON.stringify(edges)}`);
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21aa']).analyze();
  assert.deepEqual(results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`), []);
  assertClean(page);
  await context.close();
});

/// A speech engine for the test: records what is spoken, in which language, and ends an
/// utterance when the test says (`window.__finishUtterance()`).
function stubSpeech() {
  window.__spoken = [];
  window.SpeechSynthesisUtterance = class {
    constructor(text) { this.text = text; this.lang = ''; this.voice = null; this.onend = null; }
  };
  const engine = {
    current: null, paused: false, speaking: false,
    speak(u) { window.__spoken.push({ text: u.text, lang: u.lang }); this.current = u; this.speaking = true; },
    cancel() { this.current = null; this.speaking = false; window.__cancelled = (window.__cancelled ?? 0) + 1; },
    pause() { this.paused = true; },
    resume() { this.paused = false; },
    getVoices() { return []; },
  };
  Object.defineProperty(window, 'speechSynthesis', { value: engine, configurable: true });
  window.__finishUtterance = () => {
    const u = engine.current;
    engine.current = null;
    u?.onend?.(new Event('end'));
  };
}

test('Listen speaks the paragraphs in order from the reader\'s place, marks the current one, pauses, resumes and stops; l toggles it', async () => {
  const { context, page } = await openPage(shared.browser);
  await context.addInitScript(stubSpeech);
  await openArticle(page);
  const paragraphs = await page.locator('.article-body > p[id]').evaluateAll((ps) => ps.map((p) => p.textContent.replace(/\s*¶$/, '')));
  const spoken = () => page.evaluate(() => window.__spoken);
  const current = () => page.locator('.article-body > p[aria-current="true"]').evaluateAll((ps) => ps.map((p) => p.id));

  await page.getByRole('button', { name: 'Listen', exact: true }).click();
  await page.waitForFunction(() => window.__spoken.length === 1);
  assert.deepEqual(await spoken(), [{ text: paragraphs[0], lang: 'en' }]);
  assert.deepEqual(await current(), ['p1']);
  await page.evaluate(() => window.__finishUtterance());
  await page.waitForFunction(() => window.__spoken.length === 2);
  assert.equal((await spoken())[1].text, paragraphs[1]);
  assert.deepEqual(await current(), ['p2']);

  await page.getByRole('button', { name: 'Pause' }).click();
  assert.equal(await page.evaluate(() => window.speechSynthesis.paused), true);
  await page.getByRole('button', { name: 'Resume' }).click();
  assert.equal(await page.evaluate(() => window.speechSynthesis.paused), false);
  await page.getByRole('button', { name: 'Stop' }).click();
  await page.getByRole('button', { name: 'Listen', exact: true }).waitFor();
  assert.deepEqual(await current(), []);
  // An utterance ending after Stop reads nothing more.
  await page.evaluate(() => window.__finishUtterance());
  assert.equal((await spoken()).length, 2);

  // From the reader's place: scrolled to the fifth paragraph, l starts there; l again pauses.
  await page.locator('#p5').evaluate((p) => window.scrollTo(0, window.scrollY + p.getBoundingClientRect().top + 2));
  // Scroll events are dispatched before the next frame's callbacks: after two, it is seen, and
  // leaving the page writes it.
  await page.evaluate(() => new Promise((done) => { requestAnimationFrame(() => requestAnimationFrame(done)); }));
  await page.reload();
  await page.keyboard.press('l');
  await page.waitForFunction(() => window.__spoken.length === 1);
  assert.equal((await spoken())[0].text, paragraphs[4]);
  assert.deepEqual(await current(), ['p5']);
  await page.keyboard.press('l');
  await page.getByRole('button', { name: 'Resume' }).waitFor();
  assertClean(page);
  await context.close();
});

test('without speech synthesis there is no Listen button', async () => {
  const { context, page } = await openPage(shared.browser);
  await context.addInitScript(() => { delete Window.prototype.speechSynthesis; delete window.speechSynthesis; });
  await openArticle(page);
  assert.equal(await page.evaluate(() => 'speechSynthesis' in window), false);
  assert.equal(await page.getByRole('button', { name: 'Listen', exact: true }).count(), 0);
  assertClean(page);
  await context.close();
});

test('when the speech engine cannot speak, Listen says so and can be pressed again', async () => {
  const { context, page } = await openPage(shared.browser);
  await context.addInitScript(stubSpeech);
  await openArticle(page);
  // An engine with no voice fails every utterance (as Chromium does without a speech service).
  await page.evaluate(() => {
    window.speechSynthesis.speak = (u) => {
      window.__spoken.push({ text: u.text, lang: u.lang });
      setTimeout(() => u.onerror?.(Object.assign(new Event('error'), { error: 'synthesis-failed' })), 0);
    };
  });
  await page.getByRole('button', { name: 'Listen', exact: true }).click();
  await page.getByRole('status').filter({ hasText: 'This browser could not read the story aloud.' }).waitFor();
  await page.getByRole('button', { name: 'Listen', exact: true }).waitFor();
  assert.equal(await page.locator('.article-body > p[aria-current]').count(), 0);
  assert.equal(await page.evaluate(() => window.__spoken.length), 1, 'it stops at the first failure');
  assertClean(page);
  await context.close();
});
