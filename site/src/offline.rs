//! Makes the built site work offline: writes the service worker's precache list and version.
//!
//! Trunk copies `assets/sw.js` into the site as it is. After the page files, the data files
//! and the Content-Security-Policy are written, [`write_precache`] chooses what to precache,
//! hashes it into a version, and prepends `const VERSION = "…"; const DATA_VERSION = "…";
//! const PRECACHE = {...};` to `sw.js` (paths relative to the service worker's scope, so the
//! site works under any sub-path). A new deployment therefore has a new version, which the
//! service worker installs next to the old one and the page offers to switch to. It also checks
//! that every icon the web app manifest names exists in the site.
//!
//! The list is bounded, whatever the size of the archive (see [`precache_list`]): the app
//! itself, `data/site.json`, the first listing page of the front page and of the first
//! [`MAX_TOPICS`] topics, the search index's meta file, and the [`NEWEST_ARTICLES`] newest
//! articles (their files, slug shards and pages). Everything else the reader fetches is kept
//! by the worker as it goes (`assets/sw.js`), and any page that is not precached opens offline
//! from `shell.html`, the app without a page rendered ahead of time, written here.
//!
//! Deployments are atomic for the offline cache: the list gives each file's SHA-256
//! (`sha256-…`, as in Subresource Integrity), the worker fetches every file with that
//! `integrity` (a copy that does not match, e.g. from a CDN edge still serving the previous
//! deployment, fails), retries, and aborts its install rather than cache a mix of versions. The
//! build checks that every file a precached page or stylesheet names is precached too, and the
//! worker checks it again for what it stored before it may activate.

use anyhow::{anyhow, bail, Context as _};
use base64::Engine as _;
use broadsheet::site_data::{listing_path, shard_of, shard_path, Listing, SiteInfo, SITE_INFO};
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
    "// Written by `cargo xtask build`: this build's version and the files to precache.";

/// How many of the newest articles are precached (their files, slug shards and pages): what a
/// reader who visited once finds offline without having opened anything.
pub const NEWEST_ARTICLES: usize = 20;

/// At most this many topics get their first listing page precached (the first in the site's
/// order, i.e. those with the newest stories), so a site with thousands of topics does not
/// fetch thousands of pages into every visitor's cache.
pub const MAX_TOPICS: usize = 12;

/// The page a navigation gets offline when its own page is not cached: `404.html` without the
/// page rendered ahead of time, so the app starts on an empty page and renders the route from
/// the data it has (or says the story is not available offline), instead of showing "Page not
/// found" first.
pub const SHELL: &str = "shell.html";

/// What [`write_precache`] wrote into `sw.js`.
#[derive(Debug)]
pub struct Precache {
    /// Hex digest (16 characters) of every precached file's path and contents and of the
    /// worker itself.
    pub version: String,
    /// Paths relative to the site root, sorted.
    pub files: Vec<String>,
}

/// Writes `shell.html`, then prepends the version and precache list to `dist/sw.js` and checks
/// the manifest's icons. Reads only the files it precaches (and lists the app's folders), so
/// its cost does not grow with the number of articles.
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
    write_shell(dist)?;
    let info: SiteInfo = read_json(dist, SITE_INFO)?;
    let front: Listing = read_json(dist, &listing_path(&info.version, None, 0))?;
    let files = precache_list(&app_files(dist)?, &info, &front, |path| {
        dist.join(path).is_file()
    })?;
    let mut contents = BTreeMap::new();
    for path in &files {
        let bytes = fs::read(dist.join(path)).with_context(|| format!("{path}: precached"))?;
        contents.insert(path.clone(), bytes);
    }
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

    check_named_files(&contents, &files)?;
    let integrity: BTreeMap<&String, String> = contents
        .iter()
        .map(|(path, bytes)| (path, integrity_of(bytes)))
        .collect();
    let list = serde_json::to_string_pretty(&integrity)?;
    fs::write(
        &sw_path,
        format!(
            "{HEADER}\nconst VERSION = \"{version}\";\nconst DATA_VERSION = \"{}\";\nconst PRECACHE = {list};\n\n{worker}",
            info.version
        ),
    )?;
    let bytes: usize = contents.values().map(Vec::len).sum();
    println!(
        "    service worker version {version}: {} files to precache ({:.0} KB)",
        files.len(),
        bytes as f64 / 1024.0
    );
    Ok(Precache { version, files })
}

