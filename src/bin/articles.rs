//! The `articles` command: checks, prints and benchmarks article files before they are
//! published, and imports a feed's items as article files.
//!
//! ```text
//! articles parse FILE        the article as one JSON object
//! articles check PATH...     files or folders of *.txt; one `PATH:LINE:COL: error: …` per problem
//! articles bench [MB]        native parse throughput on a generated corpus (default 16 MB)
//! articles import SOURCE --into DIR
//!                            a feed's items (RSS, Atom, JSON Feed) as article files in DIR
//! ```
//!
//! Exit status: 0 when all is well, 1 when an article (or a feed's item) has a problem, 2 for a
//! usage mistake.

// Host-only: feed-rs and html5ever are not in the wasm build (the crate's other binary).
#[cfg(not(target_arch = "wasm32"))]
#[path = "articles/html_text.rs"]
mod html_text;
#[cfg(not(target_arch = "wasm32"))]
#[path = "articles/import.rs"]
mod import;

use broadsheet::article::{parse, ParseErrorKind};
use std::collections::HashMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};
use std::{env, fs};

const USAGE: &str = "usage:
  articles parse FILE        print the article as JSON
  articles check PATH...     check files and folders of *.txt
  articles bench [MB]        measure parse throughput on a generated corpus
  articles import SOURCE --into DIR
                             turn a feed's items (RSS 0.9x/1.0/2.0, Atom, JSON Feed;
                             SOURCE a file, or - for standard input) into article files
                             in DIR; again later, it adds only new items and rewrites
                             only changed ones";

fn main() -> ExitCode {
    let args: Vec<OsString> = env::args_os().skip(1).collect();
    let command = args.first().and_then(|a| a.to_str());
    match (command, &args[args.len().min(1)..]) {
        (Some("parse"), [file]) => parse_command(Path::new(file)),
        (Some("check"), paths) if !paths.is_empty() => check_command(paths),
        (Some("bench"), []) => bench_command(16.0),
        (Some("bench"), [mb]) => match mb.to_str().and_then(|s| s.parse::<f64>().ok()) {
            Some(mb) if mb > 0.0 && mb <= 4096.0 => bench_command(mb),
            _ => usage_error("bench: MB must be a number between 0 and 4096"),
        },
        #[cfg(not(target_arch = "wasm32"))]
        (Some("import"), rest) => match import_args(rest) {
            Some((source, into)) => import::command(&source, &into),
            None => usage_error("import: expected SOURCE --into DIR"),
        },
        (Some("help" | "-h" | "--help"), _) => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        _ => usage_error("expected a command"),
    }
}

/// `SOURCE --into DIR`, in either order (`--into=DIR` too).
#[cfg(not(target_arch = "wasm32"))]
fn import_args(args: &[OsString]) -> Option<(PathBuf, PathBuf)> {
    let mut source = None;
    let mut into = None;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let text = arg.to_str();
        if text == Some("--into") {
            into = Some(PathBuf::from(args.next()?));
        } else if let Some(dir) = text.and_then(|t| t.strip_prefix("--into=")) {
            into = Some(PathBuf::from(dir));
        } else if source.is_none()
            && (text == Some("-") || !text.is_some_and(|t| t.starts_with('-')))
        {
            source = Some(PathBuf::from(arg));
        } else {
            return None;
        }
    }
    Some((source?, into.filter(|d| !d.as_os_str().is_empty())?))
}

fn usage_error(message: &str) -> ExitCode {
    eprintln!("error: {message}\n{USAGE}");
    ExitCode::from(2)
}

/// `articles parse FILE`: the article as JSON on stdout, or the error on stderr.
fn parse_command(path: &Path) -> ExitCode {
    let bytes = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) => {
            eprintln!("{}: error: cannot read: {e}", path.display());
            return ExitCode::FAILURE;
        }
    };
    match parse(&bytes) {
        Ok(article) => match serde_json::to_string_pretty(&article) {
            Ok(json) => {
                println!("{json}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("{}: error: cannot serialise: {e}", path.display());
                ExitCode::FAILURE
            }
        },
        Err(e) => {
            eprintln!("{}:{e}", path.display());
            ExitCode::FAILURE
        }
    }
}

