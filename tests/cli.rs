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

/// `articles import FIXTURE --into DIR`, the fixture from `tests/fixtures/feeds/`.
fn import(fixture: &str, into: &Folder) -> Output {
    articles(&[
        "import",
        &format!("tests/fixtures/feeds/{fixture}"),
        "--into",
        into.root(),
    ])
}

/// The articles of a folder, by file name, as the tool parses them.
fn imported(dir: &Folder) -> Vec<(String, serde_json::Value)> {
    let mut names: Vec<String> = std::fs::read_dir(&dir.0)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|name| {
            let out = articles(&["parse", &dir.path(&name)]);
            assert!(out.status.success(), "{name}: {}", text(&out.stderr));
            (name, serde_json::from_slice(&out.stdout).unwrap())
        })
        .collect()
}

/// The imported article whose title is `title`.
fn titled<'a>(articles: &'a [(String, serde_json::Value)], title: &str) -> &'a serde_json::Value {
    &articles
        .iter()
        .find(|(_, a)| a["title"] == title)
        .unwrap_or_else(|| panic!("no article titled {title:?} in {articles:#?}"))
        .1
}

#[test]
fn import_turns_an_rss_2_feed_into_articles_and_reports_what_it_cannot() {
    let dir = Folder::new("import-rss2", &[]);
    let out = import("rss2.xml", &dir);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 6, "{stdout}");
    assert!(lines[..3]
        .iter()
        .all(|l| l.ends_with(")") && l.contains(": added (")));
    assert_eq!(
        lines[3],
        "tests/fixtures/feeds/rss2.xml: error: item \"https://news.example.org/2025/04/talks\": \
         item 4 of the feed has the same id (item 1 was imported)"
    );
    assert_eq!(
        lines[4],
        "tests/fixtures/feeds/rss2.xml: error: item \"urn:example:picture\": no text: the item \
         has no content or summary with any text"
    );
    assert_eq!(lines[5], "3 added, 0 updated, 0 unchanged");
    assert_eq!(text(&out.stderr), "2 items not imported of 5 items\n");

    let articles = imported(&dir);
    assert_eq!(articles.len(), 3);
    // CDATA, entities, nested markup, a script, a style and an image's handler.
    let talks = titled(&articles, "Talks resume in Geneva & Vienna");
    assert_eq!(talks["slug"], "talks-resume-in-geneva-vienna");
    assert_eq!(talks["published"], "2025-04-03T06:15:00Z");
    assert_eq!(talks["author"], "Jane Doe");
    assert_eq!(talks["topic"], "Diplomacy");
    assert_eq!(talks["lang"], "en-gb");
    assert_eq!(
        talks["summary"],
        "Both sides called the first day constructive."
    );
    assert_eq!(
        talks["paragraphs"],
        serde_json::json!([
            "Talks resumed in Geneva on Monday, the first in a year.",
            "Both sides called it “constructive” — fish & chips <b> were served.",
            "A second round",
            "is planned for May."
        ])
    );
    // No date: no `published`; no title: the lede's first sentence.
    assert!(titled(&articles, "An undated note")["published"].is_null());
    let untitled = titled(&articles, "An item without a title");
    assert_eq!(untitled["published"], "2025-04-04T09:00:00Z");
    for (name, article) in &articles {
        let all = article.to_string();
        assert!(
            !all.contains("pwned") && !all.contains("display"),
            "{name}: {all}"
        );
    }
    let check = articles_check(&dir);
    assert!(check.status.success(), "{}", text(&check.stdout));
}

fn articles_check(dir: &Folder) -> Output {
    articles(&["check", dir.root()])
}

#[test]
fn import_reads_rss_1_rss_0_91_atom_and_json_feed() {
    let dir = Folder::new("import-kinds", &[]);
    for (fixture, added, code) in [
        ("rss1.rdf", 2, 0),
        ("rss091.xml", 2, 0),
        ("atom.xml", 3, 0),
        ("feed.json", 2, 1),
    ] {
        let out = import(fixture, &dir);
        assert_eq!(
            out.status.code(),
            Some(code),
            "{fixture}: {}",
            text(&out.stderr)
        );
        assert!(
            text(&out.stdout).ends_with(&format!("{added} added, 0 updated, 0 unchanged\n")),
            "{fixture}: {}",
            text(&out.stdout)
        );
    }
    let articles = imported(&dir);
    assert_eq!(articles.len(), 9);
    let check = articles_check(&dir);
    assert!(check.status.success(), "{}", text(&check.stdout));

    // RSS 1.0: escaped HTML in the description, Dublin Core's creator, date and language.
    let harbour = titled(&articles, "Harbour reopens");
    assert_eq!(harbour["author"], "Max Muster");
    assert_eq!(harbour["published"], "2025-05-06T08:00:00Z");
    assert_eq!(harbour["lang"], "de-CH");
    assert_eq!(
        harbour["paragraphs"],
        serde_json::json!([
            "The harbour reopened on Tuesday.",
            "Ferries run & trains wait."
        ])
    );
    assert!(titled(&articles, "Ferry timetable")["published"].is_null());
    // RSS 0.91: character references; an item known by its title.
    assert_eq!(
        titled(&articles, "Café owners & the council")["paragraphs"],
        serde_json::json!(["Café owners met the council again."])
    );
    titled(&articles, "A story without a link");
    // Atom: an HTML title, a category's label, escaped HTML with a script and a list, XHTML,
    // and text whose `<` is text; the feed's author for entries without one.
    let market = titled(&articles, "Le marché ouvre");
    assert_eq!(market["topic"], "Économie");
    assert_eq!(market["published"], "2025-06-01T05:30:00Z");
    assert_eq!(
        market["paragraphs"],
        serde_json::json!([
            "Le marché a ouvert à 6\u{a0}h.",
            "Fruits",
            "Légumes & fleurs"
        ])
    );
    let bridge = titled(&articles, "Le pont");
    assert_eq!(bridge["author"], "La rédaction");
    assert_eq!(
        bridge["published"], "2025-06-02T12:00:00Z",
        "updated, without published"
    );
    assert_eq!(
        bridge["paragraphs"],
        serde_json::json!(["Le pont est fermé.", "Réouverture lundi."])
    );
    assert_eq!(
        titled(&articles, "Texte brut")["paragraphs"],
        serde_json::json!(["Première ligne <pas une balise>.", "Deuxième ligne."])
    );
    // JSON Feed: HTML content with a script and a javascript: link, two authors, tags; plain
    // text without a title or a date.
    let council = titled(&articles, "Council <approves> budget");
    assert_eq!(council["author"], "Ann Smith, Bob Jones");
    assert_eq!(council["topic"], "Politics");
    assert_eq!(council["published"], "2025-07-01T14:00:00Z");
    assert_eq!(
        council["paragraphs"],
        serde_json::json!([
            "The council approved the budget & the plan.",
            "Next: the vote."
        ])
    );
    let plain = titled(&articles, "No title and no date");
    assert!(plain["published"].is_null());
    assert_eq!(
        plain["paragraphs"][1],
        "Two paragraphs of plain text, <b> and all."
    );
    for (name, article) in &articles {
        let all = article.to_string();
        assert!(
            !all.contains("pwned") && !all.contains("alert"),
            "{name}: {all}"
        );
    }
}

