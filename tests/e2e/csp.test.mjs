// The strict Content-Security-Policy: on every kind of page, the app runs under it, and it stops
// script injected into the page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, openPage, assertClean, cspViolations, url, SEED_TITLE } from './helpers.mjs';

let pages;
const shared = useBrowser({ prepare: async ({ browser }) => {
  const { context, page } = await openPage(browser);
  await page.goto(url(''));
  const article = new URL(await page.getByRole('link', { name: SEED_TITLE }).getAttribute('href'), url('')).href;
  await page.goto(article);
  const readNext = page.getByRole('complementary', { name: 'Read next' });
  const brief = new URL(await readNext.getByRole('link').first().getAttribute('href'), url('')).href;
  await context.close();
  pages = [
    { kind: 'home', href: url(''), heading: 'Latest stories' },
    { kind: 'article', href: article, heading: SEED_TITLE },
    { kind: 'brief', href: brief, heading: /./ },
    { kind: 'data', href: url('data'), heading: 'Your data' },
    { kind: 'not found', href: url('no/such/page'), heading: 'Page not found', status: 404 },
  ];
} });

/// The policy of the page as served, parsed into directive -> sources.
async function policyOf(page) {
  const metas = await page.locator('meta[http-equiv="Content-Security-Policy"]').evaluateAll(
    (nodes) => nodes.map((n) => ({ content: n.getAttribute('content'), first: n === document.head.children[1], afterCharset: n.previousElementSibling?.hasAttribute('charset') })),
  );
  assert.equal(metas.length, 1, 'exactly one policy <meta>');
  assert.ok(metas[0].afterCharset && metas[0].first, 'the policy comes right after <meta charset>');
  return Object.fromEntries(metas[0].content.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...sources]) => [name, sources]));
}

test('every kind of page carries the strict policy and renders under it with no violation', async () => {
  for (const { kind, href, heading, status = 200 } of pages) {
    const { context, page } = await openPage(shared.browser);
    const response = await page.goto(href);
    assert.equal(response.status(), status, kind);
    await page.getByRole('heading', { level: 1, name: heading }).waitFor();
    const policy = await policyOf(page);
    assert.deepEqual(policy['default-src'], ["'self'"], kind);
    assert.deepEqual(policy['style-src'], ["'self'"], kind);
    assert.deepEqual(policy['object-src'], ["'none'"], kind);
    assert.deepEqual(policy['base-uri'], ["'self'"], kind);
    const scripts = policy['script-src'];
    assert.equal(scripts[0], "'self'", kind);
    assert.ok(scripts.includes("'wasm-unsafe-eval'"), kind);
    assert.ok(scripts.slice(1).every((s) => /^'sha256-[A-Za-z0-9+/]{43}='$/.test(s) || s === "'wasm-unsafe-eval'"), `${kind}: ${scripts}`);
    // String sinks take Trusted Types only, from the one policy the page makes.
    assert.deepEqual(policy['require-trusted-types-for'], ["'script'"], kind);
    assert.deepEqual(policy['trusted-types'], ['default'], kind);
    const whole = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
    assert.doesNotMatch(whole, /'unsafe-inline'|'unsafe-eval'|'unsafe-hashes'|\*|https?:|blob:/, kind);
    assert.equal(await page.locator('[style]').count(), 0, `${kind}: no inline style attribute`);
    assert.deepEqual(await cspViolations(page), [], kind);
    assertClean(page, status === 404 ? ['404 (Not Found)'] : []);
    await context.close();
  }
});

test('script injected into the page is blocked and reported', async () => {
  const { context, page } = await openPage(shared.browser);
  await page.goto(url(''));
  await page.getByRole('heading', { level: 1, name: 'Latest stories' }).waitFor();
  await page.evaluate(() => {
    // Trusted Types refuse `script.textContent = '…'` outright; a text node gets as far as the
    // script running, where it is stopped.
    const script = document.createElement('script');
    script.append(document.createTextNode('window.__injected = true;'));
    document.body.append(script);
    // An event-handler attribute takes script too: Trusted Types refuse the string.
    const img = document.createElement('img');
    img.setAttribute('src', 'data:image/gif;base64,R0lGODlhAQABAAAAACw=');
    try {
      img.setAttribute('onload', 'window.__handler = true;');
    } catch (refused) {
      window.__handlerRefused = refused.name;
    }
    document.body.append(img);
    const style = document.createElement('style');
    style.textContent = 'body { display: none; }';
    document.head.append(style);
  });
  await page.waitForFunction(() => window.__cspViolations.length >= 3);
  assert.equal(await page.evaluate(() => window.__injected), undefined, 'inline script did not run');
  assert.equal(await page.evaluate(() => window.__handler), undefined, 'inline handler did not run');
  assert.notEqual(await page.evaluate(() => getComputedStyle(document.body).display), 'none', 'inline style not applied');
  const violations = await cspViolations(page);
  assert.ok(violations.some((v) => /^(require-trusted-types-for|script-src-elem) blocked/.test(v)), violations.join('\n'));
  assert.equal(await page.evaluate(() => window.__handlerRefused), 'TypeError');
  assert.equal(violations.filter((v) => v.startsWith('require-trusted-types-for blocked')).length, 2, violations.join('\n'));
  assert.ok(violations.some((v) => v.startsWith('style-src-elem blocked inline')), violations.join('\n'));
  // The watcher turns each of them into a test failure.
  assert.ok(page.problems.length >= 3 && page.problems.every((p) => p.startsWith('CSP: ') || /Trusted ?Script/.test(p)), page.problems.join('\n'));
  await context.close();
});

