//! The front page: every bundled article, newest first.

use super::{article_path, href};
use crate::{article::Article, corpus::Corpus};
use leptos::prelude::*;
use leptos_meta::Title;

/// Lists every article with its topic, time, summary and reading time.
#[component]
pub fn Home() -> impl IntoView {
    let corpus = Corpus::bundled();
    view! {
        <Title text=""/>
        <section class="home" aria-labelledby="home-title">
            <h1 id="home-title" tabindex="-1">"Latest stories"</h1>
            <ul class="story-list">
                {corpus.articles().iter().map(|a| view! { <StoryItem article=a/> }).collect_view()}
            </ul>
        </section>
    }
}

/// One article in the front-page list.
#[component]
fn StoryItem(
    /// The article to list.
    article: &'static Article,
) -> impl IntoView {
    let [low, high] = article.reading_minutes;
    let summary = article
        .summary
        .clone()
        .unwrap_or_else(|| article.paragraphs[0].clone());
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
        </li>
    }
}
