//! Makes the built site work offline: writes the service worker's precache list and version.
//!
//! Trunk copies `assets/sw.js` into the site as it is. After the page files and the
//! Content-Security-Policy are written, [`write_precache`] lists every file of the site (paths
//! relative to the service worker's scope, so the site works under any sub-path), hashes all
//! their contents into a version, and prepends `const VERSION = "…"; const PRECACHE = [...];` to
//! `sw.js`. A new deployment therefore has a new version, which the service worker installs
//! next to the old one and the page offers to switch to. It also checks that every icon the web
//! app manifest names exists in the site.
//!
//! Deployments are atomic for the offline cache: the list gives each file's SHA-256
//! (`sha256-…`, as in Subresource Integrity), the worker fetches every file with that
//! `integrity` (a copy that does not match, e.g. from a CDN edge still serving the previous
//! deployment, fails), retries, and aborts its install rather than cache a mix of versions. The
//! build checks that every file a precached page or stylesheet names is precached too, and the
//! worker checks it again for what it stored before it may activate.

use anyhow::{anyhow, bail, Context as _};
use base64::Engine as _;
use lol_html::{element, end_tag, rewrite_str, text, RewriteStrSettings};
use sha2::{Digest, Sha256};
use std::{
    cell::{Cell, RefCell},
    collections::{BTreeMap, BTreeSet},
    fs,
    path::Path,
    rc::Rc,
};
use walkdir::WalkDir;

/// The first line of a `sw.js` that already carries a precache list.
const HEADER: &str =
    "// Written by `cargo xtask build`: this build's version and every file to precache.";

/// What [`write_precache`] wrote into `sw.js`.
#[derive(Debug)]
pub struct Precache {
    /// Hex digest (16 characters) of every file's path and contents, `sw.js` included.
    pub version: String,
    /// Paths relative to the site root, sorted.
    pub files: Vec<String>,
}

/// Prepends the version and precache list to `dist/sw.js` and checks the manifest's icons.
pub fn write_precache(dist: &Path) -> anyhow::Result<Precache> {
    let sw_path = dist.join("sw.js");
    let worker = fs::read_to_string(&sw_path).map_err(|e| {
        anyhow!(
            "{}: {e} (index.html must copy assets/sw.js with data-trunk rel=\"copy-file\")",
            sw_path.display()
        )
    })?;
    if worker.starts_with(HEADER) {
        bail!("{} already has a precache list", sw_path.display());
    }
    let mut contents = collect(dist)?;
    contents.remove("sw.js");
    // Hosts do not serve it (a rebuild finds the last build's copy here).
    contents.remove("_headers");
    check_manifest_icons(dist, &contents)?;

    let mut hasher = Sha256::new();
    for (path, bytes) in &contents {
        hasher.update((path.len() as u64).to_le_bytes());
        hasher.update(path.as_bytes());
        hasher.update((bytes.len() as u64).to_le_bytes());
        hasher.update(bytes);
    }
    hasher.update(worker.as_bytes());
    let version: String = hasher.finalize()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();

    let files = precache_list(&contents);
    check_named_files(&contents, &files)?;
    let integrity: BTreeMap<String, String> = files
        .iter()
        .map(|path| (path.clone(), integrity_of(&contents[path])))
        .collect();
    let list = serde_json::to_string_pretty(&integrity)?;
    fs::write(
        &sw_path,
        format!("{HEADER}\nconst VERSION = \"{version}\";\nconst PRECACHE = {list};\n\n{worker}"),
    )?;
    let precache = Precache { version, files };
    let bytes: usize = precache.files.iter().map(|f| contents[f].len()).sum();
    println!(
        "    service worker version {}: {} files to precache ({:.0} KB)",
        precache.version,
        precache.files.len(),
        bytes as f64 / 1024.0
    );
    Ok(precache)
}

/// At most this many HTML pages are precached. The bundled corpus is inside the wasm, so the
/// reader can show any article offline from any page file; the limit only keeps a generated
/// 10,000-article site from fetching tens of thousands of pages into every visitor's cache.
/// Offline, a page beyond it is answered with `404.html` (the same app shell), whose router
/// still shows the right page.
pub const MAX_PAGES: usize = 1000;

