//! Part 6: a generated 10,000-article site (home render, memory, search per keystroke), and
//! the same corpus timed natively by a release build of this xtask.

use std::{fs, path::Path, process::Stdio, time::Instant};

use anyhow::{bail, Context as _, Result};
use walkdir::WalkDir;

use super::{
    browser::{build_site, timed_node_part, write_config, Served},
    machine::wait_for_builds,
    parse::articles_command,
    runner::{printed, Figure, Outcome},
};
use crate::{root, tools};

/// How many synthetic articles the scale benchmark generates.
const SCALE_ARTICLES: usize = 10_000;

/// Part 6: generates the 10,000-article corpus, checks it, builds and serves a site with it
/// (in its own cargo target folder, so the normal build is not invalidated), and measures.
pub fn scale(baseline: Option<&mut Served>, out: &mut Outcome) -> Result<()> {
    let corpus = root().join("target/bench-corpus");
    let generated = tools::command("node")
        .arg("bench/generate-corpus.mjs")
        .arg(&corpus)
        .arg(SCALE_ARTICLES.to_string())
        .stderr(Stdio::inherit())
        .output()
        .context("could not start node")?;
    let said = String::from_utf8_lossy(&generated.stdout).trim().to_owned();
    println!("{said}");
    if !generated.status.success() {
        bail!("generating the corpus failed ({})", generated.status);
    }
    out.notes.push(said);
    wait_for_builds("checking the generated corpus");
    let checked = articles_command("check")
        .arg(&corpus)
        .stdout(Stdio::piped())
        .output()
        .context("could not start cargo")?;
    let report = String::from_utf8_lossy(&checked.stdout);
    let tail: Vec<&str> = report.lines().rev().take(5).collect();
    for line in tail.iter().rev() {
        println!("    check: {line}");
    }
    if !checked.status.success() {
        bail!("the parser refuses some generated articles (see above)");
    }
    let site_root = root().join("target/bench-site-10k");
    let took = build_site(
        &site_root.join("reader"),
        Some(&corpus),
        Some(&root().join("target/bench-10k-target")),
    )?;
    out.figures.push(Figure::new(
        "Release build of the site (cargo xtask build: trunk, page files, CSP, service worker)",
        format!("{:.0} s", took.as_secs_f64()),
        None,
        None,
        None,
    ));
    let mut served = Served::new(&site_root, false);
    let mut baseline = baseline;
    let config = || {
        let mut settings = serde_json::json!({
            "base": format!("{}/reader/", served.origin()?),
            "query": "harbour council",
            "storyText": "(generated)",
        });
        if let Some(base) = baseline.as_mut() {
            settings["baselineBase"] = format!("{}/reader/", base.origin()?).into();
        }
        write_config("scale-config.json", &settings)
    };
    let measured = timed_node_part("timing the 10,000-article site", "scale", config, out);
    drop(served);
    match native_corpus_timing(&corpus) {
        Ok(figure) => out.figures.push(figure),
        Err(e) => out.notes.push(format!("no native corpus timing: {e:#}")),
    }
    measured
}

/// Times, natively, what the app does with a corpus in the browser: parsing every file,
/// building the corpus (`Corpus::from_files`: parse, duplicate check, sort), building the
/// search index, and a search per prefix of the benchmark's query. Prints one `key=value` line.
pub fn corpus_timing(dir: &Path) -> Result<()> {
    let mut files = Vec::new();
    for entry in WalkDir::new(dir)
        .min_depth(1)
        .max_depth(1)
        .sort_by_file_name()
    {
        let entry = entry?;
        if entry.path().extension().is_some_and(|x| x == "txt") {
            let bytes = fs::read(entry.path())
                .with_context(|| format!("read {}", entry.path().display()))?;
            files.push((entry.file_name().to_string_lossy().into_owned(), bytes));
        }
    }
    let ms = |t: Instant| t.elapsed().as_secs_f64() * 1e3;
    let t = Instant::now();
    let parsed = files
        .iter()
        .filter(|(_, b)| broadsheet::article::parse(b).is_ok())
        .count();
    let parse_ms = ms(t);
    let t = Instant::now();
    let corpus = broadsheet::corpus::Corpus::from_files(
        files.iter().map(|(n, b)| (n.as_str(), b.as_slice())),
    );
    let corpus_ms = ms(t);
    let t = Instant::now();
    // The index the site build writes, held whole (SiteData's article files are not used).
    let data = broadsheet::site_data::SiteData::new(
        &corpus,
        |a| broadsheet::site_data::article_path(&a.slug, "0"),
        "bench",
    );
    let files = broadsheet::search::index_files(&corpus, &data);
    let index = broadsheet::search::Searcher::with_files("bench", &files)?;
    let index_ms = ms(t);
    let query = "harbour council";
    let mut slowest: f64 = 0.0;
    for end in 1..=query.len() {
        let t = Instant::now();
        std::hint::black_box(index.search(&query[..end]));
        slowest = slowest.max(ms(t));
    }
    println!(
        "corpus-timing files={} parsed={parsed} parse_ms={parse_ms:.0} corpus_ms={corpus_ms:.0} index_ms={index_ms:.0} docs={} search_max_ms={slowest:.1}",
        files.len(),
        index.len()
    );
    Ok(())
}

/// Part 6's native figure: `corpus_timing` in a release build of the xtask.
fn native_corpus_timing(corpus: &Path) -> Result<Figure> {
    wait_for_builds("the native corpus timing");
    let text = printed(
        tools::command("cargo")
            .args([
                "run",
                "--release",
                "--quiet",
                "--package",
                "xtask",
                "--",
                "bench",
                "--corpus-timing",
            ])
            .arg(corpus),
        "the release xtask's corpus timing",
    )?;
    let line = text
        .lines()
        .find(|l| l.starts_with("corpus-timing "))
        .context("no timing from the release xtask")?;
    let get = |key: &str| {
        line.split_whitespace()
            .find_map(|kv| kv.strip_prefix(key)?.strip_prefix('='))
            .unwrap_or("?")
            .to_owned()
    };
    Ok(Figure::new(
        "Native (release) for the same corpus: parse every file / Corpus::from_files / SearchIndex::build / slowest search per keystroke",
        format!(
            "{} ms / {} ms / {} ms / {} ms ({} documents)",
            get("parse_ms"),
            get("corpus_ms"),
            get("index_ms"),
            get("search_max_ms"),
            get("docs")
        ),
        None,
        None,
        None,
    ))
}
