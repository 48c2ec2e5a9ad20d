//! Browser tests: the app's data survives a redeployment under an open tab. `Library` (and the
//! search state) fetch through a fake `window.fetch` that serves one deployment's data files
//! at a time and logs every request, so a test can swap the deployment between two loads.
#![cfg(target_arch = "wasm32")]

use broadsheet::{
    article::fnv1a32,
    corpus::Corpus,
    library::{Library, LoadError},
    search::index_files,
    site_data::{article_path, SiteData, SITE_INFO},
    store::MemoryStore,
    ui::{
        reader_data::ReaderData,
        search::{SearchResults, SearchState},
        HomeView,
    },
};
use leptos::prelude::*;
use std::{cell::RefCell, collections::BTreeMap, rc::Rc};
use wasm_bindgen::{prelude::Closure, JsCast, JsValue};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[path = "support/until.rs"]
mod support;
use support::until;

const HARBOUR: &str = "---\ntitle: Harbour ferry resumes\nslug: harbour\npublished: 2025-04-03T08:00:00Z\n---\nThe harbour ferry ran again on Monday.\n";
const HARBOUR_EDITED: &str = "---\ntitle: Harbour ferry resumes\nslug: harbour\npublished: 2025-04-03T08:00:00Z\n---\nThe harbour ferry ran again on Monday, an hour late.\n";
const COUNCIL: &str = "---\ntitle: Council votes on the budget\nslug: council\npublished: 2025-04-02T08:00:00Z\n---\nThe council voted on Tuesday.\n";
const ZEBRA: &str = "---\ntitle: Zebra crossing painted\nslug: zebra\npublished: 2025-04-04T08:00:00Z\n---\nA zebra crossing was painted outside the school.\n";
const YAK: &str = "---\ntitle: Yak wool fair opens\nslug: yak\npublished: 2025-04-05T08:00:00Z\n---\nThe yak wool fair opened on Friday.\n";

/// The data files of a site of `articles` whose data version is `version`, by path, as the
/// site build writes them: an article file is named by its contents.
fn deployment(version: &str, articles: &[&str]) -> BTreeMap<String, String> {
    let corpus = Corpus::from_files(articles.iter().map(|a| ("a.txt", a.as_bytes())));
    let text: BTreeMap<String, &str> = articles
        .iter()
        .map(|a| (broadsheet::parse_str(a).unwrap().slug, *a))
        .collect();
    let file = |slug: &str| article_path(slug, &format!("{:016x}", fnv1a32(text[slug].as_bytes())));
    let data = SiteData::new(&corpus, |a| file(&a.slug), version);
    let mut files: BTreeMap<String, String> = data.files().into_iter().collect();
    files.extend(index_files(&corpus, &data));
    files.extend(text.iter().map(|(slug, a)| (file(slug), a.to_string())));
    files
}

/// A site served by a fake `fetch` under `/BASE/`: what is deployed, and every request made,
/// as (path, the request's cache mode).
#[derive(Default)]
struct Site {
    files: BTreeMap<String, String>,
    /// `data/site.json` fails as it does offline.
    info_fails: bool,
    log: Vec<(String, String)>,
}

/// Installs the fake site as `window.fetch` for URLs under `/BASE/` (others go to the fetch it
/// replaces) and returns it with a library of it.
fn serve(base: &'static str) -> (Rc<RefCell<Site>>, Library) {
    let site = Rc::new(RefCell::new(Site::default()));
    let window = web_sys::window().unwrap();
    let previous: js_sys::Function = js_sys::Reflect::get(&window, &"fetch".into())
        .unwrap()
        .unchecked_into();
    let prefix = format!("/{base}/");
    let served = site.clone();
    let fetch = Closure::<dyn FnMut(JsValue, JsValue) -> js_sys::Promise>::new(
        move |url: JsValue, init: JsValue| {
            let url = url.as_string().unwrap_or_default();
            let Some(path) = url.strip_prefix(&prefix) else {
                return previous
                    .call2(&JsValue::NULL, &url.into(), &init)
                    .unwrap()
                    .unchecked_into();
            };
            let cache = js_sys::Reflect::get(&init, &"cache".into())
                .ok()
                .and_then(|c| c.as_string())
                .unwrap_or_else(|| "default".to_owned());
            let mut site = served.borrow_mut();
            site.log.push((path.to_owned(), cache));
            if path == SITE_INFO && site.info_fails {
                return js_sys::Promise::reject(&js_sys::TypeError::new("offline").into());
            }
            let (body, status) = match site.files.get(path) {
                Some(body) => (body.as_str(), 200),
                None => ("not found", 404),
            };
            let init = web_sys::ResponseInit::new();
            init.set_status(status);
            let response = web_sys::Response::new_with_opt_str_and_init(Some(body), &init).unwrap();
            js_sys::Promise::resolve(&JsValue::from(response))
        },
    );
    js_sys::Reflect::set(&window, &"fetch".into(), fetch.as_ref()).unwrap();
    fetch.forget();
    (site, Library::remote(&format!("/{base}")))
}

