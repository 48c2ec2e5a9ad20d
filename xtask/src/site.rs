//! `cargo xtask build`: Trunk's release build, then the site crate (`site/`) makes the site a
//! static host serves from it and the articles.

use crate::{root, step, tools};
use anyhow::Context as _;
use std::path::{Path, PathBuf};

/// What `cargo xtask build` builds.
#[derive(Debug, PartialEq)]
pub struct Build {
    /// The folder of article files.
    pub articles: PathBuf,
    pub public_url: String,
    /// The site's absolute address (`--site-url`), whose path is `public_url`: the feeds, the
    /// sitemap and the pages' canonical links need it.
    pub site_url: Option<String>,
    pub dist: PathBuf,
    /// Exit 0 even if some articles were left out as malformed.
    pub keep_going: bool,
}

/// `trunk build --release` for the public URL into a folder of its own under `target/`, then
/// [`broadsheet_site::build`] into `dist`, which keeps the files whose bytes did not change.
pub fn build(build: &Build) -> anyhow::Result<()> {
    let public_url = broadsheet_site::normalise_public_url(&build.public_url);
    let work = work_dir(&build.dist);
    let trunk_out = work.join("trunk");
    trunk_release(&public_url, &trunk_out)?;
    println!(
        "==> the site of {} into {}",
        build.articles.display(),
        build.dist.display()
    );
    let built = broadsheet_site::build(&broadsheet_site::Options {
        trunk: trunk_out,
        dist: build.dist.clone(),
        public_url,
        articles: build.articles.clone(),
        cache: Some(work.join("pages-cache.json")),
        keep_going: build.keep_going,
        site_url: build
            .site_url
            .as_deref()
            .map(broadsheet_site::feeds::SiteUrl::parse)
            .transpose()?,
    })
    .with_context(|| format!("the site in {}", build.dist.display()))?;
    println!(
        "    done: {} articles into {}",
        built.articles,
        build.dist.display()
    );
    Ok(())
}

/// `trunk build --release` of the app (no data files) for `public_url` into `dist`.
pub fn trunk_release(public_url: &str, dist: &Path) -> anyhow::Result<()> {
    step(
        &format!("release build of the app for {public_url}"),
        tools::release_wasm_build(&mut tools::command("trunk"))
            .args(["build", "--release", "--public-url", public_url, "--dist"])
            .arg(dist)
            .env_remove("NO_COLOR")
            // The site build writes the data files itself (Trunk.toml's hook is for `trunk
            // serve` and a plain `trunk build`).
            .env("BROADSHEET_DATA_HOOK", "off"),
    )
}

/// `target/site-build/HASH/`, HASH of the site folder's absolute path: Trunk's output and the
/// page cache of that site, apart from another site's (the tests' and the benchmarks' builds).
pub fn work_dir(dist: &Path) -> PathBuf {
    let absolute = std::path::absolute(dist).unwrap_or_else(|_| dist.to_path_buf());
    let key = broadsheet_site::source::content_hash(absolute.to_string_lossy().as_bytes());
    root().join("target/site-build").join(key)
}
