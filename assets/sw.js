// Broadsheet's service worker: precaches every file of the built site so that, after one visit,
// every page opens and reloads offline, and takes over from an older version only when the
// reader asks (see sw-register.js).
//
// `cargo xtask build` prepends `const VERSION` (a hash of every file) and `const PRECACHE` (every
// file, relative to this worker's scope) to this file. Under `trunk serve` they are absent and
// the worker stays out of the way: it caches nothing and answers no request.
'use strict';

/* global VERSION, PRECACHE */
const BUILT = typeof VERSION !== 'undefined' && typeof PRECACHE !== 'undefined';
const SCOPE = new URL(self.registration.scope);
// Caches are shared by the whole origin: name them by scope so that two copies of the reader
// under different paths never delete each other's files.
const PREFIX = `broadsheet:${SCOPE.pathname}:`;
const CACHE = PREFIX + (BUILT ? VERSION : 'development');
const MATCH = { ignoreVary: true };
// Trunk's fingerprinted files (`name-0123456789abcdef.ext`) never change under the same name,
// so an HTTP-cached copy is as good as a fresh one; everything else is fetched anew.
const FINGERPRINTED = /-[0-9a-f]{16}(_bg)?\.[a-z0-9]+$/;

self.addEventListener('install', (event) => {
  if (!BUILT) return;
  // No skipWaiting here: an update waits until the reader chooses to reload.
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    await cache.addAll(PRECACHE.map((path) => new Request(new URL(path, SCOPE), {
      cache: FINGERPRINTED.test(path) ? 'default' : 'reload',
    })));
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names
      .filter((name) => name.startsWith(PREFIX) && name !== CACHE)
      .map((name) => caches.delete(name)));
  })());
});

self.addEventListener('message', (event) => {
  const type = event.data && event.data.type;
  if (type === 'SKIP_WAITING') {
    self.skipWaiting();
  } else if (type === 'GET_VERSION' && event.ports[0]) {
    event.ports[0].postMessage({
      version: BUILT ? VERSION : null,
      cache: CACHE,
      files: BUILT ? PRECACHE : [],
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
