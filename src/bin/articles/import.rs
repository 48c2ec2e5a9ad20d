//! `articles import SOURCE --into DIR`: a feed's items as article files.
//!
//! feed-rs reads the feed (RSS 0.9x, 1.0 and 2.0, Atom, JSON Feed). Each item becomes
//! `DIR/feed-HASH.txt` (HASH: the first 16 hex digits of the SHA-256 of the item's id, so an
//! item keeps its file from one import to the next): a header with the item's title,
//! publication time, author, first category (as the topic), language and summary, then its
//! content as paragraphs of plain text ([`html_text`]). Every file is parsed with the site's
//! own parser before it is written, and must give back exactly what was meant; a file that
//! already holds the same bytes is left alone, so importing a feed again adds only its new
//! items and rewrites only the changed ones. An item that cannot be converted is reported with
//! its id and why, and the others go on.

use super::html_text;
use broadsheet::article::{is_valid_slug, parse_str, Article};
use feed_rs::model::{Entry, Feed, FeedType, Text};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::{fs, io};

/// `articles import SOURCE --into DIR` (SOURCE `-`: standard input). Prints what it did to
/// each file and each item it could not convert, then a count; exit status 1 when the feed
/// cannot be read or an item could not be converted (the others are written all the same).
pub fn command(source: &Path, into: &Path) -> ExitCode {
    let shown = source.display().to_string();
    let bytes = if source == Path::new("-") {
        let mut bytes = Vec::new();
        io::stdin().read_to_end(&mut bytes).map(|_| bytes)
    } else {
        fs::read(source)
    };
    let bytes = match bytes {
        Ok(bytes) => bytes,
        Err(e) => {
            eprintln!("{shown}: error: cannot read: {e}");
            return ExitCode::FAILURE;
        }
    };
    let feed = match read_feed(&bytes) {
        Ok(feed) => feed,
        Err(e) => {
            eprintln!("{shown}: error: not a feed this tool reads: {e}");
            return ExitCode::FAILURE;
        }
    };
    let report = match import(&feed, into) {
        Ok(report) => report,
        Err(e) => {
            eprintln!("{}: error: {e}", into.display());
            return ExitCode::FAILURE;
        }
    };
    for line in &report.lines {
        match line {
            Line::Written(path, change, id) => println!("{}: {change} ({id:?})", path.display()),
            Line::Failed(id, why) => println!("{shown}: error: item {id:?}: {why}"),
        }
    }
    let count = |change: Change| {
        report
            .lines
            .iter()
            .filter(|line| matches!(line, Line::Written(_, c, _) if *c == change))
            .count()
    };
    println!(
        "{} added, {} updated, {} unchanged",
        count(Change::Added),
        count(Change::Updated),
        report.unchanged
    );
    let failed = report
        .lines
        .iter()
        .filter(|line| matches!(line, Line::Failed(..)))
        .count();
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        let items = feed.entries.len();
        eprintln!(
            "{failed} {} not imported of {items} {}",
            if failed == 1 { "item" } else { "items" },
            if items == 1 { "item" } else { "items" }
        );
        ExitCode::FAILURE
    }
}

/// The feed in `bytes`, with an id for every item: feed-rs makes one from an item's link and
/// title when the feed gives none, or else a random one; here from the link alone, or the
/// title alone, so it stays the same from one import to the next (an item with neither is
/// left without, and reported).
pub fn read_feed(bytes: &[u8]) -> Result<Feed, feed_rs::parser::ParseFeedError> {
    feed_rs::parser::Builder::new()
        .id_generator(|links, title, _base| {
            links
                .first()
                .map(|link| link.href.trim().to_owned())
                .or_else(|| title.as_ref().map(|t| t.content.trim().to_owned()))
                .unwrap_or_default()
        })
        .build()
        .parse(bytes)
}

/// What one import did.
pub struct Report {
    /// Files written and items not imported, in the feed's order.
    pub lines: Vec<Line>,
    /// Items whose file already held what they make.
    pub unchanged: usize,
}

pub enum Line {
    /// A file written: its path, whether it is new, the item's id.
    Written(PathBuf, Change, String),
    /// An item not imported: its id, and why.
    Failed(String, String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    Added,
    Updated,
}

impl std::fmt::Display for Change {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Change::Added => "added",
            Change::Updated => "updated",
        })
    }
}

