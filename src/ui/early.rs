//! What the reader did on the page rendered ahead of time, before the app took it over.
//!
//! A prerendered page shows its text at once, but its controls have no app behind them until
//! the wasm has loaded (seconds on a phone). Two things keep the reader's work in that window:
//! - text fields stay usable, and what was typed into them is carried into the app when it
//!   takes over: the comment box's text is added to the saved draft and saved, the search box's
//!   text becomes the query, and the caret stays where the reader left it;
//! - every other control (reactions, settings, posting, …) is rendered disabled, with a visible
//!   "getting ready" note, so no click is silently lost ([`not_ready`]).
//!
//! Leptos hydration was the alternative: it attaches the app to the prerendered DOM instead of
//! replacing it, so typed text would stay in place. It was not chosen: the prerendered page is
//! rendered with no saved data, and the reader's own state (pressed reactions, a saved draft,
//! comments) differs from it, which hydration treats as a mismatch (in Leptos 0.8 a panic or a
//! broken page); it would also need a second build of every component with the `hydrate`
//! feature and the same markers on the host. The window before the wasm arrives is the same
//! either way; what is typed in it is kept here by carrying it over.

use leptos::prelude::*;

/// The id of the comment box, on article and brief pages.
pub const COMMENT_BOX: &str = "comment-box";
/// The id of the search box, on the front page.
pub const SEARCH_BOX: &str = "search";

/// Marks a render as the page written ahead of time (provided by the prerenderer).
#[derive(Clone, Copy, Debug)]
pub struct Prerendering;

/// Whether this render is the page written ahead of time, whose controls have no app behind
/// them yet: they are rendered disabled with a note saying so.
pub fn not_ready() -> bool {
    use_context::<Prerendering>().is_some()
}

/// The note shown next to controls of a prerendered page, until the app takes over.
#[component]
pub fn GettingReady(
    /// What the reader can expect, e.g. "Reactions will be ready in a moment."
    message: &'static str,
) -> impl IntoView {
    not_ready().then(|| {
        view! {
            <p class="getting-ready">
                <span class="spinner" aria-hidden="true"></span>
                {message}
            </p>
        }
    })
}

/// Text the reader typed into the prerendered page's fields, by field id, and where the caret
/// was. Each text is taken once, by the component that owns the field.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EarlyInput {
    texts: Vec<(String, String)>,
    focus: Option<Caret>,
}

/// The field that had focus, and its caret as a distance from the end of the text (the text
/// before it may grow when it is merged with a saved draft).
#[derive(Clone, Debug, PartialEq)]
pub struct Caret {
    pub id: String,
    pub from_end: u32,
}

impl EarlyInput {
    pub fn new(texts: Vec<(String, String)>, focus: Option<Caret>) -> Self {
        EarlyInput { texts, focus }
    }

    /// The focused field and its caret.
    pub fn focus(&self) -> Option<&Caret> {
        self.focus.as_ref()
    }
}

/// [`EarlyInput`] as a context the components take their text from.
#[derive(Clone, Copy)]
pub struct Early(StoredValue<EarlyInput, LocalStorage>);

impl Early {
    pub fn new(input: EarlyInput) -> Self {
        Early(StoredValue::new_local(input))
    }

    /// Removes and returns what was typed into the field `id` (non-empty), if anything.
    pub fn take(&self, id: &str) -> Option<String> {
        self.0
            .try_update_value(|input| {
                let at = input.texts.iter().position(|(field, _)| field == id)?;
                Some(input.texts.remove(at).1)
            })
            .flatten()
            .filter(|t| !t.is_empty())
    }
}

/// What the field `id` typed before the app took over, if the page had one (in the app).
pub fn take_early(id: &str) -> Option<String> {
    use_context::<Early>().and_then(|early| early.take(id))
}

/// The draft after the takeover: the saved draft with what was typed into the empty box of the
/// prerendered page after it. Typing that began with a space or a new line is appended as it
/// is; otherwise a space separates the two. Text that already holds the saved draft wins.
pub fn merge_draft(saved: &str, typed: &str) -> String {
    if saved.is_empty() || typed.starts_with(saved) {
        return typed.to_owned();
    }
    if typed.is_empty() {
        return saved.to_owned();
    }
    let joined = saved.ends_with(char::is_whitespace) || typed.starts_with(char::is_whitespace);
    format!("{saved}{}{typed}", if joined { "" } else { " " })
}

/// Reads what the reader typed into the fields of the prerendered page `root`: every text field
/// whose value differs from the one it was rendered with, and the caret of the focused one.
pub fn collect(root: &web_sys::Element) -> EarlyInput {
    use wasm_bindgen::JsCast;
    let mut texts = Vec::new();
    let mut focus = None;
    let active = document().active_element();
    let Ok(fields) = root.query_selector_all("textarea[id], input[id]") else {
        return EarlyInput::default();
    };
    for i in 0..fields.length() {
        let Some(node) = fields.item(i) else { continue };
        let (id, value, default, end) =
            if let Some(area) = node.dyn_ref::<web_sys::HtmlTextAreaElement>() {
                (
                    area.id(),
                    area.value(),
                    area.default_value().unwrap_or_default(),
                    area.selection_end().ok().flatten(),
                )
            } else if let Some(input) = node.dyn_ref::<web_sys::HtmlInputElement>() {
                (
                    input.id(),
                    input.value(),
                    input.default_value(),
                    input.selection_end().ok().flatten(),
                )
            } else {
                continue;
            };
        if value == default {
            continue;
        }
        if active.as_ref().is_some_and(|a| a == node.unchecked_ref()) {
            let len = value.encode_utf16().count() as u32;
            focus = Some(Caret {
                id: id.clone(),
                from_end: len.saturating_sub(end.unwrap_or(len)),
            });
        }
        texts.push((id, value));
    }
    EarlyInput::new(texts, focus)
}

/// Gives focus back to the field the reader was typing in, with the caret where it was, then
/// runs `then`. The field is focused at the next animation frame: right after mounting, the
/// browser ignores a `focus()` on it. A field not there yet is looked for a few frames more.
pub fn restore_focus(caret: Caret, then: impl FnOnce() + 'static) {
    request_animation_frame(move || restore_focus_within(caret, 10, then));
}

fn restore_focus_within(caret: Caret, frames: u32, then: impl FnOnce() + 'static) {
    use wasm_bindgen::JsCast;
    let Some(field) = document().get_element_by_id(&caret.id) else {
        if frames > 0 {
            request_animation_frame(move || restore_focus_within(caret, frames - 1, then));
        } else {
            then();
        }
        return;
    };
    let place = |len: u32| len.saturating_sub(caret.from_end);
    if let Some(area) = field.dyn_ref::<web_sys::HtmlTextAreaElement>() {
        let _ = area.focus();
        let at = place(area.value().encode_utf16().count() as u32);
        let _ = area.set_selection_range(at, at);
    } else if let Some(input) = field.dyn_ref::<web_sys::HtmlInputElement>() {
        let _ = input.focus();
        let at = place(input.value().encode_utf16().count() as u32);
        let _ = input.set_selection_range(at, at);
    }
    then();
}
