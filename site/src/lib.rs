//! Broadsheet's site build: turns Trunk's release output and a folder of article files into
//! the site a static host serves.
//!
//! [`build`] (what `cargo xtask build` runs after Trunk): the articles parsed on every core
//! ([`source`]), their data files ([`data`]: the articles themselves, listings, slug shards,
//! the search index), Trunk's files, a page file for every URL rendered ahead of time by the
//! app's own components with its Content-Security-Policy ([`pages`], [`csp`]), the service
//! worker's precache list ([`offline`]) and the host's headers ([`headers`]). Only files whose
//! bytes change are written ([`output`]). [`data_only`] writes just the data files, for
//! Trunk's post-build hook (`trunk serve`). The developer automation (installing tools,
//! running Trunk, nginx, the test runners, the benchmarks) stays in `xtask/`.

pub mod csp;
pub mod data;
pub mod feeds;
pub mod headers;
pub mod offline;
pub mod output;
pub mod pages;
pub mod progress;
pub mod source;

use anyhow::{bail, ensure, Context as _};
use output::Output;
use std::{
    fs,
    path::{Path, PathBuf},
    sync::Arc,
    time::Instant,
};
use walkdir::WalkDir;

/// What to build.
pub struct Options {
    /// Trunk's release output (`trunk build --release --dist TRUNK`): the shell and the app.
    pub trunk: PathBuf,
    /// The site folder; what the build did not produce is removed from it.
    pub dist: PathBuf,
    /// The path the site is served under (`/`, `/news/`).
    pub public_url: String,
    /// The folder of article files (`*.txt`).
    pub articles: PathBuf,
    /// Where the build keeps what it needs to know of the last one (outside the site, as the
    /// host must not serve it); `None`: every page is rendered.
    pub cache: Option<PathBuf>,
    /// A malformed article is reported either way; without this the build then fails.
    pub keep_going: bool,
    /// The site's absolute address (`--site-url`), whose path is `public_url`: with it, the
    /// build writes the feeds and the sitemap, and every page links them and its canonical
    /// address ([`feeds`]); without it, none of these.
    pub site_url: Option<feeds::SiteUrl>,
}

/// How a build went.
#[derive(Debug, Default)]
pub struct Built {
    pub articles: usize,
    /// `FILE:LINE:COL: error: MESSAGE`, one per article file left out.
    pub problems: Vec<String>,
    /// The data version (`data/VERSION/`).
    pub version: String,
    /// Pages rendered, and pages whose inputs had not changed since the last build.
    pub rendered: usize,
    pub reused: usize,
    /// Files written, files left as they were (same bytes), files removed.
    pub written: usize,
    pub unchanged: usize,
    pub removed: usize,
}

/// Builds the site: see the crate's documentation. Each malformed article file is printed on
/// stderr as `FILE:LINE:COL: error: MESSAGE` and left out; the site is built with the others,
/// and then the build fails unless `keep_going`. A folder without any article file fails.
pub fn build(options: &Options) -> anyhow::Result<Built> {
    let public_url = normalise_public_url(&options.public_url);
    if let Some(site) = &options.site_url {
        ensure!(
            site.path() == public_url,
            "the site's address {} is not under its public URL {public_url}",
            site.as_str()
        );
    }
    check_trunk_output(&options.trunk)?;
    let out = Output::new(&options.dist)?;
    let mut timer = Timer::start();

    let source = source::read(&options.articles, &out)?;
    report(&source.problems);
    timer.lap(&format!(
        "parse: {} articles in {} files",
        source.corpus.articles().len(),
        source.file_count
    ));
    let data = Arc::new(data::write(&source, &out).context("the data files")?);
    timer.lap(&format!(
        "data: version {}, listings, slug shards and search index",
        data.info.version
    ));

    copy_trunk_output(&options.trunk, &out)?;
    let shell = pages::shell(&options.trunk)?;
    let site_url = options.site_url.as_ref();
    let context = pages::Cache::context(&shell, &public_url, site_url);
    let mut cache = pages::Cache::load(options.cache.as_deref(), &context);
    let (rendered, reused) = pages::write_all(
        &shell,
        &out,
        &public_url,
        site_url,
        &source,
        &data,
        &mut cache,
    )
    .context("the page files")?;
    timer.lap(&format!(
        "prerender: {rendered} pages rendered, {reused} unchanged since the last build"
    ));
    match site_url {
        Some(site) => {
            let written = feeds::write(&out, site, &source).context("the feeds")?;
            let undated = match written.undated {
                0 => String::new(),
                n => format!(" ({n} without `published:`, dated by their file)"),
            };
            timer.lap(&format!(
                "feeds: {} and {} of the {} newest articles{undated}, {} of {} addresses",
                feeds::ATOM,
                feeds::JSON,
                written.entries,
                feeds::SITEMAP,
                written.pages
            ));
        }
        None => println!(
            "    feeds: none written: {}, {} and {} need the site's address (--site-url)",
            feeds::ATOM,
            feeds::JSON,
            feeds::SITEMAP
        ),
    }

    // `_headers` and the offline shell are written last; a file of the last build left in
    // place is not removed first.
    out.produced("_headers");
    out.produced(offline::SHELL);
    let removed = out.prune()?;
    offline::write_precache(&options.dist).context("service worker")?;
    headers::write_headers_file(&out, &public_url)
        .with_context(|| format!("write {}", options.dist.join("_headers").display()))?;
    if let Some(file) = &options.cache {
        cache.save(file)?;
    }
    let (written, unchanged) = out.counts();
    timer.lap(&format!(
        "finish: precache list, _headers; {written} files written, {unchanged} unchanged, {removed} removed"
    ));
    finish(
        &source,
        options.keep_going,
        Built {
            version: data.info.version.clone(),
            rendered,
            reused,
            written,
            unchanged,
            removed,
            ..Built::default()
        },
    )
}

