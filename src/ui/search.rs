//! Search: the box, the results, and the index state the app keeps across pages.
//!
//! The index is built ahead of time by the site build (`broadsheet_core::search`); each
//! keystroke fetches, through the [`Library`], only the word chunks its terms need and the doc
//! shards of the results shown, and keeps them for later queries.

use super::{article_path, href};
use crate::{
    corpus::Corpus,
    library::Library,
    search::{meta_path, Doc, DocTarget, Hit, Searcher},
    site_data::{SiteData, SITE_INFO},
};
use leptos::prelude::*;
use std::collections::BTreeSet;

/// How many search results are shown before "Show more". Fewer than stories: each keystroke
/// redraws them, and at 10,000 articles the first keystroke (from the story list to results)
/// must still fit in a frame.
const RESULTS_PAGE: usize = 20;

/// What the status line says when a piece of the index could not be downloaded.
const UNAVAILABLE: &str =
    "Search is unavailable: part of the search index could not be downloaded. Check your connection and try again.";

/// The index state, owned by the app: provided above the router, so the pieces fetched survive
/// going from the front page to an article and back.
#[derive(Clone, Copy)]
pub struct SearchState {
    /// The index as far as it is here; `None` until its meta file is.
    searcher: StoredValue<Option<Searcher>>,
    /// Counts the pieces that arrived, so results are recomputed when one does.
    arrived: RwSignal<u64>,
    /// Files being fetched, so a later keystroke does not ask for them again.
    fetching: StoredValue<BTreeSet<String>>,
    /// Why the last fetch failed, until a later one starts.
    failed: RwSignal<Option<String>>,
}

impl SearchState {
    pub fn new() -> Self {
        SearchState {
            searcher: StoredValue::new(None),
            arrived: RwSignal::new(0),
            fetching: StoredValue::new(BTreeSet::new()),
            failed: RwSignal::new(None),
        }
    }

    /// Fetches the index's meta file ahead of the first keystroke (a few KB), so a query
    /// needs one round trip fewer; does nothing once it is here or on its way.
    pub fn start(self) {
        if let Some(library) = use_context::<Library>() {
            self.ensure(&library, "", 0);
        }
    }

    /// Sets off what `q` needs and is not here: the meta file first, then the word chunks of
    /// its terms, then the doc shards of its first `shown` results. Each arrival bumps
    /// `arrived`, which runs this again for the query then current, so an earlier keystroke's
    /// pieces are kept but never shown for a later one.
    ///
    /// An index of another data version than the library's (the site was redeployed, and a
    /// load noticed) is dropped, and the new version's fetched in its place.
    fn ensure(self, library: &Library, q: &str, shown: usize) {
        if let Some(info) = library.cached_info() {
            let stale = self
                .searcher
                .with_value(|s| s.as_ref().is_some_and(|s| s.version() != info.version));
            if stale {
                self.searcher.set_value(None);
            }
        }
        if self.searcher.with_value(Option::is_none) {
            match library.in_memory() {
                Some((corpus, data)) => self.hold(corpus, data),
                None => self.fetch(library, vec![SITE_INFO.to_owned()]),
            }
            return;
        }
        let needed = self.searcher.with_value(|searcher| {
            let Some(searcher) = searcher else {
                return Vec::new();
            };
            let chunks = searcher.chunks_needed(q);
            if !chunks.is_empty() {
                return chunks;
            }
            match searcher.search(q) {
                Some(hits) => searcher.docs_needed(&hits[..hits.len().min(shown)]),
                None => Vec::new(),
            }
        });
        self.fetch(library, needed);
    }

    /// The whole index of a library held in memory (pages rendered ahead of time, host
    /// tests): built once, nothing to fetch.
    #[cfg(not(target_arch = "wasm32"))]
    fn hold(self, corpus: &Corpus, data: &SiteData) {
        let version = &data.info.version;
        match Searcher::with_files(version, &crate::search::index_files(corpus, data)) {
            Ok(searcher) => {
                self.searcher.set_value(Some(searcher));
                self.arrived.update(|n| *n += 1);
            }
            Err(error) => self.failed.set(Some(error.to_string())),
        }
    }

    /// In the browser the index is always the site's files: the program does not carry the
    /// index builder (a library in memory there is a test's, which does not search).
    #[cfg(target_arch = "wasm32")]
    fn hold(self, _corpus: &Corpus, _data: &SiteData) {
        self.failed.set(Some(
            "the browser reads the search index from the site".to_owned(),
        ));
    }

