//! Browser tests of highlights in the article view: saved highlights are drawn as `<mark>`s
//! where their words are in the article as published now, after a new deployment moved or
//! edited them, and one whose words are gone is listed and said to be so, not dropped.
#![cfg(target_arch = "wasm32")]

use broadsheet::{
    anchor::Anchor,
    corpus::Corpus,
    library::{Library, Story},
    store::{ItemId, MemoryStore},
    ui::{reader_data::ReaderData, ArticleView},
};
use leptos::prelude::*;
use std::sync::Arc;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[path = "support/until.rs"]
mod support;
use support::{text_of, until};

const SEED: &str = include_str!("../articles/000_508f32e089381fac.txt");

/// The seed as published, or with `edit` applied to its text (a later deployment).
fn story(edit: impl Fn(&str) -> String) -> Story {
    let text = edit(SEED);
    let library = Library::from_corpus(Arc::new(Corpus::from_files([(
        "seed.txt",
        text.as_bytes(),
    )])));
    let slug = broadsheet::parse_str(&text).unwrap().slug;
    library.cached_story(&slug).flatten().expect("listed")
}

/// A highlight of `quote` (its first place in paragraph `paragraph` of the published seed).
fn highlight_of(paragraph: usize, quote: &str) -> Anchor {
    let article = broadsheet::parse_str(SEED).unwrap();
    let texts: Vec<&str> = article.paragraphs.iter().map(String::as_str).collect();
    let byte = texts[paragraph].find(quote).expect("the quote is there");
    let start = texts[paragraph][..byte].chars().count();
    Anchor::new(&texts, paragraph, start, start + quote.chars().count()).unwrap()
}

/// Mounts the article view of `story` over a store holding `anchors` as the reader's highlights.
fn mount(story: Story, anchors: Vec<Anchor>) -> web_sys::HtmlElement {
    let document = web_sys::window().unwrap().document().unwrap();
    let host: web_sys::HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&host).unwrap();
    let id = ItemId::article(&story.article.slug);
    let title = story.article.title.clone();
    leptos::mount::mount_to(host.clone(), move || {
        leptos_meta::provide_meta_context();
        let data = ReaderData::with_store(Box::new(MemoryStore::new()), "/");
        data.update(&id, |s| {
            for (n, anchor) in anchors.into_iter().enumerate() {
                s.add_highlight(format!("h{n}"), anchor, &title, 1_000.0 + n as f64);
            }
        });
        provide_context(data);
        provide_context(Library::from_corpus(Arc::new(Corpus::from_files([(
            "seed.txt",
            SEED.as_bytes(),
        )]))));
        view! { <ArticleView story=story/> }
    })
    .forget();
    host
}

fn marks(host: &web_sys::HtmlElement) -> Vec<(String, String)> {
    let list = host
        .query_selector_all(".article-body mark.reader-highlight")
        .unwrap();
    (0..list.length())
        .map(|i| {
            let mark: web_sys::Element = list.item(i).unwrap().unchecked_into();
            let paragraph = mark.closest("p[id]").unwrap().unwrap().id();
            (paragraph, mark.text_content().unwrap())
        })
        .collect()
}

#[wasm_bindgen_test]
async fn saved_highlights_are_drawn_where_their_words_are_and_the_paragraph_reads_the_same() {
    let host = mount(
        story(str::to_owned),
        vec![
            highlight_of(1, "a move he described as"),
            highlight_of(3, "Dmitriev"),
        ],
    );
    until("two marks", || marks(&host).len() == 2).await;
    assert_eq!(
        marks(&host),
        [
            ("p2".to_owned(), "a move he described as".to_owned()),
            ("p4".to_owned(), "Dmitriev".to_owned())
        ]
    );
    assert!(text_of(&host, "#p2").contains("Ukraine—a move he described as “a first step"));
    // The first mark of each carries the id its links name.
    assert!(host.query_selector("mark#hl-h0").unwrap().is_some());
    assert_eq!(
        text_of(&host, ".highlights blockquote"),
        "a move he described as"
    );
}

#[wasm_bindgen_test]
async fn after_a_deployment_that_moved_and_edited_the_words_the_marks_follow_them() {
    // A paragraph added after the lede, and the second highlight's words edited.
    let republished = story(|text| {
        text.replacen(
            "Speaking on behalf",
            "An update was added at 10:00.\nSpeaking on behalf",
            1,
        )
        .replace("a move he described as", "a step he called")
    });
    let host = mount(
        republished,
        vec![
            highlight_of(3, "Dmitriev"),
            highlight_of(1, "a move he described as"),
        ],
    );
    until("two marks", || marks(&host).len() == 2).await;
    assert_eq!(
        marks(&host),
        [
            ("p3".to_owned(), "a step he called".to_owned()),
            ("p5".to_owned(), "Dmitriev".to_owned())
        ]
    );
}

#[wasm_bindgen_test]
async fn a_highlight_whose_words_are_gone_is_listed_and_said_to_be_gone() {
    let rewritten = story(|text| {
        let article = broadsheet::parse_str(text).unwrap();
        text.replace(
            &article.paragraphs[7],
            "The envoy declined to comment further.",
        )
    });
    let quote = "is being viewed as a positive step";
    let host = mount(rewritten, vec![highlight_of(7, quote)]);
    until("the highlight listed", || {
        text_of(&host, ".highlights blockquote") == quote
    })
    .await;
    assert!(marks(&host).is_empty());
    assert!(text_of(&host, ".highlight-entry").contains("no longer in the story"));
}
