// Offline and installable: after one visit the app, the front page, the newest stories and
// Your data open and reload with the network off, and every story the reader opened stays
// readable; a story never fetched says it is not available offline and lists those that are;
// the manifest makes the reader installable; a new deployment is offered as a reload.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { useBrowser, openPage, assertClean, url, BASE } from './helpers.mjs';

const UPDATE_TEXT = 'A new version of Broadsheet is available.';
/// How many of the newest articles the build precaches (NEWEST_ARTICLES in site/src/offline.rs).
const NEWEST_ARTICLES = 20;
/// What Chromium logs for each request that fails offline, and for the not-found page.
const OFFLINE_NOISE = ['net::ERR_INTERNET_DISCONNECTED', 'net::ERR_FAILED', '404 (Not Found)'];
const shared = useBrowser();

/// Waits for the active service worker and asks it for its version, cache names and file list.
async function activeWorker(page) {
  return page.evaluate(async () => {
    const registration = await navigator.serviceWorker.ready;
    return new Promise((resolve) => {
      const channel = new MessageChannel();
      channel.port1.onmessage = (e) => resolve({ ...e.data, scope: registration.scope });
      registration.active.postMessage({ type: 'GET_VERSION' }, [channel.port2]);
    });
  });
}

/// The URLs stored in each of this origin's caches.
async function cacheContents(page) {
  return page.evaluate(async () => {
    const out = {};
    for (const name of await caches.keys()) {
      out[name] = (await (await caches.open(name)).keys()).map((r) => r.url).sort();
    }
    return out;
  });
}

/// The names of the caches of one deployment each (not the articles kept and data fetched,
/// which outlive deployments).
async function versionCaches(page, worker) {
  return Object.keys(await cacheContents(page)).filter((name) => name !== worker.kept && name !== worker.data);
}

/// Deletes the files at `paths` from every cache of the origin.
async function evict(page, paths) {
  await page.evaluate(async (urls) => {
    for (const name of await caches.keys()) {
      const cache = await caches.open(name);
      for (const u of urls) await cache.delete(u, { ignoreVary: true });
    }
  }, paths.map(absolute));
  // The worker's own fetches at install went through the HTTP cache, which keeps the article
  // file (sent as immutable) and would serve it offline: a story this device never fetched is
  // in neither cache.
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.clearBrowserCache');
  await cdp.detach();
}

const absolute = (href) => new URL(href, BASE).href;

/// The site's info and the first page of its list of every article, newest first.
async function frontPage(context) {
  const info = await (await context.request.get(url('data/site.json'))).json();
  const front = await (await context.request.get(url(`data/${info.version}/list/all/0.json`))).json();
  return { info, front };
}

