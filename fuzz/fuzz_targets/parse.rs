//! Fuzz target: the article parser never panics, and every error points inside the input.
//!
//! Run with `cargo +nightly fuzz run parse` from `fuzz/` (after `cargo install cargo-fuzz`).
//! A crash found here becomes a named case in `tests/parse_properties.rs` (`regressions`).

#![no_main]

use libfuzzer_sys::fuzz_target;

/// The parser's modules, compiled straight from `core/src/article/`.
#[path = "../../core/src/article"]
#[allow(dead_code)]
mod article {
    pub mod model;
    pub mod parse;
    pub mod reading_time;
    pub mod slug;
    pub mod translit;
}

fuzz_target!(|data: &[u8]| {
    let bytes = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    match article::parse::parse(data) {
        Ok(a) => {
            assert!(!a.paragraphs.is_empty() && !a.slug.is_empty());
            assert!(a.reading_minutes[0] >= 1 && a.reading_minutes[0] <= a.reading_minutes[1]);
        }
        Err(e) => {
            let text = String::from_utf8_lossy(bytes);
            let line = text
                .split('\n')
                .nth(e.line - 1)
                .expect("error line inside the input");
            assert!(e.column >= 1 && e.column <= line.chars().count() + 1, "{e}");
        }
    }
    if let Ok(text) = std::str::from_utf8(data) {
        assert_eq!(article::parse::parse_str(text), article::parse::parse(data));
    }
});
