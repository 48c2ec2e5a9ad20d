//! The article files of a folder, parsed on every core: the corpus, the data file of each of
//! its articles, and every file that is left out, with where it went wrong.

use crate::{output::Output, progress};
use anyhow::{bail, Context as _};
use broadsheet::{
    article::{parse, Article, ParseError, ParseErrorKind},
    corpus::Corpus,
    site_data::article_path,
};
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use std::{collections::HashMap, fs, path::Path, sync::Arc, time::SystemTime};

/// The articles of a folder.
pub struct Source {
    pub corpus: Arc<Corpus>,
    /// Each article's data file (`data/articles/SLUG.HASH.txt`), by slug.
    pub files: HashMap<String, String>,
    /// How many `*.txt` files the folder has.
    pub file_count: usize,
    /// One `FILE:LINE:COL: error: MESSAGE` per file left out, in file order.
    pub problems: Vec<String>,
    /// When each article's file was last changed, by slug (the feeds date an article without
    /// `published:` by it).
    pub modified: HashMap<String, SystemTime>,
}

impl Source {
    /// The data file of the article `slug`.
    pub fn file_of(&self, slug: &str) -> String {
        self.files[slug].clone()
    }
}

/// What became of one file.
struct Parsed {
    /// As the reader of an error message finds it: the folder as given, joined with the name.
    shown: String,
    outcome: Outcome,
    modified: Option<SystemTime>,
}

enum Outcome {
    /// With its data file (written into the site, not yet counted as produced) and where its
    /// header's `slug:` is (for a repeated slug).
    Article(Box<Article>, String, (usize, usize)),
    Malformed(ParseError),
    Unreadable(std::io::Error),
}

/// Reads every `*.txt` directly inside `dir`, parses them on all cores, and writes each
/// article's bytes into `out` as `data/articles/SLUG.HASH.txt` (HASH: the first 16 hex digits
/// of their SHA-256). A file that does not parse, cannot be read or repeats an earlier file's
/// slug (in name order) is reported in [`Source::problems`] and left out; the others go on.
pub fn read(dir: &Path, out: &Output) -> anyhow::Result<Source> {
    let mut names = Vec::new();
    for entry in fs::read_dir(dir).with_context(|| format!("read the folder {}", dir.display()))? {
        let path = entry?.path();
        if path.is_file() && path.extension().is_some_and(|x| x == "txt") {
            names.push(path);
        }
    }
    names.sort();
    if names.is_empty() {
        bail!("{}: no article files (*.txt)", dir.display());
    }
    let bar = progress::bar(names.len(), "parse");
    let parsed: Vec<Parsed> = names
        .par_iter()
        .map(|path| {
            let outcome = match fs::read(path) {
                Ok(bytes) => parse_one(&bytes, out)?,
                Err(e) => Outcome::Unreadable(e),
            };
            bar.inc(1);
            Ok(Parsed {
                shown: path.display().to_string(),
                outcome,
                modified: fs::metadata(path).and_then(|m| m.modified()).ok(),
            })
        })
        .collect::<anyhow::Result<_>>()?;
    bar.finish_and_clear();

    let mut files = HashMap::new();
    let mut modified = HashMap::new();
    let mut first_file: HashMap<String, String> = HashMap::new();
    let mut problems = Vec::new();
    let mut results = Vec::with_capacity(parsed.len());
    for Parsed {
        shown,
        outcome,
        modified: changed,
    } in parsed
    {
        match outcome {
            Outcome::Article(article, file, (line, column)) => {
                if let Some(first) = first_file.get(&article.slug) {
                    let kind = ParseErrorKind::DuplicateSlug(article.slug.clone());
                    problems.push(format!(
                        "{shown}:{line}:{column}: error: {kind} (first used by {first})"
                    ));
                    continue;
                }
                first_file.insert(article.slug.clone(), shown.clone());
                out.produced(&file);
                files.insert(article.slug.clone(), file);
                if let Some(changed) = changed {
                    modified.insert(article.slug.clone(), changed);
                }
                results.push((shown, Ok(*article)));
            }
            Outcome::Malformed(e) => problems.push(format!("{shown}:{e}")),
            Outcome::Unreadable(e) => problems.push(format!("{shown}: error: cannot read: {e}")),
        }
    }
    let corpus = Corpus::from_parsed(results);
    Ok(Source {
        corpus: Arc::new(corpus),
        files,
        file_count: names.len(),
        problems,
        modified,
    })
}

fn parse_one(bytes: &[u8], out: &Output) -> anyhow::Result<Outcome> {
    let article = match parse(bytes) {
        Ok(article) => article,
        Err(e) => return Ok(Outcome::Malformed(e)),
    };
    let path = article_path(&article.slug, &content_hash(bytes));
    // Not yet produced: a file repeating an earlier file's slug is left out (and this copy of
    // it removed at the end).
    out.write_named_by_content(&path, bytes)?;
    let slug_at = header_slug_position(bytes);
    Ok(Outcome::Article(Box::new(article), path, slug_at))
}

/// The first 16 hex digits of the SHA-256 of `bytes`: the name of a file that never changes.
pub fn content_hash(bytes: &[u8]) -> String {
    Sha256::digest(bytes)[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Where a repeated slug comes from: the header's `slug:` line (column of its value), else
/// line 1, column 1 (the slug was made from the title).
fn header_slug_position(bytes: &[u8]) -> (usize, usize) {
    let text = String::from_utf8_lossy(bytes);
    let mut lines = text.lines().enumerate();
    match lines.next() {
        Some((_, first)) if first.trim_start_matches('\u{feff}').trim() == "---" => {}
        _ => return (1, 1),
    }
    for (i, line) in lines {
        if line.trim() == "---" {
            break;
        }
        if let Some(rest) = line.trim_start().strip_prefix("slug:") {
            let at = line.len() - rest.trim_start().len();
            let column = line[..at].chars().count() + 1;
            return (i + 1, column);
        }
    }
    (1, 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_repeated_slug_is_placed_on_its_header_line() {
        assert_eq!(
            header_slug_position(b"---\ntitle: A\nslug:  same\n---\nBody.\n"),
            (3, 8)
        );
        assert_eq!(header_slug_position(b"Body only.\n"), (1, 1));
    }

    #[test]
    fn content_hashes_are_sixteen_hex_digits_of_sha256() {
        // SHA-256("") = e3b0c44298fc1c14...
        assert_eq!(content_hash(b""), "e3b0c44298fc1c14");
    }
}
