//! Browser tests: components mounted for real in headless Chromium (wasm-bindgen-test).
#![cfg(target_arch = "wasm32")]

use broadsheet::{
    corpus::Corpus,
    library::{Library, LoadError, Story},
    store::MemoryStore,
    ui::{reader_data::ReaderData, with_story, ArticleView},
};
use leptos::prelude::*;
use std::sync::Arc;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[path = "support/until.rs"]
mod support;
use support::until;

const SEED: &str = include_str!("../articles/000_508f32e089381fac.txt");

/// A library holding the seed, as the site's data would give it.
fn seed_library() -> Library {
    Library::from_corpus(Arc::new(Corpus::from_files([(
        "seed.txt",
        SEED.as_bytes(),
    )])))
}

/// Mounts `view` into a fresh element, with `library` as the site's data, and returns that
/// element.
fn mount_with<V: IntoView + 'static>(
    library: Library,
    view: impl FnOnce() -> V + 'static,
) -> web_sys::HtmlElement {
    let document = web_sys::window().unwrap().document().unwrap();
    let host: web_sys::HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&host).unwrap();
    leptos::mount::mount_to(host.clone(), move || {
        leptos_meta::provide_meta_context();
        provide_context(ReaderData::with_store(Box::new(MemoryStore::new()), "/"));
        provide_context(library);
        view()
    })
    .forget();
    host
}

fn mount<V: IntoView + 'static>(view: impl FnOnce() -> V + 'static) -> web_sys::HtmlElement {
    mount_with(seed_library(), view)
}

#[wasm_bindgen_test]
fn article_view_shows_every_paragraph_and_related_story() {
    let story = seed_story();
    let article = story.article.clone();
    let host = mount(move || view! { <ArticleView story=story/> });

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

fn seed_story() -> Story {
    let slug = broadsheet::parse_str(SEED).unwrap().slug;
    seed_library()
        .cached_story(&slug)
        .flatten()
        .expect("the seed is listed")
}

fn button(host: &web_sys::HtmlElement, selector: &str) -> web_sys::HtmlElement {
    host.query_selector(selector)
        .unwrap()
        .unwrap()
        .unchecked_into()
}

#[wasm_bindgen_test]
async fn reaction_buttons_toggle_aria_pressed() {
    let story = seed_story();
    let host = mount(move || view! { <ArticleView story=story/> });
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
    let story = seed_story();
    let host = mount(move || view! { <ArticleView story=story/> });
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
    let library = Library::from_corpus(Arc::new(Corpus::from_files([(
        "hostile.txt",
        hostile.as_bytes(),
    )])));
    let slug = broadsheet::parse_str(hostile).unwrap().slug;
    let story = library.cached_story(&slug).flatten().unwrap();
    let host = mount_with(library, move || view! { <ArticleView story=story/> });
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

#[wasm_bindgen_test]
async fn a_site_without_data_files_is_not_found() {
    // The test server answers 404 for a path it does not have.
    let library = Library::remote("/no-such-site");
    assert_eq!(
        library.info().await,
        Err(LoadError::NotFound {
            path: "data/site.json".into()
        })
    );
    assert_eq!(library.cached_info(), None);
}

#[wasm_bindgen_test]
async fn an_article_that_cannot_be_fetched_shows_a_page_with_try_again() {
    // Nothing listens on port 1: every fetch fails as it does offline.
    let library = Library::remote("http://127.0.0.1:1");
    let host = mount_with(library, || {
        with_story("some-story".into(), |_| {
            view! { <p>"loaded"</p> }.into_any()
        })
    });
    let busy = host
        .query_selector("[aria-busy=true] [role=status]")
        .unwrap();
    assert!(
        busy.is_some(),
        "a polite loading state first: {}",
        host.inner_html()
    );
    let heading = || support::text_of(&host, "h1");
    until("the error page shows", || {
        heading() == "This story could not be loaded"
    })
    .await;
    assert!(host
        .text_content()
        .unwrap()
        .contains("Check your connection"));
    let again = button(&host, "article button");
    assert_eq!(again.text_content().unwrap(), "Try again");
    again.click();
    leptos::task::tick().await;
    assert!(
        host.query_selector("[aria-busy=true]").unwrap().is_some(),
        "trying again loads again"
    );
    until("it fails again", || {
        heading() == "This story could not be loaded"
    })
    .await;
    host.remove();
}

#[wasm_bindgen_test]
async fn an_unknown_article_is_page_not_found() {
    let host = mount(|| {
        with_story("no-such-story".into(), |_| {
            view! { <p>"loaded"</p> }.into_any()
        })
    });
    assert_eq!(
        host.query_selector("h1")
            .unwrap()
            .unwrap()
            .text_content()
            .unwrap(),
        "Page not found"
    );
    host.remove();
}

#[wasm_bindgen_test]
async fn continue_reading_skips_a_story_the_site_no_longer_has() {
    use broadsheet::store::{ItemId, Progress};
    let seed = seed_story().article;
    let slug = seed.slug.clone();
    let host = mount(move || {
        let data = broadsheet::ui::reader_data::use_reader_data();
        let left = |slug: &str, at: f64| {
            data.update_in_memory(&ItemId::article(slug), |state| {
                state.progress = Some(Progress {
                    paragraph: 2,
                    offset: 0.0,
                    at,
                });
            });
        };
        // Read part-way: the seed, then later a story since removed from the site.
        left(&slug, 1_000.0);
        left("a-story-since-removed", 2_000.0);
        view! {
            <broadsheet::ui::HomeView url_q=Signal::stored(String::new()) topic=Signal::stored(None)/>
        }
    });
    let link = || {
        host.query_selector(".continue-reading a")
            .unwrap()
            .and_then(|a| a.text_content())
    };
    until("Continue reading is offered", || link().is_some()).await;
    assert_eq!(link().unwrap(), format!("Continue reading: {}", seed.title));
}
