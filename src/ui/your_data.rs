//! "Your data": export, import, delete everything, and how storage is doing.

use leptos::prelude::*;
use leptos_meta::Title;

/// The reader's data page.
#[component]
pub fn YourData() -> impl IntoView {
    view! {
        <Title text="Your data"/>
        <section class="your-data">
            <h1 tabindex="-1">"Your data"</h1>
        </section>
    }
}
