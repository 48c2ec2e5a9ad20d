//! Search: the box, the results, and the index state the app keeps across pages.

use super::{article_path, href, use_corpus};
use crate::{
    corpus::Corpus,
    search::{highlight, Doc, DocTarget, IndexBuilder, SearchIndex},
};
use leptos::prelude::*;
use std::sync::Arc;

/// How many search results are shown before "Show more". Fewer than stories: each keystroke
/// redraws them, and at 10,000 articles the first keystroke (from the story list to results)
/// must still fit in a frame.
const RESULTS_PAGE: usize = 20;

/// Articles indexed per slice: small enough that a slice is far below a long task (50 ms).
const ARTICLES_PER_SLICE: usize = 200;

/// The search index, owned by the app: provided above the router, so it is built once and
/// survives going from the front page to an article and back. It is built a slice at a time
/// between frames once the front page is up, so no keystroke ever waits for a long indexing
/// task.
#[derive(Clone, Copy)]
pub struct SearchState {
    /// Articles indexed so far; `None` once the index is complete.
    pending: RwSignal<Option<usize>>,
    /// The index under construction, between slices.
    builder: StoredValue<Option<IndexBuilder>>,
    /// The finished index.
    index: StoredValue<Option<Arc<SearchIndex>>>,
}

impl SearchState {
    pub fn new() -> Self {
        SearchState {
            pending: RwSignal::new(Some(0)),
            builder: StoredValue::new(None),
            index: StoredValue::new(None),
        }
    }

    /// Starts (or resumes) building `corpus`'s index in the background; does nothing once
    /// built or building.
    pub fn start(self, corpus: Arc<Corpus>) {
        let idle = self.builder.with_value(Option::is_none);
        if self.index.with_value(Option::is_some) || !idle {
            return;
        }
        self.builder.set_value(Some(IndexBuilder::new()));
        self.next_slice(corpus);
    }

    fn next_slice(self, corpus: Arc<Corpus>) {
        set_timeout(
            move || {
                let finished = self.builder.try_update_value(|builder| {
                    let builder = builder.as_mut()?;
                    if builder.add_articles(&corpus, ARTICLES_PER_SLICE) {
                        None
                    } else {
                        Some(builder.articles_done())
                    }
                });
                // `None` from `try_update_value`: the app is gone.
                let Some(finished) = finished else { return };
                match finished {
                    Some(done) => {
                        self.pending.set(Some(done));
                        self.next_slice(corpus);
                    }
                    None => {
                        if let Some(builder) = self.builder.try_update_value(Option::take).flatten()
                        {
                            self.index.set_value(Some(Arc::new(builder.finish())));
                        }
                        self.pending.set(None);
                    }
                }
            },
            std::time::Duration::ZERO,
        );
    }

    /// The index if it is ready.
    fn ready(self) -> Option<Arc<SearchIndex>> {
        match self.pending.get() {
            Some(_) => None,
            None => self.index.get_value(),
        }
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
    let corpus = use_corpus();
    let articles = corpus.articles().len();
    let state = use_context::<SearchState>();
    // Without the app's [`SearchState`] (tests, prerendering) the index is built at once.
    let index = match state {
        Some(state) => Signal::derive(move || state.ready()),
        None => Signal::stored(Some(Arc::new(SearchIndex::build(&corpus)))),
    };
    let hits = Memo::new(move |_| {
        let index = index.get()?;
        Some(q.with(|q| index.search(q)))
    });
    let hits = Memo::new(move |_| hits.get().unwrap_or_default());
    let indexing = move || state.and_then(|s| s.pending.get());
    let more_results = move || hits.with(Vec::len) > shown_count.get();
    let summary = move || {
        if let Some(done) = indexing() {
            return format!("Preparing search: {done} of {articles} stories indexed…");
        }
        let n = hits.with(Vec::len);
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
                each=move || hits.with(|h| h.iter().take(shown_count.get()).map(|h| h.doc).collect::<Vec<_>>())
                key=|doc| *doc
                let:doc
            >
                <SearchResult
                    doc=index.with_untracked(|i| i.as_ref().expect("results come from the index").doc(doc).clone())
                    q=q
                />
            </For>
        </ul>
        <Show when=more_results>
            <button type="button" class="show-more" disabled=super::early::not_ready() on:click=move |_| set_shown_count.update(|n| *n += RESULTS_PAGE)>
                {move || format!("Show more results ({} more)", hits.with(Vec::len) - shown_count.get())}
            </button>
        </Show>
    }
}

/// Text with the words that match the query wrapped in `<mark>` (as text, never markup).
fn marked(text: &str, q: &str) -> impl IntoView {
    highlight(text, q)
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
                <a href=href(&target)>{move || marked(&title, &q.get())}</a>
            </h2>
            <p class="story-meta">
                {topic.map(|t| view! { <span class="topic">{t}</span> })}
            </p>
            <p class="story-summary">{move || marked(&snippet, &q.get())}</p>
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