test('after one visit, the app, the front page, the newest stories and Your data open and reload offline', async () => {
  const { context, page } = await openPage(shared.browser);
  await page.goto(url(''));
  const worker = await activeWorker(page);
  assert.equal(worker.scope, BASE, 'the worker covers the reader under its sub-path');
  assert.match(worker.version, /^[0-9a-f]{16}$/);
  const { info, front } = await frontPage(context);
  assert.equal(worker.dataVersion, info.version);
  // Install finished, so every file is in the cache, stored under the scope.
  const cached = await cacheContents(page);
  assert.deepEqual(cached[worker.cache], worker.files.map(absolute).sort());
  for (const kind of ['index.html', '404.html', 'shell.html', 'data/index.html', 'manifest.webmanifest',
    'sw-register.js', 'data/site.json', `data/${info.version}/list/all/0.json`]) {
    assert.ok(worker.files.includes(kind), `${kind} is precached`);
  }
  assert.ok(worker.files.some((f) => f.endsWith('.wasm')), 'the wasm is precached');
  // Bounded: the newest articles (file, page), nothing older, no brief page.
  const newest = front.entries.slice(0, NEWEST_ARTICLES);
  for (const entry of newest) {
    assert.ok(worker.files.includes(entry.file), `${entry.file} is precached`);
    assert.ok(worker.files.includes(`article/${entry.slug}/index.html`), `the page of ${entry.slug} is precached`);
  }
  assert.equal(worker.files.filter((f) => f.startsWith('data/articles/')).length, newest.length);
  assert.equal(worker.files.filter((f) => f.startsWith('article/')).length, newest.length);
  // Each file is listed with the SHA-256 of what the server sends.
  assert.deepEqual(Object.keys(worker.integrity), worker.files);
  const wasm = worker.files.find((f) => f.endsWith('.wasm'));
  for (const file of ['index.html', '404.html', 'sw-register.js', wasm, 'data/site.json', newest[0].file]) {
    const body = await (await context.request.get(absolute(file))).body();
    assert.equal(worker.integrity[file], `sha256-${createHash('sha256').update(body).digest('base64')}`, file);
  }

  // A brief's address, read online from the Read next of a precached article that has one.
  const article = url(`article/${newest[0].slug}`);
  let withBrief;
  for (const entry of newest) {
    const html = await (await context.request.get(url(`article/${entry.slug}`))).text();
    if (html.includes(`article/${entry.slug}/brief/`)) { withBrief = entry; break; }
  }
  assert.ok(withBrief, 'a precached article has a brief in its Read next');
  await page.goto(url(`article/${withBrief.slug}`));
  const readNext = page.getByRole('complementary', { name: 'Read next' });
  const briefLink = readNext.locator(`a[href*="/brief/"]`).first();
  const briefTopic = (await briefLink.textContent()).trim();
  const brief = absolute(await briefLink.getAttribute('href'));

  await context.setOffline(true);
  const fromNetwork = [];
  page.on('response', (r) => { if (!r.fromServiceWorker()) fromNetwork.push(r.url()); });
  for (const [href, heading] of [
    [url(''), 'Latest stories'],
    [article, newest[0].title],
    [url(`article/${newest.at(-1).slug}`), newest.at(-1).title],
    [brief, briefTopic],
    [url('data'), 'Your data'],
  ]) {
    const response = await page.goto(href);
    assert.equal(response.status(), 200, href);
    await page.getByRole('heading', { level: 1, name: heading, exact: true }).waitFor();
    await page.reload();
    await page.getByRole('heading', { level: 1, name: heading, exact: true }).waitFor();
    assert.equal(page.url(), href);
  }
  // Following links inside the app works offline too.
  await page.goto(url(''));
  await page.getByRole('link', { name: newest[0].title, exact: true }).click();
  await page.getByRole('heading', { level: 1, name: newest[0].title, exact: true }).waitFor();
  // An unknown address gets the not-found page, offline as online.
  const missing = await page.goto(url('no/such/page'));
  assert.equal(missing.status(), 404);
  await page.getByRole('heading', { level: 1, name: 'Page not found' }).waitFor();
  assert.deepEqual(fromNetwork, [], 'everything came from the service worker');
  assertClean(page, OFFLINE_NOISE);
  await context.close();
});

