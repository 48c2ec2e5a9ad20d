//! Comments kept on this device: a draft that is never lost, posting, editing and deleting.

use super::early::{merge_draft, not_ready, take_early, GettingReady, COMMENT_BOX};
use super::reader_data::{now, use_item, ItemData, ReaderData};
use crate::store::{Comment, CommentError, ItemId, MAX_COMMENT_CHARS};
use leptos::prelude::*;
use std::time::Duration;

/// Drafts are written at most this often while typing (and at once when the page is hidden).
const DRAFT_DEBOUNCE: Duration = Duration::from_millis(500);

/// The comment section of an article or brief.
#[component]
pub fn Comments(
    /// The article or brief.
    item_id: ItemId,
) -> impl IntoView {
    let handle = use_item(item_id);
    let (data, item) = (handle.data, handle.state);
    let (status, set_status) = signal(String::new());
    let (error, set_error) = signal(None::<CommentError>);
    let (undo, set_undo) = signal(None::<String>);
    let save_scheduled = StoredValue::new(false);
    // Words typed into the page rendered ahead of time, before the app took over, join the
    // saved draft and are saved at once.
    if let Some(typed) = take_early(COMMENT_BOX) {
        let merged = item.with_untracked(|s| merge_draft(s.draft_text(), &typed));
        handle.update(|s| s.set_draft(&merged, data.stamp()));
        if !data.has_pending() {
            set_status.set("Draft saved".to_owned());
        }
    }
    let draft = move || item.with(|s| s.draft_text().to_owned());
    let count = move || item.with(|s| s.draft_text().chars().count());
    let counter_class = move || {
        if count() > MAX_COMMENT_CHARS {
            "counter over"
        } else {
            "counter"
        }
    };

    // After a debounced write succeeds, say so.
    let on_input = move |ev: leptos::ev::Event| {
        let text = event_target_value(&ev);
        handle.update_in_memory(|s| s.set_draft(&text, data.stamp()));
        set_error.set(None);
        save_soon(data, save_scheduled, move || {
            set_status.set("Draft saved".to_owned())
        });
    };
    let post = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = draft();
        let id = comment_id();
        let mut result = Ok(());
        handle.update(|s| result = s.post(&text, id, data.stamp()));
        match result {
            Ok(()) => {
                set_error.set(None);
                set_status.set("Comment posted".to_owned());
            }
            Err(message) => set_error.set(Some(message)),
        }
    };
    let discard = move |_| {
        handle.update(|s| s.set_draft("", data.stamp()));
        set_status.set("Draft discarded".to_owned());
    };
    let comments = move || item.with(|s| s.visible_comments().cloned().collect::<Vec<_>>());
    let delete = Callback::new(move |id: String| {
        handle.update(|s| s.set_deleted(&id, true, data.stamp()));
        set_undo.set(Some(id));
        set_status.set("Comment deleted".to_owned());
    });
    let restore = move |()| {
        if let Some(id) = undo.get_untracked() {
            handle.update(|s| s.set_deleted(&id, false, data.stamp()));
            set_undo.set(None);
            set_status.set("Comment restored".to_owned());
        }
    };
    let edit = Callback::new(move |(id, text): (String, String)| {
        let mut result = Ok(());
        handle.update(|s| result = s.edit(&id, &text, data.stamp()));
        if result.is_ok() {
            set_status.set("Comment updated".to_owned());
        }
        result
    });

    view! {
        <section class="comments" aria-labelledby="comments-title">
            <h2 id="comments-title">"What is your opinion on this topic?"</h2>
            <Show
                when=move || !comments().is_empty()
                fallback=|| view! { <p class="comment-count">"Leave the first comment"</p> }
            >
                <p class="comment-count">
                    {move || match comments().len() {
                        1 => "1 comment".to_owned(),
                        n => format!("{n} comments"),
                    }}
                </p>
                <ol class="comment-list" aria-label="Comments">
                    <For each=comments key=|c| (c.id.clone(), c.updated_at.to_bits()) let:comment>
                        <CommentItem comment=comment item=handle on_delete=delete on_edit=edit/>
                    </For>
                </ol>
            </Show>
            <form class="comment-form" on:submit=post novalidate>
                <label for="comment-box">"Your comment"</label>
                <textarea
                    id=COMMENT_BOX
                    name="comment"
                    rows="5"
                    aria-describedby="comment-counter comment-note"
                    aria-invalid=move || if error.get().is_some() { "true" } else { "false" }
                    prop:value=draft
                    on:input=on_input
                ></textarea>
                <p id="comment-counter" class=counter_class>
                    {move || format!("{} / 5,000 characters", count())}
                </p>
                <p id="comment-note" class="note">"Your comment is kept on this device only."</p>
                {move || error.get().map(|message| view! { <p class="form-error" role="alert">{message.to_string()}</p> })}
                <div class="form-actions">
                    <button type="submit" class="primary" disabled=not_ready()>"Post comment"</button>
                    <Show when=move || !draft().is_empty()>
                        <button type="button" on:click=discard>"Discard draft"</button>
                    </Show>
                </div>
                <GettingReady message="You can start typing: what you write is kept, and posting will be ready in a moment."/>
                <StatusWithUndo
                    class="form-status"
                    status=status.into()
                    can_undo=Signal::derive(move || undo.get().is_some())
                    on_undo=Callback::new(restore)
                />
            </form>
        </section>
    }
}

