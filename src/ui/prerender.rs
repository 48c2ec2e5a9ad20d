//! Renders pages to HTML ahead of time with the app's own components, so a page's text is on
//! screen before the wasm loads and readable without JavaScript.

use super::{
    article_page::ArticleView, brief_page::BriefView, home::HomeView, not_found::NotFound,
    reader_data::ReaderData, your_data::YourData, BasePath, Chrome,
};
use crate::{
    library::{Library, Story},
    routes::Route,
    store::MemoryStore,
};
use leptos::prelude::*;

/// A page rendered ahead of time.
pub struct Prerendered {
    /// The document title.
    pub title: String,
    /// The body's HTML: the same markup the app renders for that URL with no saved data.
    pub body: String,
    /// The data files (relative to the base path) the app loads before it takes this page
    /// over: the build names them in the page's head as
    /// `<link rel="preload" as="fetch" crossorigin="anonymous" href="...">`, so they download
    /// alongside the wasm instead of after it.
    pub preloads: Vec<String>,
    /// JSON the build puts in the page's head as
    /// `<script type="application/json" id="page-data">`: see [`Library::page_data`].
    pub data: Option<String>,
}

/// Renders the page `route` names (`Route::parse("/article/x")`; [`Route::NotFound`] for the
/// not-found page) of the site in `library` (a [`Library::memory`]) served under `base` (e.g.
/// `/reader/`). `None` for an article or brief the site does not have.
pub fn render(library: &Library, base: &str, route: &Route) -> Option<Prerendered> {
    let full_path = format!("{}{}", base.trim_end_matches('/'), route.path());
    let preloads = library.needed_for(route);
    let data = library.page_data(route);
    ahead_of_time(base, library.clone(), || {
        let (title, page) = match route {
            Route::Home => (
                String::new(),
                view! { <HomeView url_q=Signal::stored(String::new()) topic=Signal::stored(None)/> }.into_any(),
            ),
            Route::Article { slug } => {
                let story = library.cached_story(slug)??;
                (story.article.title.clone(), view! { <ArticleView story=story/> }.into_any())
            }
            Route::Brief { article, brief } => {
                let story = library.cached_story(article)??;
                let entry = story.article.related.iter().find(|r| &r.slug == brief)?.clone();
                (entry.topic.clone(), view! { <BriefView article=story.article.clone() entry=entry/> }.into_any())
            }
            Route::Data => ("Your data".to_owned(), view! { <YourData/> }.into_any()),
            Route::Highlights => (
                "Your highlights".to_owned(),
                view! { <crate::ui::YourHighlights/> }.into_any(),
            ),
            Route::NotFound => ("Page not found".to_owned(), view! { <NotFound/> }.into_any()),
        };
        let path = Signal::stored(full_path);
        let body = view! { <Chrome path=path>{page}</Chrome> }.to_html();
        let title = if title.is_empty() {
            "Broadsheet".to_owned()
        } else {
            format!("{title} · Broadsheet")
        };
        Some(Prerendered {
            title,
            body,
            preloads,
            data,
        })
    })
}

/// Runs `render` as a page of a site under `base` with no saved data: in a fresh owner with the
/// app's contexts, effects off (they are browser behaviour: scrolling, focus, timers), and
/// signal reads untracked (a snapshot subscribes to nothing, so Leptos need not warn that
/// reads happen outside a reactive context).
///
/// The no-op executor is process-wide, installed by the first call and found in place by the
/// rest, because any_spawner has no owned or scoped executor (even `init_local_custom_executor`
/// fills its one global table of spawn functions).
fn ahead_of_time<T>(base: &str, library: Library, render: impl FnOnce() -> T) -> T {
    let _ = any_spawner::Executor::init_custom_executor(NoEffects);
    let owner = Owner::new();
    owner.with(|| {
        leptos_meta::provide_meta_context();
        provide_context(BasePath::new(base));
        provide_context(super::early::Prerendering);
        provide_context(library);
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
pub fn render_article(base: &str, library: Library, story: Story) -> String {
    ahead_of_time(base, library, || {
        view! { <ArticleView story=story/> }.to_html()
    })
}
