//! The article page: headline, meta, body paragraphs with anchors, and Read next.

use super::{reading_time_label, related::ReadNext, NotFound};
use crate::{article::Article, corpus::Corpus};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// Looks the article up by the `:slug` in the URL.
#[component]
pub fn ArticlePage() -> impl IntoView {
    let params = use_params_map();
    move || {
        let slug = params.read().get("slug").unwrap_or_default();
        match Corpus::bundled().article(&slug) {
            Some(article) => view! { <ArticleView article=article/> }.into_any(),
            None => view! { <NotFound/> }.into_any(),
        }
    }
}

/// The reading view of one article.
#[component]
pub fn ArticleView(
    /// The article to show.
    article: &'static Article,
) -> impl IntoView {
    let [low, high] = article.reading_minutes;
    view! {
        <Title text=article.title.clone()/>
        <article class="article" lang=article.lang.clone()>
            <header class="article-header">
                {article.topic.clone().map(|t| view! { <p class="kicker">{t}</p> })}
                <h1 tabindex="-1">{article.title.clone()}</h1>
                <p class="article-meta">
                    {article.author.clone().map(|a| view! { <span class="byline">"By " {a}</span> })}
                    {article.published.clone().map(super::published_time)}
                    <span class="reading-time">{reading_time_label(low, high)}</span>
                </p>
            </header>
            <div class="article-body">
                {article
                    .paragraphs
                    .iter()
                    .enumerate()
                    .map(|(i, text)| {
                        let id = format!("p{}", i + 1);
                        view! {
                            <p id=id.clone() class:lede=i == 0>
                                {text.clone()}
                                " "
                                <a class="para-link" href=format!("#{id}") aria-label=format!("Link to paragraph {}", i + 1)>"¶"</a>
                            </p>
                        }
                    })
                    .collect_view()}
            </div>
        </article>
        <ReadNext article=article/>
    }
}
