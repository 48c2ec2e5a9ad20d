//! What the site build's tests share: a scratch folder, and a small Trunk output.

use std::{
    fs,
    path::{Path, PathBuf},
};

/// A fresh folder under the system's temporary folder.
pub fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("broadsheet-site-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

/// What Trunk's release build leaves that the site build reads.
pub fn trunk_output(dir: &Path) {
    let index = "<!DOCTYPE html>\n<html lang=\"en\">\n  <head>\n    <meta charset=\"utf-8\">\n\
        <base href=\"/news/\">\n    <title>Broadsheet</title>\n\
        <link rel=\"manifest\" href=\"manifest.webmanifest\">\n\
        <script src=\"boot.js\"></script>\n\
        <script type=\"module\">\nimport init, * as bindings from '/news/app-0123456789abcdef.js';\nconst wasm = await init({ module_or_path: '/news/app-0123456789abcdef_bg.wasm' });\nwindow.wasmBindings = bindings;\ndispatchEvent(new CustomEvent(\"TrunkApplicationStarted\", {detail: {wasm}}));\n</script>\n\
        </head>\n  <body></body>\n</html>\n";
    for (path, text) in [
        ("index.html", index),
        ("404.html", index),
        (
            "boot.js",
            "document.documentElement.dataset.theme = 'light';\n",
        ),
        ("sw.js", "self.addEventListener('install', () => {});\n"),
        (
            "manifest.webmanifest",
            r#"{"name": "Broadsheet", "icons": [{"src": "icons/i.png"}]}"#,
        ),
        ("icons/i.png", "png"),
        (
            "app-0123456789abcdef.js",
            "export default function init() {}\n",
        ),
        ("app-0123456789abcdef_bg.wasm", "wasm"),
    ] {
        let file = dir.join(path);
        fs::create_dir_all(file.parent().unwrap()).unwrap();
        fs::write(file, text).unwrap();
    }
}
