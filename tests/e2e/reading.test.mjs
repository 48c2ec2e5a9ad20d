// The reading experience: home, article, Read next and briefs, settings, links, not-found,
// accessibility (axe) and screenshots, against the release build under /reader/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import AxeBuilder from '@axe-core/playwright';
import { useBrowser, openPage, assertClean, url, screenshotPath, SEED_TITLE } from './helpers.mjs';

const THEMES = ['System', 'Light', 'Dark', 'Sepia', 'High contrast'];
const shared = useBrowser({ seedArticle: true });

async function axe(page, label) {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21aa']).analyze();
  const summary = results.violations.map((v) => `${label}: ${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  assert.deepEqual(summary, []);
}

test('the article shows its meta, every paragraph, and the five related stories with times and topics', async () => {
  const { context, page } = await openPage(shared.browser);
  await page.goto(shared.articleHref);
  await page.getByRole('heading', { level: 1, name: SEED_TITLE }).waitFor();
  assert.equal(await page.getByRole('heading', { level: 1 }).count(), 1);
  assert.match(await page.title(), /^Russia’s special envoy.* · Broadsheet$/);
  assert.match(await page.locator('.reading-time').first().textContent(), /^\d+–\d+ min read$/);
  assert.equal(await page.locator('.article-body > p[id]').count(), 8);
  // Typographic quotes and dashes are kept as written.
  assert.match(await page.locator('#p2').textContent(), /Ukraine—a move he described as “a first step/);
  const readNext = page.getByRole('complementary', { name: 'Read next' });
  assert.deepEqual(await readNext.getByRole('link').allTextContents(),
    ['Biden-era AI chip', 'Russia–Ukraine war', 'Russia history', 'EU vs US policy', 'Military tests']);
  assert.deepEqual(await readNext.locator('time').allTextContents(), ['07:45', '06:30', '05:53', '04:49', '03:30']);
  assertClean(page);
  await context.close();
});

test('a related link opens its brief, which survives reload and links back', async () => {
  const { context, page } = await openPage(shared.browser);
  await page.goto(shared.articleHref);
  await page.getByRole('complementary', { name: 'Read next' }).getByRole('link', { name: 'Russia history' }).click();
  await page.waitForURL(/\/reader\/article\/[a-z0-9-]+\/brief\/[a-z0-9-]+$/);
  const h1 = page.getByRole('heading', { level: 1, name: 'Russia history' });
  await h1.waitFor();
  // Focus moves to the new page's heading after a client-side navigation.
  assert.equal(await page.evaluate(() => document.activeElement?.tagName), 'H1');
  assert.match(await page.locator('main').textContent(), /renaming Volgograd International Airport as Stalingrad/);
  assert.match(await page.locator('main').textContent(), /full story is not published on this site/);
  await page.reload();
  await h1.waitFor();
  assert.equal(await page.locator('main time').first().textContent(), '05:53');
  await page.getByRole('link', { name: SEED_TITLE }).click();
  await page.getByRole('heading', { level: 1, name: SEED_TITLE }).waitFor();
  assertClean(page);
  await context.close();
});

test('an unknown URL gets the not-found page with a link home', async () => {
  const { context, page } = await openPage(shared.browser);
  const response = await page.goto(url('no/such/story'));
  assert.equal(response.status(), 404);
  await page.getByRole('heading', { level: 1, name: 'Page not found' }).waitFor();
  await page.getByRole('link', { name: 'Go to the front page' }).click();
  await page.getByRole('heading', { level: 1, name: 'Latest stories' }).waitFor();
  // An unknown article slug inside the app's own routes too.
  await page.goto(url('article/not-a-real-slug'));
  await page.getByRole('heading', { level: 1, name: 'Page not found' }).waitFor();
  assertClean(page, ['404 (Not Found)']);
  await context.close();
});

/** The page background of each theme (on a light system), from style/broadsheet.css. */
const BACKGROUNDS = {
  System: 'rgb(253, 253, 252)',
  Light: 'rgb(253, 253, 252)',
  Dark: 'rgb(18, 18, 18)',
  Sepia: 'rgb(244, 236, 216)',
  'High contrast': 'rgb(0, 0, 0)',
};

test('each theme applies at once and survives reload; the panel is reachable by keyboard', async () => {
  const { context, page } = await openPage(shared.browser);
  await page.goto(shared.articleHref);
  const toggle = page.getByRole('button', { name: 'Reading settings' });
  await toggle.focus();
  await page.keyboard.press('Enter');
  const panel = page.getByRole('region', { name: 'Reading settings' });
  await panel.waitFor();
  const themes = panel.getByRole('group', { name: 'Theme' });
  const keys = { System: 'system', Light: 'light', Dark: 'dark', Sepia: 'sepia', 'High contrast': 'contrast' };
  for (const theme of THEMES) {
    await themes.getByRole('radio', { name: theme }).check();
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), keys[theme]);
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.equal(bg, BACKGROUNDS[theme], `${theme} on a light system`);
    await page.reload();
    await page.getByRole('heading', { level: 1 }).waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), keys[theme]);
    assert.equal(await page.evaluate(() => getComputedStyle(document.body).backgroundColor), bg);
    await page.getByRole('button', { name: 'Reading settings' }).click();
  }

  // On a dark system, System follows it and Light still forces light.
  const { context: darkContext, page: darkPage } = await openPage(shared.browser, { colorScheme: 'dark' });
  await darkPage.goto(shared.articleHref);
  const darkBody = () => darkPage.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.equal(await darkBody(), BACKGROUNDS.Dark, 'System on a dark system is dark');
  await darkPage.getByRole('button', { name: 'Reading settings' }).click();
  await darkPage.getByRole('group', { name: 'Theme' }).getByRole('radio', { name: 'Light' }).check();
  assert.equal(await darkBody(), BACKGROUNDS.Light, 'Light on a dark system is light');
  assertClean(darkPage);
  await darkContext.close();

  // Text size, width, font and spacing apply instantly; reset restores the defaults.
  const size = () => page.evaluate(() => getComputedStyle(document.querySelector('.article-body p')).fontSize);
  const before = await size();
  await panel.getByRole('slider', { name: 'Text size' }).fill('6');
  assert.notEqual(await size(), before);
  await panel.getByRole('group', { name: 'Font' }).getByRole('radio', { name: 'Atkinson Hyperlegible' }).check();
  assert.match(await page.evaluate(() => getComputedStyle(document.querySelector('.article-body p')).fontFamily), /Atkinson Hyperlegible/);
  await panel.getByRole('group', { name: 'Line width' }).getByRole('radio', { name: 'Wide' }).check();
  await panel.getByRole('group', { name: 'Line spacing' }).getByRole('radio', { name: 'Loose' }).check();
  assert.equal(await page.evaluate(() => document.documentElement.dataset.spacing), '2');
  await panel.getByRole('button', { name: 'Reset to defaults' }).click();
  assert.equal(await size(), before);
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'system');
  assertClean(page);
  await context.close();
});

test('a paragraph link scrolls to and highlights its paragraph, and copying it confirms', async () => {
  const { context, page } = await openPage(shared.browser, { viewport: { width: 800, height: 600 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.goto(`${shared.articleHref}#p6`);
  const p6 = page.locator('#p6');
  await p6.waitFor();
  await page.waitForFunction(() => document.querySelector('#p6')?.classList.contains('highlight'));
  // Scrolling may be smooth: wait until paragraph 6 has arrived at the top of the view.
  await page.waitForFunction(() => {
    const top = document.querySelector('#p6').getBoundingClientRect().top;
    return top >= -1 && top < 100;
  }, null, { timeout: 5000 });

  await page.getByRole('link', { name: 'Copy link to paragraph 3' }).click();
  await page.getByRole('status').filter({ hasText: 'Link to paragraph 3 copied' }).waitFor();
  assert.ok(page.url().endsWith('#p3'));
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), page.url());

  await page.getByRole('button', { name: 'Share' }).click();
  await page.getByRole('status').filter({ hasText: 'Link copied' }).waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), shared.articleHref);
  assertClean(page);
  await context.close();
});

