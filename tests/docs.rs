//! The documents in the repository say what the code does, and link only what is in it.
//!
//! - Every example of `docs/FORMAT.md` is run: each ```` ```article ```` block is written to a
//!   file, and the ```` ```console ```` block after it that runs `articles check` must print
//!   exactly what it shows, or the ```` ```json parsed ```` block after it must agree with what
//!   `articles parse` prints. Every kind of [`ParseErrorKind`] must have an example.
//! - Every link in `README.md`, `CONTRIBUTING.md` and `docs/*.md` leads to a file of the
//!   repository (and to a heading that exists, when it names one); none leaves it.
#![cfg(not(target_arch = "wasm32"))]

use broadsheet::article::{parse, ParseErrorKind};
use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Component, Path, PathBuf};
use std::process::Command;

/// The command a check example shows; the files it names follow it.
const CHECK: &str = "$ cargo run -q --bin articles -- check ";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(relative: &str) -> String {
    std::fs::read_to_string(root().join(relative))
        .unwrap_or_else(|e| panic!("cannot read {relative}: {e}"))
}

/// A fenced code block of a Markdown file.
struct Block {
    /// The line of its opening fence (from 1).
    line: usize,
    /// The words after the opening fence.
    info: Vec<String>,
    /// Its lines, without the fences.
    lines: Vec<String>,
}

/// The fenced code blocks of `markdown`, as a CommonMark reader sees them.
fn blocks(markdown: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut open: Option<(Block, String)> = None;
    for (event, range) in Parser::new(markdown).into_offset_iter() {
        match event {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => {
                let block = Block {
                    line: markdown[..range.start].lines().count() + 1,
                    info: info.split_whitespace().map(str::to_owned).collect(),
                    lines: Vec::new(),
                };
                open = Some((block, String::new()));
            }
            Event::Text(text) => {
                if let Some((_, body)) = &mut open {
                    body.push_str(&text);
                }
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some((mut block, body)) = open.take() {
                    block.lines = body.lines().map(str::to_owned).collect();
                    out.push(block);
                }
            }
            _ => {}
        }
    }
    out
}

/// An example file: the bytes of an ```` ```article ```` block.
struct ArticleFile {
    line: usize,
    name: String,
    bytes: Vec<u8>,
}

/// The file an ```` ```article ```` block stands for. Its info string may add `name=FILE`
/// (default `story.txt`), `escaped` (`\xHH` is the byte HH, `\\` a backslash) and
/// `no-final-newline` (the last line has no `\n`).
fn article_file(block: &Block) -> ArticleFile {
    let mut name = "story.txt".to_owned();
    let (mut escaped, mut final_newline) = (false, true);
    for word in &block.info[1..] {
        match word.as_str() {
            "escaped" => escaped = true,
            "no-final-newline" => final_newline = false,
            _ => match word.strip_prefix("name=") {
                Some(n) => name = n.to_owned(),
                None => panic!("FORMAT.md:{}: unknown word {word:?}", block.line),
            },
        }
    }
    let mut text = block.lines.join("\n");
    if final_newline {
        text.push('\n');
    }
    let bytes = if escaped {
        unescape(&text)
    } else {
        text.into_bytes()
    };
    ArticleFile {
        line: block.line,
        name,
        bytes,
    }
}

