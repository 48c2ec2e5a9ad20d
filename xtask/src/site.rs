//! The release site: Trunk's build plus a page file for every URL, and a real static server.

use crate::{
    csp::{insert_at_first, Place},
    root, step, tools,
};
use anyhow::{ensure, Context as _};
use broadsheet::routes::{self, Route};
use broadsheet::{corpus::Corpus, ui::prerender};
use lol_html::{element, end_tag, html_content::ContentType, rewrite_str, RewriteStrSettings};
use std::{
    cell::Cell,
    fs,
    path::{Path, PathBuf},
    process::Command,
    rc::Rc,
};
use walkdir::WalkDir;

/// `trunk build --release`, then one HTML file per article and brief, and `404.html`; then the
/// Content-Security-Policy in every page, and last the service worker's precache list (it hashes
/// the final files).
pub fn build(public_url: &str, dist: &Path) -> anyhow::Result<()> {
    let public_url = normalise_public_url(public_url);
    step(
        &format!("release build for {public_url} into {}", dist.display()),
        tools::command("trunk")
            .args(["build", "--release", "--public-url", &public_url, "--dist"])
            .arg(dist)
            .env_remove("NO_COLOR"),
    )?;
    // Trunk.toml's `pattern_preload = ""`: the first paint does not share the network with the
    // wasm download.
    let shell = fs::read_to_string(dist.join("index.html")).unwrap_or_default();
    ensure!(
        !shell.contains("preload"),
        "Trunk preloads the app in {} (see pattern_preload in Trunk.toml)",
        dist.join("index.html").display()
    );
    // Trunk.toml's hook: a plain `trunk build` works on a static host through 404.html.
    ensure!(
        fs::read(dist.join("404.html")).ok() == fs::read(dist.join("index.html")).ok(),
        "Trunk's post-build hook should copy index.html to 404.html (see Trunk.toml)"
    );
    write_page_files(dist, &public_url)
        .with_context(|| format!("write page files into {}", dist.display()))?;
    crate::csp::apply(dist).context("Content-Security-Policy")?;
    crate::offline::write_precache(dist).context("service worker")?;
    // Last, so that the service worker does not precache it (hosts do not serve it).
    write_headers_file(dist, &public_url)
        .with_context(|| format!("write {}", dist.join("_headers").display()))
}

/// `/reader` and `reader/` both mean `/reader/`.
fn normalise_public_url(url: &str) -> String {
    let trimmed = url.trim_matches('/');
    if trimmed.is_empty() {
        "/".to_owned()
    } else {
        format!("/{trimmed}/")
    }
}

/// Every page gets a file of its own, rendered ahead of time by the app's own components, so
/// its text shows before the wasm loads, without JavaScript too, and deep links and reloads
/// work on any static host (`page/index.html` for servers that look for folders, `page.html`
/// for those that add `.html`). Unknown URLs get `404.html`, the not-found page.
fn write_page_files(dist: &Path, public_url: &str) -> anyhow::Result<()> {
    let shell = inline_boot_script(dist, &fs::read_to_string(dist.join("index.html"))?)?;
    let shell = inline_head_scripts(&shell)?;
    // The articles Trunk's build just bundled ($BROADSHEET_ARTICLES or articles/), which may
    // not be the ones compiled into this xtask.
    let files = article_files(&articles_dir())?;
    let corpus = std::sync::Arc::new(Corpus::from_files(
        files
            .iter()
            .map(|(name, bytes)| (name.as_str(), bytes.as_slice())),
    ));
    for failure in corpus.failures() {
        eprintln!("    skipped {}: {}", failure.file, failure.error);
    }
    // The front page is the site's index.html, written last.
    let pages: Vec<Route> = routes::pages(&corpus)
        .into_iter()
        .filter(|route| *route != Route::Home)
        .collect();
    let page_html = |route: &Route| -> anyhow::Result<String> {
        let page = prerender::render(&corpus, public_url, route)
            .with_context(|| format!("no page for {route:?}"))?;
        fill_shell(&shell, &page)
    };
    for route in &pages {
        let html = page_html(route)?;
        // A corpus's slugs are URL-safe, so a page's path is also its file's.
        let path = route.path();
        let page = path.trim_start_matches('/');
        let dir = dist.join(page);
        fs::create_dir_all(&dir)?;
        fs::write(dir.join("index.html"), &html)?;
        fs::write(dist.join(format!("{page}.html")), &html)?;
    }
    fs::write(dist.join("index.html"), page_html(&Route::Home)?)?;
    fs::write(dist.join("404.html"), page_html(&Route::NotFound)?)?;
    println!(
        "    rendered {} pages ahead of time, plus the front page and 404.html",
        pages.len()
    );
    Ok(())
}