test('axe finds no violation on home, article, brief, not-found and settings, in light and dark', async () => {
  for (const scheme of ['light', 'dark']) {
    const { context, page } = await openPage(shared.browser, { colorScheme: scheme });
    await page.goto(url(''));
    await page.getByRole('heading', { level: 1 }).waitFor();
    await axe(page, `home (${scheme})`);
    await page.goto(shared.articleHref);
    await page.getByRole('heading', { level: 1 }).waitFor();
    await axe(page, `article (${scheme})`);
    await page.getByRole('button', { name: 'Reading settings' }).click();
    await page.getByRole('region', { name: 'Reading settings' }).waitFor();
    await axe(page, `settings (${scheme})`);
    for (const theme of ['Sepia', 'High contrast', scheme === 'dark' ? 'Dark' : 'Light']) {
      await page.getByRole('group', { name: 'Theme' }).getByRole('radio', { name: theme }).check();
      await axe(page, `article in ${theme} (${scheme})`);
    }
    await page.getByRole('complementary', { name: 'Read next' }).getByRole('link', { name: 'Military tests' }).click();
    await page.getByRole('heading', { level: 1, name: 'Military tests' }).waitFor();
    await axe(page, `brief (${scheme})`);
    await page.goto(url('nowhere'));
    await page.getByRole('heading', { level: 1, name: 'Page not found' }).waitFor();
    await axe(page, `not-found (${scheme})`);
    await context.close();
  }
});

test('screenshots of home and article at 360 and 1280 px, light and dark', async () => {
  for (const width of [360, 1280]) {
    for (const scheme of ['light', 'dark']) {
      const { context, page } = await openPage(shared.browser, { viewport: { width, height: 900 }, colorScheme: scheme });
      await page.goto(url(''));
      await page.getByRole('heading', { level: 1 }).waitFor();
      await page.screenshot({ path: screenshotPath(`home-${width}-${scheme}`), fullPage: true });
      await page.goto(shared.articleHref);
      await page.getByRole('heading', { level: 1 }).waitFor();
      await page.screenshot({ path: screenshotPath(`article-${width}-${scheme}`), fullPage: true });
      // Nothing overflows sideways on a narrow screen.
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 0, `no horizontal scroll at ${width}px (${overflow})`);
      await context.close();
    }
  }
});
