//! The front page: every bundled article newest first, a topic filter, and the reader's marks.

use super::search::{encode_query, SearchBox, SearchResults, SearchState};
use super::{article_path, href, reader_data::use_reader_data, use_corpus};
use crate::{article::Article, corpus::Corpus, store::ItemState};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use std::{collections::BTreeMap, sync::Arc};

/// How many stories are shown before "Show more": keeps the DOM small at any size.
const PAGE: usize = 50;

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
        Effect::new(move |_| state.start());
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