/// What just happened (`role="status"`), with an "Undo" button while `can_undo` holds.
#[component]
pub(super) fn StatusWithUndo(
    /// The status line's class.
    class: &'static str,
    /// What happened.
    status: Signal<String>,
    /// Whether the last change can be undone.
    can_undo: Signal<bool>,
    /// Undoes it.
    on_undo: Callback<()>,
) -> impl IntoView {
    view! {
        <p class=class role="status">
            {move || status.get()}
            <Show when=move || can_undo.get()>
                " "
                <button type="button" class="link-button" on:click=move |_| on_undo.run(())>"Undo"</button>
            </Show>
        </p>
    }
}

/// Writes pending changes once typing pauses ([`DRAFT_DEBOUNCE`]), then runs `saved` if
/// everything was written. `scheduled` is set while a write is waiting.
pub(super) fn save_soon(
    data: ReaderData,
    scheduled: StoredValue<bool>,
    saved: impl Fn() + 'static,
) {
    if scheduled.get_value() {
        return;
    }
    scheduled.set_value(true);
    set_timeout(
        move || {
            scheduled.set_value(false);
            data.flush();
            if !data.has_pending() {
                saved();
            }
        },
        DRAFT_DEBOUNCE,
    );
}

/// A comment's or highlight's id, unique across tabs: the time plus a random part.
pub(super) fn comment_id() -> String {
    #[cfg(target_arch = "wasm32")]
    let random = (js_sys::Math::random() * 1e12) as u64;
    #[cfg(not(target_arch = "wasm32"))]
    let random = 0u64;
    format!("{:x}-{random:x}", now() as u64)
}

/// One posted comment, with edit and delete. The text being edited is kept with the item, as
/// the draft is: it survives a reload, a closed tab and a move to another page, until it is
/// saved or cancelled.
#[component]
fn CommentItem(
    /// The comment to show.
    comment: Comment,
    /// The article or brief, whose state keeps the edit in progress.
    item: ItemData,
    /// Called with the comment id to delete it.
    on_delete: Callback<String>,
    /// Called with (id, new text); returns why when the text is refused.
    on_edit: Callback<(String, String), Result<(), CommentError>>,
) -> impl IntoView {
    let (handle, data, item) = (item, item.data, item.state);
    let id = StoredValue::new(comment.id.clone());
    let editing = move || item.with(|s| s.edit_in_progress(&id.get_value()).is_some());
    let edit_text = move || {
        item.with(|s| {
            s.edit_in_progress(&id.get_value())
                .unwrap_or_default()
                .to_owned()
        })
    };
    let (edit_error, set_edit_error) = signal(None::<CommentError>);
    let (edit_status, set_edit_status) = signal(String::new());
    let save_scheduled = StoredValue::new(false);
    let posted = super::human_time(comment.posted_at);
    let edited = comment.edited;
    let text = comment.text.clone();
    let open = move |_| {
        handle.update(|s| s.open_edit(&id.get_value(), data.stamp()));
    };
    let on_input = move |ev: leptos::ev::Event| {
        let text = event_target_value(&ev);
        handle.update_in_memory(|s| s.set_edit_text(&id.get_value(), &text, data.stamp()));
        save_soon(data, save_scheduled, move || {
            set_edit_status.set("Edit kept".to_owned())
        });
    };
    let cancel = move |_| {
        set_edit_error.set(None);
        handle.update(|s| s.close_edit(&id.get_value(), data.stamp()));
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match on_edit.run((id.get_value(), edit_text())) {
            Ok(()) => set_edit_error.set(None),
            Err(message) => set_edit_error.set(Some(message)),
        }
    };
    view! {
        <li class="comment">
            <Show
                when=editing
                fallback=move || {
                    let text = text.clone();
                    let posted = posted.clone();
                    view! {
                        <p class="comment-text">{text}</p>
                        <p class="comment-meta">
                            {posted}
                            {edited.then_some(" · edited")}
                            " · kept on this device"
                        </p>
                        <div class="comment-actions">
                            <button type="button" class="link-button" on:click=open>
                                "Edit"
                            </button>
                            <button type="button" class="link-button" on:click=move |_| on_delete.run(id.get_value())>
                                "Delete"
                            </button>
                        </div>
                    }
                }
            >
                <form class="comment-edit" on:submit=save novalidate>
                    <label>
                        "Edit comment"
                        <textarea rows="4" prop:value=edit_text on:input=on_input></textarea>
                    </label>
                    {move || edit_error.get().map(|m| view! { <p class="form-error" role="alert">{m.to_string()}</p> })}
                    <div class="form-actions">
                        <button type="submit" class="primary">"Save"</button>
                        <button type="button" on:click=cancel>"Cancel"</button>
                    </div>
                    <p class="form-status" role="status">{edit_status}</p>
                </form>
            </Show>
        </li>
    }
}
