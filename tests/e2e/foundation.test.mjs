// The seed article in a real browser, from the release build under /reader/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, openPage, assertClean, url } from './helpers.mjs';

const shared = useBrowser();

test('home lists the seed; its link opens all eight paragraphs and five related stories; reload keeps it', async () => {
  const { context, page } = await openPage(shared.browser);
  await page.goto(url(''));
  const link = page.getByRole('link', { name: /^Russia’s special envoy for foreign investment/ });
  await link.waitFor();
  await link.click();
  await page.waitForURL(/\/reader\/article\/[a-z0-9-]+$/);
  const heading = page.getByRole('heading', { level: 1 });
  assert.match(await heading.textContent(), /^Russia’s special envoy/);
  const paragraphs = page.locator('.article-body > p[id]');
  assert.equal(await paragraphs.count(), 8);
  assert.match(await paragraphs.nth(7).textContent(), /^The incremental progress reported by Dmitriev/);

  const readNext = page.getByRole('complementary', { name: 'Read next' });
  const items = readNext.getByRole('listitem');
  assert.equal(await items.count(), 5);
  assert.deepEqual(await readNext.locator('time').allTextContents(), ['07:45', '06:30', '05:53', '04:49', '03:30']);

  const deepLink = page.url();
  await page.reload();
  await page.getByRole('heading', { level: 1 }).waitFor();
  assert.equal(page.url(), deepLink);
  assert.equal(await page.locator('.article-body > p[id]').count(), 8);
  assertClean(page);
  await context.close();
});

test('a deep link opens directly in a new browser context', async () => {
  const { context, page } = await openPage(shared.browser);
  await page.goto(url(''));
  const href = await page.getByRole('link', { name: /^Russia’s special envoy/ }).getAttribute('href');
  assert.match(href, /^\/reader\/article\//);
  await context.close();

  const fresh = await openPage(shared.browser);
  const response = await fresh.page.goto(new URL(href, url('')).href);
  assert.equal(response.status(), 200);
  await fresh.page.getByRole('heading', { level: 1, name: /^Russia’s special envoy/ }).waitFor();
  assert.equal(await fresh.page.locator('.article-body > p[id]').count(), 8);
  assertClean(fresh.page);
  await fresh.context.close();
});
