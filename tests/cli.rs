//! The `articles` command-line tool, run as a publisher would run it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const SEED: &str = "articles/000_508f32e089381fac.txt";

fn articles(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_articles"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run articles")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A fresh folder holding `files`, removed when dropped.
struct Folder(PathBuf);

impl Folder {
    fn new(name: &str, files: &[(&str, &str)]) -> Self {
        let dir =
            std::env::temp_dir().join(format!("broadsheet-cli-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        for (file, content) in files {
            std::fs::write(dir.join(file), content).unwrap();
        }
        Folder(dir)
    }

    fn path(&self, file: &str) -> String {
        self.0.join(file).to_string_lossy().into_owned()
    }

    fn root(&self) -> &str {
        self.0.to_str().unwrap()
    }
}

impl Drop for Folder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn parse_prints_exactly_the_article_fields() {
    let out = articles(&["parse", SEED]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let object = json.as_object().unwrap();
    let mut keys: Vec<&str> = object.keys().map(String::as_str).collect();
    keys.sort_unstable();
    #[rustfmt::skip]
    assert_eq!(keys, ["author", "comments_prompt", "lang", "paragraphs", "published", "reading_minutes", "related", "slug", "summary", "title", "topic"]);
    for missing in ["topic", "published", "author", "summary"] {
        assert!(json[missing].is_null(), "{missing}");
    }
    assert_eq!(json["lang"], "en");
    assert_eq!(json["paragraphs"].as_array().unwrap().len(), 8);
    assert_eq!(json["related"][0]["time"], "07:45");
    let mut entry_keys: Vec<&str> = json["related"][0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    entry_keys.sort_unstable();
    assert_eq!(entry_keys, ["slug", "summary", "time", "topic"]);
    assert_eq!(json["comments_prompt"], true);
    assert_eq!(json["reading_minutes"], serde_json::json!([3, 4]));
    // The same JSON the golden fixture holds, in the declared field order.
    let golden = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/seed.json"),
    )
    .unwrap();
    assert_eq!(text(&out.stdout), golden);
}

#[test]
fn parse_reports_errors_with_file_line_and_column() {
    let dir = Folder::new(
        "parse-error",
        &[("bad.txt", "Lede\nRead next\n25:00\nT\nS\n")],
    );
    let out = articles(&["parse", &dir.path("bad.txt")]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert_eq!(
        text(&out.stderr),
        format!(
            "{}:3:1: error: bad clock time \"25:00\" in Read next: expected H:MM or HH:MM, 24-hour (e.g. 07:45)\n",
            dir.path("bad.txt")
        )
    );

    let out = articles(&["parse", &dir.path("missing.txt")]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).starts_with(&format!("{}: error: cannot read", dir.path("missing.txt")))
    );
}

#[test]
fn usage_mistakes_exit_2() {
    for args in [
        &[][..],
        &["parse"],
        &["parse", "a", "b"],
        &["check"],
        &["frobnicate"],
        &["bench", "x"],
    ] {
        let out = articles(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(text(&out.stderr).contains("usage:"), "{args:?}");
    }
    assert!(articles(&["--help"]).status.success());
}

#[test]
fn check_passes_the_bundled_articles() {
    let out = articles(&["check", "articles"]);
    assert!(
        out.status.success(),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    let count = txt_files("articles");
    let noun = if count == 1 { "article" } else { "articles" };
    assert_eq!(text(&out.stdout), format!("{count} {noun} OK\n"));

    let fixtures = txt_files("tests/fixtures");
    let out = articles(&["check", "tests/fixtures", SEED]);
    assert!(
        out.stdout
            .starts_with(format!("{} articles OK", fixtures + 1).as_bytes()),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn check_lists_every_problem_including_duplicate_slugs() {
    let dir = Folder::new(
        "check",
        &[
            ("a.txt", "Same title. Body.\n"),
            ("b.txt", "---\ntitle: X\n  slug: same-title\n---\nBody\n"),
            ("c.txt", "Same title! Other body.\n"),
            ("d.txt", "---\ncolour: red\n---\nBody\n"),
            ("e.txt", "Lede\nRead next\n07:45\nTopic\n"),
            ("notes.md", "not an article"),
        ],
    );
    let out = articles(&["check", dir.root()]);
    assert_eq!(out.status.code(), Some(1));
    let first = dir.path("a.txt");
    let dup = |file: &str, at: &str| {
        format!(
            "{}:{at}: error: duplicate slug \"same-title\": another article already uses it; \
             set a distinct `slug:` in the header (first used by {first})",
            dir.path(file)
        )
    };
    let want = [
        dup("b.txt", "3:3"),
        dup("c.txt", "1:1"),
        format!(
            "{}:2:1: error: unknown header key \"colour\": allowed keys are title, slug, published, topic, author, lang, summary",
            dir.path("d.txt")
        ),
        format!(
            "{}:5:1: error: incomplete Read next entry: missing its summary (each entry is a time, a topic and a summary line)",
            dir.path("e.txt")
        ),
    ];
    assert_eq!(text(&out.stdout), want.join("\n") + "\n");
    assert_eq!(text(&out.stderr), "4 problems in 5 files\n");

    // Files named directly are checked whatever their extension.
    let out = articles(&["check", &dir.path("a.txt"), &dir.path("notes.md")]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    assert_eq!(text(&out.stdout), "2 articles OK\n");
}

#[test]
fn bench_reports_throughput() {
    let out = articles(&["bench", "0.2"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.starts_with("parsed ") && stdout.contains(" MB/s"),
        "{stdout}"
    );
}

/// How many `*.txt` files a folder of the repository holds.
fn txt_files(dir: &str) -> usize {
    std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(dir))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "txt")
        })
        .count()
}