fn unescape(text: &str) -> Vec<u8> {
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = b.get(i + 2..i + 4).and_then(|h| {
            let h = std::str::from_utf8(h).ok()?;
            u8::from_str_radix(h, 16).ok()
        });
        match (b[i], b.get(i + 1), hex) {
            (b'\\', Some(b'\\'), _) => {
                out.push(b'\\');
                i += 2;
            }
            (b'\\', Some(b'x'), Some(byte)) => {
                out.push(byte);
                i += 4;
            }
            (byte, _, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    out
}

#[test]
fn escapes_stand_for_bytes() {
    assert_eq!(
        unescape(r"a\x0D\xEF\xBB\xBF\\x41 \xZZ\"),
        b"a\r\xEF\xBB\xBF\\x41 \\xZZ\\"
    );
}

/// Which kind of error this is, for counting the kinds FORMAT.md shows. The match has no
/// wildcard, so a new kind does not compile here until it is numbered (and then documented).
fn kind_number(kind: &ParseErrorKind) -> usize {
    match kind {
        ParseErrorKind::InvalidUtf8 => 0,
        ParseErrorKind::NoBody => 1,
        ParseErrorKind::BadClockTime(_) => 2,
        ParseErrorKind::IncompleteRelated(_) => 3,
        ParseErrorKind::UnknownHeaderKey(_) => 4,
        ParseErrorKind::MalformedHeaderLine => 5,
        ParseErrorKind::DuplicateHeaderKey(_) => 6,
        ParseErrorKind::UnclosedHeader => 7,
        ParseErrorKind::InvalidDate(_) => 8,
        ParseErrorKind::EmptyHeaderValue(_) => 9,
        ParseErrorKind::InvalidSlug(_) => 10,
        ParseErrorKind::DuplicateSlug(_) => 11,
    }
}
const KINDS: usize = 12;

/// A folder of example files, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(line: usize) -> Self {
        let dir =
            std::env::temp_dir().join(format!("broadsheet-docs-{}-{line}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs `articles ARGS` in `dir`: (exit code, stdout then stderr).
fn articles(dir: &Path, args: &[&str]) -> (Option<i32>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_articles"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run articles");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code(), text)
}

/// `files` as written into a fresh folder.
fn write_files(files: &[ArticleFile]) -> Scratch {
    let dir = Scratch::new(files[0].line);
    for file in files {
        std::fs::write(dir.0.join(&file.name), &file.bytes).unwrap();
    }
    dir
}

/// A ```` ```console ```` check example: the files it names must be the article blocks just
/// before it, its output what `articles check` prints, and each parse error in it exactly
/// what the parser reports. Returns the kinds of error it shows.
fn run_check(block: &Block, files: &[ArticleFile]) -> Vec<usize> {
    let at = format!("FORMAT.md:{}", block.line);
    let names: Vec<&str> = block.lines[0][CHECK.len()..].split_whitespace().collect();
    let pending: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        names, pending,
        "{at}: the command should name the ```article blocks before it"
    );
    let want = block.lines[1..].join("\n") + "\n";
    let dir = write_files(files);
    let args: Vec<&str> = std::iter::once("check")
        .chain(names.iter().copied())
        .collect();
    let (code, got) = articles(&dir.0, &args);
    assert_eq!(got, want, "{at}: `articles check` prints otherwise");

    // The same errors straight from the parser, at the same line and column.
    let mut kinds = Vec::new();
    let mut slugs = HashSet::new();
    for file in files {
        match parse(&file.bytes) {
            Err(e) => {
                let line = format!("{}:{e}", file.name);
                assert!(
                    want.lines().any(|l| l == line),
                    "{at}: the parser says {line}"
                );
                kinds.push(kind_number(&e.kind));
            }
            Ok(article) if !slugs.insert(article.slug.clone()) => {
                let kind = ParseErrorKind::DuplicateSlug(article.slug);
                let shown = want.lines().any(|l| {
                    l.starts_with(&format!("{}:", file.name)) && l.contains(&kind.to_string())
                });
                assert!(shown, "{at}: {} should be reported as: {kind}", file.name);
                kinds.push(kind_number(&kind));
            }
            Ok(_) => {}
        }
    }
    let expected_code = if kinds.is_empty() { 0 } else { 1 };
    assert_eq!(code, Some(expected_code), "{at}: exit status");
    kinds
}

/// A ```` ```json parsed ```` example: each field it shows is what `articles parse` prints for
/// the one article block before it (fields it leaves out are not compared).
fn run_parsed(block: &Block, files: &[ArticleFile]) {
    let at = format!("FORMAT.md:{}", block.line);
    assert_eq!(
        files.len(),
        1,
        "{at}: one ```article block should come before it"
    );
    let want: serde_json::Value = serde_json::from_str(&block.lines.join("\n"))
        .unwrap_or_else(|e| panic!("{at}: not JSON: {e}"));
    let dir = write_files(files);
    let (code, got) = articles(&dir.0, &["parse", &files[0].name]);
    assert_eq!(code, Some(0), "{at}: {got}");
    let got: serde_json::Value = serde_json::from_str(&got).unwrap();
    let want = want.as_object().expect("a JSON object");
    assert!(!want.is_empty(), "{at}: show at least one field");
    for (field, value) in want {
        assert_eq!(got.get(field), Some(value), "{at}: field {field}");
    }
}

#[test]
fn every_format_example_is_what_the_parser_does() {
    let markdown = read("docs/FORMAT.md");
    let mut pending: Vec<ArticleFile> = Vec::new();
    let mut kinds_shown = BTreeSet::new();
    let (mut checks, mut parsed) = (0, 0);
    for block in blocks(&markdown) {
        let first = block.info.first().map(String::as_str);
        let is_check =
            first == Some("console") && block.lines.first().is_some_and(|l| l.starts_with(CHECK));
        let is_parsed = first == Some("json") && block.info.iter().any(|w| w == "parsed");
        if first == Some("article") {
            pending.push(article_file(&block));
        } else if is_check {
            kinds_shown.extend(run_check(&block, &pending));
            pending.clear();
            checks += 1;
        } else if is_parsed {
            run_parsed(&block, &pending);
            pending.clear();
            parsed += 1;
        } else {
            assert!(
                pending.is_empty(),
                "FORMAT.md:{}: an ```article block should be followed by its check or its parsed JSON",
                pending[0].line
            );
        }
    }
    assert!(
        pending.is_empty(),
        "FORMAT.md:{}: an ```article block without its check or parsed JSON",
        pending.first().map_or(0, |f| f.line)
    );
    let missing: Vec<usize> = (0..KINDS).filter(|k| !kinds_shown.contains(k)).collect();
    assert!(
        missing.is_empty(),
        "FORMAT.md has no example of the error kinds numbered {missing:?} in kind_number"
    );
    assert!(
        checks > KINDS && parsed > 3,
        "{checks} checks, {parsed} parses"
    );
}

// Links.

/// The documents whose links are checked.
fn documents() -> Vec<String> {
    let mut docs = vec!["README.md".to_owned(), "CONTRIBUTING.md".to_owned()];
    let mut more: Vec<String> = std::fs::read_dir(root().join("docs"))
        .expect("docs/")
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".md"))
        .map(|n| format!("docs/{n}"))
        .collect();
    more.sort();
    docs.extend(more);
    docs
}

