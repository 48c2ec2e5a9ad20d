//! The "Reactions" group: six toggle buttons whose state is kept per article or brief.

use super::early::{not_ready, GettingReady};
use super::reader_data::use_reader_data;
use crate::store::Reaction;
use leptos::prelude::*;

/// Toggle buttons with `aria-pressed`; each change is announced politely.
#[component]
pub fn Reactions(
    /// Storage id of the article or brief (`article/SLUG`, `brief/ARTICLE/BRIEF`).
    item_id: String,
) -> impl IntoView {
    let data = use_reader_data();
    let item = data.item(item_id.clone());
    let (announcement, set_announcement) = signal(String::new());
    let item_id = StoredValue::new(item_id);
    view! {
        <div class="reactions">
            <div class="reaction-buttons" role="group" aria-label="Reactions">
                {Reaction::ALL
                    .into_iter()
                    .map(|reaction| {
                        let pressed = move || item.with(|s| s.reacted(reaction));
                        let toggle = move |_| {
                            let id = item_id.get_value();
                            data.update(&id, |s| s.toggle(reaction, data.stamp()));
                            let on = item.with_untracked(|s| s.reacted(reaction));
                            set_announcement.set(format!(
                                "{} {}",
                                reaction.name(),
                                if on { "added" } else { "removed" }
                            ));
                        };
                        view! {
                            <button
                                type="button"
                                class="reaction"
                                disabled=not_ready()
                                aria-pressed=move || if pressed() { "true" } else { "false" }
                                on:click=toggle
                            >
                                <span aria-hidden="true">{reaction.emoji()}</span>
                                " "
                                <span class="reaction-name">{reaction.name()}</span>
                            </button>
                        }
                    })
                    .collect_view()}
            </div>
            <GettingReady message="Reactions will be ready in a moment."/>
            <p class="visually-hidden" aria-live="polite">{announcement}</p>
        </div>
    }
}
