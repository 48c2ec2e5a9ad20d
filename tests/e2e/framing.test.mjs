// Framing: a host that sends the recommended headers makes browsers refuse to show the reader in
// another site's frame (frame-ancestors 'none'); on a host that sends none, the app itself shows
// only a notice with a link to open it in its own tab, and none of its controls.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, url, ORIGIN, BASE } from './helpers.mjs';

const NOTICE_LINK = 'Open Broadsheet in its own tab';
const shared = useBrowser({ seedArticle: true });

/// Another site: `localhost` on the test server's port is another origin (and site) than
/// `127.0.0.1`. Its one page, answered by the test itself, frames `src`.
const FRAMER = `http://localhost:${new URL(BASE).port}/framer.html`;

/// A context whose page at `framer` frames `src`; with `stripHeaders`, the reader's pages come
/// without the Content-Security-Policy header, as from a host that sends no headers. The
/// reader's pages are fetched by the test and handed to the frame (with the server's headers
/// otherwise): Chromium's local network access checks would refuse a page of another site a
/// frame from 127.0.0.1 before its headers are read.
async function framing({ framer = FRAMER, src, stripHeaders }) {
  // No service worker: requests it answered would bypass the routes.
  const context = await shared.browser.newContext({ serviceWorkers: 'block' });
  const problems = [];
  await context.route(framer, (route) => route.fulfill({
    contentType: 'text/html',
    body: `<!DOCTYPE html><title>Framer</title><h1>Someone else's page</h1><iframe src="${src}" width="900" height="700"></iframe>`,
  }));
  await context.route(`${ORIGIN}/reader/**`, async (route) => {
    if (route.request().resourceType() !== 'document' || route.request().url() === framer) {
      return route.fallback();
    }
    const response = await route.fetch();
    const headers = { ...response.headers() };
    if (stripHeaders) delete headers['content-security-policy'];
    return route.fulfill({ response, headers });
  });
  const page = await context.newPage();
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error: ${m.text()}`); });
  return { context, page, problems };
}

test('with the host headers, another site cannot frame the reader at all', async () => {
  const { context, page, problems } = await framing({ src: shared.articleHref, stripHeaders: false });
  const refused = page.waitForEvent('console', (m) => /frame-ancestors/.test(m.text()));
  await page.goto(FRAMER);
  await refused;
  const frame = page.frames().find((f) => f !== page.mainFrame());
  assert.ok(frame, 'the iframe exists');
  assert.ok(!frame.url().startsWith(ORIGIN), `the frame shows no reader page: ${frame.url()}`);
  assert.ok(problems.every((p) => /frame-ancestors/.test(p)), problems.join('\n'));
  await context.close();
});

test('framed by another site on a host without headers, the app shows only a notice and a link to its own tab', async () => {
  const { context, page, problems } = await framing({ src: shared.articleHref, stripHeaders: true });
  await page.goto(FRAMER);
  const frame = page.frameLocator('iframe');
  const link = frame.getByRole('link', { name: NOTICE_LINK });
  await link.waitFor();
  await frame.locator('html[data-app="framed"]').waitFor({ state: 'attached' });
  await frame.getByRole('heading', { level: 1, name: 'Broadsheet' }).waitFor();
  await frame.getByText('only works in its own tab').waitFor();
  // Nothing of the page rendered ahead of time is left, and none of the app's controls.
  assert.equal(await frame.locator('#prerendered').count(), 0);
  assert.equal(await frame.getByRole('link').count(), 1, 'the one link is the way out');
  for (const role of ['button', 'textbox', 'searchbox', 'checkbox', 'radio', 'navigation', 'dialog']) {
    assert.equal(await frame.getByRole(role).count(), 0, role);
  }
  assert.equal(await frame.locator('form, input, textarea, select, button, [tabindex]:not([tabindex="-1"])').count(), 0);
  assert.equal(await frame.getByText('A new version of Broadsheet').count(), 0);
  assert.equal(await link.getAttribute('href'), shared.articleHref);
  assert.equal(await link.getAttribute('target'), '_blank');

  // The link opens the reader in a tab of its own, where it works as usual.
  const [tab] = await Promise.all([context.waitForEvent('page'), link.click()]);
  await tab.waitForFunction(() => document.documentElement.dataset.app === 'ready', null, { timeout: 20000 });
  assert.equal(tab.url(), shared.articleHref);
  assert.ok(await tab.getByRole('button').count() > 0, 'the app has its controls in its own tab');
  assert.equal(await tab.getByRole('link', { name: NOTICE_LINK }).count(), 0);
  assert.deepEqual(problems, []);
  await context.close();
});

test('framed by another site, nothing of the page shows even before the app has loaded', async () => {
  const { context, page, problems } = await framing({ src: shared.articleHref, stripHeaders: true });
  // The app never arrives: what shows is what the page does on its own.
  await context.route('**/*.wasm', (route) => route.abort());
  await page.goto(FRAMER);
  const frame = page.frameLocator('iframe');
  await frame.locator('html[data-framed]').waitFor({ state: 'attached' });
  await frame.locator('#prerendered').waitFor({ state: 'attached' });
  assert.equal(await frame.locator('#prerendered').isVisible(), false);
  for (const role of ['button', 'link', 'textbox', 'searchbox', 'heading']) {
    const visible = await frame.getByRole(role).evaluateAll((nodes) => nodes.filter((n) => n.checkVisibility()).length);
    assert.equal(visible, 0, role);
  }
  assert.ok(problems.every((p) => /wasm|WebAssembly|Failed to load|fetch/i.test(p)), problems.join('\n'));
  await context.close();
});

test('framed by its own origin, the app runs as usual', async () => {
  const framer = url('framer-test.html');
  const { context, page, problems } = await framing({ framer, src: shared.articleHref, stripHeaders: true });
  await page.goto(framer);
  const frame = page.frameLocator('iframe');
  await frame.locator('html[data-app="ready"]').waitFor({ state: 'attached' });
  assert.equal(await frame.locator('html[data-framed]').count(), 0);
  assert.ok(await frame.getByRole('button').count() > 0);
  assert.equal(await frame.getByRole('link', { name: NOTICE_LINK }).count(), 0);
  assert.deepEqual(problems, []);
  await context.close();
});
