// Broadsheet's service worker: after one visit the reader opens and reloads offline, with the
// newest stories and every story the reader has opened; it takes over from an older version
// only when the reader asks (see sw-register.js).
//
// `cargo xtask build` prepends `const VERSION` (a hash of the precached files), `const
// DATA_VERSION` (the folder of this build's data, `data/DATA_VERSION/`) and `const PRECACHE`
// (each file to precache, relative to this worker's scope, with its `sha256-…` digest) to this
// file (site/src/offline.rs). Under `trunk serve` they are absent and the worker stays out of the
// way: it caches nothing and answers no request.
//
// What is precached is bounded, however large the archive: the app, the site's info, the first
// listing pages, the search index's meta file and the newest articles. The rest of the site's
// data is kept as the reader fetches it, in two caches that a new deployment does not replace:
// - KEPT: the article files the reader opened (`data/articles/SLUG.HASH.txt`, named by their
//   contents, so never stale). At most MAX_KEPT, the least recently opened dropped first. When a
//   new version installs, it fetches each kept article's slug shard of the new data (and the
//   article's new file if it changed), so that what the reader opened stays readable offline.
// - DATA: the files under `data/VERSION/` fetched at run time (listing pages, slug shards, search
//   chunks and documents), and the slug shard of every article kept (an article's page tells
//   the app where it is, but offline the page comes from the shell), also immutable; when a new version activates, those of other data
//   versions are deleted (the new app never asks for them).
// A page that is not precached opens offline from `shell.html` (the app without a page rendered
// ahead of time), which renders the story from the cached data, or says it is not available
// offline and lists those that are (src/ui/unavailable.rs).
//
// A deployment is atomic for the offline cache: every precached file is fetched with its digest
// as `integrity`, so a copy from the previous deployment (a CDN edge not yet updated, an HTTP
// cache) fails; such a file is fetched again bypassing caches, and if it still does not match,
// the install fails, its cache is deleted and the previous version stays in charge, complete.
// The browser tries the update again on a later visit. A new version is installed only when
// every page it stored names only files it stored too.
'use strict';

/* global VERSION, DATA_VERSION, PRECACHE */
const BUILT = typeof VERSION !== 'undefined' && typeof PRECACHE !== 'undefined';
const SCOPE = new URL(self.registration.scope);
// Caches are shared by the whole origin: name them by scope so that two copies of the reader
// under different paths never delete each other's files.
const PREFIX = `broadsheet:${SCOPE.pathname}:`;
const CACHE = PREFIX + (BUILT ? VERSION : 'development');
const KEPT = `${PREFIX}kept-articles`;
const DATA = `${PREFIX}data`;
/// Article files kept at most (about 5 KB each): a reader's year of stories.
const MAX_KEPT = 500;
const MATCH = { ignoreVary: true };
// Trunk's fingerprinted files (`name-0123456789abcdef.ext`; the hash has no leading zeros, so
// it may be shorter) never change under the same name, so an HTTP-cached copy is as good as a
// fresh one; everything else is fetched anew.
const FINGERPRINTED = /-[0-9a-f]{12,16}(_bg)?\.[a-z0-9]+$/;
const SITE_INFO = 'data/site.json';
const ARTICLE = /^data\/articles\/(.+)\.[0-9a-f]+\.txt$/;
const VERSIONED = /^data\/([0-9a-f]+)\/.+\.json$/;
// The app's own pages (src/routes.rs): offline, they open from the shell.
const APP_ROUTE = /^(|data\/?|article\/[^/]+(\/brief\/[^/]+)?\/?)$/;

self.addEventListener('install', (event) => {
  if (!BUILT) return;
  // No skipWaiting here: an update waits until the reader chooses to reload.
  event.waitUntil(precache().then(() => refreshKept().catch(() => {})));
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    // Only a complete cache may replace the others (it could have been evicted since install).
    if (BUILT && (await missingFiles(await caches.open(CACHE))).length > 0) await precache();
    const names = await caches.keys();
    await Promise.all(names
      .filter((name) => name.startsWith(PREFIX) && ![CACHE, KEPT, DATA].includes(name))
      .map((name) => caches.delete(name)));
    if (BUILT) await pruneData();
    // A first visit's page is controlled from now on, so the stories it opens are kept. (Pages
    // an update replaces were controlled already: they switch to this version either way.)
    if (BUILT) await self.clients.claim();
  })());
});