/// The data file at `path` (relative to `dist`), decoded.
fn read_json<T: serde::de::DeserializeOwned>(dist: &Path, path: &str) -> anyhow::Result<T> {
    let bytes = fs::read(dist.join(path)).with_context(|| {
        format!("{path}: missing (the data files are written before the precache list)")
    })?;
    serde_json::from_slice(&bytes).with_context(|| format!("{path}: does not decode"))
}

/// The files to precache, given the app's files (`app`: every file outside `article/` and
/// `data/`, plus `data/index.html`, the "Your data" page), the site's info, the first page of
/// its listing (newest first) and whether a file exists:
///
/// - the app: every file of `app` but `sw.js` (the browser keeps the worker), `_headers`
///   (hosts do not serve it), and the feeds and the sitemap (for feed readers and search
///   engines, not the reader; a sitemap grows with the site); of two page files with the same
///   bytes for one page (`page.html` and `page/index.html`, for two kinds of static server)
///   only `page/index.html` (the worker answers a navigation to `page` from either);
/// - `data/site.json`, the first listing page of every article and of the first
///   [`MAX_TOPICS`] topics, and the search index's meta file;
/// - for each of the [`NEWEST_ARTICLES`] newest articles: its file, its slug shard and its page
///   (`article/SLUG/index.html`, or `article/SLUG.html`).
///
/// Its length is bounded by the app's files plus `MAX_TOPICS + 3 * NEWEST_ARTICLES + 3`,
/// however many articles the site has. A data file the site's info names but the site lacks
/// is an error.
fn precache_list(
    app: &BTreeMap<String, Vec<u8>>,
    info: &SiteInfo,
    front: &Listing,
    exists: impl Fn(&str) -> bool,
) -> anyhow::Result<Vec<String>> {
    let mut list: BTreeSet<String> = app
        .iter()
        .filter(|(path, bytes)| {
            let twin = path
                .strip_suffix(".html")
                .filter(|stem| !stem.ends_with("/index") && *stem != "index")
                .map(|stem| format!("{stem}/index.html"));
            let same_as_twin = twin.is_some_and(|twin| app.get(&twin) == Some(*bytes));
            !same_as_twin
                && *path != "sw.js"
                && *path != "_headers"
                && !crate::feeds::is_feed_file(path)
        })
        .map(|(path, _)| path.clone())
        .collect();
    let version = &info.version;
    let mut data = vec![SITE_INFO.to_owned(), listing_path(version, None, 0)];
    data.extend(
        info.topics
            .iter()
            .take(MAX_TOPICS)
            .map(|topic| listing_path(version, Some(&topic.key), 0)),
    );
    let meta = broadsheet::search::meta_path(version);
    if exists(&meta) {
        data.push(meta);
    }
    for entry in front.entries.iter().take(NEWEST_ARTICLES) {
        data.push(entry.file.clone());
        data.push(shard_path(version, shard_of(&entry.slug, info.slug_shards)));
        let page = ["index.html", ""]
            .iter()
            .map(|file| match *file {
                "" => format!("article/{}.html", entry.slug),
                file => format!("article/{}/{file}", entry.slug),
            })
            .find(|page| exists(page))
            .ok_or_else(|| {
                anyhow!(
                    "article/{}/index.html: no page for a listed article",
                    entry.slug
                )
            })?;
        list.insert(page);
    }
    for path in data {
        if !exists(&path) {
            bail!("{path}: named by {SITE_INFO} but not in the site");
        }
        list.insert(path);
    }
    Ok(list.into_iter().collect())
}

/// The app's files under `root`, by `/`-separated path relative to it, with their bytes:
/// everything but the articles' pages (`article/`) and the site's data (`data/`, except
/// `data/index.html`, the "Your data" page), which are not read here (at 100,000 articles they
/// are hundreds of thousands of files).
fn app_files(root: &Path) -> anyhow::Result<BTreeMap<String, Vec<u8>>> {
    let mut out = BTreeMap::new();
    let walk = WalkDir::new(root)
        .follow_links(true)
        .into_iter()
        .filter_entry(|entry| {
            entry.depth() != 1
                || !entry.file_type().is_dir()
                || !matches!(entry.file_name().to_str(), Some("article"))
        });
    for entry in walk {
        let entry = entry?;
        if entry.file_type().is_dir() {
            continue;
        }
        let relative = relative(root, entry.path());
        if relative.starts_with("data/") && relative != "data/index.html" {
            continue;
        }
        let bytes = fs::read(entry.path()).with_context(|| entry.path().display().to_string())?;
        out.insert(relative, bytes);
    }
    Ok(out)
}

