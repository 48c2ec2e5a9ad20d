//! Sharing: the Web Share API where the browser has it, else copying the link.

use leptos::prelude::*;

/// Copies `text` to the clipboard; resolves to whether it worked.
pub async fn copy_text(text: &str) -> bool {
    #[cfg(target_arch = "wasm32")]
    {
        let clipboard = window().navigator().clipboard();
        wasm_bindgen_futures::JsFuture::from(clipboard.write_text(text))
            .await
            .is_ok()
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = text;
        false
    }
}

/// Opens the system share sheet when there is one; returns false when there is not.
async fn web_share(title: &str, url: &str) -> bool {
    #[cfg(target_arch = "wasm32")]
    {
        let navigator = window().navigator();
        let has_share = js_sys::Reflect::has(&navigator, &"share".into()).unwrap_or(false);
        if !has_share {
            return false;
        }
        let data = web_sys::ShareData::new();
        data.set_title(title);
        data.set_url(url);
        // A cancelled share sheet is still a handled share.
        let _ = wasm_bindgen_futures::JsFuture::from(navigator.share_with_data(&data)).await;
        true
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = (title, url);
        false
    }
}

/// The page's address without its fragment.
pub fn page_url() -> String {
    let location = window().location();
    format!(
        "{}{}{}",
        location.origin().unwrap_or_default(),
        location.pathname().unwrap_or_default(),
        location.search().unwrap_or_default()
    )
}

/// A "Share" button with a confirmation in a live region.
#[component]
pub fn ShareButton(
    /// Title passed to the share sheet.
    title: String,
) -> impl IntoView {
    let (status, set_status) = signal(String::new());
    let title = StoredValue::new(title);
    let share = move |_| {
        leptos::task::spawn_local(async move {
            let url = page_url();
            if web_share(&title.get_value(), &url).await {
                return;
            }
            let message = if copy_text(&url).await {
                "Link copied".to_owned()
            } else {
                format!("Copy this link: {url}")
            };
            set_status.set(message);
        });
    };
    view! {
        <span class="share">
            <button type="button" disabled=super::early::not_ready() on:click=share>"Share"</button>
            <span class="share-status" role="status">{status}</span>
        </span>
    }
}