    /// Fetches each of `paths` not already on its way, and keeps what arrives. `SITE_INFO`
    /// stands for the meta file, which is named by the data version the site info gives.
    fn fetch(self, library: &Library, paths: Vec<String>) {
        let new: Vec<String> = self
            .fetching
            .with_value(|on_way| paths.into_iter().filter(|p| !on_way.contains(p)).collect());
        if new.is_empty() {
            return;
        }
        self.fetching
            .update_value(|on_way| on_way.extend(new.iter().cloned()));
        if self.failed.with_untracked(Option::is_some) {
            self.failed.set(None);
        }
        for path in new {
            let library = library.clone();
            leptos::task::spawn_local(async move {
                let result = self.load(&library, &path).await;
                // `None`: the app is gone.
                if self
                    .fetching
                    .try_update_value(|on_way| on_way.remove(&path))
                    .is_none()
                {
                    return;
                }
                match result {
                    Ok(()) => self.arrived.update(|n| *n += 1),
                    Err(message) => self.failed.set(Some(message)),
                }
            });
        }
    }

    /// Fetches the piece at `path` into the index. A piece gone because the site was
    /// redeployed drops the index (the caller's bump of `arrived` then fetches the new
    /// version's), and a piece of an index since dropped is not kept.
    async fn load(self, library: &Library, path: &str) -> Result<(), String> {
        if path == SITE_INFO {
            let meta = |info: &crate::site_data::SiteInfo| meta_path(&info.version);
            let (info, _, text) = library
                .fetch_current(&meta)
                .await
                .map_err(|e| e.to_string())?;
            let searcher = Searcher::new(&info.version, &text).map_err(|e| e.to_string())?;
            self.searcher.try_set_value(Some(searcher));
            return Ok(());
        }
        let Some(Some(version)) = self
            .searcher
            .try_with_value(|s| s.as_ref().map(|s| s.version().to_owned()))
        else {
            return Ok(());
        };
        let of_version = |s: &Option<Searcher>| s.as_ref().is_some_and(|s| s.version() == version);
        let text = match library.fetch_text(path).await {
            Ok(text) => text,
            Err(error) => {
                if library
                    .redeployed(&version, &error)
                    .await
                    .map_err(|e| e.to_string())?
                {
                    self.searcher.try_update_value(|s| {
                        if of_version(s) {
                            *s = None;
                        }
                    });
                    return Ok(());
                }
                return Err(error.to_string());
            }
        };
        self.searcher
            .try_update_value(|searcher| match searcher {
                Some(s) if s.version() == version => {
                    s.add_piece(path, &text).map_err(|e| e.to_string())
                }
                _ => Ok(()),
            })
            .unwrap_or(Ok(()))
    }

    /// The results of `q` with the docs of the first `shown`, or `None` while a piece they need
    /// is still to come.
    fn results(self, q: &str, shown: usize) -> Option<Vec<Hit>> {
        self.arrived.track();
        self.searcher.with_value(|searcher| {
            let searcher = searcher.as_ref()?;
            let hits = searcher.search(q)?;
            searcher
                .docs_needed(&hits[..hits.len().min(shown)])
                .is_empty()
                .then_some(hits)
        })
    }

    fn doc(self, id: u32) -> Option<Doc> {
        self.searcher
            .with_value(|s| s.as_ref().and_then(|s| s.doc(id).cloned()))
    }

    /// `text` in runs, the words matching `q` marked.
    fn highlight(self, text: &str, q: &str) -> Vec<(String, bool)> {
        self.searcher.with_value(|searcher| match searcher {
            Some(searcher) => searcher.highlight(text, q),
            None => vec![(text.to_owned(), false)],
        })
    }
}

impl Default for SearchState {
    fn default() -> Self {
        Self::new()
    }
}

/// The search box; the query lives in the URL (`?q=`), so it survives reload and can be shared.
#[component]
pub fn SearchBox(
    /// The current query.
    q: Signal<String>,
    /// Sets the query as the reader types.
    set_q: WriteSignal<String>,
) -> impl IntoView {
    let input = NodeRef::<leptos::html::Input>::new();
    // The box owns its text while the reader types (the URL lags a keystroke behind); it
    // follows the URL only when that changes from elsewhere, e.g. Back.
    Effect::new(move |_| {
        let q = q.get();
        if let Some(input) = input.get_untracked() {
            let focused = document().active_element().is_some_and(|a| a == **input);
            if !focused && input.value() != q {
                input.set_value(&q);
            }
        }
    });
    let search_for = move |value: String| {
        let target = if value.is_empty() {
            href("/")
        } else {
            href(&format!("/?q={}", encode_query(&value)))
        };
        if let Ok(history) = window().history() {
            let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&target));
        }
        set_q.set(value);
    };
    let on_input = move |ev: leptos::ev::Event| search_for(event_target_value(&ev));
    // A query typed into the page rendered ahead of time, before the app took over, is
    // searched for at once.
    let typed = super::early::take_early(super::early::SEARCH_BOX);
    let initial = typed.clone().unwrap_or_else(|| q.get_untracked());
    if let Some(typed) = typed {
        search_for(typed);
    }
    view! {
        <form class="search" role="search" on:submit=|ev| ev.prevent_default()>
            <input
                id=super::early::SEARCH_BOX
                type="search"
                aria-label="Search articles"
                placeholder="Search stories and briefs"
                autocomplete="off"
                node_ref=input
                prop:value=initial
                on:input=on_input
            />
            <span class="shortcut-hint" aria-hidden="true">"/"</span>
        </form>
    }
}