#[test]
fn import_reports_a_paragraph_the_format_would_read_otherwise() {
    let dir = Folder::new("import-hazard", &[]);
    let out = import("feed.json", &dir);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stdout).contains(
            "tests/fixtures/feeds/feed.json: error: item \"json-3\": paragraph 2 (\"Read next\") \
             would not read back as text: the article format takes it for a `Read next` line or \
             a comment footer\n"
        ),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn importing_again_writes_only_what_is_new_or_changed() {
    let dir = Folder::new("import-again", &[]);
    assert!(import("atom.xml", &dir).status.success());
    let before = imported(&dir);
    let modified = |name: &str| {
        std::fs::metadata(dir.path(name))
            .unwrap()
            .modified()
            .unwrap()
    };
    let times: Vec<_> = before.iter().map(|(name, _)| modified(name)).collect();

    let again = import("atom.xml", &dir);
    assert!(again.status.success());
    assert_eq!(text(&again.stdout), "0 added, 0 updated, 3 unchanged\n");
    assert_eq!(imported(&dir), before);
    let times_again: Vec<_> = before.iter().map(|(name, _)| modified(name)).collect();
    assert_eq!(times_again, times, "no file was rewritten");

    // The feed later: one entry retitled and reworded, one new.
    let atom = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/feeds/atom.xml"),
    )
    .unwrap()
    .replace("<title>Le pont</title>", "<title>Le pont rouvre</title>")
    .replace("Réouverture lundi.", "Rouvert ce lundi.")
    .replace(
        "</feed>",
        "<entry><title>Nouveau</title><id>tag:news.example.org,2025:nouveau</id>\
         <updated>2025-06-03T08:00:00Z</updated><content type=\"text\">Du neuf.</content>\
         </entry></feed>",
    );
    let later = Folder::new("import-again-feed", &[("atom.xml", &atom)]);
    let out = articles(&["import", &later.path("atom.xml"), "--into", dir.root()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{stdout}");
    assert!(lines[0].ends_with(": updated (\"tag:news.example.org,2025:pont\")"));
    assert!(lines[1].ends_with(": added (\"tag:news.example.org,2025:nouveau\")"));
    assert_eq!(lines[2], "1 added, 1 updated, 2 unchanged");
    let after = imported(&dir);
    assert_eq!(after.len(), 4);
    // The retitled article keeps its file and its address.
    let bridge = titled(&after, "Le pont rouvre");
    assert_eq!(bridge["slug"], "le-pont");
    assert_eq!(bridge, &{
        let mut was = titled(&before, "Le pont").clone();
        was["title"] = "Le pont rouvre".into();
        was["paragraphs"][1] = "Rouvert ce lundi.".into();
        was
    });
}

#[test]
fn import_gives_a_new_article_a_slug_no_other_article_of_the_folder_has() {
    let dir = Folder::new(
        "import-slugs",
        &[(
            "mine.txt",
            "---\nslug: le-pont\n---\nAn article of our own.\n",
        )],
    );
    assert!(import("atom.xml", &dir).status.success());
    let articles = imported(&dir);
    assert_eq!(titled(&articles, "Le pont")["slug"], "le-pont-2");
    assert!(articles_check(&dir).status.success());
}

#[test]
fn import_fails_on_what_is_not_a_feed_and_on_usage_mistakes() {
    let dir = Folder::new(
        "import-bad",
        &[("page.html", "<html><body>Hi</body></html>")],
    );
    let out = articles(&["import", &dir.path("page.html"), "--into", dir.root()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).starts_with(&format!(
        "{}: error: not a feed this tool reads: ",
        dir.path("page.html")
    )));
    let out = articles(&["import", &dir.path("missing.xml"), "--into", dir.root()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("error: cannot read"));
    for args in [
        &["import"][..],
        &["import", "feed.xml"],
        &["import", "--into", "dir"],
        &["import", "a.xml", "b.xml", "--into", "dir"],
        &["import", "a.xml", "--into"],
        &["import", "a.xml", "--into", "dir", "--keep"],
    ] {
        let out = articles(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(text(&out.stderr).contains("usage:"), "{args:?}");
    }
}