impl Site {
    fn deploy(&mut self, files: BTreeMap<String, String>) {
        self.files = files;
    }

    /// The requests made since the last call.
    fn requests(&mut self) -> Vec<(String, String)> {
        std::mem::take(&mut self.log)
    }
}

fn get(path: &str) -> (String, String) {
    (path.to_owned(), "default".to_owned())
}

fn fresh_info() -> (String, String) {
    (SITE_INFO.to_owned(), "no-store".to_owned())
}

#[wasm_bindgen_test]
async fn listings_and_slug_shards_gone_after_a_redeployment_come_from_the_new_version() {
    let (site, library) = serve("redeploy-lists");
    site.borrow_mut()
        .deploy(deployment("aaaa", &[HARBOUR, COUNCIL]));
    assert_eq!(library.listing(None, 0).await.unwrap().total, 2);
    assert_eq!(
        site.borrow_mut().requests(),
        [get(SITE_INFO), get("data/aaaa/list/all/0.json")]
    );

    site.borrow_mut()
        .deploy(deployment("bbbb", &[HARBOUR, COUNCIL, ZEBRA]));
    // A story published since: its slug shard of the old version is gone.
    let zebra = library.locate("zebra").await.unwrap();
    assert_eq!(zebra.entry.title, "Zebra crossing painted");
    assert_eq!(
        site.borrow_mut().requests(),
        [
            get("data/aaaa/slugs/0.json"),
            fresh_info(),
            get("data/bbbb/slugs/0.json")
        ],
        "the site's info is fetched afresh, then the shard of the new version once"
    );
    assert_eq!(library.cached_info().unwrap().version, "bbbb");
    // What was cached of the old version is dropped, so nothing mixes the two.
    assert_eq!(library.cached_listing(None, 0), None);
    let listing = library.listing(None, 0).await.unwrap();
    assert_eq!(listing.total, 3);
    assert_eq!(listing.entries[0].slug, "zebra");
    assert_eq!(
        site.borrow_mut().requests(),
        [get("data/bbbb/list/all/0.json")]
    );

    // A listing page gone, the same way.
    site.borrow_mut()
        .deploy(deployment("cccc", &[HARBOUR, COUNCIL, ZEBRA, YAK]));
    assert_eq!(
        library.listing(Some("no-topic"), 0).await.map(drop),
        Err(LoadError::NotFound {
            path: "data/cccc/list/topic/no-topic/0.json".into()
        })
    );
    assert_eq!(
        site.borrow_mut().requests(),
        [
            get("data/bbbb/list/topic/no-topic/0.json"),
            fresh_info(),
            get("data/cccc/list/topic/no-topic/0.json")
        ],
        "retried once under the new version, and no more"
    );
    assert_eq!(library.listing(None, 0).await.unwrap().total, 4);
}

#[wasm_bindgen_test]
async fn an_article_whose_file_changed_in_a_redeployment_is_found_in_the_new_version() {
    let (site, library) = serve("redeploy-article");
    site.borrow_mut()
        .deploy(deployment("aaaa", &[HARBOUR, COUNCIL]));
    // The reader has the list (its shard), not yet the story.
    let old = library.locate("harbour").await.unwrap();
    site.borrow_mut().requests();

    site.borrow_mut()
        .deploy(deployment("bbbb", &[HARBOUR_EDITED, COUNCIL]));
    let story = library.story("harbour").await.unwrap();
    assert_eq!(
        story.article.paragraphs,
        ["The harbour ferry ran again on Monday, an hour late."]
    );
    assert_ne!(story.located.entry.file, old.entry.file);
    assert_eq!(
        site.borrow_mut().requests(),
        [
            get(&old.entry.file),
            fresh_info(),
            get("data/bbbb/slugs/0.json"),
            get(&story.located.entry.file),
        ]
    );
    assert_eq!(library.cached_story("harbour"), Some(Some(story)));
}

#[wasm_bindgen_test]
async fn a_404_without_a_redeployment_stays_not_found_and_is_not_retried() {
    let (site, library) = serve("redeploy-none");
    site.borrow_mut()
        .deploy(deployment("aaaa", &[HARBOUR, COUNCIL]));
    library.info().await.unwrap();
    site.borrow_mut().files.remove("data/aaaa/list/all/0.json");
    site.borrow_mut().requests();
    assert_eq!(
        library.listing(None, 0).await.map(drop),
        Err(LoadError::NotFound {
            path: "data/aaaa/list/all/0.json".into()
        })
    );
    assert_eq!(
        site.borrow_mut().requests(),
        [get("data/aaaa/list/all/0.json"), fresh_info()],
        "the info is asked again, names the same version, and the file is not asked again"
    );
    assert_eq!(library.cached_info().unwrap().version, "aaaa");

    // Offline by then (the info cannot be fetched): the 404 stands too.
    site.borrow_mut()
        .deploy(deployment("bbbb", &[HARBOUR, COUNCIL]));
    site.borrow_mut().info_fails = true;
    assert_eq!(
        library.locate("harbour").await.map(drop),
        Err(LoadError::NotFound {
            path: "data/aaaa/slugs/0.json".into()
        })
    );
    assert_eq!(
        site.borrow_mut().requests(),
        [get("data/aaaa/slugs/0.json"), fresh_info()]
    );
    assert_eq!(library.cached_info().unwrap().version, "aaaa");
}