/// Results for a query: articles and briefs, best first, with the matching words marked.
#[component]
pub fn SearchResults(
    /// The query.
    q: Signal<String>,
) -> impl IntoView {
    let (shown_count, set_shown_count) = signal(RESULTS_PAGE);
    // Without the app's [`SearchState`] (tests, prerendering) a state of its own.
    let state = use_context::<SearchState>().unwrap_or_default();
    let library = use_context::<Library>();
    if let Some(library) = &library {
        // In memory the index is here at once, so the first render has the results.
        state.ensure(library, &q.get_untracked(), shown_count.get_untracked());
    }
    Effect::new(move |_| {
        let shown = shown_count.get();
        state.arrived.track();
        q.with(|q| {
            if let Some(library) = &library {
                state.ensure(library, q, shown);
            }
        })
    });
    let current = Memo::new(move |_| q.with(|q| state.results(q, shown_count.get())));
    // What is listed: the latest results that are complete, so a keystroke whose pieces are
    // still downloading leaves the previous results in place rather than blanking them.
    let listed = Memo::new(move |previous: Option<&Vec<Hit>>| match current.get() {
        Some(hits) => hits,
        None => previous.cloned().unwrap_or_default(),
    });
    let more_results = move || listed.with(Vec::len) > shown_count.get();
    let summary = move || {
        if current.with(Option::is_none) {
            return match state.failed.get() {
                Some(_) => UNAVAILABLE.to_owned(),
                None => "Searching…".to_owned(),
            };
        }
        let n = listed.with(Vec::len);
        let q = q.get();
        match n {
            0 => format!(
                "No stories match “{}”. Try fewer or different words.",
                q.trim()
            ),
            1 => format!("1 result for “{}”", q.trim()),
            n => format!("{n} results for “{}”", q.trim()),
        }
    };
    view! {
        <p class="search-summary" role="status">{summary}</p>
        <ul class="story-list" aria-label="Search results">
            <For
                each=move || listed.with(|h| {
                    h.iter()
                        .take(shown_count.get())
                        .filter_map(|h| Some((h.doc, state.doc(h.doc)?)))
                        .collect::<Vec<_>>()
                })
                key=|(id, _)| *id
                let:((_, doc))
            >
                <SearchResult doc=doc q=q state=state/>
            </For>
        </ul>
        <Show when=more_results>
            <button type="button" class="show-more" disabled=super::early::not_ready() on:click=move |_| set_shown_count.update(|n| *n += RESULTS_PAGE)>
                {move || format!("Show more results ({} more)", listed.with(Vec::len) - shown_count.get())}
            </button>
        </Show>
    }
}

/// Text with the words that match the query wrapped in `<mark>` (as text, never markup).
fn marked(state: SearchState, text: &str, q: &str) -> impl IntoView {
    state
        .highlight(text, q)
        .into_iter()
        .map(|(run, hit)| {
            if hit {
                view! { <mark>{run}</mark> }.into_any()
            } else {
                run.into_any()
            }
        })
        .collect_view()
}

/// One search result.
#[component]
fn SearchResult(
    /// The matching article or brief.
    doc: Doc,
    /// The query, for marking matches.
    q: Signal<String>,
    /// The index, whose fold table marks matches as the search found them.
    state: SearchState,
) -> impl IntoView {
    let Doc {
        title,
        snippet,
        topic,
        target,
    } = doc;
    let target = match &target {
        DocTarget::Article { slug } => article_path(slug),
        DocTarget::Brief { article, brief } => super::brief_path(article, brief),
    };
    view! {
        <li class="story" data-nav-item="">
            <h2 class="story-title">
                <a href=href(&target)>{move || marked(state, &title, &q.get())}</a>
            </h2>
            <p class="story-meta">
                {topic.map(|t| view! { <span class="topic">{t}</span> })}
            </p>
            <p class="story-summary">{move || marked(state, &snippet, &q.get())}</p>
        </li>
    }
}

/// Percent-encodes a query value.
pub fn encode_query(value: &str) -> String {
    let mut out = String::new();
    for b in value.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}