test('a story opened once stays readable offline; one never fetched says so and lists those that are', async () => {
  const { context, page } = await openPage(shared.browser);
  await page.goto(url(''));
  const worker = await activeWorker(page);
  const { front } = await frontPage(context);
  const older = front.entries.filter((entry) => !worker.files.includes(entry.file));
  let opened;
  let never;
  if (older.length >= 2) {
    [opened, never] = older;
    // Opened once, by following its link on the front page.
    await page.getByRole('link', { name: opened.title, exact: true }).click();
    await page.getByRole('heading', { level: 1, name: opened.title, exact: true }).waitFor();
  } else {
    // A site of at most NEWEST_ARTICLES stories precaches them all: make its newest one a story
    // this device never fetched, as an older story of a larger archive is.
    never = front.entries[0];
    await evict(page, [never.file, `article/${never.slug}/index.html`, `article/${never.slug}.html`]);
  }
  const newest = front.entries[0] === never ? undefined : front.entries[0];

  await context.setOffline(true);
  const response = await page.goto(url(`article/${never.slug}`));
  assert.equal(response.status(), 200, 'the app opens, from the cache');
  await page.getByRole('heading', { level: 1, name: 'Not available offline' }).waitFor();
  await page.getByText('You are offline, and this story has not been saved on this device.').waitFor();
  const available = page.getByRole('region', { name: 'Available offline' });
  if (opened) {
    for (const entry of [opened, newest]) {
      const link = available.getByRole('link', { name: entry.title, exact: true });
      await link.waitFor();
      assert.equal(absolute(await link.getAttribute('href')), url(`article/${entry.slug}`));
    }
    assert.equal(await available.getByRole('link', { name: never.title, exact: true }).count(), 0);
    // The links lead to the stories, offline.
    await available.getByRole('link', { name: opened.title, exact: true }).click();
    await page.getByRole('heading', { level: 1, name: opened.title, exact: true }).waitFor();
    await page.reload();
    await page.getByRole('heading', { level: 1, name: opened.title, exact: true }).waitFor();
    await page.goBack();
    await page.getByRole('heading', { level: 1, name: 'Not available offline' }).waitFor();
  } else {
    await available.getByText('No stories are saved on this device yet.').waitFor();
  }

  // Back online, Try again opens it; from then on it is readable offline, after a reload too.
  await context.setOffline(false);
  await page.getByRole('button', { name: 'Try again' }).click();
  await page.getByRole('heading', { level: 1, name: never.title, exact: true }).waitFor();
  const kept = (await cacheContents(page))[worker.kept];
  assert.ok(kept.includes(absolute(never.file)), `${never.file} is kept: ${kept}`);
  await context.setOffline(true);
  await page.reload();
  await page.getByRole('heading', { level: 1, name: never.title, exact: true }).waitFor();
  assertClean(page, OFFLINE_NOISE);
  await context.close();
});

/// Width and height from a PNG's IHDR.
function pngSize(bytes) {
  assert.equal(bytes.subarray(1, 4).toString(), 'PNG');
  return [bytes.readUInt32BE(16), bytes.readUInt32BE(20)];
}

test('the web app manifest is linked, names the app and has icons of 192 and 512 px', async () => {
  const { context, page } = await openPage(shared.browser);
  await page.goto(url('data'));
  await page.getByRole('heading', { level: 1, name: 'Your data' }).waitFor();
  const href = await page.locator('link[rel="manifest"]').getAttribute('href');
  const manifestUrl = new URL(href, await page.evaluate(() => document.baseURI)).href;
  assert.equal(manifestUrl, url('manifest.webmanifest'), 'the same manifest from every page');
  const response = await context.request.get(manifestUrl);
  assert.equal(response.status(), 200);
  assert.match(response.headers()['content-type'], /^application\/manifest\+json/);
  const manifest = await response.json();
  assert.equal(manifest.name, 'Broadsheet');
  assert.ok(manifest.short_name);
  assert.equal(manifest.display, 'standalone');
  assert.equal(new URL(manifest.start_url, manifestUrl).href, BASE);
  assert.equal(new URL(manifest.scope, manifestUrl).href, BASE);
  const pngs = manifest.icons.filter((i) => i.type === 'image/png');
  const declared = [];
  for (const icon of manifest.icons) {
    const file = await context.request.get(new URL(icon.src, manifestUrl).href);
    assert.equal(file.status(), 200, icon.src);
    if (icon.type === 'image/png') {
      const [w, h] = pngSize(await file.body());
      assert.equal(`${w}x${h}`, icon.sizes, icon.src);
      declared.push(w);
    }
  }
  assert.ok(declared.includes(192) && declared.includes(512), `PNG sizes ${declared}`);
  assert.ok(pngs.some((i) => i.purpose === 'maskable'), 'a maskable icon');

  // Chromium's own reading of the manifest: parsed without errors, and nothing but the
  // test browser's private mode stands in the way of installing.
  const cdp = await context.newCDPSession(page);
  const { errors, data } = await cdp.send('Page.getAppManifest');
  assert.deepEqual(errors, []);
  assert.equal(JSON.parse(data).name, 'Broadsheet');
  const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
  assert.deepEqual(installabilityErrors.map((e) => e.errorId).filter((id) => id !== 'in-incognito'), []);
  assertClean(page);
  await context.close();
});

