//! The headers a host should send: `_headers` (Netlify, Cloudflare Pages) and the nginx
//! configuration the README shows and the end-to-end tests' server uses.

use crate::output::Output;
use std::path::Path;
use walkdir::WalkDir;

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
/// under `public_url`; `Cache-Control` immutable for each fingerprinted file and for the data
/// files named by their content (`data/articles/*`, `data/VERSION/*`), and `no-cache` for
/// everything else (`data/site.json` among them). Both hosts apply every rule that matches a
/// path (repeated headers are joined with commas), so no two `Cache-Control` rules overlap:
/// each names a top-level file or folder, or, inside `data/` (where the "Your data" page's
/// `data/index.html` lives too), a file or folder of its own. `files` are the site's files
/// relative to its root.
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
        if let Some(inside) = file.strip_prefix("data/") {
            match inside.split_once('/') {
                Some((folder, _)) if folder == "articles" || is_version(folder) => {
                    immutable.push(format!("{public_url}data/{folder}/*"));
                }
                Some((folder, _)) => fresh.push(format!("{public_url}data/{folder}/*")),
                None => {
                    fresh.push(format!("{public_url}{file}"));
                    // `data/index.html` is also served as `data/`.
                    if inside == "index.html" {
                        fresh.push(format!("{public_url}data/"));
                    }
                }
            }
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
    immutable.dedup();
    for (paths, value) in [(immutable, IMMUTABLE), (fresh, NO_CACHE)] {
        for path in paths {
            out.push_str(&format!("\n{path}\n  Cache-Control: {value}\n"));
        }
    }
    out
}

/// A data version folder's name: 16 hex digits (`broadsheet::site_data`).
fn is_version(name: &str) -> bool {
    name.len() == 16
        && name
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Writes `_headers` for the files now in `out`'s folder.
pub fn write_headers_file(out: &Output, public_url: &str) -> anyhow::Result<()> {
    let files = list_files(out.root())?;
    let text = headers_file(public_url, &files);
    out.write("_headers", text.as_bytes())?;
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
        "map $uri $broadsheet_cache_control {{\n    \"~-[0-9a-f]{{12,16}}(_bg)?\\.[a-z0-9]+$\" \"{IMMUTABLE}\";\n    \"~/data/(articles|[0-9a-f]{{16}})/\" \"{IMMUTABLE}\";\n    default \"{NO_CACHE}\";\n}}\n"
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

#[cfg(test)]
mod tests {
    use super::*;

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
            "data/0123456789abcdef/list/all/0.json",
            "data/0123456789abcdef/slugs/0.json",
            "data/articles/a.0123456789abcdef.txt",
            "data/index.html",
            "data/site.json",
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
                ("/news/data/0123456789abcdef/*", year),
                ("/news/data/articles/*", year),
                ("/news/tokens-fedcba9876543210.css", year),
                ("/news/", "no-cache"),
                ("/news/404.html", "no-cache"),
                ("/news/article/*", "no-cache"),
                ("/news/data", "no-cache"),
                ("/news/data.html", "no-cache"),
                ("/news/data/", "no-cache"),
                ("/news/data/index.html", "no-cache"),
                ("/news/data/site.json", "no-cache"),
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
        let readme =
            std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md"))
                .unwrap();
        for part in [&config.http, &config.location] {
            assert!(
                readme.contains(part.as_str()),
                "README.md's hosting section should show:\n{part}"
            );
        }
    }
}