/// The theme boot script runs before first paint, so it blocks the parser: inline it to save
/// a round trip (the CSP step hashes it like any inline script).
fn inline_boot_script(dist: &Path, shell: &str) -> anyhow::Result<String> {
    Ok(rewrite_str(
        shell,
        RewriteStrSettings::new().append_element_content_handler(element!(
            r#"script[src="boot.js"]"#,
            |el| {
                let script = fs::read_to_string(dist.join("boot.js"))?;
                el.remove_attribute("src");
                el.set_inner_content(script.trim(), ContentType::Html);
                Ok(())
            }
        )),
    )?)
}

/// Scripts that must run before any other and before the first paint, inline before the first
/// script of the page: the page's Trusted Types policy (`assets/trusted-types.js`, see
/// `crate::csp`) and the framing check (`assets/framed.js`, see `src/ui/framed.rs`). Trunk does
/// not copy these files: a plain `trunk build` has no policy that asks for Trusted Types, and
/// its pages have no content to hide before the app starts.
fn inline_head_scripts(shell: &str) -> anyhow::Result<String> {
    let mut scripts = String::new();
    for file in ["assets/trusted-types.js", "assets/framed.js"] {
        let source = fs::read_to_string(root().join(file)).context(file)?;
        // Without comments: they are in every page.
        let lines: Vec<&str> = source
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty() && !line.starts_with("//"))
            .collect();
        scripts.push_str(&format!("<script>{}</script>\n", lines.join("\n")));
    }
    insert_at_first(shell, "script", Place::Before, &scripts)?.context("index.html has no <script>")
}

/// Puts a rendered page into Trunk's shell: its title, and its body inside
/// `<div id="prerendered">` at the end of `<body>`, which the app replaces when it starts.
fn fill_shell(shell: &str, page: &prerender::Prerendered) -> anyhow::Result<String> {
    let mut titled = false;
    let body_filled = Rc::new(Cell::new(false));
    let out = rewrite_str(
        shell,
        RewriteStrSettings::new()
            .append_element_content_handler(element!("title", |el| {
                if !titled {
                    el.set_inner_content(&page.title, ContentType::Text);
                    titled = true;
                }
                Ok(())
            }))
            .append_element_content_handler(element!("body", |el| {
                let prerendered = format!("<div id=\"prerendered\">{}</div>", page.body);
                let body_filled = Rc::clone(&body_filled);
                el.on_end_tag(end_tag!(move |end| {
                    end.before(&prerendered, ContentType::Html);
                    body_filled.set(true);
                    Ok(())
                }))
            })),
    )?;
    ensure!(titled, "index.html has no <title>");
    ensure!(body_filled.get(), "index.html has no </body>");
    Ok(out)
}

/// The folder of article files the build bundles: `articles/`, or `$BROADSHEET_ARTICLES`
/// (which build.rs honours too).
pub fn articles_dir() -> PathBuf {
    std::env::var_os("BROADSHEET_ARTICLES").map_or_else(|| root().join("articles"), PathBuf::from)
}

fn article_files(dir: &Path) -> anyhow::Result<Vec<(String, Vec<u8>)>> {
    let mut files = Vec::new();
    for entry in fs::read_dir(dir).with_context(|| dir.display().to_string())? {
        let path = entry?.path();
        if path.extension().is_some_and(|x| x == "txt") {
            let name = path
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            files.push((name, fs::read(&path)?));
        }
    }
    files.sort();
    Ok(files)
}

