//! The archive site of the end-to-end tests (`tests/e2e/archive.test.mjs`): a few thousand
//! generated articles, one old hand-made story with a word found nowhere else, a story in Arabic
//! (right to left), and one malformed file, built by the site crate and served by the same nginx under [`PATH`], next to the
//! reader of `articles/` under `/reader/`.
//!
//! The archive does not run Trunk again: the app does not depend on where it is served except
//! through `index.html` (and its copy `404.html`), whose `<base href>` and loader name the
//! public URL, so the reader's Trunk output is copied with those two files moved to
//! [`PATH`]. That saves a second release build of the wasm (wasm-opt alone takes longer than
//! the whole archive build).

use crate::root;
use anyhow::{ensure, Context as _};
use std::{
    fs,
    path::{Path, PathBuf},
    time::Instant,
};
use walkdir::WalkDir;

/// Where nginx serves the archive.
pub const PATH: &str = "/archive/";

/// Generated articles: 60 listing pages of 50, so that the old story is far from the first.
const GENERATED: usize = 3000;

/// The words of the generated articles (none of them is the old story's "Quokkagram").
const WORDS: &[&str] = &[
    "harbour",
    "council",
    "ferry",
    "market",
    "school",
    "budget",
    "river",
    "bridge",
    "station",
    "library",
    "museum",
    "festival",
    "weather",
    "storm",
    "harvest",
    "trade",
    "election",
    "minister",
    "mayor",
    "residents",
    "report",
    "court",
    "housing",
    "transport",
    "hospital",
    "research",
    "students",
    "climate",
    "energy",
    "prices",
    "workers",
    "talks",
    "plan",
    "vote",
    "district",
    "coast",
    "valley",
    "island",
    "village",
    "park",
    "water",
    "roads",
    "funding",
    "community",
    "police",
    "visitors",
    "summer",
    "winter",
    "morning",
    "record",
    "opening",
];

/// The hand-made old story: the only one with the word "Quokkagram" (the tests search for it),
/// dated years before every generated article (which start on 2026-01-01 and go back one every
/// 53 minutes), so it is the last story of the last listing page; one Read next entry (a brief).
const OLD_STORY: &str = "---
title: Harbour office finds the Quokkagram letters
slug: harbour-office-finds-the-quokkagram-letters
published: 2019-03-14T09:30:00Z
topic: Archive
author: Archive desk
summary: A box of letters signed Quokkagram turns up behind a cupboard.
---
A box of letters signed “Quokkagram” was found behind a cupboard in the harbour office on Thursday, a century after they were written.
The archivist said the letters describe the first ferry crossing in careful detail.
Read next
07:45
Harbour
The harbour office opens its reading room to the public in April.
";

/// A story written right to left (Arabic, `lang: ar`), for the tests of a right-to-left
/// article in the English reader (`tests/e2e/reader_tools.test.mjs`).
const RTL_STORY: &str = include_str!("../../tests/fixtures/e2e/rtl-arabic.txt");

/// The malformed file: its date names no day that exists (line 3, column 12).
const MALFORMED: &str = "---
title: A story whose date does not exist
published: 2025-02-30T08:00:00Z
---
This story is left out of the archive.
";

/// The files of the archive site.
pub struct Archive {
    /// The folder of article files it is built from.
    pub articles: PathBuf,
    /// The build's report of the malformed files, one `FILE:LINE:COL: error: MSG` a line.
    pub problems: PathBuf,
}

/// Where [`build`] puts the archive's files (outside the site that nginx serves).
pub fn files() -> Archive {
    let work = root().join("target/e2e-archive");
    Archive {
        articles: work.join("articles"),
        problems: work.join("problems.txt"),
    }
}