#[wasm_bindgen_test]
async fn search_moves_to_the_new_version_after_a_redeployment() {
    let (site, library) = serve("redeploy-search");
    site.borrow_mut()
        .deploy(deployment("aaaa", &[HARBOUR, COUNCIL]));
    let q = RwSignal::new(String::new());
    let document = web_sys::window().unwrap().document().unwrap();
    let host: web_sys::HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&host).unwrap();
    let state = SearchState::new();
    {
        let library = library.clone();
        leptos::mount::mount_to(host.clone(), move || {
            provide_context(ReaderData::with_store(Box::new(MemoryStore::new()), "/"));
            provide_context(library);
            provide_context(state);
            view! { <SearchResults q=q.into()/> }
        })
        .forget();
    }
    let summary = || support::text_of(&host, ".search-summary");
    // The index's meta file is fetched at once, its word chunks as a query needs them.
    until("the old version's search meta file is here", || {
        site.borrow()
            .log
            .iter()
            .any(|(p, _)| p == "data/aaaa/search/meta.json")
    })
    .await;

    // Redeployed: the word chunk the query needs is gone with the old version.
    site.borrow_mut()
        .deploy(deployment("bbbb", &[HARBOUR, COUNCIL, ZEBRA]));
    site.borrow_mut().requests();
    q.set("zebra".into());
    until("the new version's index finds the zebra story", || {
        summary() == "1 result for “zebra”"
    })
    .await;
    assert!(host
        .text_content()
        .unwrap()
        .contains("Zebra crossing painted"));
    let asked: Vec<String> = site
        .borrow_mut()
        .requests()
        .into_iter()
        .map(|(p, _)| p)
        .collect();
    assert!(
        asked.contains(&"data/aaaa/search/words/0.json".to_owned()),
        "{asked:?}"
    );
    assert!(
        asked.contains(&"data/bbbb/search/meta.json".to_owned()),
        "{asked:?}"
    );

    // Redeployed again, and seen first by another load (a slug shard): the next query moves
    // the index too, though the old one holds every chunk it would need.
    site.borrow_mut()
        .deploy(deployment("cccc", &[HARBOUR, COUNCIL, ZEBRA, YAK]));
    library.locate("yak").await.unwrap();
    q.set("yak".into());
    until("the newest version's index finds the yak story", || {
        summary() == "1 result for “yak”"
    })
    .await;
    host.remove();
}

/// Story `n` of a generated site, published on day `n` of 2024 (later ones are newer).
fn story(n: usize) -> String {
    format!(
        "---\ntitle: Story {n}\nslug: story-{n}\npublished: 2024-01-01T00:00:00Z\n---\nStory {n} in one paragraph.\n"
    )
    .replace("2024-01-01", &format!("2024-{:02}-{:02}", 1 + n / 28, 1 + n % 28))
}

#[wasm_bindgen_test]
async fn show_more_after_a_redeployment_lists_the_new_list_without_repeats() {
    let (site, library) = serve("redeploy-home");
    // Two listing pages: 50 stories, then 10.
    let old: Vec<String> = (0..60).map(story).collect();
    let old: Vec<&str> = old.iter().map(String::as_str).collect();
    site.borrow_mut().deploy(deployment("aaaa", &old));
    let document = web_sys::window().unwrap().document().unwrap();
    let host: web_sys::HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&host).unwrap();
    leptos::mount::mount_to(host.clone(), move || {
        leptos_meta::provide_meta_context();
        provide_context(ReaderData::with_store(Box::new(MemoryStore::new()), "/"));
        provide_context(library);
        view! { <HomeView url_q=Signal::stored(String::new()) topic=Signal::stored(None)/> }
    })
    .forget();
    let titles = || {
        let items = host.query_selector_all(".story-list .story-title").unwrap();
        (0..items.length())
            .map(|i| items.item(i).unwrap().text_content().unwrap())
            .collect::<Vec<_>>()
    };
    until("the first page is listed", || titles().len() == 50).await;
    assert_eq!(titles()[0], "Story 59");

    // A story published since: it heads the new list, and the second page starts a story later.
    let new: Vec<String> = (0..61).map(story).collect();
    let new: Vec<&str> = new.iter().map(String::as_str).collect();
    site.borrow_mut().deploy(deployment("bbbb", &new));
    let more: web_sys::HtmlElement = host
        .query_selector(".show-more")
        .unwrap()
        .unwrap()
        .unchecked_into();
    more.click();
    until("the second page is listed", || titles().len() > 50).await;
    let expected: Vec<String> = (0..61).rev().map(|n| format!("Story {n}")).collect();
    assert_eq!(titles(), expected, "the new list, each story once");
    assert!(host.query_selector(".show-more").unwrap().is_none());
    host.remove();
}
