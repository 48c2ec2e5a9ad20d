//! The "Read next" block: the related stories of an article.

use super::{article_path, brief_path, href, use_corpus};
use crate::{article::Article, corpus::RelatedTarget};
use leptos::prelude::*;
use std::sync::Arc;

/// A complementary landmark listing each related story with time, topic and summary.
#[component]
pub fn ReadNext(
    /// The article whose related stories are listed.
    article: Arc<Article>,
) -> impl IntoView {
    (!article.related.is_empty()).then(|| {
        let corpus = use_corpus();
        view! {
            <aside class="read-next" aria-labelledby="read-next-title">
                <h2 id="read-next-title">"Read next"</h2>
                <ol class="related-list">
                    {article
                        .related
                        .iter()
                        .map(|entry| {
                            let target = match corpus.related_target(entry) {
                                RelatedTarget::Article(a) => article_path(&a.slug),
                                RelatedTarget::Brief => brief_path(&article.slug, &entry.slug),
                            };
                            view! {
                                <li class="related" data-nav-item="">
                                    <time class="related-time">{entry.time.clone()}</time>
                                    <a class="related-topic" href=href(&target)>{entry.topic.clone()}</a>
                                    <p class="related-summary">{entry.summary.clone()}</p>
                                </li>
                            }
                        })
                        .collect_view()}
                </ol>
            </aside>
        }
    })
}
