//! Browser tests: components mounted for real in headless Chromium (wasm-bindgen-test).
#![cfg(target_arch = "wasm32")]

use broadsheet::{corpus::Corpus, ui::ArticleView};
use leptos::prelude::*;
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
        view()
    })
    .forget();
    host
}

#[wasm_bindgen_test]
fn article_view_shows_every_paragraph_and_related_story() {
    let slug = broadsheet::parse_str(SEED).unwrap().slug;
    let article = Corpus::bundled()
        .article(&slug)
        .expect("the seed is bundled");
    let host = mount(move || view! { <ArticleView article=article/> });

    let paragraphs = host.query_selector_all(".article-body p").unwrap();
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
