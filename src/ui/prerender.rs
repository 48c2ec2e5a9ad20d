//! Renders pages to HTML ahead of time with the app's own components, so a page's text is on
//! screen before the wasm loads and readable without JavaScript.

use super::{
    article_page::ArticleView, brief_page::BriefView, home::HomeView, not_found::NotFound,
    reader_data::ReaderData, set_base_path, your_data::YourData, Chrome,
};
use crate::{corpus::Corpus, store::MemoryStore};
use leptos::prelude::*;

/// A page rendered ahead of time.
pub struct Prerendered {
    /// The document title.
    pub title: String,
    /// The body's HTML: the same markup the app renders for that URL with no saved data.
    pub body: String,
}

/// Renders the page at `path` (without the base, e.g. `/article/x`, or `None` for the
/// not-found page) for a site served under `base` (e.g. `/reader/`).
pub fn render(base: &str, path: Option<&str>) -> Option<Prerendered> {
    let corpus = Corpus::bundled();
    let full_path = format!("{}{}", base.trim_end_matches('/'), path.unwrap_or("/404"));
    ahead_of_time(base, || {
        let segments: Vec<&str> = path
            .map(|p| {
                p.trim_matches('/')
                    .split('/')
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_else(|| vec!["404"]);
        let (title, page) = match segments.as_slice() {
            [] => (
                String::new(),
                view! { <HomeView url_q=Signal::stored(String::new()) topic=Signal::stored(None)/> }.into_any(),
            ),
            ["article", slug] => {
                let article = corpus.article(slug)?;
                (article.title.clone(), view! { <ArticleView article=article/> }.into_any())
            }
            ["article", slug, "brief", brief] => {
                let (article, entry) = corpus.brief(slug, brief)?;
                (entry.topic.clone(), view! { <BriefView article=article entry=entry/> }.into_any())
            }
            ["data"] => ("Your data".to_owned(), view! { <YourData/> }.into_any()),
            _ => ("Page not found".to_owned(), view! { <NotFound/> }.into_any()),
        };
        let path = Signal::stored(full_path);
        let body = view! { <Chrome path=path>{page}</Chrome> }.to_html();
        let title = if title.is_empty() {
            "Broadsheet".to_owned()
        } else {
            format!("{title} · Broadsheet")
        };
        Some(Prerendered { title, body })
    })
}

/// Runs `render` as a page of a site under `base` with no saved data: in a fresh owner with the
/// app's contexts, effects off (they are browser behaviour: scrolling, focus, timers), and
/// signal reads untracked (a snapshot subscribes to nothing, so Leptos need not warn that
/// reads happen outside a reactive context).
fn ahead_of_time<T>(base: &str, render: impl FnOnce() -> T) -> T {
    let _ = any_spawner::Executor::init_custom_executor(NoEffects);
    set_base_path(base);
    let owner = Owner::new();
    owner.with(|| {
        leptos_meta::provide_meta_context();
        provide_context(super::early::Prerendering);
        provide_context(ReaderData::with_store(Box::new(MemoryStore::new()), base));
        untrack(render)
    })
}

/// An executor that drops what it is given: effects wait for the browser.
struct NoEffects;

impl any_spawner::CustomExecutor for NoEffects {
    fn spawn(&self, _: any_spawner::PinnedFuture<()>) {}
    fn spawn_local(&self, _: any_spawner::PinnedLocalFuture<()>) {}
    fn poll_local(&self) {}
}

/// The reading view of any article, as HTML (for checking what reaches the page).
pub fn render_article(base: &str, article: &'static crate::article::Article) -> String {
    ahead_of_time(base, || view! { <ArticleView article=article/> }.to_html())
}
