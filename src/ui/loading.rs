//! Pages whose data may have to be fetched first: shown at once when the library has it (the
//! page rendered ahead of time, and the app's first render after `ui::start` loaded it), else
//! a polite loading state, then the page, "Page not found", or [`ArticleUnavailable`].

use super::{unavailable::ArticleUnavailable, NotFound};
use crate::library::{LoadError, Story};
use leptos::prelude::*;

/// The page of the article `slug`, drawn by `render` once the article is here.
pub fn with_story(
    slug: String,
    render: impl Fn(Story) -> AnyView + Send + Sync + 'static,
) -> AnyView {
    let library = super::use_library();
    match library.cached_story(&slug) {
        Some(Some(story)) => return render(story),
        Some(None) => return view! { <NotFound/> }.into_any(),
        None => {}
    }
    let state = RwSignal::new(None::<Result<Story, LoadError>>);
    let library = StoredValue::new(library);
    let slug = StoredValue::new(slug);
    let fetch = move || {
        state.set(None);
        let library = library.get_value();
        let slug = slug.get_value();
        leptos::task::spawn_local(async move {
            let result = library.story(&slug).await;
            // `try_set`: the reader may have left the page meanwhile.
            if state.try_set(Some(result)).is_none() {
                super::focus_heading_if_idle();
            }
        });
    };
    fetch();
    let retry = Callback::new(move |()| fetch());
    (move || match state.get() {
        None => view! { <Loading/> }.into_any(),
        Some(Ok(story)) => render(story),
        Some(Err(LoadError::NotFound { .. })) => view! { <NotFound/> }.into_any(),
        Some(Err(error)) => view! { <ArticleUnavailable error=error retry=retry/> }.into_any(),
    })
    .into_any()
}

/// What a page shows while its story is on the way.
#[component]
pub fn Loading() -> impl IntoView {
    view! {
        <article class="article loading" aria-busy="true">
            <p role="status">"Loading the story…"</p>
        </article>
    }
}