/// The targets of `markdown`'s links, images and link reference definitions (not of text
/// that only looks like a link inside code).
fn links(markdown: &str) -> Vec<String> {
    let mut parser = Parser::new(markdown);
    let mut out: Vec<String> = parser
        .by_ref()
        .filter_map(|event| match event {
            Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) => {
                Some(dest_url.into_string())
            }
            _ => None,
        })
        .collect();
    let mut defined: Vec<String> = parser
        .reference_definitions()
        .iter()
        .map(|(_, def)| def.dest.to_string())
        .collect();
    defined.sort();
    out.extend(defined);
    out
}

/// GitHub's anchor for a heading: lowercase, punctuation dropped, spaces as hyphens.
fn anchor(heading: &str) -> String {
    heading
        .replace('`', "")
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_'))
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

/// The anchors of `markdown`'s headings (a repeated heading gets `-1`, `-2`…).
fn anchors(markdown: &str) -> HashSet<String> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut out = HashSet::new();
    let mut heading: Option<String> = None;
    for event in Parser::new(markdown) {
        match event {
            Event::Start(Tag::Heading { .. }) => heading = Some(String::new()),
            Event::Text(text) | Event::Code(text) => {
                if let Some(h) = &mut heading {
                    h.push_str(&text);
                }
            }
            Event::End(TagEnd::Heading(_)) => {
                let base = anchor(heading.take().unwrap_or_default().trim());
                let n = seen.entry(base.clone()).or_insert(0);
                out.insert(if *n == 0 { base } else { format!("{base}-{n}") });
                *n += 1;
            }
            _ => {}
        }
    }
    out
}

