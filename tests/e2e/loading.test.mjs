// Stories fetched in the app: what the reader sees when the network fails, and that trying
// again works once it is back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, openPage, assertClean, url } from './helpers.mjs';

const shared = useBrowser();

test('a story whose file cannot be fetched says so, and "Try again" opens it once the network is back', async () => {
  // No service worker: the test decides what the network answers.
  const { context, page } = await openPage(shared.browser, { serviceWorkers: 'block' });
  await page.goto(url(''));
  await context.route('**/data/articles/**', (route) => route.abort('internetdisconnected'));
  await page.getByRole('link', { name: /^Russia’s special envoy for foreign investment/ }).click();
  await page.waitForURL(/\/reader\/article\/[a-z0-9-]+$/);
  await page.getByRole('heading', { level: 1, name: 'This story could not be loaded' }).waitFor();
  assert.match(await page.locator('main').textContent(), /Check your connection/);

  await context.unroute('**/data/articles/**');
  await page.getByRole('button', { name: 'Try again' }).click();
  await page.getByRole('heading', { level: 1, name: /^Russia’s special envoy/ }).waitFor();
  assert.equal(await page.locator('.article-body > p[id]').count(), 8);
  // The failed request is the browser's own console line, nothing else.
  assertClean(page, ['net::ERR_INTERNET_DISCONNECTED', 'Failed to load resource']);
  await context.close();
});
