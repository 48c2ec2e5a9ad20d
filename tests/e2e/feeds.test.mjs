// The feeds and the sitemap as the host serves them, when the site was built with its address
// (`cargo xtask build --site-url`, passed here as SITE_URL); skipped otherwise.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { url } from './helpers.mjs';

const SITE_URL = process.env.SITE_URL;
const skip = SITE_URL ? false : 'the site was built without --site-url';

test('every page links its canonical address and the feeds, which are served revalidated', { skip }, async () => {
  const home = await (await fetch(url(''))).text();
  assert.ok(home.includes(`<link rel="canonical" href="${SITE_URL}">`), 'the front page names its address');
  const article = home.match(/href="(?:\.\/|\/[^"]*?\/)?(article\/[^"/]+)"/);
  assert.ok(article, 'the front page links an article');
  const page = await (await fetch(url(article[1]))).text();
  assert.ok(page.includes(`<link rel="canonical" href="${SITE_URL}${article[1]}">`), article[1]);
  for (const [type, file] of [['application/atom+xml', 'feed.xml'], ['application/feed+json', 'feed.json']]) {
    assert.ok(page.includes(`<link rel="alternate" type="${type}"`) && page.includes(`href="${SITE_URL}${file}">`), file);
    const response = await fetch(url(file));
    assert.equal(response.status, 200, file);
    assert.equal(response.headers.get('cache-control'), 'no-cache', file);
    const body = await response.text();
    assert.ok(body.includes(`${SITE_URL}${article[1]}`), `${file} has the article`);
  }
  const sitemap = await fetch(url('sitemap.xml'));
  assert.equal(sitemap.status, 200);
  assert.ok((await sitemap.text()).includes(`<loc>${SITE_URL}${article[1]}</loc>`));
});