/// How many files are fetched at once, and how often one is tried.
const PARALLEL = 6;
const ATTEMPTS = 3;

/// Fills this version's cache with every file, each checked against its digest, and checks
/// that every page and stylesheet names only files in it. On any failure the cache is deleted
/// and the returned promise rejects, so that the install fails.
async function precache() {
  const cache = await caches.open(CACHE);
  try {
    const files = Object.keys(PRECACHE);
    const named = new Set();
    let next = 0;
    let failed = false;
    const fetcher = async () => {
      try {
        while (!failed && next < files.length) {
          const path = files[next++];
          const response = await verifiedFetch(path);
          if (/\.(html|css)$/.test(path)) {
            for (const name of namedFiles(path, await response.clone().text())) named.add(name);
          }
          await cache.put(new URL(path, SCOPE).href, response);
        }
      } catch (error) {
        failed = true;
        throw error;
      }
    };
    // Every fetcher has stopped before the cache may be deleted.
    const outcomes = await Promise.allSettled(Array.from({ length: PARALLEL }, fetcher));
    const failure = outcomes.find((outcome) => outcome.status === 'rejected');
    if (failure) throw failure.reason;
    // The worker script itself is the browser's to keep, never in its own cache.
    const unstored = [...named].filter((name) => name !== 'sw.js' && !(name in PRECACHE));
    const missing = (await missingFiles(cache)).concat(unstored);
    if (missing.length > 0) throw new Error(`precache incomplete: ${missing.join(', ')}`);
  } catch (error) {
    await caches.delete(CACHE);
    throw error;
  }
}

/// The file at `path` as this deployment built it: fetched with its digest as `integrity`
/// (the browser fails a fetch whose body does not match). A fingerprinted file may come from
/// the HTTP cache at first; every retry bypasses it, and the last one adds the version to the
/// URL, so that a CDN edge with a stale copy has to ask the origin.
async function verifiedFetch(path) {
  const url = new URL(path, SCOPE);
  let failure;
  for (let attempt = 0; attempt < ATTEMPTS; attempt += 1) {
    const target = new URL(url);
    if (attempt === ATTEMPTS - 1) target.searchParams.set('v', VERSION);
    try {
      const response = await fetch(target.href, {
        cache: attempt === 0 && FINGERPRINTED.test(path) ? 'default' : 'reload',
        integrity: PRECACHE[path],
      });
      if (response.ok) return response;
      failure = new Error(`${path}: HTTP ${response.status}`);
    } catch (error) {
      failure = new Error(`${path}: ${error.message} (not the file this version was built with?)`);
    }
  }
  throw failure;
}

/// The precached files missing from `cache`.
async function missingFiles(cache) {
  const stored = new Set((await cache.keys()).map((request) => request.url));
  return Object.keys(PRECACHE).filter((path) => !stored.has(new URL(path, SCOPE).href));
}

const ASSET = /\.(js|mjs|wasm|css|woff2?|png|svg|ico|webmanifest)$/;

