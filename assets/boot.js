// Applies the saved reading settings before the first paint, so there is no flash of the
// wrong theme while the app loads. The app owns these attributes from then on.
(function () {
  try {
    var raw = localStorage.getItem('broadsheet:v1:settings');
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
