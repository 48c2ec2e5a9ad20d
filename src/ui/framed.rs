//! Refusing to run inside another site's frame.
//!
//! A `<meta>` Content-Security-Policy cannot forbid framing (`frame-ancestors` works only as a
//! header, which a static host may not send), so another site could show the reader in an
//! `<iframe>` and trick the reader into clicking its controls (clickjacking). When the app finds
//! itself framed by another origin it shows only a notice with a link that opens it in its own
//! tab, and none of its controls. Framed by its own origin, it runs as usual.

use leptos::prelude::*;

/// Whether this document is shown inside a frame whose top-level page has another origin:
/// `window.top` is not `window.self`, and reading the top page's address throws.
pub fn framed_by_another_origin() -> bool {
    #[cfg(target_arch = "wasm32")]
    {
        let Some(window) = web_sys::window() else {
            return false;
        };
        match window.top() {
            Ok(Some(top)) if js_sys::Object::is(&top, &window) => false,
            // A cross-origin window's `location` may be reached, but not read.
            Ok(Some(top)) => top.location().href().is_err(),
            Ok(None) => false,
            Err(_) => true,
        }
    }
    #[cfg(not(target_arch = "wasm32"))]
    false
}

/// Replaces the page rendered ahead of time with the notice, and marks
/// `<html data-app="framed">`.
pub fn show_notice() {
    let document = document();
    if let Some(prerendered) = document.get_element_by_id("prerendered") {
        prerendered.remove();
    }
    let here = document
        .location()
        .and_then(|l| l.href().ok())
        .unwrap_or_else(|| super::route_href(&crate::routes::Route::Home));
    leptos::mount::mount_to_body(move || view! { <FramedNotice href=here/> });
    if let Some(root) = document.document_element() {
        let _ = root.set_attribute("data-app", "framed");
    }
}

/// The whole page when framed: what happened and a link out, nothing else.
#[component]
fn FramedNotice(
    /// This page's own address.
    href: String,
) -> impl IntoView {
    view! {
        <main class="framed-notice">
            <h1>"Broadsheet"</h1>
            <p>
                "Another website is showing Broadsheet inside its own page. To keep your \
                reading and your data safe, Broadsheet only works in its own tab."
            </p>
            <p>
                <a href=href target="_blank" rel="noopener noreferrer">
                    "Open Broadsheet in its own tab"
                </a>
            </p>
        </main>
    }
}