/// Every file to precache: all of them, except that where `page.html` and `page/index.html`
/// are the same bytes (the same page for two kinds of static server) only `page/index.html` is
/// stored (the service worker answers a navigation to `page` from either), and only the first
/// [`MAX_PAGES`] HTML pages, shallowest first (home, 404 and data before articles, articles
/// before their briefs).
fn precache_list(contents: &BTreeMap<String, Vec<u8>>) -> Vec<String> {
    let (mut pages, mut files): (Vec<&String>, Vec<&String>) = contents
        .iter()
        .filter(|(path, bytes)| {
            let twin = path
                .strip_suffix(".html")
                .filter(|stem| !stem.ends_with("/index") && *stem != "index")
                .map(|stem| format!("{stem}/index.html"));
            twin.is_none_or(|twin| contents.get(&twin) != Some(*bytes))
        })
        .map(|(path, _)| path)
        .partition(|path| path.ends_with(".html"));
    pages.sort_by_key(|path| (path.matches('/').count(), path.as_str()));
    if pages.len() > MAX_PAGES {
        println!(
            "    precaching the first {MAX_PAGES} of {} pages; offline, the others open from the shell",
            pages.len()
        );
        pages.truncate(MAX_PAGES);
    }
    files.extend(pages);
    let mut list: Vec<String> = files.into_iter().cloned().collect();
    list.sort();
    list
}

/// `sha256-…` of a file's bytes, as the browser checks a fetch's `integrity`.
pub fn integrity_of(bytes: &[u8]) -> String {
    format!(
        "sha256-{}",
        base64::engine::general_purpose::STANDARD.encode(Sha256::digest(bytes))
    )
}

/// Files a page loads are named in its `<head>` (stylesheets, icons, the manifest, scripts and
/// the paths in the inline loader); stylesheets name fonts in `url(…)`. Only names with these
/// extensions count (a page's links to other pages are not files it needs to run).
const ASSET_EXTENSIONS: [&str; 10] = [
    "js",
    "mjs",
    "wasm",
    "css",
    "woff2",
    "woff",
    "png",
    "svg",
    "ico",
    "webmanifest",
];

/// Every precached page and stylesheet names only files that are precached too: offline, a
/// page whose script or stylesheet is missing would never boot.
fn check_named_files(
    contents: &BTreeMap<String, Vec<u8>>,
    precached: &[String],
) -> anyhow::Result<()> {
    let base = contents
        .get("index.html")
        .map(|html| base_href(&String::from_utf8_lossy(html)))
        .unwrap_or_else(|| "/".to_owned());
    let listed: BTreeSet<&str> = precached.iter().map(String::as_str).collect();
    for file in precached {
        if !(file.ends_with(".html") || file.ends_with(".css")) {
            continue;
        }
        let text = String::from_utf8_lossy(&contents[file]);
        for named in named_files(file, &text, &base)? {
            // The worker script is the browser's to keep, never in its own cache.
            if named != "sw.js" && !listed.contains(named.as_str()) {
                bail!("{file} names {named}, which is not precached (offline, it would not load)");
            }
        }
    }
    Ok(())
}

/// The `<base href>` of a page, `/` without one.
fn base_href(html: &str) -> String {
    let mut base = None;
    let _ = rewrite_str(
        html,
        RewriteStrSettings::new().append_element_content_handler(element!("base", |el| {
            if base.is_none() {
                base = Some(el.get_attribute("href"));
            }
            Ok(())
        })),
    );
    base.flatten().unwrap_or_else(|| "/".to_owned())
}

/// What a page's `<head>` names, up to its `</head>`: `<link href>`, `<script src>` and the
/// string literals of its inline scripts.
fn head_names(html: &str) -> anyhow::Result<Vec<String>> {
    let mut names = Vec::new();
    let scripts = RefCell::new(Vec::new());
    let head_ended = Rc::new(Cell::new(false));
    rewrite_str(
        html,
        RewriteStrSettings::new()
            .append_element_content_handler(element!("head", |el| {
                let head_ended = Rc::clone(&head_ended);
                el.on_end_tag(end_tag!(move |_| {
                    head_ended.set(true);
                    Ok(())
                }))
            }))
            .append_element_content_handler(element!("link, script", |el| {
                if !head_ended.get() {
                    if el.tag_name() == "link" {
                        names.extend(el.get_attribute("href"));
                    } else {
                        names.extend(el.get_attribute("src"));
                        scripts.borrow_mut().push(String::new());
                    }
                }
                Ok(())
            }))
            .append_element_content_handler(text!("script", |chunk| {
                if !head_ended.get() {
                    if let Some(text) = scripts.borrow_mut().last_mut() {
                        text.push_str(chunk.as_str());
                    }
                }
                Ok(())
            })),
    )?;
    for script in scripts.into_inner() {
        names.extend(string_literals(&script).into_iter().map(str::to_owned));
    }
    Ok(names)
}