/// `articles check PATH...`: every problem on stdout, then a summary.
fn check_command(paths: &[OsString]) -> ExitCode {
    let mut problems = Vec::new();
    let mut files = Vec::new();
    for path in paths.iter().map(PathBuf::from) {
        if path.is_dir() {
            match txt_files(&path) {
                Ok(found) => files.extend(found),
                Err(e) => problems.push(format!(
                    "{}: error: cannot read folder: {e}",
                    path.display()
                )),
            }
        } else {
            files.push(path);
        }
    }
    let mut slugs: HashMap<String, PathBuf> = HashMap::new();
    for file in &files {
        let bytes = match fs::read(file) {
            Ok(bytes) => bytes,
            Err(e) => {
                problems.push(format!("{}: error: cannot read: {e}", file.display()));
                continue;
            }
        };
        match parse(&bytes) {
            Ok(article) => {
                if let Some(first) = slugs.get(&article.slug) {
                    let (line, column) = header_slug_position(&bytes);
                    let kind = ParseErrorKind::DuplicateSlug(article.slug);
                    problems.push(format!(
                        "{}:{line}:{column}: error: {kind} (first used by {})",
                        file.display(),
                        first.display()
                    ));
                } else {
                    slugs.insert(article.slug, file.clone());
                }
            }
            Err(e) => problems.push(format!("{}:{e}", file.display())),
        }
    }
    for problem in &problems {
        println!("{problem}");
    }
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    if problems.is_empty() {
        println!("{} OK", plural(files.len(), "article", "articles"));
        ExitCode::SUCCESS
    } else {
        eprintln!(
            "{} in {}",
            plural(problems.len(), "problem", "problems"),
            plural(files.len(), "file", "files")
        );
        ExitCode::FAILURE
    }
}

/// The `*.txt` files directly inside `dir`, sorted.
fn txt_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_file() && path.extension().is_some_and(|x| x == "txt") {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// Where a duplicate slug comes from: the header's `slug:` line, else line 1, column 1
/// (the slug was derived from the title).
fn header_slug_position(bytes: &[u8]) -> (usize, usize) {
    let text = String::from_utf8_lossy(bytes);
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(&text);
    let mut lines = text
        .split('\n')
        .enumerate()
        .skip_while(|(_, l)| l.trim().is_empty());
    if lines.next().is_some_and(|(_, l)| l.trim() == "---") {
        for (i, line) in lines {
            let t = line.trim();
            if t == "---" {
                break;
            }
            if t.split_once(':')
                .is_some_and(|(key, _)| key.trim_end() == "slug")
            {
                let indent = line.len() - line.trim_start().len();
                return (i + 1, line[..indent].chars().count() + 1);
            }
        }
    }
    (1, 1)
}

/// `articles bench [MB]`: parse throughput on a generated corpus, best of several runs.
fn bench_command(megabytes: f64) -> ExitCode {
    let target = (megabytes * 1e6) as usize;
    let corpus = broadsheet::article::synthetic::corpus_of_size(target);
    let total: usize = corpus.iter().map(Vec::len).sum();
    let failures = corpus.iter().filter(|a| parse(a).is_err()).count();
    if failures > 0 {
        eprintln!("error: {failures} generated articles failed to parse");
        return ExitCode::FAILURE;
    }
    const RUNS: usize = 10;
    let mut best = Duration::MAX;
    for _ in 0..RUNS {
        let start = Instant::now();
        for article in &corpus {
            std::hint::black_box(parse(std::hint::black_box(article)).is_ok());
        }
        best = best.min(start.elapsed());
    }
    let seconds = best.as_secs_f64().max(1e-9);
    println!(
        "parsed {} articles ({:.1} MB) in {:.1} ms: {:.0} MB/s (best of {RUNS} runs)",
        corpus.len(),
        total as f64 / 1e6,
        seconds * 1e3,
        total as f64 / 1e6 / seconds
    );
    ExitCode::SUCCESS
}
