// Framed by another site, the reader shows only a notice (src/ui/framed.rs, once the app has
// loaded). Until then this marks the page `data-framed`, and style/broadsheet.css hides the page
// rendered ahead of time, so that none of its controls shows in the frame even for a moment.
// `cargo xtask build` inlines this file into every page, before the first paint.
(function () {
  'use strict';
  if (window.top === window.self) return;
  try {
    if (window.top.location.href) return;
  } catch (crossOrigin) {
    // Reading the address of another origin's page throws.
  }
  document.documentElement.setAttribute('data-framed', '');
})();
