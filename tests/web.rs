//! Browser tests: components mounted for real in headless Chromium (wasm-bindgen-test).
#![cfg(target_arch = "wasm32")]

use broadsheet::{
    corpus::Corpus,
    store::MemoryStore,
    ui::{reader_data::ReaderData, ArticleView},
};
use leptos::prelude::*;
use std::sync::Arc;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const SEED: &str = include_str!("../articles/000_508f32e089381fac.txt");

/// Mounts `view` into a fresh element and returns that element.
fn mount<V: IntoView + 'static>(view: impl FnOnce() -> V + 'static) -> web_sys::HtmlElement {
    let document = web_sys::window().unwrap().document().unwrap();
    let host: web_sys::HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&host).unwrap();
    leptos::mount::mount_to(host.clone(), move || {
        leptos_meta::provide_meta_context();
        provide_context(ReaderData::with_store(Box::new(MemoryStore::new()), "/"));
        provide_context(Arc::new(Corpus::bundled()));
        view()
    })
    .forget();
    host
}

#[wasm_bindgen_test]
fn article_view_shows_every_paragraph_and_related_story() {
    let article = seed_article();
    let host = mount({
        let article = article.clone();
        move || view! { <ArticleView article=article/> }
    });

    let paragraphs = host.query_selector_all(".article-body > p[id]").unwrap();
    assert_eq!(paragraphs.length(), 8);
    let first = paragraphs.item(0).unwrap().text_content().unwrap();
    assert!(first.starts_with("Russia’s special envoy"), "{first}");
    assert_eq!(
        host.query_selector("h1")
            .unwrap()
            .unwrap()
            .text_content()
            .unwrap(),
        article.title
    );

    let times: Vec<String> = (0..5)
        .map(|i| {
            host.query_selector_all(".related time")
                .unwrap()
                .item(i)
                .unwrap()
                .text_content()
                .unwrap()
        })
        .collect();
    assert_eq!(times, ["07:45", "06:30", "05:53", "04:49", "03:30"]);
    host.remove();
}

fn seed_article() -> Arc<broadsheet::Article> {
    let slug = broadsheet::parse_str(SEED).unwrap().slug;
    Corpus::bundled()
        .article(&slug)
        .cloned()
        .expect("the seed is bundled")
}

fn button(host: &web_sys::HtmlElement, selector: &str) -> web_sys::HtmlElement {
    host.query_selector(selector)
        .unwrap()
        .unwrap()
        .unchecked_into()
}

#[wasm_bindgen_test]
async fn reaction_buttons_toggle_aria_pressed() {
    let article = seed_article();
    let host = mount(move || view! { <ArticleView article=article/> });
    let group = host
        .query_selector("[role=group][aria-label=Reactions]")
        .unwrap()
        .unwrap();
    assert_eq!(group.query_selector_all("button").unwrap().length(), 6);
    let love = button(&host, ".reaction:nth-child(2)");
    assert_eq!(love.get_attribute("aria-pressed").as_deref(), Some("false"));
    love.click();
    leptos::task::tick().await;
    assert_eq!(love.get_attribute("aria-pressed").as_deref(), Some("true"));
    love.click();
    leptos::task::tick().await;
    assert_eq!(love.get_attribute("aria-pressed").as_deref(), Some("false"));
    host.remove();
}

#[wasm_bindgen_test]
async fn posting_an_empty_comment_is_refused_and_a_real_one_is_listed_as_text() {
    let article = seed_article();
    let host = mount(move || view! { <ArticleView article=article/> });
    let post = button(&host, ".comment-form button[type=submit]");
    post.click();
    leptos::task::tick().await;
    let alert = host
        .query_selector("[role=alert]")
        .unwrap()
        .expect("an error is shown");
    assert!(alert.text_content().unwrap().contains("empty comment"));

    let textarea: web_sys::HtmlTextAreaElement = host
        .query_selector("#comment-box")
        .unwrap()
        .unwrap()
        .unchecked_into();
    textarea.set_value("<b>bold?</b> no");
    textarea
        .dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
    leptos::task::tick().await;
    post.click();
    leptos::task::tick().await;
    leptos::task::tick().await;
    let list = host
        .query_selector("ol[aria-label=Comments]")
        .unwrap()
        .expect("the list appears");
    assert_eq!(list.query_selector("b").unwrap(), None, "markup stays text");
    assert_eq!(
        list.query_selector(".comment-text")
            .unwrap()
            .unwrap()
            .text_content()
            .unwrap(),
        "<b>bold?</b> no"
    );
    assert_eq!(textarea.value(), "");
    host.remove();
}

#[wasm_bindgen_test]
async fn hostile_article_fields_stay_text_in_the_dom() {
    let hostile = include_str!("fixtures/hostile.txt");
    let article = Arc::new(broadsheet::parse_str(hostile).unwrap());
    let host = mount(move || view! { <ArticleView article=article/> });
    leptos::task::tick().await;
    for tag in ["script", "img", "iframe", "svg", "style", "b"] {
        assert_eq!(
            host.query_selector(tag).unwrap(),
            None,
            "a <{tag}> element was created"
        );
    }
    assert!(host
        .query_selector("h1")
        .unwrap()
        .unwrap()
        .text_content()
        .unwrap()
        .starts_with("<script>window.__pwned = 1</script>Hostile"));
    let pwned = js_sys::Reflect::get(&web_sys::window().unwrap(), &"__pwned".into()).unwrap();
    assert!(pwned.is_undefined());
    host.remove();
}