/// `path` relative to `root`, `/`-separated.
fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .expect("under the root")
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// Writes [`SHELL`]: `404.html` without its `<div id="prerendered">` and titled "Broadsheet".
/// Its head (scripts, their hashes in the policy, the base) is the not-found page's, so it
/// boots the app under the same policy.
fn write_shell(dist: &Path) -> anyhow::Result<()> {
    let not_found = fs::read_to_string(dist.join("404.html"))
        .context("404.html: missing (the pages are written before the precache list)")?;
    let mut removed = false;
    let shell = rewrite_str(
        &not_found,
        RewriteStrSettings::new()
            .append_element_content_handler(element!("div#prerendered", |el| {
                el.remove();
                removed = true;
                Ok(())
            }))
            .append_element_content_handler(element!("title", |el| {
                el.set_inner_content("Broadsheet", lol_html::html_content::ContentType::Text);
                Ok(())
            })),
    )
    .context("404.html")?;
    if !removed {
        bail!("404.html has no <div id=\"prerendered\"> to leave out of {SHELL}");
    }
    fs::write(dist.join(SHELL), shell).with_context(|| SHELL.to_owned())
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

    use broadsheet::{
        article::synthetic,
        corpus::Corpus,
        site_data::{article_path, SiteData},
    };

    /// The data of a site of `n` generated articles, and the paths of all its files but the
    /// app's: data files, article files and both page files of each article and brief.
    fn site(n: usize) -> (SiteData, BTreeSet<String>) {
        let files: Vec<(String, Vec<u8>)> = synthetic::articles(n)
            .into_iter()
            .enumerate()
            .map(|(i, bytes)| (format!("{i}.txt"), bytes))
            .collect();
        let corpus = Corpus::from_files(files.iter().map(|(f, b)| (f.as_str(), b.as_slice())));
        let data = SiteData::new(&corpus, |a| article_path(&a.slug, "0123456789abcdef"), "v1");
        let mut paths: BTreeSet<String> = data.files().into_iter().map(|(p, _)| p).collect();
        paths.insert(broadsheet::search::meta_path("v1"));
        for article in corpus.articles() {
            paths.insert(article_path(&article.slug, "0123456789abcdef"));
            for page in [format!("article/{}", article.slug)].into_iter().chain(
                article
                    .related
                    .iter()
                    .map(|r| format!("article/{}/brief/{}", article.slug, r.slug)),
            ) {
                paths.insert(format!("{page}/index.html"));
                paths.insert(format!("{page}.html"));
            }
        }
        (data, paths)
    }

    /// The app's files of a built site (the shell, pages outside `article/`, code, icons).
    fn app() -> BTreeMap<String, Vec<u8>> {
        [
            ("index.html", "home"),
            ("404.html", "not found"),
            ("shell.html", "shell"),
            ("data.html", "your data"),
            ("data/index.html", "your data"),
            ("app-0123456789abcdef_bg.wasm", "wasm"),
            ("icons/icon-192.png", "png"),
            ("sw.js", "worker"),
            ("_headers", "headers"),
        ]
        .into_iter()
        .map(|(path, bytes)| (path.to_owned(), bytes.as_bytes().to_vec()))
        .collect()
    }

    fn list_of(n: usize) -> (SiteData, Vec<String>) {
        let (data, paths) = site(n);
        let front = data.listing(None, 0).unwrap();
        let list = precache_list(&app(), &data.info, &front, |p| paths.contains(p)).unwrap();
        (data, list)
    }

    #[test]
    fn the_app_is_precached_once_without_the_worker_and_the_headers() {
        let (_, list) = list_of(3);
        for path in [
            "index.html",
            "404.html",
            "shell.html",
            "data/index.html",
            "app-0123456789abcdef_bg.wasm",
            "icons/icon-192.png",
            "data/site.json",
            "data/v1/list/all/0.json",
            "data/v1/search/meta.json",
        ] {
            assert!(list.iter().any(|p| p == path), "{path} in {list:?}");
        }
        // The same page for two kinds of static server is stored once.
        for path in ["data.html", "sw.js", "_headers"] {
            assert!(!list.iter().any(|p| p == path), "{path} in {list:?}");
        }
    }

    #[test]
    fn a_large_site_precaches_only_its_newest_articles_first_pages_and_a_few_topics() {
        let (data, list) = list_of(200);
        let articles: Vec<&String> = list
            .iter()
            .filter(|p| p.starts_with("data/articles/"))
            .collect();
        assert_eq!(articles.len(), NEWEST_ARTICLES);
        let entries = data.entries();
        for (i, entry) in entries.iter().enumerate() {
            let page = format!("article/{}/index.html", entry.slug);
            let shard = shard_path("v1", shard_of(&entry.slug, data.info.slug_shards));
            if i < NEWEST_ARTICLES {
                for path in [&entry.file, &page, &shard] {
                    assert!(list.contains(path), "newest article {i}: {path}");
                }
            } else {
                assert!(!list.contains(&entry.file), "article {i} is precached");
                assert!(!list.contains(&page), "page of article {i} is precached");
            }
        }
        // No brief page, no second page of any listing, no twin `.html` of an article page.
        assert!(!list.iter().any(|p| p.contains("/brief/")));
        assert!(!list
            .iter()
            .any(|p| p.contains("/list/") && !p.ends_with("/0.json")));
        assert!(!list
            .iter()
            .any(|p| p.starts_with("article/") && !p.ends_with("/index.html")));
        let topics = list.iter().filter(|p| p.contains("/list/topic/")).count();
        assert_eq!(topics, data.info.topics.len().min(MAX_TOPICS));

        // Five times the articles, the same list length: it does not grow with the archive.
        let (_, larger) = list_of(1000);
        let bound = app().len() + MAX_TOPICS + 3 * NEWEST_ARTICLES + 3;
        assert!(list.len() <= bound, "{} > {bound}", list.len());
        assert!(larger.len() <= bound, "{} > {bound}", larger.len());
    }

    #[test]
    fn a_data_file_the_site_info_names_but_the_site_lacks_is_an_error() {
        let (data, mut paths) = site(3);
        let front = data.listing(None, 0).unwrap();
        let file = front.entries[1].file.clone();
        paths.remove(&file);
        let error = precache_list(&app(), &data.info, &front, |p| paths.contains(p)).unwrap_err();
        assert_eq!(
            error.to_string(),
            format!("{file}: named by data/site.json but not in the site")
        );
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
        fs::create_dir_all(dist.join("data/v1/list/all")).unwrap();
        fs::create_dir_all(dist.join("article/old")).unwrap();
        fs::write(dist.join("index.html"), "<p>home</p>").unwrap();
        fs::write(
            dist.join("404.html"),
            "<html><head><title>Page not found</title></head>\
             <body><div id=\"prerendered\"><h1>Page not found</h1></div></body></html>",
        )
        .unwrap();
        fs::write(
            dist.join("data/site.json"),
            r#"{"format":1,"version":"v1","articles":0,"page_size":50,"slug_shards":1,"topics":[]}"#,
        )
        .unwrap();
        fs::write(
            dist.join("data/v1/list/all/0.json"),
            r#"{"page":0,"pages":1,"total":0,"entries":[]}"#,
        )
        .unwrap();
        // An article page that is not among the newest: neither precached nor read.
        fs::write(dist.join("article/old/index.html"), "old").unwrap();
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
            [
                "404.html",
                "data/site.json",
                "data/v1/list/all/0.json",
                "icons/i.png",
                "index.html",
                "manifest.webmanifest",
                "shell.html"
            ]
        );
        // The shell is the not-found page without the page rendered ahead of time.
        assert_eq!(
            fs::read_to_string(dist.join(SHELL)).unwrap(),
            "<html><head><title>Broadsheet</title></head><body></body></html>"
        );
        let worker = fs::read_to_string(dist.join("sw.js")).unwrap();
        assert!(worker.contains("\nconst DATA_VERSION = \"v1\";\n"));
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

        // A page that is not precached is no part of the version.
        fs::write(dist.join("sw.js"), "self.x = 1;\n").unwrap();
        fs::write(dist.join("article/old/index.html"), "old, changed").unwrap();
        assert_eq!(write_precache(&dist).unwrap().version, second.version);

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