/// The headers a host should send with every response of the site (`_headers`, nginx).
pub const SECURITY_HEADERS: [(&str, &str); 3] = [
    ("Content-Security-Policy", crate::csp::HEADER_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
];

/// `Cache-Control` for files whose name carries a hash of their contents.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// `Cache-Control` for everything else (pages, `sw.js`, the manifest, icons): revalidated on
/// every use, so a new deployment is seen at once.
pub const NO_CACHE: &str = "no-cache";

/// Whether Trunk fingerprinted the file's name (`name-0123456789abcdef.ext`, `…_bg.wasm`): a new
/// version always gets a new name, so a cached copy never goes stale. Trunk writes the 64-bit
/// hash in hex without leading zeros (one name in 16 has 15 digits), so 12 to 16 digits count;
/// fewer would take `icon-192.png` for a hash. The same rule as `FINGERPRINTED` in
/// `assets/sw.js` and the nginx `map` of [`nginx_config`].
pub fn fingerprinted(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).as_bytes();
    let Some(dot) = name.iter().rposition(|&b| b == b'.') else {
        return false;
    };
    let (stem, ext) = (&name[..dot], &name[dot + 1..]);
    let stem = stem.strip_suffix(b"_bg").unwrap_or(stem);
    let Some(dash) = stem.iter().rposition(|&b| b == b'-') else {
        return false;
    };
    let hash = &stem[dash + 1..];
    (12..=16).contains(&hash.len())
        && hash
            .iter()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b))
        && !ext.is_empty()
        && ext
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

/// The site's `_headers` (Netlify and Cloudflare Pages): the security headers for every path
/// under `public_url`; `Cache-Control` immutable for each fingerprinted file and `no-cache` for
/// everything else. Both hosts apply every rule that matches a path (repeated headers are joined
/// with commas), so no two `Cache-Control` rules overlap: each names a top-level file or folder.
/// `files` are the site's files relative to its root.
pub fn headers_file(public_url: &str, files: &[String]) -> String {
    let mut out = format!(
        "# Written by `cargo xtask build`: the headers to send with the site at {public_url}\n\n{public_url}*\n"
    );
    for (name, value) in SECURITY_HEADERS {
        out.push_str(&format!("  {name}: {value}\n"));
    }
    let mut immutable = Vec::new();
    let mut fresh = vec![public_url.to_owned()];
    for file in files {
        if file == "_headers" {
            continue;
        }
        if fingerprinted(file) {
            immutable.push(format!("{public_url}{file}"));
            continue;
        }
        match file.split_once('/') {
            Some((folder, _)) => fresh.push(format!("{public_url}{folder}/*")),
            None => {
                fresh.push(format!("{public_url}{file}"));
                // `data.html` is also served as `data` (a page's address has no extension).
                if let Some(stem) = file.strip_suffix(".html") {
                    if stem != "index" && stem != "404" {
                        fresh.push(format!("{public_url}{stem}"));
                    }
                }
            }
        }
    }
    fresh.sort();
    fresh.dedup();
    immutable.sort();
    for (paths, value) in [(immutable, IMMUTABLE), (fresh, NO_CACHE)] {
        for path in paths {
            out.push_str(&format!("\n{path}\n  Cache-Control: {value}\n"));
        }
    }
    out
}

fn write_headers_file(dist: &Path, public_url: &str) -> anyhow::Result<()> {
    let files = list_files(dist)?;
    let text = headers_file(public_url, &files);
    fs::write(dist.join("_headers"), &text)?;
    println!(
        "    _headers: security headers, {} cache rules",
        text.matches("Cache-Control").count()
    );
    Ok(())
}

/// Every file under `root`, by its `/`-separated path relative to `root`, sorted.
fn list_files(root: &Path) -> anyhow::Result<Vec<String>> {
    let mut out = Vec::new();
    for entry in WalkDir::new(root).follow_links(true) {
        let entry = entry?;
        if entry.file_type().is_dir() {
            continue;
        }
        if let Ok(relative) = entry.path().strip_prefix(root) {
            let parts: Vec<String> = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            out.push(parts.join("/"));
        }
    }
    out.sort();
    Ok(out)
}

/// nginx configuration for the site at `public_url`: a `map` for the `http` block (the
/// `Cache-Control` of each path) and a `location` for the `server` block (the pages' files,
/// `404.html`, and the same headers as `_headers`). The README's hosting section shows it for
/// `/news/`; the end-to-end tests' server uses it for `/reader/`.
pub struct NginxConfig {
    pub http: String,
    pub location: String,
}