/// Serves a new `sw.js` with `version`, as a deployment would. The file also grows, so that
/// nginx's ETag (modification second and size) changes even within the second of the last write
/// and the browser's update check cannot get a 304 for it.
async function deploy(swPath, original, from, version) {
  const updated = original.replace(`const VERSION = "${from}";`, `const VERSION = "${version}";`);
  assert.notEqual(updated, original, 'the version line is where the build writes it');
  await writeFile(swPath, `${updated}// test deployment ${version}\n`);
}

/// Puts the built `sw.js` back as it was, modification time included.
async function restore(swPath, original, mtime) {
  await writeFile(swPath, original);
  await utimes(swPath, mtime, mtime);
}

/// A test that deploys new versions of the served site (in SITE_DIR, skipped with the reason
/// when it is not set): `body` gets a fresh `context` and `page`, and `redeploy(from, version)`
/// ([`deploy`] of the built `sw.js`), which is put back afterwards whatever happens.
function deploymentTest(name, body) {
  test(name, { skip: !process.env.SITE_DIR && 'SITE_DIR (the served site folder) is not set' }, async () => {
    const swPath = join(process.env.SITE_DIR, 'sw.js');
    const original = await readFile(swPath, 'utf8');
    const { mtime } = await stat(swPath);
    const { context, page } = await openPage(shared.browser);
    try {
      await body({ context, page, redeploy: (from, version) => deploy(swPath, original, from, version) });
    } finally {
      await restore(swPath, original, mtime);
      await context.close();
    }
  });
}

deploymentTest('a new deployment is offered as a reload, and Reload switches to it', async ({ page, redeploy }) => {
  await page.goto(url(''));
  await page.getByRole('heading', { level: 1, name: 'Latest stories' }).waitFor();
  const first = await activeWorker(page);
  // Controlled by the first version from here on.
  await page.reload();
  await page.getByRole('heading', { level: 1, name: 'Latest stories' }).waitFor();
  assert.ok(await page.evaluate(() => !!navigator.serviceWorker.controller));
  assert.equal(await page.getByText(UPDATE_TEXT).count(), 0, 'no banner without an update');

  // Deploy a new version: the same files under a new version.
  const next = `${first.version.slice(0, 8)}updated`;
  await redeploy(first.version, next);
  await page.goto(url('data'));
  const banner = page.getByRole('status').filter({ hasText: UPDATE_TEXT });
  await banner.waitFor();
  // The page still runs the old version until the reader chooses.
  assert.equal((await activeWorker(page)).version, first.version);
  await page.getByRole('heading', { level: 1, name: 'Your data' }).waitFor();

  const reloaded = page.waitForEvent('load');
  await banner.getByRole('button', { name: 'Reload' }).click();
  await reloaded;
  await page.getByRole('heading', { level: 1, name: 'Your data' }).waitFor();
  assert.equal(await page.getByText(UPDATE_TEXT).count(), 0, 'banner gone after the reload');
  const now = await activeWorker(page);
  assert.equal(now.version, next);
  const controller = await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL);
  assert.equal(controller, url('sw.js'));
  // Only the new version's cache is left (with the articles kept and data fetched).
  assert.deepEqual(await versionCaches(page, now), [now.cache]);
  assertClean(page);
});

