//! Keyboard shortcuts (`/`, `j`, `k`, `?`, `Esc`; `h` and `l` are the article's, in `highlights.rs` and `listen.rs`) and the help dialog that lists them.

use leptos::{html, prelude::*};
use leptos_router::hooks::use_navigate;
use wasm_bindgen::JsCast;

/// Every shortcut, as shown in the help dialog.
pub const SHORTCUTS: [(&str, &str); 8] = [
    ("/", "Search articles"),
    ("j", "Next story"),
    ("k", "Previous story"),
    ("h", "Highlight the selected text"),
    ("l", "Listen to the story; pause and resume"),
    ("Enter", "Open the selected story"),
    ("?", "Show this help"),
    ("Esc", "Close this help"),
];

/// True when the key press belongs to a text field, so no shortcut may fire.
pub(super) fn typing_in_field(target: Option<web_sys::EventTarget>) -> bool {
    let Some(element) = target.and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok()) else {
        return false;
    };
    matches!(element.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
        || element.is_content_editable()
}

fn focus_by_id(id: &str) -> bool {
    document()
        .get_element_by_id(id)
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        .map(|e| e.focus().is_ok())
        .unwrap_or(false)
}

/// Moves the selection to the next (`+1`) or previous (`-1`) story on the page.
fn move_selection(delta: i32) {
    let Ok(items) = document().query_selector_all("[data-nav-item]") else {
        return;
    };
    let items: Vec<web_sys::Element> = (0..items.length())
        .filter_map(|i| items.item(i)?.dyn_into().ok())
        .collect();
    if items.is_empty() {
        return;
    }
    let active = document().active_element();
    let current = items
        .iter()
        .position(|item| active.as_ref().is_some_and(|a| item.contains(Some(a))));
    let next = match current {
        None if delta > 0 => 0,
        None => items.len() - 1,
        Some(i) => (i as i32 + delta).clamp(0, items.len() as i32 - 1) as usize,
    };
    for item in &items {
        let _ = item.class_list().remove_1("nav-current");
    }
    let item = &items[next];
    let _ = item.class_list().add_1("nav-current");
    if let Some(link) = item
        .query_selector("a")
        .ok()
        .flatten()
        .and_then(|a| a.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = link.focus();
    }
    let options = web_sys::ScrollIntoViewOptions::new();
    options.set_block(web_sys::ScrollLogicalPosition::Nearest);
    item.scroll_into_view_with_scroll_into_view_options(&options);
}

/// Listens for shortcuts on the whole page and renders the help dialog.
#[component]
pub fn Shortcuts() -> impl IntoView {
    let dialog = NodeRef::<html::Dialog>::new();
    let navigate = use_navigate();
    let handle = window_event_listener(leptos::ev::keydown, move |e| {
        if e.default_prevented()
            || e.ctrl_key()
            || e.meta_key()
            || e.alt_key()
            || typing_in_field(e.target())
        {
            return;
        }
        if dialog.get_untracked().is_some_and(|d| d.open()) {
            return;
        }
        match e.key().as_str() {
            "/" => {
                e.prevent_default();
                if !focus_by_id("search") {
                    navigate("/", Default::default());
                    // The home page renders on the next frames; focus its box once it is there.
                    request_animation_frame(|| {
                        request_animation_frame(|| {
                            focus_by_id("search");
                        })
                    });
                }
            }
            "j" => move_selection(1),
            "k" => move_selection(-1),
            "?" => {
                e.prevent_default();
                if let Some(d) = dialog.get_untracked() {
                    let _ = d.show_modal();
                }
            }
            _ => {}
        }
    });
    on_cleanup(move || handle.remove());
    let close = move |_| {
        if let Some(d) = dialog.get_untracked() {
            d.close();
        }
    };
    view! {
        <dialog node_ref=dialog class="help-dialog" aria-labelledby="help-title">
            <h2 id="help-title">"Keyboard shortcuts"</h2>
            <dl class="shortcut-list">
                {SHORTCUTS
                    .iter()
                    .map(|(key, what)| view! { <div><dt><kbd>{*key}</kbd></dt><dd>{*what}</dd></div> })
                    .collect_view()}
            </dl>
            <p class="note">"Shortcuts do nothing while you type in a text field."</p>
            <button type="button" class="primary" on:click=close>"Close"</button>
        </dialog>
    }
}