pub fn nginx_config(public_url: &str) -> NginxConfig {
    let http = format!(
        "map $uri $broadsheet_cache_control {{\n    \"~-[0-9a-f]{{12,16}}(_bg)?\\.[a-z0-9]+$\" \"{IMMUTABLE}\";\n    default \"{NO_CACHE}\";\n}}\n"
    );
    let mut location = format!(
        "location {public_url} {{\n    try_files $uri $uri/index.html $uri.html =404;\n    error_page 404 {public_url}404.html;\n"
    );
    for (name, value) in SECURITY_HEADERS {
        location.push_str(&format!("    add_header {name} \"{value}\" always;\n"));
    }
    location.push_str("    add_header Cache-Control $broadsheet_cache_control always;\n}\n");
    NginxConfig { http, location }
}

/// Prints raw and brotli-compressed sizes of what an article link loads first.
pub fn report_sizes(dist: &Path) {
    let mut total_raw = 0;
    let mut total_br = 0;
    let mut files: Vec<PathBuf> = fs::read_dir(dist)
        .map(|d| {
            d.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file())
                .collect()
        })
        .unwrap_or_default();
    files.retain(|p| {
        let name = p.file_name().unwrap().to_string_lossy();
        name == "index.html"
            || name.ends_with(".wasm")
            || name.ends_with(".js")
            || name.ends_with(".css")
    });
    files.sort();
    for file in &files {
        let raw = fs::metadata(file).map(|m| m.len()).unwrap_or(0);
        let brotli = crate::tools::BROTLI
            .resolve(None)
            .unwrap_or("brotli".into());
        let out = Command::new(brotli)
            .arg("-c")
            .arg("-q")
            .arg("11")
            .arg(file)
            .output();
        let br = out.map(|o| o.stdout.len() as u64).unwrap_or(0);
        println!(
            "    {:<48} {:>9} B raw {:>9} B brotli",
            file.file_name().unwrap().to_string_lossy(),
            raw,
            br
        );
        total_raw += raw;
        total_br += br;
    }
    println!(
        "first-load transfer (html+js+wasm+css): {total_raw} B raw, {total_br} B brotli ({:.1} KB)",
        total_br as f64 / 1024.0
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_fills_the_title_and_the_end_of_the_body() {
        // A string search found the `<title>` in the comment; the tokeniser does not.
        let shell = "<!DOCTYPE html>\n<html><head><!-- no <title> here -->\
            <title>Broadsheet</title></head>\n<body><p>x</p></body>\n</html>\n";
        let page = prerender::Prerendered {
            title: "A & B <i>".to_owned(),
            body: "<main><h1>A &amp; B</h1></main>".to_owned(),
        };
        assert_eq!(
            fill_shell(shell, &page).unwrap(),
            "<!DOCTYPE html>\n<html><head><!-- no <title> here -->\
            <title>A &amp; B &lt;i&gt;</title></head>\n<body><p>x</p>\
            <div id=\"prerendered\"><main><h1>A &amp; B</h1></main></div></body>\n</html>\n"
        );
        let untitled = "<html><head></head><body></body></html>";
        assert!(fill_shell(untitled, &page)
            .unwrap_err()
            .to_string()
            .contains("<title>"));
    }

    #[test]
    fn head_scripts_go_before_the_first_script_and_boot_js_inline() {
        let dist = std::env::temp_dir().join(format!("broadsheet-site-{}", std::process::id()));
        fs::create_dir_all(&dist).unwrap();
        fs::write(dist.join("boot.js"), "\n  let theme = 1;\n").unwrap();
        let shell = "<head><!-- before <script src=\"a.js\"> -->\
            <script src=\"boot.js\"></script><script src=\"app.js\"></script></head>";
        let booted = inline_boot_script(&dist, shell).unwrap();
        fs::remove_dir_all(&dist).unwrap();
        assert_eq!(
            booted,
            "<head><!-- before <script src=\"a.js\"> -->\
            <script>let theme = 1;</script><script src=\"app.js\"></script></head>"
        );
        let out = inline_head_scripts(&booted).unwrap();
        let first = out.find("<script>").unwrap();
        assert!(out[..first].ends_with("-->"), "{out}");
        assert!(out[first..].contains("trustedTypes"), "{out}");
        assert!(out.ends_with(
            "</script>\n<script>let theme = 1;</script><script src=\"app.js\"></script></head>"
        ));
        assert!(inline_head_scripts("<head></head>")
            .unwrap_err()
            .to_string()
            .contains("no <script>"));
    }

    #[test]
    fn fingerprinted_names_are_trunks() {
        for name in [
            "broadsheet-0123456789abcdef.js",
            "broadsheet-0123456789abcdef_bg.wasm",
            "tokens-fedcba9876543210.css",
            "sub/icon-0123456789abcdef.svg",
            "é-0123456789abcdef.js",
            "broadsheet-5d8ca3adc6d77be.js",
            "broadsheet-5d8ca3adc6d77be_bg.wasm",
        ] {
            assert!(fingerprinted(name), "{name}");
        }
        for name in [
            "sw.js",
            "sw-register.js",
            "index.html",
            "icons/icon-192.png",
            "x-0123456789ABCDEF.js",
            "x-0123456789abcdef0.js",
            "x-0123456789a.js",
            "icons/maskable-512.png",
            "x0123456789abcdef0.js",
            "-0123456789abcdef",
        ] {
            assert!(!fingerprinted(name), "{name}");
        }
    }

    /// The rules of a `_headers` text: each path with its headers.
    fn rules(text: &str) -> Vec<(String, Vec<String>)> {
        let mut out: Vec<(String, Vec<String>)> = Vec::new();
        for line in text.lines() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            if let Some(header) = line.strip_prefix("  ") {
                out.last_mut()
                    .expect("a path first")
                    .1
                    .push(header.to_owned());
            } else {
                out.push((line.to_owned(), Vec::new()));
            }
        }
        out
    }

    #[test]
    fn headers_file_sends_security_headers_everywhere_and_one_cache_rule_per_path() {
        let files: Vec<String> = [
            "404.html",
            "_headers",
            "article/a.html",
            "article/a/index.html",
            "broadsheet-0123456789abcdef.js",
            "broadsheet-0123456789abcdef_bg.wasm",
            "data.html",
            "data/index.html",
            "fonts/f.woff2",
            "index.html",
            "manifest.webmanifest",
            "sw.js",
            "tokens-fedcba9876543210.css",
        ]
        .map(String::from)
        .to_vec();
        let text = headers_file("/news/", &files);
        let rules = rules(&text);
        assert_eq!(rules[0].0, "/news/*");
        assert_eq!(
            rules[0].1,
            [
                format!("Content-Security-Policy: {}", crate::csp::HEADER_POLICY),
                "X-Content-Type-Options: nosniff".to_owned(),
                "Referrer-Policy: no-referrer".to_owned(),
            ]
        );
        let cache: Vec<(&str, &str)> = rules[1..]
            .iter()
            .map(|(path, headers)| {
                assert_eq!(headers.len(), 1, "{path}");
                let value = headers[0].strip_prefix("Cache-Control: ").unwrap();
                (path.as_str(), value)
            })
            .collect();
        let year = "public, max-age=31536000, immutable";
        assert_eq!(
            cache,
            [
                ("/news/broadsheet-0123456789abcdef.js", year),
                ("/news/broadsheet-0123456789abcdef_bg.wasm", year),
                ("/news/tokens-fedcba9876543210.css", year),
                ("/news/", "no-cache"),
                ("/news/404.html", "no-cache"),
                ("/news/article/*", "no-cache"),
                ("/news/data", "no-cache"),
                ("/news/data.html", "no-cache"),
                ("/news/data/*", "no-cache"),
                ("/news/fonts/*", "no-cache"),
                ("/news/index.html", "no-cache"),
                ("/news/manifest.webmanifest", "no-cache"),
                ("/news/sw.js", "no-cache"),
            ]
        );
        // Cloudflare Pages: at most 100 rules, lines of at most 2,000 characters.
        assert!(rules.len() <= 100);
        assert!(text.lines().all(|l| l.len() <= 2000));
    }

    #[test]
    fn nginx_sends_the_same_headers_and_the_readme_shows_them() {
        let config = nginx_config("/news/");
        for (name, value) in SECURITY_HEADERS {
            assert!(
                config
                    .location
                    .contains(&format!("add_header {name} \"{value}\" always;")),
                "{name}"
            );
        }
        assert!(config.location.contains("error_page 404 /news/404.html;"));
        assert!(config.http.contains(IMMUTABLE) && config.http.contains(NO_CACHE));
        let readme = fs::read_to_string(root().join("README.md")).unwrap();
        for part in [&config.http, &config.location] {
            assert!(
                readme.contains(part.as_str()),
                "README.md's hosting section should show:\n{part}"
            );
        }
    }
}
