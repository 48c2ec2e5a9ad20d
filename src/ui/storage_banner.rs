//! Tells the reader, on every page, when their data cannot be kept as usual.

use super::reader_data::use_reader_data;
use leptos::prelude::*;

/// An alert for unavailable storage, a full quota, or damaged data set aside.
#[component]
pub fn StorageBanner() -> impl IntoView {
    let data = use_reader_data();
    let health = data.health;
    view! {
        <div class="storage-banner-region">
            <Show when=move || health.with(|h| h.unavailable.is_some())>
                <p class="banner" role="alert">
                    "Browser storage is unavailable, so nothing can be kept after you close this tab. "
                    "Your reactions, drafts and comments work for this visit."
                </p>
            </Show>
            <Show when=move || health.with(|h| h.quota_full)>
                <p class="banner" role="alert">
                    "Not saved: browser storage is full. Everything you typed is kept in this tab and will be saved as soon as there is room. "
                    "Free up space under "<a href=super::route_href(&crate::routes::Route::Data)>"Your data"</a>" without losing anything you wrote."
                </p>
            </Show>
            <For each=move || health.with(|h| h.problems.clone()) key=|p| p.clone() let:problem>
                <p class="banner" role="alert">
                    {
                        // A newer version wrote some of the reader's data: reloading runs it.
                        let newer = problem.contains("newer version of Broadsheet");
                        view! {
                            {problem}
                            <Show when=move || newer>
                                " "
                                <button type="button" on:click=|_| {
                                    let _ = window().location().reload();
                                }>"Reload"</button>
                            </Show>
                        }
                    }
                </p>
            </For>
        </div>
    }
}