/// The site files (relative to its root) that `file` (a page or a stylesheet) names, for a
/// site served under `base` (`/reader/`): in a page, what `<link href>`, `<script src>` and the
/// string literals of inline scripts in its `<head>` name; in a stylesheet, its `url(…)`s.
/// Names of other origins, `data:` URLs and names without an asset extension are left out.
pub(crate) fn named_files(file: &str, text: &str, base: &str) -> anyhow::Result<Vec<String>> {
    let mut names: Vec<String> = Vec::new();
    let dir = if file.ends_with(".css") {
        file.rsplit_once('/').map_or("", |(dir, _)| dir)
    } else {
        ""
    };
    if file.ends_with(".css") {
        let mut rest = text;
        while let Some(at) = rest.find("url(") {
            rest = &rest[at + 4..];
            let end = rest
                .find(')')
                .ok_or_else(|| anyhow!("{file}: unclosed url("))?;
            names.push(
                rest[..end]
                    .trim()
                    .trim_matches(|c| c == '"' || c == '\'')
                    .to_owned(),
            );
            rest = &rest[end..];
        }
    } else {
        names = head_names(text).with_context(|| file.to_owned())?;
    }
    let mut out = Vec::new();
    for name in names {
        let name = name.split(['?', '#']).next().unwrap_or("");
        let is_asset = name
            .rsplit_once('.')
            .is_some_and(|(_, ext)| ASSET_EXTENSIONS.contains(&ext));
        if !is_asset || name.contains("://") || name.starts_with("//") || name.starts_with("data:")
        {
            continue;
        }
        let path = if let Some(absolute) = name.strip_prefix('/') {
            match absolute.strip_prefix(base.trim_start_matches('/')) {
                Some(path) => path.to_owned(),
                None => bail!("{file} names {name}, outside the site at {base}"),
            }
        } else if dir.is_empty() {
            name.trim_start_matches("./").to_owned()
        } else {
            format!("{dir}/{}", name.trim_start_matches("./"))
        };
        if path.split('/').any(|part| part == "..") {
            bail!("{file} names {name}: `..` is not supported");
        }
        out.push(path);
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// The contents of every '…' and "…" string in a script (enough for Trunk's loader).
fn string_literals(script: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = script;
    while let Some(at) = rest.find(['\'', '"']) {
        let quote = rest.as_bytes()[at] as char;
        rest = &rest[at + 1..];
        let Some(end) = rest.find([quote, '\n']) else {
            break;
        };
        out.push(&rest[..end]);
        rest = &rest[end + 1..];
    }
    out
}

/// Every file under `root`, by its `/`-separated path relative to `root`.
fn collect(root: &Path) -> anyhow::Result<BTreeMap<String, Vec<u8>>> {
    let mut out = BTreeMap::new();
    for entry in WalkDir::new(root).follow_links(true) {
        let entry = entry?;
        if entry.file_type().is_dir() {
            continue;
        }
        let relative = entry
            .path()
            .strip_prefix(root)
            .expect("under the root")
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
        // The site's data (`data/`: articles, listings, search) is fetched as the reader goes,
        // never precached whole (at 100,000 articles it is hundreds of megabytes), nor read
        // here; which of it to keep offline is the worker's policy. `data/index.html` is the
        // "Your data" page.
        if relative.starts_with("data/") && relative != "data/index.html" {
            continue;
        }
        let bytes = fs::read(entry.path()).with_context(|| entry.path().display().to_string())?;
        out.insert(relative, bytes);
    }
    Ok(out)
}

/// The manifest parses, names the app, and every icon it lists is a file of the site.
fn check_manifest_icons(dist: &Path, contents: &BTreeMap<String, Vec<u8>>) -> anyhow::Result<()> {
    let bytes = contents
        .get("manifest.webmanifest")
        .context("manifest.webmanifest is missing from the site (copy it in index.html)")?;
    let manifest: serde_json::Value = serde_json::from_slice(bytes)
        .with_context(|| dist.join("manifest.webmanifest").display().to_string())?;
    let icons = manifest["icons"]
        .as_array()
        .filter(|icons| !icons.is_empty())
        .context("manifest.webmanifest lists no icons")?;
    for icon in icons {
        let src = icon["src"]
            .as_str()
            .context("a manifest icon without src")?;
        let path = src.trim_start_matches("./");
        if !contents.contains_key(path) {
            bail!("manifest icon {src} is not in the site");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twin_page_files_are_stored_once_and_everything_else_always() {
        let mut contents = BTreeMap::new();
        for (path, bytes) in [
            ("index.html", "shell"),
            ("404.html", "shell"),
            ("data.html", "shell"),
            ("data/index.html", "shell"),
            ("article/a.html", "shell"),
            ("article/a/index.html", "shell"),
            ("article/b.html", "prerendered b"),
            ("article/b/index.html", "something else"),
            ("app-0123.wasm", "wasm"),
            ("icons/icon-192.png", "png"),
        ] {
            contents.insert(path.to_owned(), bytes.as_bytes().to_vec());
        }
        assert_eq!(
            precache_list(&contents),
            [
                "404.html",
                "app-0123.wasm",
                "article/a/index.html",
                "article/b.html",
                "article/b/index.html",
                "data/index.html",
                "icons/icon-192.png",
                "index.html",
            ]
        );
    }

    #[test]
    fn a_huge_site_precaches_its_assets_and_the_shallowest_pages() {
        let mut contents = BTreeMap::new();
        for path in ["index.html", "404.html", "app.wasm", "icons/i.png"] {
            contents.insert(path.to_owned(), path.as_bytes().to_vec());
        }
        for n in 0..MAX_PAGES {
            let page = format!("article/a{n:05}");
            contents.insert(format!("{page}/index.html"), page.as_bytes().to_vec());
            contents.insert(format!("{page}/brief/b/index.html"), b"brief".to_vec());
        }
        let list = precache_list(&contents);
        assert_eq!(
            list.iter().filter(|p| p.ends_with(".html")).count(),
            MAX_PAGES
        );
        for kept in [
            "index.html",
            "404.html",
            "app.wasm",
            "icons/i.png",
            "article/a00997/index.html",
        ] {
            assert!(list.iter().any(|p| p == kept), "{kept}");
        }
        assert!(!list.iter().any(|p| p.contains("/brief/")));
        assert!(!list.iter().any(|p| p == "article/a00998/index.html"));
    }

    /// The `PRECACHE` object a built `sw.js` starts with.
    fn precache_in(worker: &str) -> BTreeMap<String, String> {
        let list = worker
            .split("const PRECACHE = ")
            .nth(1)
            .and_then(|rest| rest.split(";\n").next())
            .unwrap();
        serde_json::from_str(list).unwrap()
    }

    #[test]
    fn integrity_is_the_subresource_integrity_sha256() {
        // echo -n 'alert(1)' | openssl sha256 -binary | base64
        assert_eq!(
            integrity_of(b"alert(1)"),
            "sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI="
        );
    }

    const PAGE: &str = "<!DOCTYPE html><html><head><meta charset=\"utf-8\">\
        <base href=\"/reader/\"><title>Why Node.js and \"x.css\"</title>\
        <link rel=\"stylesheet\" href=\"/reader/base-0123456789abcdef.css\"/>\
        <link rel=\"icon\" href=\"icons/i.svg?v=1\"><link rel=\"manifest\" href=\"manifest.webmanifest\">\
        <link rel=\"preconnect\" href=\"https://example.org/x.js\">\
        <script>var s = localStorage.getItem('broadsheet:v1:settings'); // don't\n</script>\
        <script src=\"sw-register.js\" defer></script><script>var w = new URL('sw.js', b);</script>\
        <script type=\"module\">\nimport init, * as bindings from '/reader/app-0123456789abcdef.js';\n\
        const wasm = await init({ module_or_path: '/reader/app-0123456789abcdef_bg.wasm' });\n</script>\
        </head><body><a href=\"/reader/article/a\">a</a><p>'see other.js'</p>\
        <script src=\"/reader/late.js\"></script></body></html>";

    #[test]
    fn a_page_names_the_files_its_head_loads() {
        assert_eq!(base_href(PAGE), "/reader/");
        assert_eq!(
            named_files("article/a/index.html", PAGE, "/reader/").unwrap(),
            [
                "app-0123456789abcdef.js",
                "app-0123456789abcdef_bg.wasm",
                "base-0123456789abcdef.css",
                "icons/i.svg",
                "manifest.webmanifest",
                "sw-register.js",
                "sw.js",
            ]
        );
        // A `</head>` in a comment does not end the head (a string search stopped there).
        let commented = "<head><!-- </head> --><script src=\"a-0123456789abcdef.js\"></script>\
            </head><body><script src=\"b.js\"></script></body>";
        assert_eq!(
            named_files("index.html", commented, "/").unwrap(),
            ["a-0123456789abcdef.js"]
        );
        let outside = "<head><script src=\"/elsewhere/x.js\"></script></head>";
        assert!(named_files("index.html", outside, "/reader/")
            .unwrap_err()
            .to_string()
            .contains("outside the site"));
    }

    #[test]
    fn a_stylesheet_names_its_fonts_relative_to_itself() {
        let css = "@font-face { src: url(\"fonts/a.woff2\") format(\"woff2\"); }\
            b { background: url(data:image/png;base64,xx); } i { background: url( 'pic.png' ) }";
        assert_eq!(
            named_files("tokens-0123456789abcdef.css", css, "/").unwrap(),
            ["fonts/a.woff2", "pic.png"]
        );
        assert_eq!(
            named_files("sub/t.css", css, "/").unwrap(),
            ["sub/fonts/a.woff2", "sub/pic.png"]
        );
    }

    #[test]
    fn writes_version_and_list_into_the_worker_and_refuses_to_do_it_twice() {
        let dist = std::env::temp_dir().join(format!("broadsheet-offline-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dist);
        fs::create_dir_all(dist.join("icons")).unwrap();
        fs::write(dist.join("index.html"), "<p>home</p>").unwrap();
        fs::write(dist.join("icons/i.png"), "png").unwrap();
        fs::write(
            dist.join("manifest.webmanifest"),
            r#"{"name":"Broadsheet","icons":[{"src":"icons/i.png"}]}"#,
        )
        .unwrap();
        fs::write(dist.join("sw.js"), "self.x = 1;\n").unwrap();
        let first = write_precache(&dist).unwrap();
        assert_eq!(
            first.files,
            ["icons/i.png", "index.html", "manifest.webmanifest"]
        );
        let worker = fs::read_to_string(dist.join("sw.js")).unwrap();
        assert!(worker.starts_with(HEADER));
        assert!(worker.contains(&format!("const VERSION = \"{}\";", first.version)));
        // Each file with the digest of its bytes.
        let listed = precache_in(&worker);
        assert_eq!(
            listed.keys().collect::<Vec<_>>(),
            first.files.iter().collect::<Vec<_>>()
        );
        assert_eq!(listed["index.html"], integrity_of(b"<p>home</p>"));
        assert!(worker.ends_with("self.x = 1;\n"));
        assert!(write_precache(&dist).is_err());

        // Any change to any file is a new version, and a new digest for that file.
        fs::write(dist.join("sw.js"), "self.x = 1;\n").unwrap();
        fs::write(dist.join("index.html"), "<p>home, changed</p>").unwrap();
        let second = write_precache(&dist).unwrap();
        assert_ne!(first.version, second.version);
        let relisted = precache_in(&fs::read_to_string(dist.join("sw.js")).unwrap());
        assert_ne!(listed["index.html"], relisted["index.html"]);
        assert_eq!(listed["icons/i.png"], relisted["icons/i.png"]);

        // A page that names a file the site lacks would not boot offline.
        fs::write(dist.join("sw.js"), "self.x = 1;\n").unwrap();
        fs::write(
            dist.join("index.html"),
            "<head><script src=\"app-0123456789abcdef.js\"></script></head>",
        )
        .unwrap();
        let err = write_precache(&dist).unwrap_err().to_string();
        assert!(
            err.contains("index.html names app-0123456789abcdef.js"),
            "{err}"
        );
        fs::write(dist.join("index.html"), "<p>home</p>").unwrap();

        // A manifest icon that is not built is an error.
        fs::write(dist.join("sw.js"), "self.x = 1;\n").unwrap();
        fs::remove_file(dist.join("icons/i.png")).unwrap();
        assert!(write_precache(&dist)
            .unwrap_err()
            .to_string()
            .contains("icons/i.png"));
        fs::remove_dir_all(&dist).unwrap();
    }
}
