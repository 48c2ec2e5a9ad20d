// Broadsheet's service worker: precaches every file of the built site so that, after one visit,
// every page opens and reloads offline, and takes over from an older version only when the
// reader asks (see sw-register.js).
//
// `cargo xtask build` prepends `const VERSION` (a hash of every file) and `const PRECACHE` (every
// file, relative to this worker's scope, with its `sha256-…` digest) to this file. Under
// `trunk serve` they are absent and the worker stays out of the way: it caches nothing and
// answers no request.
//
// A deployment is atomic for the offline cache: every file is fetched with its digest as
// `integrity`, so a copy from the previous deployment (a CDN edge not yet updated, an HTTP
// cache) fails; such a file is fetched again bypassing caches, and if it still does not match,
// the install fails, its cache is deleted and the previous version stays in charge, complete.
// The browser tries the update again on a later visit. A new version is installed only when
// every page it stored names only files it stored too.
'use strict';

/* global VERSION, PRECACHE */
const BUILT = typeof VERSION !== 'undefined' && typeof PRECACHE !== 'undefined';
const SCOPE = new URL(self.registration.scope);
// Caches are shared by the whole origin: name them by scope so that two copies of the reader
// under different paths never delete each other's files.
const PREFIX = `broadsheet:${SCOPE.pathname}:`;
const CACHE = PREFIX + (BUILT ? VERSION : 'development');
const MATCH = { ignoreVary: true };
// Trunk's fingerprinted files (`name-0123456789abcdef.ext`; the hash has no leading zeros, so
// it may be shorter) never change under the same name, so an HTTP-cached copy is as good as a
// fresh one; everything else is fetched anew.
const FINGERPRINTED = /-[0-9a-f]{12,16}(_bg)?\.[a-z0-9]+$/;

self.addEventListener('install', (event) => {
  if (!BUILT) return;
  // No skipWaiting here: an update waits until the reader chooses to reload.
  event.waitUntil(precache());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    // Only a complete cache may replace the others (it could have been evicted since install).
    if (BUILT && (await missingFiles(await caches.open(CACHE))).length > 0) await precache();
    const names = await caches.keys();
    await Promise.all(names
      .filter((name) => name.startsWith(PREFIX) && name !== CACHE)
      .map((name) => caches.delete(name)));
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
      cache: CACHE,
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
  if (request.mode === 'navigate') {
    event.respondWith(navigate(request, url));
  } else {
    event.respondWith(asset(request, url));
  }
});

/// A page: the precached file for its path, else the network, else (offline) the not-found page.
async function navigate(request, url) {
  const cache = await caches.open(CACHE);
  for (const file of pageFiles(url.pathname.slice(SCOPE.pathname.length))) {
    const hit = await cache.match(new URL(file, SCOPE).href, MATCH);
    if (hit) return hit;
  }
  try {
    return await fetch(request);
  } catch (offline) {
    const missing = await cache.match(new URL('404.html', SCOPE).href, MATCH);
    if (!missing) throw offline;
    return new Response(missing.body, { status: 404, statusText: 'Not Found', headers: missing.headers });
  }
}

/// The files a static server would try for a page path: `path`, `path/index.html`, `path.html`.
function pageFiles(path) {
  if (path === '' || path.endsWith('/')) return [`${path}index.html`];
  return [path, `${path}/index.html`, `${path}.html`];
}

/// Anything else in scope: the precached copy (query ignored), else the network.
async function asset(request, url) {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(url.origin + url.pathname, MATCH);
  return hit || fetch(request);
}
