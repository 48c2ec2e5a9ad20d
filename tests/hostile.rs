//! Markup and script in every field of an article render as inert text, and nothing in the
//! app writes HTML from strings.

use broadsheet::{corpus::Corpus, library::Library, ui::prerender::render_article};
use std::sync::Arc;

const HOSTILE: &str = include_str!("fixtures/hostile.txt");

fn rendered() -> String {
    let slug = broadsheet::parse_str(HOSTILE)
        .expect("the fixture parses")
        .slug;
    let library = Library::from_corpus(Arc::new(Corpus::from_files([(
        "hostile.txt",
        HOSTILE.as_bytes(),
    )])));
    let story = library
        .cached_story(&slug)
        .flatten()
        .expect("the fixture is listed");
    render_article("/", library, story)
}

#[test]
fn every_field_is_escaped() {
    let html = rendered();
    for tag in [
        "<script",
        "<img",
        "<iframe",
        "<svg",
        "<style",
        "<b>",
        "<a href=\"javascript",
    ] {
        assert!(!html.contains(tag), "{tag} reached the page:\n{html}");
    }
    for text in [
        "&lt;script&gt;window.__pwned = 1&lt;/script&gt;Hostile",
        "&lt;img src=x onerror=\"window.__pwned = 1\"&gt;Topic",
        "&lt;a href=\"javascript:window.__pwned = 1\"&gt;Mallory&lt;/a&gt;",
        "&lt;/p&gt;&lt;p&gt;Broken out?",
        "&lt;svg onload=\"window.__pwned = 1\"&gt;Topic&lt;/svg&gt;",
    ] {
        assert!(html.contains(text), "{text} missing:\n{html}");
    }
    // The lang value cannot break out of its attribute.
    assert!(html.contains("lang=\"en&quot;&gt;&lt;script&gt;"), "{html}");
}

#[test]
fn no_source_file_writes_inner_html() {
    let mut offenders = Vec::new();
    let mut stack = vec![std::path::PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/src"
    ))];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                if text.contains("inner_html")
                    || text.contains("set_outer_html")
                    || text.contains("insert_adjacent_html")
                {
                    offenders.push(path.display().to_string());
                }
            }
        }
    }
    assert_eq!(offenders, Vec::<String>::new());
}
