//! Waiting for a state in the browser tests (`web*.rs`): a test waits for what it expects,
//! never for a fixed time.

/// Waits (a macrotask at a time, at most about 5 s) until `done` holds.
pub async fn until(what: &str, done: impl Fn() -> bool) {
    for _ in 0..500 {
        if done() {
            return;
        }
        let wait = js_sys::Promise::new(&mut |resolve, _| {
            web_sys::window()
                .unwrap()
                .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 10)
                .unwrap();
        });
        wasm_bindgen_futures::JsFuture::from(wait).await.unwrap();
    }
    panic!("timed out waiting until {what}");
}

/// The text of the first element under `host` matching `selector`, or "" when none does.
pub fn text_of(host: &web_sys::Element, selector: &str) -> String {
    host.query_selector(selector)
        .unwrap()
        .and_then(|element| element.text_content())
        .unwrap_or_default()
}
