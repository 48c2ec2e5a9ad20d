//! `cargo xtask build`: Trunk's release build, then the site crate (`site/`) turns it into the
//! site a static host serves.

use crate::{root, step, tools};
use anyhow::Context as _;
use std::path::{Path, PathBuf};

/// `trunk build --release` for `public_url` into `dist`, then [`broadsheet_site::finish`].
pub fn build(public_url: &str, dist: &Path) -> anyhow::Result<()> {
    let public_url = broadsheet_site::normalise_public_url(public_url);
    step(
        &format!("release build for {public_url} into {}", dist.display()),
        tools::command("trunk")
            .args(["build", "--release", "--public-url", &public_url, "--dist"])
            .arg(dist)
            .env_remove("NO_COLOR"),
    )?;
    broadsheet_site::finish(dist, &public_url, &articles_dir())
        .with_context(|| format!("the site in {}", dist.display()))
}

/// The folder of article files the build bundles: `articles/`, or `$BROADSHEET_ARTICLES`
/// (which build.rs honours too).
pub fn articles_dir() -> PathBuf {
    std::env::var_os("BROADSHEET_ARTICLES").map_or_else(|| root().join("articles"), PathBuf::from)
}
