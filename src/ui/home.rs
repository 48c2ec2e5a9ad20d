//! The front page: every bundled article newest first, a topic filter, and the reader's marks.

use super::{article_page::article_item_id, article_path, href, reader_data::use_reader_data};
use crate::{article::Article, corpus::Corpus, store::ItemState};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use std::collections::BTreeMap;

/// Lists every article with its topic, time, summary, reading time and the reader's marks.
#[component]
pub fn Home() -> impl IntoView {
    let corpus = Corpus::bundled();
    let data = use_reader_data();
    let items = data.all_items();
    let query = use_query_map();
    let topic = move || query.read().get("topic").filter(|t| !t.is_empty());
    let shown = move || {
        let topic = topic();
        corpus
            .articles()
            .iter()
            .filter(|a| topic.is_none() || a.topic == topic)
            .collect::<Vec<_>>()
    };
    let topics = corpus.topics();
    view! {
        <Title text=""/>
        <section class="home" aria-labelledby="home-title">
            <h1 id="home-title" tabindex="-1">"Latest stories"</h1>
            <ContinueReading items=items/>
            {(!topics.is_empty()).then(|| view! {
                <nav class="topic-filter" aria-label="Topics">
                    <ul>
                        <li><a href=href("/") aria-current=move || topic().is_none().then_some("page")>"All topics"</a></li>
                        {topics.into_iter().map(|t| {
                            let target = format!("/?topic={}", encode_query(t));
                            view! {
                                <li><a href=href(&target) aria-current=move || (topic().as_deref() == Some(t)).then_some("page")>{t}</a></li>
                            }
                        }).collect_view()}
                    </ul>
                </nav>
            })}
            <ul class="story-list">
                <For each=shown key=|a| a.slug.clone() let:article>
                    <StoryItem article=article items=items/>
                </For>
            </ul>
        </section>
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
    items: Memo<BTreeMap<String, ItemState>>,
) -> impl IntoView {
    let latest = move || {
        items.with(|m| {
            Corpus::bundled()
                .articles()
                .iter()
                .filter_map(|a| {
                    let state = m.get(&article_item_id(&a.slug))?;
                    let p = state
                        .progress
                        .filter(|p| !state.read && (p.paragraph > 0 || p.offset > 0.0))?;
                    Some((p.at, a))
                })
                .max_by(|x, y| x.0.total_cmp(&y.0))
                .map(|(_, a)| a)
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
    article: &'static Article,
    /// Every stored item, for the marks.
    items: Memo<BTreeMap<String, ItemState>>,
) -> impl IntoView {
    let [low, high] = article.reading_minutes;
    let summary = article
        .summary
        .clone()
        .unwrap_or_else(|| article.paragraphs[0].clone());
    let id = article_item_id(&article.slug);
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
        <li class="story">
            <h2 class="story-title">
                <a href=href(&article_path(&article.slug))>{article.title.clone()}</a>
            </h2>
            <p class="story-meta">
                {article.topic.clone().map(|t| view! { <span class="topic">{t}</span> })}
                {article.published.clone().map(super::published_time)}
                <span class="reading-time">{super::reading_time_label(low, high)}</span>
            </p>
            <p class="story-summary">{summary}</p>
            <ul class="marks" aria-label="Your marks">
                {move || marks().into_iter().map(|m| view! { <li class=format!("mark mark-{}", m.to_lowercase().replace(' ', "-"))>{m}</li> }).collect_view()}
            </ul>
        </li>
    }
}
