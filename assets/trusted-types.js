// The page's one Trusted Types policy. The Content-Security-Policy makes every DOM sink that turns
// a string into HTML or script take Trusted Types only (`require-trusted-types-for 'script'`) and
// allows no policy but `default`. The app never needs raw HTML, but Leptos builds the static parts
// of its views from a <template> filled by `innerHTML` with markup compiled into the app; such a
// string goes through this policy, which lets markup through only when it cannot run script. Any
// other markup, and every script text or script URL from a string, is refused: the browser
// reports a violation and the assignment throws. The one script URL allowed is the service
// worker's, which sw-register.js registers (`register()` takes a script URL). `cargo xtask build`
// inlines this file into every page, before the app's loader (its hash is in the page's policy
// like any inline script's).
(function () {
  'use strict';
  if (!window.trustedTypes || !window.trustedTypes.createPolicy) return;
  // Elements that load or run script or change the page's origin or policy, and event-handler
  // attributes (after a space, a slash or a quote: `<svg/onload=…>`).
  var UNSAFE = /<\s*(script|iframe|frame|object|embed|base|meta|link|style|template|noscript|svg|math)\b|<[^>]*[\s\/"'](on[a-z]+|srcdoc|formaction)\s*=/i;
  // Script URLs, also when spelt with characters a browser drops from a URL (tabs, new lines) or
  // with character references (`jav&#x61;script:`), which compiled markup never needs.
  var SCRIPT_URL = /(java|vb)script:|&#|&(colon|tab|newline);/i;
  var WORKER = new URL('sw.js', document.baseURI).href;
  window.trustedTypes.createPolicy('default', {
    createHTML: function (html) {
      var flat = html.replace(/[\u0000-\u0020]+/g, '');
      return UNSAFE.test(html) || SCRIPT_URL.test(flat) ? null : html;
    },
    createScriptURL: function (url) {
      return url === WORKER ? url : null;
    },
  });
})();