/// The files a fresh clone would have (tracked or about to be), or `None` without git.
fn repository_files() -> Option<BTreeSet<String>> {
    let out = Command::new("git")
        .args(["ls-files", "--cached", "--others", "--exclude-standard"])
        .current_dir(root())
        .output()
        .ok()
        .filter(|o| o.status.success())?;
    Some(
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::to_owned)
            .collect(),
    )
}

/// `path` with `.` and `..` folded, or `None` when it climbs above the start.
fn normalise(path: &Path) -> Option<String> {
    let mut parts: Vec<String> = Vec::new();
    for c in path.components() {
        match c {
            Component::Normal(p) => parts.push(p.to_string_lossy().into_owned()),
            Component::CurDir => {}
            Component::ParentDir => {
                parts.pop()?;
            }
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(parts.join("/"))
}

#[test]
fn every_link_in_the_documents_stays_in_the_repository() {
    let files = repository_files();
    if files.is_none() {
        println!("note: git is not available; links are checked against the disk only");
    }
    let exists = |path: &str| match &files {
        Some(files) => {
            files.contains(path) || files.iter().any(|f| f.starts_with(&format!("{path}/")))
        }
        None => root().join(path).exists(),
    };
    let mut problems = Vec::new();
    let mut count = 0;
    for doc in documents() {
        let markdown = read(&doc);
        // Links are checked below; a `file://` address in the text points at someone's disk.
        if markdown.contains("file://") {
            problems.push(format!("{doc} mentions a file:// address"));
        }
        let dir = Path::new(&doc).parent().unwrap();
        for target in links(&markdown) {
            count += 1;
            let (path, fragment) = target.split_once('#').unwrap_or((&target, ""));
            if path.contains(':') || path.starts_with('/') || target.is_empty() {
                problems.push(format!(
                    "{doc}: {target:?} is not a relative link to a file of the repository"
                ));
                continue;
            }
            let file = if path.is_empty() {
                Some(doc.clone())
            } else {
                normalise(&dir.join(path))
            };
            let Some(file) = file.filter(|f| !f.is_empty() && exists(f)) else {
                problems.push(format!("{doc}: {target:?} is not in the repository"));
                continue;
            };
            let heading_missing = !fragment.is_empty()
                && file.ends_with(".md")
                && !anchors(&read(&file)).contains(fragment);
            if heading_missing {
                problems.push(format!("{doc}: {target:?}: {file} has no such heading"));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(count > 0, "no links found: is the link finder broken?");
}

#[test]
fn the_link_finder_sees_links_and_not_code() {
    let md = "See [the format](docs/FORMAT.md#errors) and `[not](a-link)`.\n\
              ```text\n[also not](x)\n```\n[ref]: CONTRIBUTING.md\n";
    assert_eq!(links(md), ["docs/FORMAT.md#errors", "CONTRIBUTING.md"]);
    assert_eq!(
        anchor("`cargo xtask` and the C.S.P.: why?"),
        "cargo-xtask-and-the-csp-why"
    );
    let heads = anchors("# A\n## A\n```\n# not\n```\n");
    assert_eq!(heads, HashSet::from(["a".to_owned(), "a-1".to_owned()]));
    assert_eq!(
        normalise(Path::new("docs/../README.md")).as_deref(),
        Some("README.md")
    );
    assert_eq!(normalise(Path::new("docs/../../outside/x.md")), None);
}
