// Registers Broadsheet's service worker for offline reading and, when a new version has been
// installed next to the running one, offers the reader a reload instead of a stale mix.
(function () {
  'use strict';
  if (!('serviceWorker' in navigator)) return;
  if (location.protocol !== 'https:' && location.protocol !== 'http:') return;
  // Framed by another site, the app shows only a notice (src/ui/framed.rs): no offline copy and
  // no update banner there.
  if (framedByAnotherOrigin()) return;

  var container = navigator.serviceWorker;
  // Relative to <base href>, so the worker's scope is the reader's root under any sub-path.
  var base = document.baseURI;
  var controlled = !!container.controller;
  var reloadRequested = false;
  var banner = null;

  container.addEventListener('controllerchange', function () {
    if (reloadRequested) {
      reloadRequested = false;
      location.reload();
    } else if (controlled) {
      // Another tab switched to the new version: this one runs the old code, so offer a reload.
      offerReload(null);
    }
    controlled = true;
  });

  /// Shows the banner once. With a waiting worker, Reload activates it first; the page reloads
  /// when it has taken over (controllerchange above).
  function offerReload(registration) {
    if (banner) return;
    banner = document.createElement('div');
    banner.className = 'update-banner';
    banner.setAttribute('role', 'status');
    var text = document.createElement('p');
    var reload = document.createElement('button');
    reload.type = 'button';
    reload.textContent = 'Reload';
    reload.addEventListener('click', function () {
      var waiting = registration && registration.waiting;
      if (waiting) {
        reloadRequested = true;
        reload.disabled = true;
        waiting.postMessage({ type: 'SKIP_WAITING' });
      } else {
        location.reload();
      }
    });
    var later = document.createElement('button');
    later.type = 'button';
    later.className = 'link-button';
    later.textContent = 'Not now';
    later.addEventListener('click', function () {
      banner.remove();
    });
    banner.append(text, reload, later);
    document.body.append(banner);
    // Filled after insertion so that screen readers announce the live region's new text.
    setTimeout(function () {
      text.textContent = 'A new version of Broadsheet is available.';
    }, 50);
  }

  function watch(registration, worker) {
    worker.addEventListener('statechange', function () {
      if (worker.state === 'installed' && container.controller) offerReload(registration);
    });
  }

  function register() {
    container.register(new URL('sw.js', base).href, { scope: new URL('./', base).href })
      .then(function (registration) {
        if (registration.waiting && container.controller) offerReload(registration);
        if (registration.installing) watch(registration, registration.installing);
        registration.addEventListener('updatefound', function () {
          if (registration.installing) watch(registration, registration.installing);
        });
        // A reader who keeps the tab open for days still hears of a new version.
        document.addEventListener('visibilitychange', function () {
          if (document.visibilityState === 'visible') registration.update().catch(function () {});
        });
      })
      .catch(function () {
        // Offline reading is an extra: the reader works without it.
      });
  }

  /// Whether the top-level page has another origin (reading its address throws).
  function framedByAnotherOrigin() {
    if (window.top === window.self) return false;
    try {
      return !window.top.location.href;
    } catch (crossOrigin) {
      return true;
    }
  }

  // After the page has loaded, so that precaching does not compete with the first render.
  if (document.readyState === 'complete') register();
  else window.addEventListener('load', register);
})();
