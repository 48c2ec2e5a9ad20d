//! Broadsheet's site build: turns Trunk's release output into the site a static host serves.
//!
//! `cargo xtask build` runs Trunk, then [`finish`]: a page file for every URL rendered ahead of
//! time by the app's own components ([`pages`]), the Content-Security-Policy of every page
//! ([`csp`]), the service worker's precache list ([`offline`]) and the host's headers
//! ([`headers`]). The developer automation (installing tools, running Trunk, nginx, the test
//! runners, the benchmarks) stays in `xtask/`.

pub mod csp;
pub mod headers;
pub mod offline;
pub mod pages;

use anyhow::{ensure, Context as _};
use std::{fs, path::Path};

/// Everything after `trunk build --release --public-url PUBLIC_URL --dist DIST`: the page files
/// of the articles in `articles`, then the Content-Security-Policy in every page, then the
/// service worker's precache list (it hashes the final files), and last `_headers` (which the
/// service worker does not precache: hosts do not serve it).
pub fn finish(dist: &Path, public_url: &str, articles: &Path) -> anyhow::Result<()> {
    let public_url = normalise_public_url(public_url);
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
    pages::write_page_files(dist, &public_url, articles)
        .with_context(|| format!("write page files into {}", dist.display()))?;
    csp::apply(dist).context("Content-Security-Policy")?;
    offline::write_precache(dist).context("service worker")?;
    headers::write_headers_file(dist, &public_url)
        .with_context(|| format!("write {}", dist.join("_headers").display()))
}

/// `/reader` and `reader/` both mean `/reader/`.
pub fn normalise_public_url(url: &str) -> String {
    let trimmed = url.trim_matches('/');
    if trimmed.is_empty() {
        "/".to_owned()
    } else {
        format!("/{trimmed}/")
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn public_urls_get_one_slash_at_each_end() {
        for (given, meant) in [
            ("", "/"),
            ("/", "/"),
            ("/reader", "/reader/"),
            ("reader/", "/reader/"),
            ("/a/b/", "/a/b/"),
        ] {
            assert_eq!(super::normalise_public_url(given), meant, "{given:?}");
        }
    }
}