/// Writes only the data files of the articles in `articles` into `dir` (Trunk's staging folder,
/// from its post-build hook): enough for `trunk serve` and a plain `trunk build` to give a
/// working reader, without pages rendered ahead of time. A malformed article is reported and
/// left out; only a folder without any article file fails, so one bad file does not stop the
/// development server.
pub fn data_only(articles: &Path, dir: &Path) -> anyhow::Result<Built> {
    let out = Output::new(dir)?;
    let started = Instant::now();
    let source = source::read(articles, &out)?;
    report(&source.problems);
    let data = data::write(&source, &out).context("the data files")?;
    println!(
        "broadsheet-site: data of {} articles (version {}) in {:.2} s",
        source.corpus.articles().len(),
        data.info.version,
        started.elapsed().as_secs_f64()
    );
    let (written, unchanged) = out.counts();
    finish(
        &source,
        true,
        Built {
            version: data.info.version.clone(),
            written,
            unchanged,
            ..Built::default()
        },
    )
}

fn report(problems: &[String]) {
    for problem in problems {
        eprintln!("{problem}");
    }
}

fn finish(source: &source::Source, keep_going: bool, built: Built) -> anyhow::Result<Built> {
    let built = Built {
        articles: source.corpus.articles().len(),
        problems: source.problems.clone(),
        ..built
    };
    if !built.problems.is_empty() {
        let summary = format!(
            "{} of {} article files left out (see above)",
            built.problems.len(),
            source.file_count
        );
        if !keep_going {
            bail!("{summary}; the site was built without them (--keep-going accepts that)");
        }
        eprintln!("warning: {summary}");
    }
    Ok(built)
}

/// Trunk.toml's settings the site relies on.
fn check_trunk_output(trunk: &Path) -> anyhow::Result<()> {
    let index = trunk.join("index.html");
    let shell = fs::read_to_string(&index)
        .with_context(|| format!("{}: no Trunk build here", index.display()))?;
    // `pattern_preload = ""`: the first paint does not share the network with the wasm.
    ensure!(
        !shell.contains("preload"),
        "Trunk preloads the app in {} (see pattern_preload in Trunk.toml)",
        index.display()
    );
    // The hook: a plain `trunk build` works on a static host through 404.html.
    ensure!(
        fs::read(trunk.join("404.html")).ok() == fs::read(&index).ok(),
        "Trunk's post-build hook should copy index.html to 404.html (see Trunk.toml)"
    );
    Ok(())
}

/// Trunk's files, but for the two pages the build writes itself (`index.html`, `404.html`)
/// and any data files its hook wrote (the build writes its own).
fn copy_trunk_output(trunk: &Path, out: &Output) -> anyhow::Result<()> {
    for entry in WalkDir::new(trunk).min_depth(1) {
        let entry = entry?;
        if !entry.file_type().is_file() {
            continue;
        }
        let path = output::relative(trunk, entry.path());
        if path == "index.html" || path == "404.html" || path.starts_with("data/") {
            continue;
        }
        let bytes = fs::read(entry.path()).with_context(|| entry.path().display().to_string())?;
        if path.ends_with(".html") {
            let html = String::from_utf8(bytes).with_context(|| path.clone())?;
            out.write(
                &path,
                csp::add_policy(&html)
                    .with_context(|| path.clone())?
                    .as_bytes(),
            )?;
        } else {
            out.write(&path, &bytes)?;
        }
    }
    Ok(())
}

/// Prints each step's time as it ends (the split: parse, data, prerender, finish).
struct Timer {
    last: Instant,
}

impl Timer {
    fn start() -> Self {
        Timer {
            last: Instant::now(),
        }
    }

    fn lap(&mut self, what: &str) {
        let now = Instant::now();
        println!("    {what} ({:.2} s)", (now - self.last).as_secs_f64());
        self.last = now;
    }
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
