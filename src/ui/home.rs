//! The front page: every bundled article newest first, a topic filter, and the reader's marks.

use super::{article_path, href, reader_data::use_reader_data, use_corpus};
use crate::{
    article::Article,
    corpus::Corpus,
    search::{highlight, Doc, DocTarget, IndexBuilder, SearchIndex},
    store::ItemState,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use std::{collections::BTreeMap, sync::Arc};

/// How many stories are shown before "Show more": keeps the DOM small at any size.
const PAGE: usize = 50;
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
    fn start(self, corpus: Arc<Corpus>) {
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

/// Lists every article with its topic, time, summary, reading time and the reader's marks;
/// with a query (`?q=`), the search results instead.
#[component]
pub fn Home() -> impl IntoView {
    let query = use_query_map();
    let topic = Signal::derive(move || query.read().get("topic").filter(|t| !t.is_empty()));
    let url_q = Signal::derive(move || query.read().get("q").unwrap_or_default());
    view! { <HomeView url_q=url_q topic=topic/> }
}

/// The front page for a query and topic taken from the URL.
#[component]
pub fn HomeView(
    /// `?q=`: the search query.
    url_q: Signal<String>,
    /// `?topic=`: the topic filter.
    topic: Signal<Option<String>>,
) -> impl IntoView {
    let corpus = use_corpus();
    let data = use_reader_data();
    let items = data.all_items();
    let topic = move || topic.get();
    // The query lives in the URL, but typing updates it with replaceState rather than a
    // router navigation, which would rebuild the page under the reader's fingers.
    let (q, set_q) = signal(url_q.get_untracked());
    if let Some(state) = use_context::<SearchState>() {
        let corpus = corpus.clone();
        Effect::new(move |_| state.start(corpus.clone()));
    }
    // Only later changes of the URL (Back, a link): the first value is already in `q`, and the
    // search box may have replaced it with what was typed before the app took over.
    Effect::new(move |seen: Option<()>| {
        let url_q = url_q.get();
        if seen.is_some() {
            set_q.set(url_q);
        }
    });
    let q: Signal<String> = q.into();
    let (shown_count, set_shown_count) = signal(PAGE);
    let filtered = {
        let corpus = corpus.clone();
        Memo::new(move |_| {
            let topic = topic();
            corpus
                .articles()
                .iter()
                .filter(|a| topic.is_none() || a.topic == topic)
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    let shown = move || {
        filtered.with(|f| {
            f.iter()
                .take(shown_count.get())
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    let more_stories = move || filtered.with(|f| f.len()) > shown_count.get();
    let topics: Vec<String> = corpus.topics().into_iter().map(str::to_owned).collect();
    let searching = move || !q.with(|q| q.trim().is_empty());
    view! {
        <Title text=move || if searching() { format!("Search: {}", q.get()) } else { String::new() }/>
        <section class="home" aria-labelledby="home-title">
            <h1 id="home-title" tabindex="-1">"Latest stories"</h1>
            <SearchBox q=q set_q=set_q/>
            <Show when=move || !searching() fallback=move || view! { <SearchResults q=q/> }>
                <ContinueReading items=items corpus=corpus.clone()/>
                {(!topics.is_empty()).then(|| {
                    let topics = topics.clone();
                    view! {
                        <nav class="topic-filter" aria-label="Topics">
                            <ul>
                                <li><a href=href("/") aria-current=move || topic().is_none().then_some("page")>"All topics"</a></li>
                                {topics.into_iter().map(|t| {
                                    let target = format!("/?topic={}", encode_query(&t));
                                    let current = t.clone();
                                    view! {
                                        <li><a href=href(&target) aria-current=move || (topic().as_deref() == Some(&current)).then_some("page")>{t}</a></li>
                                    }
                                }).collect_view()}
                            </ul>
                        </nav>
                    }
                })}
                <ul class="story-list" aria-label="Stories">
                    <For each=shown key=|a| a.slug.clone() let:article>
                        <StoryItem article=article items=items/>
                    </For>
                </ul>
                <Show when=more_stories>
                    <button type="button" class="show-more" disabled=super::early::not_ready() on:click=move |_| set_shown_count.update(|n| *n += PAGE)>
                        {move || format!("Show more stories ({} more)", filtered.with(|f| f.len()) - shown_count.get())}
                    </button>
                </Show>
            </Show>
        </section>
    }
}

/// The search box; the query lives in the URL (`?q=`), so it survives reload and can be shared.
#[component]
fn SearchBox(
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
fn SearchResults(
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
fn encode_query(value: &str) -> String {
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

/// A link back into the article the reader left part-way, if any.
#[component]
fn ContinueReading(
    /// Every stored item.
    items: Memo<BTreeMap<crate::store::ItemId, ItemState>>,
    /// The articles.
    corpus: Arc<Corpus>,
) -> impl IntoView {
    let latest = move || {
        items.with(|m| {
            corpus
                .articles()
                .iter()
                .filter_map(|a| {
                    let state = m.get(&crate::store::ItemId::article(&a.slug))?;
                    let p = state
                        .progress
                        .filter(|p| !state.read && (p.paragraph > 0 || p.offset > 0.0))?;
                    Some((p.at, a))
                })
                .max_by(|x, y| x.0.total_cmp(&y.0))
                .map(|(_, a)| a.clone())
        })
    };
    move || {
        latest().map(|article| {
            view! {
                <p class="continue-reading">
                    <a href=href(&article_path(&article.slug))>"Continue reading: " {article.title.clone()}</a>
                </p>
            }
        })
    }
}

/// One article in the front-page list.
#[component]
fn StoryItem(
    /// The article to list.
    article: Arc<Article>,
    /// Every stored item, for the marks.
    items: Memo<BTreeMap<crate::store::ItemId, ItemState>>,
) -> impl IntoView {
    let [low, high] = article.reading_minutes;
    let summary = article
        .summary
        .clone()
        .unwrap_or_else(|| article.paragraphs[0].clone());
    let id = crate::store::ItemId::article(&article.slug);
    let marks = move || {
        items.with(|m| {
            let state = m.get(&id).cloned().unwrap_or_default();
            let mut marks = Vec::new();
            if state.read {
                marks.push("Read");
            } else if state
                .progress
                .is_some_and(|p| p.paragraph > 0 || p.offset > 0.0)
            {
                marks.push("In progress");
            } else {
                marks.push("Unread");
            }
            if state.has_reactions() {
                marks.push("Reacted");
            }
            if state.visible_comments().next().is_some() {
                marks.push("Commented");
            }
            marks
        })
    };
    view! {
        <li class="story" data-nav-item="">
            <h2 class="story-title">
                <a href=href(&article_path(&article.slug))>{article.title.clone()}</a>
            </h2>
            <p class="story-meta">
                {article.topic.clone().map(|t| view! { <span class="topic">{t}</span> })}
                {article.published.clone().map(|p| super::published_time(p, &article.lang))}
                <span class="reading-time">{super::reading_time_label(low, high)}</span>
            </p>
            <p class="story-summary">{summary}</p>
            <ul class="marks" aria-label="Your marks">
                {move || marks().into_iter().map(|m| view! { <li class=format!("mark mark-{}", m.to_lowercase().replace(' ', "-"))>{m}</li> }).collect_view()}
            </ul>
        </li>
    }
}
