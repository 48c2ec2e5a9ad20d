//! The page for a story that could not be loaded: offline, a server error, or a damaged file.
//! (The offline work will list here the stories that are available without the network.)

use super::route_href;
use crate::{library::LoadError, routes::Route};
use leptos::prelude::*;
use leptos_meta::Title;

/// "This story could not be loaded", why, and a "Try again" button.
#[component]
pub fn ArticleUnavailable(
    /// What went wrong (never `NotFound`: that is "Page not found").
    error: LoadError,
    /// Loads the story again.
    retry: Callback<()>,
) -> impl IntoView {
    let reason = match &error {
        LoadError::Malformed { .. } => format!(
            "The story’s file could not be read ({error}). Trying again may help if the site was being updated."
        ),
        _ => "Broadsheet could not reach the site. Check your connection, then try again."
            .to_owned(),
    };
    view! {
        <Title text="Story unavailable"/>
        <article class="not-found unavailable">
            <h1 tabindex="-1">"This story could not be loaded"</h1>
            <p>{reason}</p>
            <p>
                <button type="button" class="primary" on:click=move |_| retry.run(())>"Try again"</button>
            </p>
            <p><a href=route_href(&Route::Home)>"Go to the front page"</a></p>
        </article>
    }
}