test('a script from another origin is blocked too', async () => {
  const { context, page } = await openPage(shared.browser);
  await page.goto(url(''));
  await page.getByRole('heading', { level: 1, name: 'Latest stories' }).waitFor();
  // A script URL from a string is refused by Trusted Types at once; a dynamic import, which takes
  // a string, by the script-src policy.
  const assigned = await page.evaluate(() => {
    try {
      document.createElement('script').src = 'https://example.invalid/x.js';
      return 'allowed';
    } catch (e) {
      return e.name;
    }
  });
  assert.equal(assigned, 'TypeError');
  await page.evaluate(() => import('https://example.invalid/y.js').catch(() => {}));
  await page.waitForFunction(() => window.__cspViolations.some((v) => v.startsWith('script-src-elem')));
  const violations = await cspViolations(page);
  assert.match(violations[0], /^require-trusted-types-for blocked/);
  assert.ok(violations.some((v) => /^script-src-elem blocked https:\/\/example\.invalid\/y\.js/.test(v)), violations.join('\n'));
  // The watcher reports both the violation and the attempt to leave the origin.
  assert.ok(page.problems.some((p) => p.startsWith('CSP: ')), page.problems.join('\n'));
  assert.ok(page.problems.some((p) => p.startsWith('request left the origin')), page.problems.join('\n'));
  await context.close();
});

test('markup that could run script is refused by the Trusted Types policy, and no other policy can be made', async () => {
  const { context, page } = await openPage(shared.browser);
  await page.goto(url(''));
  await page.getByRole('heading', { level: 1, name: 'Latest stories' }).waitFor();
  const outcome = await page.evaluate(() => {
    const attempt = (f) => { try { f(); return 'allowed'; } catch (e) { return e.name; } };
    const div = document.createElement('div');
    return {
      harmless: attempt(() => { div.innerHTML = '<b>bold</b>'; }) + ` ${div.innerHTML}`,
      handler: attempt(() => { div.innerHTML = '<img src="data:," onerror="window.__ran = true">'; }),
      script: attempt(() => { div.innerHTML = '<script>window.__ran = true</script>'; }),
      scriptUrl: attempt(() => { document.createElement('script').src = 'x.js'; }),
      ownPolicy: attempt(() => trustedTypes.createPolicy('mine', { createHTML: (s) => s })),
      secondDefault: attempt(() => trustedTypes.createPolicy('default', { createHTML: (s) => s })),
    };
  });
  assert.deepEqual(outcome, {
    harmless: 'allowed <b>bold</b>',
    handler: 'TypeError',
    script: 'TypeError',
    scriptUrl: 'TypeError',
    ownPolicy: 'TypeError',
    secondDefault: 'TypeError',
  });
  await page.waitForFunction(() => window.__cspViolations.length >= 5);
  const violations = await cspViolations(page);
  assert.ok(violations.filter((v) => v.startsWith('require-trusted-types-for')).length >= 3, violations.join('\n'));
  assert.ok(violations.filter((v) => v.startsWith('trusted-types')).length >= 2, violations.join('\n'));
  assert.equal(await page.evaluate(() => window.__ran), undefined);
  await context.close();
});

test('the server sends the headers a host should send: policy with frame-ancestors, nosniff, no referrer, cache rules', async () => {
  const { context, page } = await openPage(shared.browser);
  const response = await page.goto(url(''));
  await page.getByRole('heading', { level: 1, name: 'Latest stories' }).waitFor();
  const security = (headers, what) => {
    const policy = headers['content-security-policy'] ?? '';
    assert.match(policy, /(^|;)\s*frame-ancestors 'none'\s*(;|$)/, what);
    assert.match(policy, /(^|;)\s*require-trusted-types-for 'script'\s*(;|$)/, what);
    assert.equal(headers['x-content-type-options'], 'nosniff', what);
    assert.equal(headers['referrer-policy'], 'no-referrer', what);
  };
  security(response.headers(), 'home page');
  assert.equal(response.headers()['cache-control'], 'no-cache', 'home page');
  // The files the page loaded: Trunk's fingerprinted ones are cached for a year.
  const loaded = await page.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name));
  const hashed = loaded.filter((u) => /-[0-9a-f]{12,16}(_bg)?\.(js|wasm|css)$/.test(u));
  assert.ok(hashed.some((u) => u.endsWith('.wasm')) && hashed.some((u) => u.endsWith('.css')), loaded.join('\n'));
  for (const file of hashed) {
    const headers = (await context.request.get(file)).headers();
    assert.equal(headers['cache-control'], 'public, max-age=31536000, immutable', file);
    security(headers, file);
  }
  for (const [path, status] of [['sw.js', 200], ['data', 200], ['manifest.webmanifest', 200], ['no/such/page', 404]]) {
    const fetched = await context.request.get(url(path));
    assert.equal(fetched.status(), status, path);
    assert.equal(fetched.headers()['cache-control'], 'no-cache', path);
    security(fetched.headers(), path);
  }
  // The build's _headers (for Netlify and Cloudflare Pages) names the same values.
  const headersFile = await (await context.request.get(url('_headers'))).text();
  const sent = response.headers();
  for (const name of ['Content-Security-Policy', 'X-Content-Type-Options', 'Referrer-Policy']) {
    assert.ok(headersFile.includes(`  ${name}: ${sent[name.toLowerCase()]}\n`), `${name} in _headers:\n${headersFile}`);
  }
  for (const file of hashed) {
    assert.ok(headersFile.includes(`${new URL(file).pathname}\n  Cache-Control: public, max-age=31536000, immutable\n`), file);
  }
  assertClean(page);
  await context.close();
});