/// Builds the archive into `site_root/archive` from the reader's Trunk output (`reader_trunk`,
/// built for `/reader/`): writes the articles, moves the app to [`PATH`], runs the site build
/// (a malformed file is reported, not fatal) and writes its problems to [`Archive::problems`].
pub fn build(site_root: &Path, reader_trunk: &Path) -> anyhow::Result<()> {
    let started = Instant::now();
    let work = root().join("target/e2e-archive");
    let Archive { articles, problems } = files();
    write_generated(&articles)?;
    for (name, text) in [
        ("quokkagram.txt", OLD_STORY),
        ("malformed.txt", MALFORMED),
        ("rtl-arabic.txt", RTL_STORY),
    ] {
        let path = articles.join(name);
        fs::write(&path, text).with_context(|| format!("write {}", path.display()))?;
    }
    let trunk = work.join("trunk");
    rebase_trunk_output(reader_trunk, &trunk, "/reader/", PATH)?;
    println!(
        "==> the archive site of {} into {}",
        articles.display(),
        site_root.join("archive").display()
    );
    let built = broadsheet_site::build(&broadsheet_site::Options {
        trunk,
        dist: site_root.join("archive"),
        public_url: PATH.to_owned(),
        articles,
        cache: Some(work.join("pages-cache.json")),
        keep_going: true,
        site_url: None,
    })
    .context("the archive site")?;
    let mut report = built.problems.join("\n");
    report.push('\n');
    fs::write(&problems, report).with_context(|| format!("write {}", problems.display()))?;
    println!(
        "    done: archive of {} articles, {} left out, in {:.1}s",
        built.articles,
        built.problems.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Writes the generated articles `gen_NNNNN.txt` into `dir` (only those whose text changed,
/// and removes every other `*.txt`): a header with a unique slug and a date (article 0 the
/// newest, on 2026-01-01, each next one 53 minutes older), four to seven paragraphs of words
/// picked by a fixed pseudo-random sequence, and no Read next block, so each is one page to
/// render ahead of time.
fn write_generated(dir: &Path) -> anyhow::Result<()> {
    fs::create_dir_all(dir).with_context(|| format!("create {}", dir.display()))?;
    let mut next = broadsheet::article::synthetic::picker(0x2545_F491_4F6C_DD1D);
    let newest = jiff::Timestamp::from_second(1_767_225_600)?; // 2026-01-01T00:00:00Z
    let mut wanted = std::collections::BTreeSet::new();
    for i in 0..GENERATED {
        let mut sentence = |words: usize| {
            let mut text = (0..words)
                .map(|_| WORDS[next(WORDS.len())])
                .collect::<Vec<_>>()
                .join(" ");
            text[..1].make_ascii_uppercase();
            text + "."
        };
        let title = sentence(4 + i % 5);
        let published = newest - jiff::SignedDuration::from_mins(53 * i as i64);
        let mut text = format!(
            "---\ntitle: {} (generated {i})\nslug: generated-{i:05}\npublished: {published}\n\
             topic: Generated\n---\n",
            title.trim_end_matches('.')
        );
        for _ in 0..4 + i % 4 {
            let paragraph: Vec<String> = (0..3).map(|p| sentence(8 + p * 3)).collect();
            text.push_str(&paragraph.join(" "));
            text.push('\n');
        }
        let name = format!("gen_{i:05}.txt");
        let path = dir.join(&name);
        if fs::read(&path).ok().as_deref() != Some(text.as_bytes()) {
            fs::write(&path, text).with_context(|| format!("write {}", path.display()))?;
        }
        wanted.insert(name);
    }
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if name.ends_with(".txt") && !wanted.contains(name) {
            fs::remove_file(&path).with_context(|| format!("remove {}", path.display()))?;
        }
    }
    Ok(())
}

/// Copies Trunk's output `from` (built for the public URL `old`) to `to` as if built for
/// `new`: only `index.html` and `404.html` name the public URL.
fn rebase_trunk_output(from: &Path, to: &Path, old: &str, new: &str) -> anyhow::Result<()> {
    let _ = fs::remove_dir_all(to);
    for entry in WalkDir::new(from).min_depth(1) {
        let entry = entry?;
        if !entry.file_type().is_file() {
            continue;
        }
        let relative = entry.path().strip_prefix(from)?;
        if relative.starts_with("data") {
            continue;
        }
        let target = to.join(relative);
        fs::create_dir_all(target.parent().expect("inside `to`"))?;
        if relative == Path::new("index.html") || relative == Path::new("404.html") {
            let html = fs::read_to_string(entry.path())
                .with_context(|| format!("read {}", entry.path().display()))?;
            let base = format!("<base href=\"{old}\"");
            ensure!(
                html.contains(&base),
                "{}: no {base}> (the reader's Trunk build is not for {old})",
                entry.path().display()
            );
            fs::write(&target, html.replace(old, new))?;
        } else {
            fs::copy(entry.path(), &target)
                .with_context(|| format!("copy {}", entry.path().display()))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use broadsheet::article::parse;

    #[test]
    fn the_old_story_parses_and_the_malformed_one_fails_where_the_test_expects() {
        let old = parse(super::OLD_STORY.as_bytes()).unwrap();
        assert_eq!(old.slug, "harbour-office-finds-the-quokkagram-letters");
        assert_eq!(old.related.len(), 1);
        let error = parse(super::MALFORMED.as_bytes()).unwrap_err();
        assert_eq!((error.line, error.column), (3, 12));
    }
}