/// Imports every item of `feed` into the folder `into` (made if missing). Fails only when the
/// folder cannot be read; an item that cannot be converted or written is a [`Line::Failed`].
pub fn import(feed: &Feed, into: &Path) -> io::Result<Report> {
    fs::create_dir_all(into)?;
    // Every slug the folder's articles use, with the file that uses it: a new article's slug
    // must be none of them (`articles check` and the build refuse a repeated slug).
    let mut slugs: HashMap<String, String> = HashMap::new();
    for entry in fs::read_dir(into)? {
        let path = entry?.path();
        if path.is_file() && path.extension().is_some_and(|x| x == "txt") {
            if let Some(article) = fs::read(&path).ok().and_then(|b| parse_bytes(&b)) {
                slugs.insert(article.slug, file_name_of(&path));
            }
        }
    }
    let mut report = Report {
        lines: Vec::new(),
        unchanged: 0,
    };
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (n, entry) in feed.entries.iter().enumerate() {
        let id = entry.id.trim().to_owned();
        if id.is_empty() {
            report.lines.push(Line::Failed(
                format!("item {}", n + 1),
                "no id, link or title to know it by on the next import".to_owned(),
            ));
            continue;
        }
        if let Some(first) = seen.get(&id) {
            report.lines.push(Line::Failed(
                id,
                format!(
                    "item {} of the feed has the same id (item {} was imported)",
                    n + 1,
                    first + 1
                ),
            ));
            continue;
        }
        seen.insert(id.clone(), n);
        match import_one(feed, entry, &id, into, &mut slugs) {
            Ok(Some((path, change))) => report.lines.push(Line::Written(path, change, id)),
            Ok(None) => report.unchanged += 1,
            Err(why) => report.lines.push(Line::Failed(id, why)),
        }
    }
    Ok(report)
}

/// Writes one item's file unless it holds the same bytes already: `Some` with what changed,
/// `None` when nothing did, or why the item cannot be an article.
fn import_one(
    feed: &Feed,
    entry: &Entry,
    id: &str,
    into: &Path,
    slugs: &mut HashMap<String, String>,
) -> Result<Option<(PathBuf, Change)>, String> {
    let draft = Draft::of(feed, entry)?;
    draft.check_paragraphs()?;
    let name = file_name(id);
    let path = into.join(&name);
    let old = fs::read(&path).ok();
    // A file imported before keeps its slug (its address), whatever its title became.
    let slug = match old.as_deref().and_then(parse_bytes) {
        Some(article) => article.slug,
        None => {
            let derived = parse_str(&draft.render(None))
                .map_err(|e| format!("the article it makes does not parse: {e}"))?
                .slug;
            unique_slug(&derived, |slug| {
                slugs.get(slug).is_some_and(|file| *file != name)
            })
        }
    };
    let text = draft.render(Some(&slug));
    draft.check(&text, &slug)?;
    slugs.insert(slug, name.clone());
    let change = match old {
        Some(old) if old == text.as_bytes() => return Ok(None),
        Some(_) => Change::Updated,
        None => Change::Added,
    };
    write_file(&path, text.as_bytes()).map_err(|e| format!("cannot write {name}: {e}"))?;
    Ok(Some((path, change)))
}

