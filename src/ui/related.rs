//! The "Read next" block: the related stories of an article.

use super::{article_path, brief_path, href};
use crate::{
    article::Article,
    site_data::{Located, RelatedLink},
};
use leptos::prelude::*;
use std::sync::Arc;

/// A complementary landmark listing each related story with time, topic and summary. Where
/// each leads (an article of the site, or the entry's brief) was decided by the build.
#[component]
pub fn ReadNext(
    /// The article whose related stories are listed.
    article: Arc<Article>,
    /// Its entry in the site's data, with the "Read next" links in the order of
    /// `article.related`.
    located: Arc<Located>,
) -> impl IntoView {
    (!article.related.is_empty()).then(|| {
        view! {
            <aside class="read-next" aria-labelledby="read-next-title">
                <h2 id="read-next-title">"Read next"</h2>
                <ol class="related-list">
                    {article
                        .related
                        .iter()
                        .enumerate()
                        .map(|(i, entry)| {
                            let target = match located.related.get(i) {
                                Some(RelatedLink::Article { slug, .. }) => article_path(slug),
                                Some(RelatedLink::Brief { slug }) => brief_path(&article.slug, slug),
                                // Data of another build than the article's file: its own brief.
                                None => brief_path(&article.slug, &entry.slug),
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
