//! The front page: the site's stories newest first, a page of the listing at a time, a topic
//! filter, and the reader's marks.

use super::search::{encode_query, SearchBox, SearchResults, SearchState};
use super::{
    article_path,
    first_screen::{in_later_tasks, FirstScreen},
    href,
    reader_data::use_reader_data,
    use_library,
};
use crate::{
    library::{Library, LoadError},
    site_data::{ListEntry, Listing, SiteInfo},
    store::ItemState,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use std::{collections::BTreeMap, sync::Arc};

/// Lists the site's stories with their topic, time, summary, reading time and the reader's
/// marks; with a query (`?q=`), the search results instead.
#[component]
pub fn Home() -> impl IntoView {
    let query = use_query_map();
    let topic = Signal::derive(move || query.read().get("topic").filter(|t| !t.is_empty()));
    let url_q = Signal::derive(move || query.read().get("q").unwrap_or_default());
    view! { <HomeView url_q=url_q topic=topic/> }
}

/// The listing pages of one topic (or of every story) loaded so far.
#[derive(Clone, Debug, Default, PartialEq)]
struct Listed {
    /// The topic's name as in `?topic=`; `None` for every story.
    topic: Option<String>,
    /// Pages 0, 1, … in order.
    pages: Vec<Arc<Listing>>,
    /// The data version the pages are of.
    version: Option<String>,
    /// A page is on the way.
    loading: bool,
    /// The last load failed.
    error: Option<LoadError>,
}

impl Listed {
    /// The first `limit` stories of the pages loaded.
    fn entries(&self, limit: usize) -> Vec<ListEntry> {
        self.pages
            .iter()
            .flat_map(|p| p.entries.iter().cloned())
            .take(limit)
            .collect()
    }

    /// How many stories the pages loaded hold.
    fn count(&self) -> usize {
        self.pages.iter().map(|p| p.entries.len()).sum()
    }

    /// How many stories of the list are not shown yet.
    fn remaining(&self) -> usize {
        self.pages
            .last()
            .map_or(0, |p| p.total.saturating_sub(self.count()))
    }
}

/// How many stories each later task draws after the first screen: each takes a few
/// milliseconds.
const STORIES_PER_TASK: usize = 10;

/// Raises `limit` by [`STORIES_PER_TASK`] in each of the tasks that follow, until every story
/// of `listed` is drawn (then the limit is lifted: `usize::MAX`), and says so to `first`. Stops
/// if the page is gone.
fn draw_the_rest(limit: RwSignal<usize>, listed: RwSignal<Listed>, first: FirstScreen) {
    in_later_tasks(first, move || {
        let total = listed.try_with_untracked(Listed::count);
        let more = limit.try_get_untracked().unwrap_or(usize::MAX) + STORIES_PER_TASK;
        match total {
            Some(total) if more < total => {
                limit.set(more);
                true
            }
            _ => {
                limit.try_set(usize::MAX);
                false
            }
        }
    });
}

/// The listing folder of the topic named `name` (`None`: every story). `Err` for a topic the
/// site does not have, which lists nothing.
fn topic_key(info: &SiteInfo, name: Option<&str>) -> Result<Option<String>, ()> {
    match name {
        None => Ok(None),
        Some(name) => info
            .topics
            .iter()
            .find(|t| t.name == name)
            .map(|t| Some(t.key.clone()))
            .ok_or(()),
    }
}

/// An empty list, for a topic the site does not have.
fn nothing() -> Arc<Listing> {
    Arc::new(Listing {
        page: 0,
        pages: 1,
        total: 0,
        entries: Vec::new(),
    })
}

/// The first page of `topic`'s list, if the library has it.
fn cached_first(library: &Library, topic: Option<&str>) -> Option<Arc<Listing>> {
    let info = library.cached_info()?;
    match topic_key(&info, topic) {
        Ok(key) => library.cached_listing(key.as_deref(), 0),
        Err(()) => Some(nothing()),
    }
}

/// The data version the library's listings are of, once its info is here.
fn version_of(library: &Library) -> Option<String> {
    library.cached_info().map(|i| i.version.clone())
}

/// Page `page` of `topic`'s list.
async fn load_page(
    library: &Library,
    topic: Option<&str>,
    page: usize,
) -> Result<Arc<Listing>, LoadError> {
    let info = library.info().await?;
    match topic_key(&info, topic) {
        Ok(key) => library.listing(key.as_deref(), page).await,
        Err(()) => Ok(nothing()),
    }
}

/// The front page for a query and topic taken from the URL.
#[component]
pub fn HomeView(
    /// `?q=`: the search query.
    url_q: Signal<String>,
    /// `?topic=`: the topic filter.
    topic: Signal<Option<String>>,
) -> impl IntoView {
    let library = use_library();
    let data = use_reader_data();
    let items = data.all_items();
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
    let info = RwSignal::new(library.cached_info());
    // What the library already has is shown at once (the page rendered ahead of time, and the
    // app's first render: `ui::start` loaded the first page); the rest is fetched.
    let listed = {
        let topic = topic.get_untracked();
        RwSignal::new(Listed {
            pages: cached_first(&library, topic.as_deref())
                .into_iter()
                .collect(),
            topic,
            version: version_of(&library),
            ..Listed::default()
        })
    };
    // Right after the takeover, the stories below the reader's window are drawn in later tasks.
    let limit = RwSignal::new(usize::MAX);
    if let Some((first_screen, first)) = FirstScreen::split(listed.with_untracked(Listed::count)) {
        limit.set(first);
        draw_the_rest(limit, listed, first_screen);
    }
    let library = StoredValue::new(library);
    let load = move |topic: Option<String>, page: usize| {
        listed.update(|l| {
            l.loading = true;
            l.error = None;
        });
        let library = library.get_value();
        leptos::task::spawn_local(async move {
            let mut result = load_page(&library, topic.as_deref(), page).await;
            let version = version_of(&library);
            // The site was redeployed since the pages shown were loaded: they are loaded again
            // from the new list up to this one, so that no story repeats or goes missing.
            let mut again = None;
            let moved = listed
                .try_with_untracked(|l| !l.pages.is_empty() && l.version != version)
                .unwrap_or(false);
            if moved && result.is_ok() {
                let mut pages = Vec::new();
                for p in 0..=page {
                    match load_page(&library, topic.as_deref(), p).await {
                        Ok(listing) => pages.push(listing),
                        Err(e) => {
                            result = Err(e);
                            break;
                        }
                    }
                }
                again = Some(pages);
            }
            let stale_info = info
                .try_with_untracked(|i| i.as_ref().map(|i| Some(&i.version) != version.as_ref()))
                .flatten()
                .unwrap_or(true);
            if stale_info {
                info.try_set(library.cached_info());
            }
            listed.try_update(|l| {
                // A page of a topic the reader has since left is dropped.
                if l.topic != topic {
                    return;
                }
                l.loading = false;
                if let (Some(pages), Ok(_)) = (again, &result) {
                    l.pages = pages;
                    l.version = version;
                    return;
                }
                match result {
                    Ok(listing) if listing.page == l.pages.len() => {
                        l.pages.push(listing);
                        l.version = version;
                    }
                    Ok(_) => {}
                    Err(e) => l.error = Some(e),
                }
            });
        });
    };
    Effect::new(move |_| {
        let topic = topic.get();
        let current = listed.with_untracked(|l| l.topic == topic && !l.pages.is_empty());
        if current {
            return;
        }
        let first = cached_first(&library.get_value(), topic.as_deref());
        listed.set(Listed {
            topic: topic.clone(),
            pages: first.iter().cloned().collect(),
            version: version_of(&library.get_value()),
            ..Listed::default()
        });
        if first.is_none() {
            load(topic, 0);
        }
    });
    let show_more = move |_| {
        let (topic, next) = listed.with_untracked(|l| (l.topic.clone(), l.pages.len()));
        load(topic, next);
    };
    let retry = move |_| {
        let topic = listed.with_untracked(|l| l.topic.clone());
        load(topic, 0);
    };
    let shown = move || {
        let limit = limit.get();
        listed.with(|l| l.entries(limit))
    };
    let remaining = move || listed.with(Listed::remaining);
    let topic = move || topic.get();
    let topics = move || {
        info.with(|i| {
            i.as_ref()
                .map(|i| i.topics.iter().map(|t| t.name.clone()).collect::<Vec<_>>())
                .unwrap_or_default()
        })
    };
    let searching = move || !q.with(|q| q.trim().is_empty());
    view! {
        <Title text=move || if searching() { format!("Search: {}", q.get()) } else { String::new() }/>
        <section class="home" aria-labelledby="home-title">
            <h1 id="home-title" tabindex="-1">"Latest stories"</h1>
            <SearchBox q=q set_q=set_q/>
            <Show when=move || !searching() fallback=move || view! { <SearchResults q=q/> }>
                <ContinueReading items=items/>
                {move || {
                    let topics = topics();
                    (!topics.is_empty()).then(|| {
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
                    })
                }}
                <ul class="story-list" aria-label="Stories" aria-busy=move || listed.with(|l| l.loading).then_some("true")>
                    <For each=shown key=|entry| entry.slug.clone() let:entry>
                        <StoryItem entry=entry items=items/>
                    </For>
                </ul>
                {move || listed.with(|l| l.pages.is_empty() && l.error.is_none()).then(|| view! {
                    <p class="loading" role="status">"Loading stories…"</p>
                })}
                {move || listed.with(|l| l.error.clone()).map(|error| view! {
                    <p class="load-error" role="alert">
                        {match error {
                            LoadError::Network { .. } => "The stories could not be loaded: check your connection.".to_owned(),
                            other => format!("The stories could not be loaded ({other})."),
                        }}
                        " "
                        {listed.with(|l| l.pages.is_empty()).then(|| view! {
                            <button type="button" on:click=retry>"Try again"</button>
                        })}
                    </p>
                })}
                // Not before the whole list is drawn, where it would stand in the middle.
                <Show when=move || remaining() != 0 && limit.get() == usize::MAX>
                    <button
                        type="button"
                        class="show-more"
                        disabled=super::early::not_ready()
                        aria-busy=move || listed.with(|l| l.loading).then_some("true")
                        on:click=show_more
                    >
                        {move || format!("Show more stories ({} more)", remaining())}
                    </button>
                </Show>
            </Show>
        </section>
    }
}

/// A link back into the article the reader left part-way, if any: the latest one with saved
/// progress that the site still has (of the latest few), its title from its slug shard.
#[component]
fn ContinueReading(
    /// Every stored item.
    items: Memo<BTreeMap<crate::store::ItemId, ItemState>>,
) -> impl IntoView {
    /// Articles left part-way that are looked up, latest first, before giving up.
    const TRIED: usize = 5;
    let latest = Memo::new(move |_| {
        items.with(|m| {
            let mut left: Vec<(f64, String)> = m
                .iter()
                .filter_map(|(id, state)| {
                    let slug = id.as_str().strip_prefix("article/")?;
                    let p = state
                        .progress
                        .filter(|p| !state.read && (p.paragraph > 0 || p.offset > 0.0))?;
                    Some((p.at, slug.to_owned()))
                })
                .collect();
            left.sort_by(|x, y| y.0.total_cmp(&x.0));
            left.truncate(TRIED);
            left.into_iter().map(|(_, slug)| slug).collect::<Vec<_>>()
        })
    });
    let library = use_library();
    // (slug, title) of the first of `slugs` the site has; `None` if one is not loaded yet
    // before any is found. From the cache at once where it can be, so the first render has it.
    let cached = move |library: &Library, slugs: &[String]| -> Option<Option<(String, String)>> {
        for slug in slugs {
            match library.cached_located(slug)? {
                Some(l) => return Some(Some((slug.clone(), l.entry.title.clone()))),
                None => continue,
            }
        }
        Some(None)
    };
    let title = RwSignal::new(cached(&library, &latest.get_untracked()).flatten());
    Effect::new(move |_| {
        let slugs = latest.get();
        if let Some(found) = cached(&library, &slugs) {
            title.set(found);
            return;
        }
        let library = library.clone();
        leptos::task::spawn_local(async move {
            // An article the site no longer has (or that cannot be reached now) is not offered.
            for slug in slugs {
                if let Ok(l) = library.locate(&slug).await {
                    title.try_set(Some((slug, l.entry.title.clone())));
                    return;
                }
            }
            title.try_set(None);
        });
    });
    move || {
        title.get().map(|(slug, title)| {
            view! {
                <p class="continue-reading">
                    <a href=href(&article_path(&slug))>"Continue reading: " {title}</a>
                </p>
            }
        })
    }
}

/// One article in the front-page list.
#[component]
fn StoryItem(
    /// The article's entry in the listing.
    entry: ListEntry,
    /// Every stored item, for the marks.
    items: Memo<BTreeMap<crate::store::ItemId, ItemState>>,
) -> impl IntoView {
    let [low, high] = entry.minutes;
    let article = entry;
    let summary = article.summary.clone();
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