/// `feed-HASH.txt`: HASH the first 16 hex digits of the SHA-256 of the item's id.
pub fn file_name(id: &str) -> String {
    let hash: String = Sha256::digest(id.as_bytes())[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("feed-{hash}.txt")
}

fn file_name_of(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn parse_bytes(bytes: &[u8]) -> Option<Article> {
    broadsheet::article::parse(bytes).ok()
}

/// `slug`, or `slug-2`, `slug-3`, … (cut to stay within 80 characters), the first that is not
/// `taken`.
fn unique_slug(slug: &str, taken: impl Fn(&str) -> bool) -> String {
    if !taken(slug) {
        return slug.to_owned();
    }
    (2..)
        .map(|n| {
            let suffix = format!("-{n}");
            let mut stem = &slug[..slug.len().min(80 - suffix.len())];
            stem = stem.trim_end_matches('-');
            format!("{stem}{suffix}")
        })
        .find(|candidate| is_valid_slug(candidate) && !taken(candidate))
        .expect("some number is free")
}

/// Atomically: a reader (or a build running meanwhile) sees the old file or the new one.
fn write_file(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let temporary = path.with_extension("txt.partial");
    fs::write(&temporary, bytes)?;
    fs::rename(&temporary, path)
}

/// What an item's article file says, before it is written.
#[derive(Debug, PartialEq)]
struct Draft {
    title: Option<String>,
    /// RFC 3339, UTC, to the second.
    published: Option<String>,
    topic: Option<String>,
    author: Option<String>,
    lang: Option<String>,
    summary: Option<String>,
    paragraphs: Vec<String>,
}

impl Draft {
    /// The article `entry` of `feed` makes; an error when it has no text.
    fn of(feed: &Feed, entry: &Entry) -> Result<Draft, String> {
        let content = entry
            .content
            .as_ref()
            .and_then(|c| Some((c.body.as_deref()?, c.content_type.to_string())))
            .map(|(body, kind)| to_paragraphs(body, &kind))
            .unwrap_or_default();
        // RSS 1.0's description is HTML in practice, as RSS 2.0's is by its specification
        // (feed-rs calls it plain text).
        let summary = entry
            .summary
            .as_ref()
            .map(|t| match feed.feed_type {
                FeedType::RSS1 => html_text::paragraphs(&t.content),
                _ => to_paragraphs(&t.content, t.content_type.as_ref()),
            })
            .unwrap_or_default();
        // Without content, the summary (RSS's description) is the text.
        let (paragraphs, summary) = if content.is_empty() {
            (summary, Vec::new())
        } else {
            (content, summary)
        };
        if paragraphs.is_empty() {
            return Err("no text: the item has no content or summary with any text".to_owned());
        }
        let mut authors: Vec<String> = entry
            .authors
            .iter()
            .chain(if entry.authors.is_empty() {
                &feed.authors[..]
            } else {
                &[]
            })
            .filter_map(|person| person.name.as_deref().map(one_line))
            .filter(|name| !name.is_empty())
            .collect();
        authors.dedup();
        let topic = entry
            .categories
            .first()
            .map(|c| one_line(c.label.as_deref().unwrap_or(&c.term)));
        let lang = entry
            .language
            .as_deref()
            .or(feed.language.as_deref())
            .and_then(|l| l.split_whitespace().next())
            .map(str::to_owned);
        Ok(Draft {
            title: entry.title.as_ref().map(text_line),
            published: entry
                .published
                .or(entry.updated)
                .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string()),
            topic,
            author: Some(authors.join(", ")),
            lang,
            summary: Some(summary.join(" ")),
            paragraphs,
        }
        .without_empty_values())
    }

    /// Header values that came out empty are left out (the format refuses an empty value).
    fn without_empty_values(mut self) -> Draft {
        for value in [
            &mut self.title,
            &mut self.topic,
            &mut self.author,
            &mut self.lang,
            &mut self.summary,
        ] {
            if value.as_deref().is_some_and(str::is_empty) {
                *value = None;
            }
        }
        self
    }

    /// The article file, with `slug` in its header if given.
    fn render(&self, slug: Option<&str>) -> String {
        let mut out = String::from("---\n");
        for (key, value) in [
            ("title", self.title.as_deref()),
            ("slug", slug),
            ("published", self.published.as_deref()),
            ("topic", self.topic.as_deref()),
            ("author", self.author.as_deref()),
            ("lang", self.lang.as_deref()),
            ("summary", self.summary.as_deref()),
        ] {
            if let Some(value) = value {
                let _ = writeln!(out, "{key}: {value}");
            }
        }
        out.push_str("---\n");
        out.push_str(&self.paragraphs.join("\n\n"));
        out.push('\n');
        out
    }

    /// Each paragraph reads back as text: a line that is exactly `Read next`, or a comment
    /// footer such as `12 comments`, would mean something else in the article format, which
    /// has no way to escape it.
    fn check_paragraphs(&self) -> Result<(), String> {
        for (n, paragraph) in self.paragraphs.iter().enumerate() {
            // Alone after a lede, a paragraph must read back as itself.
            let alone = parse_str(&format!("Lede.\n{paragraph}\n")).map(|a| a.paragraphs);
            if alone.as_deref().ok() != Some(&["Lede.".to_owned(), paragraph.clone()][..]) {
                return Err(format!(
                    "paragraph {} ({paragraph:?}) would not read back as text: the article \
                     format takes it for a `Read next` line or a comment footer",
                    n + 1
                ));
            }
        }
        Ok(())
    }

    /// The file `text` reads back as this draft, under `slug`: what `articles check` and the
    /// site will show is what the feed said.
    fn check(&self, text: &str, slug: &str) -> Result<(), String> {
        let article =
            parse_str(text).map_err(|e| format!("the article it makes does not parse: {e}"))?;
        if article.paragraphs != self.paragraphs {
            return Err("its text would not read back as written".to_owned());
        }
        let same = |field: &str, meant: Option<&str>, got: Option<&str>| {
            if meant.is_none() || meant == got {
                Ok(())
            } else {
                Err(format!(
                    "its {field} would read back as {got:?}, not {meant:?}"
                ))
            }
        };
        same("title", self.title.as_deref(), Some(&article.title))?;
        same("slug", Some(slug), Some(&article.slug))?;
        same(
            "publication time",
            self.published.as_deref(),
            article.published.as_ref().map(|p| p.text.as_str()),
        )?;
        same("topic", self.topic.as_deref(), article.topic.as_deref())?;
        same("author", self.author.as_deref(), article.author.as_deref())?;
        same("language", self.lang.as_deref(), Some(&article.lang))?;
        same(
            "summary",
            self.summary.as_deref(),
            article.summary.as_deref(),
        )?;
        Ok(())
    }
}

/// `text` as paragraphs: HTML (any `…html…` type: `text/html`, `html`, `xhtml`) converted,
/// anything else read as plain text.
fn to_paragraphs(text: &str, kind: &str) -> Vec<String> {
    if kind.contains("html") {
        html_text::paragraphs(text)
    } else {
        html_text::text_paragraphs(text)
    }
}

/// A title: one line of text.
fn text_line(text: &Text) -> String {
    one_line(&to_paragraphs(&text.content, text.content_type.as_ref()).join(" "))
}

/// One line: every run of white space or control characters one space, trimmed.
fn one_line(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for word in value
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn ids(feed: &Feed) -> HashSet<&str> {
        feed.entries.iter().map(|e| e.id.as_str()).collect()
    }

    #[test]
    fn slugs_get_a_number_when_taken_and_stay_within_80_characters() {
        let taken = ["talks", "talks-2"];
        assert_eq!(unique_slug("talks", |s| taken.contains(&s)), "talks-3");
        assert_eq!(unique_slug("other", |s| taken.contains(&s)), "other");
        let long = "a".repeat(79) + "b";
        let got = unique_slug(&long, |s| s == long);
        assert_eq!(got.len(), 80);
        assert!(got.ends_with("-2") && is_valid_slug(&got), "{got}");
        let hyphen_at_cut = "a".repeat(77) + "-bc";
        assert_eq!(
            unique_slug(&hyphen_at_cut, |s| s == hyphen_at_cut),
            "a".repeat(77) + "-2"
        );
    }

    #[test]
    fn file_names_follow_the_id_alone() {
        assert_eq!(file_name("urn:x:1"), file_name("urn:x:1"));
        assert_ne!(file_name("urn:x:1"), file_name("urn:x:2"));
        assert!(file_name("x").starts_with("feed-") && file_name("x").len() == 25);
    }

    #[test]
    fn items_without_an_id_take_their_link_then_their_title() {
        let rss = r#"<rss version="2.0"><channel><title>T</title>
            <item><title>Linked</title><link>https://example.org/a</link><description>A</description></item>
            <item><title>Titled only</title><description>B</description></item>
            <item><description>Neither</description></item>
            </channel></rss>"#;
        let feed = read_feed(rss.as_bytes()).unwrap();
        assert_eq!(
            ids(&feed),
            HashSet::from(["https://example.org/a", "Titled only", ""])
        );
        // The same feed read again gives the same ids (feed-rs's own fallback is random).
        assert_eq!(ids(&read_feed(rss.as_bytes()).unwrap()), ids(&feed));
    }

    #[test]
    fn values_become_one_line() {
        assert_eq!(one_line("  a\n b\t\u{a0}c\u{7}  "), "a b c");
    }
}
