//! The "Reactions" group: six toggle buttons whose state is kept per article or brief.

use super::early::{not_ready, GettingReady};
use super::reader_data::use_item;
use crate::store::{ItemId, Reaction};
use leptos::prelude::*;

/// Toggle buttons with `aria-pressed`; each change is announced politely.
#[component]
pub fn Reactions(
    /// The article or brief.
    item_id: ItemId,
) -> impl IntoView {
    let item = use_item(item_id);
    let (announcement, set_announcement) = signal(String::new());
    view! {
        <div class="reactions">
            <div class="reaction-buttons" role="group" aria-label="Reactions">
                {Reaction::ALL
                    .into_iter()
                    .map(|reaction| {
                        let pressed = move || item.state.with(|s| s.reacted(reaction));
                        let toggle = move |_| {
                            item.update(|s| s.toggle(reaction, item.data.stamp()));
                            let on = item.state.with_untracked(|s| s.reacted(reaction));
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