/// The files of this site (paths relative to the scope) that a page names in its <head>
/// (link href, script src, paths in the inline loader), or a stylesheet in its url()s: the
/// same rule as `named_files` in site/src/offline.rs.
function namedFiles(path, text) {
  let names;
  let base;
  if (path.endsWith('.css')) {
    base = new URL(path, SCOPE);
    names = [...text.matchAll(/url\(\s*["']?([^"')]+)["']?\s*\)/g)].map((m) => m[1]);
  } else {
    base = SCOPE;
    const end = text.indexOf('</head>');
    const head = end < 0 ? text : text.slice(0, end);
    names = [...head.matchAll(/<(?:link|script)\b[^>]*?\s(?:href|src)\s*=\s*["']?([^"'\s>]+)/gi)].map((m) => m[1]);
    for (const script of head.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script/gi)) {
      for (const literal of script[1].matchAll(/'([^'\n]*)'|"([^"\n]*)"/g)) names.push(literal[1] ?? literal[2]);
    }
  }
  const out = [];
  for (const name of names) {
    const bare = name.split(/[?#]/)[0];
    if (!ASSET.test(bare) || bare.startsWith('data:')) continue;
    const resolved = new URL(bare, base);
    if (resolved.origin === SCOPE.origin && resolved.pathname.startsWith(SCOPE.pathname)) {
      out.push(decodeURIComponent(resolved.pathname.slice(SCOPE.pathname.length)));
    }
  }
  return out;
}

self.addEventListener('message', (event) => {
  const type = event.data && event.data.type;
  if (type === 'SKIP_WAITING') {
    self.skipWaiting();
  } else if (type === 'GET_VERSION' && event.ports[0]) {
    event.ports[0].postMessage({
      version: BUILT ? VERSION : null,
      dataVersion: BUILT ? DATA_VERSION : null,
      cache: CACHE,
      kept: KEPT,
      data: DATA,
      files: BUILT ? Object.keys(PRECACHE) : [],
      integrity: BUILT ? PRECACHE : {},
    });
  }
});

self.addEventListener('fetch', (event) => {
  if (!BUILT) return;
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== SCOPE.origin || !url.pathname.startsWith(SCOPE.pathname)) return;
  const path = decodeURIComponent(url.pathname.slice(SCOPE.pathname.length));
  if (request.mode === 'navigate') {
    event.respondWith(navigate(request, path));
  } else if (path === SITE_INFO) {
    event.respondWith(siteInfo(request));
  } else if (ARTICLE.test(path)) {
    event.respondWith(article(event, request, path));
  } else if (VERSIONED.test(path)) {
    event.respondWith(versioned(request, path));
  } else {
    event.respondWith(asset(request, path));
  }
});

/// The absolute URL of `path` (relative to the scope), as the caches store it.
const href = (path) => new URL(path, SCOPE).href;

/// The precached copy of `path`, if any.
async function precached(path) {
  return (await caches.open(CACHE)).match(href(path), MATCH);
}

/// A page: the precached file for its path, else the network; offline, the app's pages open
/// from the shell (the app then renders them from the cached data, or says what is missing),
/// and any other address gets the not-found page.
async function navigate(request, path) {
  for (const file of pageFiles(path)) {
    const hit = await precached(file);
    if (hit) return hit;
  }
  try {
    return await fetch(request);
  } catch (offline) {
    if (APP_ROUTE.test(path)) {
      const shell = (await precached('shell.html')) || (await precached('404.html'));
      if (shell) return new Response(shell.body, { status: 200, headers: shell.headers });
    }
    const missing = await precached('404.html');
    if (!missing) throw offline;
    return new Response(missing.body, { status: 404, statusText: 'Not Found', headers: missing.headers });
  }
}

/// The files a static server would try for a page path: `path`, `path/index.html`, `path.html`.
function pageFiles(path) {
  if (path === '' || path.endsWith('/')) return [`${path}index.html`];
  return [path, `${path}/index.html`, `${path}.html`];
}

/// `data/site.json` names the current data, so it comes from the network when there is one;
/// offline (or on a server error), this version's precached copy, which names the data this
/// version cached.
async function siteInfo(request) {
  try {
    const response = await fetch(request);
    if (response.ok) return response;
  } catch (offline) {
    // Answered below.
  }
  const hit = await precached(SITE_INFO);
  return hit || fetch(request);
}

/// An article file the app fetched, that is, one the reader opened: from the precache or KEPT,
/// else the network; kept in KEPT either way (moved to its end, so the least recently opened
/// are dropped first when there are more than MAX_KEPT).
async function article(event, request, path) {
  const kept = await caches.open(KEPT);
  const hit = (await precached(path)) || (await kept.match(href(path), MATCH));
  if (hit) {
    event.waitUntil(keep(kept, path, hit.clone()).then(() => keepShard(path)).catch(() => {}));
    return hit;
  }
  const response = await fetch(request);
  if (response.status === 200) {
    event.waitUntil(keep(kept, path, response.clone()).then(() => keepShard(path)).catch(() => {}));
  }
  return response;
}

/// The slug shard of this version's data for the article file at `path`, into DATA unless it
/// is there: offline, the app finds a kept article through it. (Online, an article's own page
/// tells the app where the article is, so the app may never have fetched the shard.)
async function keepShard(path) {
  const match = ARTICLE.exec(path);
  const info = match && await precached(SITE_INFO);
  if (!info) return;
  const { slug_shards: shards } = await info.json();
  const shardPath = `data/${DATA_VERSION}/slugs/${shardOf(match[1], shards)}.json`;
  const data = await caches.open(DATA);
  if ((await precached(shardPath)) || (await data.match(href(shardPath), MATCH))) return;
  const response = await fetch(href(shardPath));
  if (response.status === 200) await data.put(href(shardPath), response);
}

/// Stores `response` for `path` last in KEPT, then drops the oldest entries past MAX_KEPT.
async function keep(kept, path, response) {
  await kept.delete(href(path), MATCH);
  await kept.put(href(path), response);
  const stored = await kept.keys();
  await Promise.all(stored.slice(0, Math.max(0, stored.length - MAX_KEPT)).map((r) => kept.delete(r)));
}

/// A file under `data/VERSION/` (named by its contents, never changed): the precached or DATA
/// copy, else the network, kept in DATA.
async function versioned(request, path) {
  const data = await caches.open(DATA);
  const hit = (await precached(path)) || (await data.match(href(path), MATCH));
  if (hit) return hit;
  const response = await fetch(request);
  if (response.status === 200) await data.put(href(path), response.clone());
  return response;
}

/// Anything else in scope: the precached copy (query ignored), else the network.
async function asset(request, path) {
  return (await precached(path)) || fetch(request);
}

/// Deletes from DATA the files of other data versions than this one's.
async function pruneData() {
  const data = await caches.open(DATA);
  const stale = (await data.keys()).filter((request) => {
    const match = VERSIONED.exec(decodeURIComponent(new URL(request.url).pathname.slice(SCOPE.pathname.length)));
    return !match || match[1] !== DATA_VERSION;
  });
  await Promise.all(stale.map((request) => data.delete(request)));
}

/// Keeps the articles the reader opened readable under this version's data: the app finds an
/// article through its slug shard of the current data version, which names its file. For every
/// kept article, fetches its shard of DATA_VERSION into DATA (unless cached), and its file
/// again if the shard names a new one (the article changed); an article the site no longer has
/// is dropped. Done at install, while online; a shard that fails to arrive leaves its articles
/// as they were (readable again offline once the reader opens them online).
async function refreshKept() {
  const info = await (await precached(SITE_INFO)).json();
  const kept = await caches.open(KEPT);
  const data = await caches.open(DATA);
  const byShard = new Map();
  for (const request of await kept.keys()) {
    const path = decodeURIComponent(new URL(request.url).pathname.slice(SCOPE.pathname.length));
    const match = ARTICLE.exec(path);
    if (!match) continue;
    const shard = shardOf(match[1], info.slug_shards);
    if (!byShard.has(shard)) byShard.set(shard, []);
    byShard.get(shard).push({ slug: match[1], path });
  }
  const shards = [...byShard.keys()];
  const worker = async () => {
    while (shards.length > 0) {
      const shard = shards.pop();
      const shardPath = `data/${DATA_VERSION}/slugs/${shard}.json`;
      try {
        let response = (await precached(shardPath)) || (await data.match(href(shardPath), MATCH));
        if (!response) {
          response = await fetch(href(shardPath));
          if (response.status !== 200) continue;
          await data.put(href(shardPath), response.clone());
        }
        const located = await response.json();
        for (const { slug, path } of byShard.get(shard)) {
          const file = located[slug] && located[slug].entry.file;
          if (file === path) continue;
          if (file) {
            const fresh = await fetch(href(file));
            if (fresh.status !== 200) continue;
            await kept.put(href(file), fresh);
          }
          await kept.delete(href(path), MATCH);
        }
      } catch (failed) {
        // Left as it was: see above.
      }
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
}

/// The slug shard of `slug`: FNV-1a (32 bits) of its UTF-8 bytes modulo the shard count, as
/// `shard_of` in core/src/site_data.rs.
function shardOf(slug, shards) {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(slug)) {
    hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  }
  return hash % Math.max(1, shards);
}
