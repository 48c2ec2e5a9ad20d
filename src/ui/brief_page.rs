//! A brief: the page of a related story whose full text is not on the site.

use super::{
    article_page::PageTools, article_path, comments::Comments, href, loading::with_story,
    reactions::Reactions, NotFound,
};
use crate::article::{Article, RelatedStory};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use std::sync::Arc;

/// Topic, time and summary of a related entry, and the article it came from (the brief's
/// text is in the article's file, so the article is loaded).
#[component]
pub fn BriefPage() -> impl IntoView {
    let params = use_params_map();
    let names = Memo::new(move |_| {
        let map = params.read();
        (
            map.get(crate::routes::SLUG_PARAM).unwrap_or_default(),
            map.get(crate::routes::BRIEF_PARAM).unwrap_or_default(),
        )
    });
    move || {
        let (slug, brief) = names.get();
        with_story(slug, move |story| {
            match story.article.related.iter().find(|r| r.slug == brief) {
                Some(entry) => {
                    view! { <BriefView article=story.article.clone() entry=entry.clone()/> }
                        .into_any()
                }
                None => view! { <NotFound/> }.into_any(),
            }
        })
    }
}

/// The brief of one related entry of an article.
#[component]
pub fn BriefView(
    /// The article the entry is listed under.
    article: Arc<Article>,
    /// The related entry.
    entry: RelatedStory,
) -> impl IntoView {
    let item_id = crate::store::ItemId::brief(&article.slug, &entry.slug);
    view! {
        <Title text=entry.topic.clone()/>
        <article class="brief">
            <header class="article-header">
                <p class="kicker">"Brief"</p>
                <h1 tabindex="-1">{entry.topic.clone()}</h1>
                <p class="article-meta"><time>{entry.time.clone()}</time></p>
                <PageTools title=entry.topic.clone()/>
            </header>
            <div class="article-body">
                <p class="lede">{entry.summary.clone()}</p>
            </div>
            <p class="brief-note">
                "The full story is not published on this site. This brief was listed under "
                <a href=href(&article_path(&article.slug))>{article.title.clone()}</a>
                "."
            </p>
        </article>
        <Reactions item_id=item_id.clone()/>
        <Comments item_id=item_id/>
    }
}
