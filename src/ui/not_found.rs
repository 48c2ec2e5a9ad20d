//! The page for a URL that names nothing.

use super::route_href;
use crate::routes::Route;
use leptos::prelude::*;
use leptos_meta::Title;

/// "Page not found", with a way home.
#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <Title text="Page not found"/>
        <article class="not-found">
            <h1 tabindex="-1">"Page not found"</h1>
            <p>"There is no story at this address. It may have been moved, or the link may be mistyped."</p>
            <p><a href=route_href(&Route::Home)>"Go to the front page"</a></p>
        </article>
    }
}
