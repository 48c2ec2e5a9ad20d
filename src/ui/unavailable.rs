//! The page for a story that could not be loaded. Offline, that is a story this device never
//! fetched (the service worker keeps the newest stories and every story the reader opened, see
//! `assets/sw.js`): the page says so and lists the stories that are available offline, found in
//! the worker's caches. Online, a server error or a damaged file is named with its path.
//!
//! Stable names for tests: the heading (`h1`) "Not available offline" when the browser is
//! offline, else "This story could not be loaded"; the list is a region named "Available
//! offline"; the button "Try again".

use super::route_href;
use crate::{library::LoadError, routes::Route};
use leptos::prelude::*;
use leptos_meta::Title;

/// What went wrong, in the reader's words: the heading and the explanation.
fn explain(error: &LoadError, offline: bool) -> (&'static str, String) {
    match error {
        LoadError::Network { .. } if offline => (
            "Not available offline",
            "You are offline, and this story has not been saved on this device. Broadsheet keeps \
             the newest stories and every story you open; connect to the internet, then try again."
                .to_owned(),
        ),
        LoadError::Network { .. } => (
            "This story could not be loaded",
            format!("Broadsheet could not load it from the site ({error}). Check your connection, then try again."),
        ),
        LoadError::Malformed { .. } | LoadError::NotFound { .. } => (
            "This story could not be loaded",
            format!(
                "The story’s file could not be read ({error}). Trying again may help if the site was being updated."
            ),
        ),
    }
}

/// The heading and why, a "Try again" button, and, when the network failed, the stories that
/// are available offline.
#[component]
pub fn ArticleUnavailable(
    /// What went wrong (never `NotFound`: that is "Page not found").
    error: LoadError,
    /// Loads the story again.
    retry: Callback<()>,
) -> impl IntoView {
    let network = matches!(error, LoadError::Network { .. });
    let (heading, reason) = explain(&error, network && browser_offline());
    view! {
        <Title text=heading/>
        <article class="not-found unavailable">
            <h1 tabindex="-1">{heading}</h1>
            <p>{reason}</p>
            <p>
                <button type="button" class="primary" on:click=move |_| retry.run(())>"Try again"</button>
            </p>
            {network.then(|| view! { <AvailableOffline/> })}
            <p><a href=route_href(&Route::Home)>"Go to the front page"</a></p>
        </article>
    }
}

/// A story this device can show without the network.
#[derive(Clone, Debug, PartialEq)]
struct Available {
    slug: String,
    title: String,
}

/// The stories available offline, newest first, each linked to its page. Each candidate (an
/// article file in the worker's caches) is loaded through the library, as opening it would be,
/// so only stories that would really open are listed (an article whose slug shard is not cached
/// would not).
#[component]
fn AvailableOffline() -> impl IntoView {
    let found = RwSignal::new(None::<Vec<Available>>);
    let library = super::use_library();
    let base = super::base_path();
    leptos::task::spawn_local(async move {
        let mut stories = Vec::new();
        for slug in cached_article_slugs(&base).await {
            if let Ok(story) = library.story(&slug).await {
                stories.push((
                    story.article.published.clone(),
                    Available {
                        slug,
                        title: story.article.title.clone(),
                    },
                ));
            }
        }
        // Newest first; undated stories last, by title.
        stories.sort_by(|(a, x), (b, y)| b.cmp(a).then_with(|| x.title.cmp(&y.title)));
        let _ = found.try_set(Some(stories.into_iter().map(|(_, s)| s).collect()));
    });
    view! {
        <section class="available-offline" aria-labelledby="available-offline">
            <h2 id="available-offline">"Available offline"</h2>
            {move || match found.get() {
                None => view! { <p role="status">"Looking for stories saved on this device…"</p> }.into_any(),
                Some(stories) if stories.is_empty() => {
                    view! { <p>"No stories are saved on this device yet."</p> }.into_any()
                }
                Some(stories) => view! {
                    <ul>
                        {stories
                            .into_iter()
                            .map(|story| {
                                let href = route_href(&Route::Article { slug: story.slug });
                                view! { <li><a href=href>{story.title}</a></li> }
                            })
                            .collect_view()}
                    </ul>
                }
                .into_any(),
            }}
        </section>
    }
}

/// Whether the browser says it has no network (`navigator.onLine`); never on the host.
fn browser_offline() -> bool {
    #[cfg(target_arch = "wasm32")]
    {
        web_sys::window().is_some_and(|w| !w.navigator().on_line())
    }
    #[cfg(not(target_arch = "wasm32"))]
    false
}

/// The slugs of the article files (`data/articles/SLUG.HASH.txt`) in the service worker's caches
/// of the reader under `base` (`/reader`, or `""`): their names start with
/// `broadsheet:BASE/:` (see `PREFIX` in `assets/sw.js`). Sorted, each once; empty without
/// caches (no worker, a private window that refuses them, the host).
async fn cached_article_slugs(base: &str) -> Vec<String> {
    #[cfg(target_arch = "wasm32")]
    {
        caches_slugs(base).await.unwrap_or_default()
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = base;
        Vec::new()
    }
}

#[cfg(target_arch = "wasm32")]
async fn caches_slugs(base: &str) -> Result<Vec<String>, wasm_bindgen::JsValue> {
    use crate::site_data::slug_of_article_path;
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;
    let window = web_sys::window().ok_or(wasm_bindgen::JsValue::NULL)?;
    let caches = window.caches()?;
    let prefix = format!("broadsheet:{base}/:");
    let site = format!("{base}/data/articles/");
    let names: js_sys::Array = JsFuture::from(caches.keys()).await?.unchecked_into();
    let mut slugs = Vec::new();
    for name in names.iter().filter_map(|n| n.as_string()) {
        if !name.starts_with(&prefix) {
            continue;
        }
        let cache: web_sys::Cache = JsFuture::from(caches.open(&name)).await?.unchecked_into();
        let requests: js_sys::Array = JsFuture::from(cache.keys()).await?.unchecked_into();
        for request in requests.iter() {
            let request: web_sys::Request = request.unchecked_into();
            let path = web_sys::Url::new(&request.url())?.pathname();
            if let Some(file) = path.strip_prefix(&site) {
                if let Some(slug) = slug_of_article_path(file) {
                    slugs.push(slug.to_owned());
                }
            }
        }
    }
    slugs.sort();
    slugs.dedup();
    Ok(slugs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_failure_says_what_and_where() {
        let network = LoadError::Network {
            path: "data/articles/a.0123.txt".into(),
            message: "the server answered 503".into(),
        };
        let (heading, reason) = explain(&network, true);
        assert_eq!(heading, "Not available offline");
        assert!(reason.starts_with("You are offline, and this story has not been saved"));
        let (heading, reason) = explain(&network, false);
        assert_eq!(heading, "This story could not be loaded");
        assert!(
            reason.contains("(data/articles/a.0123.txt: the server answered 503)"),
            "{reason}"
        );
        let malformed = LoadError::Malformed {
            path: "data/articles/a.0123.txt".into(),
            message: "3:1: error: bad clock time \"7:60\"".into(),
        };
        // A damaged file is the site's problem, offline or not.
        let (heading, reason) = explain(&malformed, true);
        assert_eq!(heading, "This story could not be loaded");
        assert!(
            reason.contains("data/articles/a.0123.txt: 3:1: error: bad clock time"),
            "{reason}"
        );
    }
}
