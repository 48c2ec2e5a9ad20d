// Applies the saved reading settings before the first paint, so there is no flash of the
// wrong theme while the app loads. The app owns these attributes from then on.
// Keys are scoped to the site's base path as the app scopes them (src/store/repo.rs, scope_of):
// `broadsheet:/reader/:v1:settings` for a site under /reader/.
(function () {
  // Listen (src/ui/listen.rs) is in the page rendered ahead of time, shown only where the
  // browser can speak, so the article does not move when the app takes over.
  if ('speechSynthesis' in window) document.documentElement.dataset.speech = '';
  try {
    var path = new URL(document.baseURI).pathname.replace(/^\/+|\/+$/g, '').replace(/:/g, '%3A');
    var scope = path ? '/' + path + '/' : '/';
    // Before the app first starts after an update, the settings are under the unscoped key.
    var raw = localStorage.getItem('broadsheet:' + scope + ':v1:settings') ||
      localStorage.getItem('broadsheet:v1:settings');
    if (!raw) return;
    var s = JSON.parse(raw).data || {};
    var d = document.documentElement.dataset;
    if (s.theme) d.theme = s.theme;
    if (s.text_size != null) d.size = s.text_size;
    if (s.line_width != null) d.width = s.line_width;
    if (s.font) d.font = s.font;
    if (s.line_spacing != null) d.spacing = s.line_spacing;
  } catch (e) {
    // Storage unavailable or damaged: the app reports it once it starts.
  }
})();
