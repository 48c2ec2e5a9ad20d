//! Issue 10: "a malformed article in a 10,000-article folder fails nothing but itself, and is
//! reported". Only the build's parse step ([`broadsheet_site::source::read`]) runs here, so the
//! test stays a few seconds long even in a debug build; `tests/e2e/archive.test.mjs` checks the
//! same through the whole build at a few thousand articles.

use broadsheet_site::{output::Output, source};
use std::{fs, path::PathBuf, time::Instant};

const GOOD: usize = 10_000;

/// A generated article: a header with a unique slug and a date that exists (hour, day 1 to 28
/// and month from the index), a body and, for every third one, a Read next entry.
fn article(i: usize) -> String {
    let published = format!(
        "2025-{:02}-{:02}T{:02}:00:00Z",
        1 + i / (24 * 28) % 12,
        1 + i / 24 % 28,
        i % 24
    );
    let mut text = format!(
        "---\ntitle: Archive story {i}\nslug: archive-story-{i}\npublished: {published}\n\
         topic: Archive\n---\nParagraph one of story {i}, about the harbour and the council.\n\n\
         Paragraph two of story {i}: the ferry timetable changes in spring.\n"
    );
    if i.is_multiple_of(3) {
        text.push_str("Read next\n07:45\nMarkets\nShares rose after the bank held rates.\n");
    }
    text
}

#[test]
fn one_malformed_file_among_ten_thousand_is_reported_alone_and_the_others_are_parsed() {
    let root = std::env::temp_dir().join(format!("broadsheet-many-{}", std::process::id()));
    let _ = fs::remove_dir_all(&root);
    let articles = root.join("articles");
    fs::create_dir_all(&articles).unwrap();
    for i in 0..GOOD {
        fs::write(articles.join(format!("story-{i:05}.txt")), article(i)).unwrap();
    }
    // In the middle of the folder in name order, so it is neither the first nor the last
    // file a worker thread takes. Its date names no day that exists: line 3, column 12.
    let bad: PathBuf = articles.join("story-05000-bad.txt");
    fs::write(
        &bad,
        "---\ntitle: A story with a bad date\npublished: 2025-02-30T08:00:00Z\n---\nBody.\n",
    )
    .unwrap();

    let started = Instant::now();
    let out = Output::new(&root.join("site")).unwrap();
    let read = source::read(&articles, &out).unwrap();
    let took = started.elapsed();

    assert_eq!(
        read.problems,
        vec![format!(
            "{}:3:12: error: invalid date \"2025-02-30T08:00:00Z\": expected RFC 3339, \
             e.g. 2025-04-03T08:15:00Z",
            bad.display()
        )]
    );
    assert_eq!(read.file_count, GOOD + 1);
    assert_eq!(read.corpus.articles().len(), GOOD);
    assert_eq!(read.files.len(), GOOD);
    assert!(read.corpus.article("archive-story-0").is_some());
    assert!(read.corpus.article("archive-story-9999").is_some());
    // Every good article's data file is in the site; the bad one has none.
    let written = fs::read_dir(root.join("site/data/articles"))
        .unwrap()
        .count();
    assert_eq!(written, GOOD);
    println!("parsed {} files in {took:.2?}", GOOD + 1);
    let _ = fs::remove_dir_all(&root);
}