deploymentTest('"Not now" dismisses the update banner and keeps the page as it is', async ({ page, redeploy }) => {
  await page.goto(url(''));
  const first = await activeWorker(page);
  await page.reload();
  await page.getByRole('heading', { level: 1, name: 'Latest stories' }).waitFor();
  await redeploy(first.version, `${first.version.slice(0, 8)}notnow`);
  await page.reload();
  const banner = page.getByRole('status').filter({ hasText: UPDATE_TEXT });
  await banner.waitFor();
  await banner.getByRole('button', { name: 'Not now' }).click();
  await banner.waitFor({ state: 'detached' });
  assert.equal((await activeWorker(page)).version, first.version);
  assertClean(page);
});

/// Asks the browser to check for a new worker now (the served `sw.js` has changed); returns the
/// state the new worker ends in: 'installed', or 'redundant' when its install failed.
async function updateOutcome(page) {
  return page.evaluate(async () => {
    const registration = await navigator.serviceWorker.getRegistration();
    const found = new Promise((resolve) => {
      registration.addEventListener('updatefound', () => resolve(registration.installing), { once: true });
    });
    registration.update().catch(() => {});
    const worker = await found;
    while (!['installed', 'activated', 'redundant'].includes(worker.state)) {
      await new Promise((resolve) => worker.addEventListener('statechange', resolve, { once: true }));
    }
    return worker.state;
  });
}

deploymentTest('a deployment whose served file does not match its hash is not installed, and the previous version keeps working offline', async ({ context, page, redeploy }) => {
  // A page as a CDN edge still serving the previous deployment would send it.
  const stalePath = join(process.env.SITE_DIR, 'data/index.html');
  const page0 = await readFile(stalePath, 'utf8');
  const pageTime = (await stat(stalePath)).mtime;
  try {
    await page.goto(url(''));
    await page.getByRole('heading', { level: 1, name: 'Latest stories' }).waitFor();
    const newest = (await frontPage(context)).front.entries[0];
    const article = url(`article/${newest.slug}`);
    const first = await activeWorker(page);
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Latest stories' }).waitFor();
    assert.ok(await page.evaluate(() => !!navigator.serviceWorker.controller));

    const stale = page0.replace('</body>', '<!-- the previous deployment -->\n</body>');
    assert.notEqual(stale, page0);
    await writeFile(stalePath, stale);
    const next = `${first.version.slice(0, 8)}mismatch`;
    await redeploy(first.version, next);
    assert.equal(await updateOutcome(page), 'redundant', 'the new version is not installed');
    // Nothing of it is kept: no waiting worker, no banner, no cache but the running version's.
    assert.equal(await page.evaluate(async () => !!(await navigator.serviceWorker.getRegistration()).waiting), false);
    assert.equal(await page.getByText(UPDATE_TEXT).count(), 0);
    assert.deepEqual(await versionCaches(page, first), [first.cache]);
    assert.equal((await activeWorker(page)).version, first.version);

    // The previous version still opens every page offline, the stale one included.
    await context.setOffline(true);
    for (const [href, heading] of [[url(''), 'Latest stories'], [url('data'), 'Your data'], [article, newest.title]]) {
      const response = await page.goto(href);
      assert.ok(response.fromServiceWorker(), href);
      await page.getByRole('heading', { level: 1, name: heading, exact: true }).waitFor();
    }
    assert.equal(await page.locator('html').evaluate((html) => html.outerHTML.includes('the previous deployment')), false);
    await context.setOffline(false);

    // Once the server sends the right file, the next check installs the new version.
    await writeFile(stalePath, page0);
    await utimes(stalePath, pageTime, pageTime);
    assert.equal(await updateOutcome(page), 'installed');
    await page.getByRole('status').filter({ hasText: UPDATE_TEXT }).waitFor();
    assert.equal((await versionCaches(page, first)).length, 2, 'the running version and the complete new one');
    assertClean(page);
  } finally {
    await writeFile(stalePath, page0);
    await utimes(stalePath, pageTime, pageTime);
  }
});
