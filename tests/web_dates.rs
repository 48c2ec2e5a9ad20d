//! Dates shown to readers: `Intl.DateTimeFormat` in the browser (headless Chromium,
//! wasm-bindgen-test), the English text on the host where pages are rendered ahead of time.

use broadsheet::ui::{human_date, human_date_in};

const WRITTEN: &str = "2025-04-03T08:15:00+02:00";

/// The host has no `Intl`: every language gets the English text, and what is not a timestamp
/// is shown as written.
#[cfg(not(target_arch = "wasm32"))]
#[test]
fn host_renders_english_whatever_the_language() {
    assert_eq!(human_date(WRITTEN), "3 April 2025, 08:15");
    for lang in ["en", "de", "fr", "not a tag"] {
        assert_eq!(human_date_in(WRITTEN, lang), "3 April 2025, 08:15");
    }
    assert_eq!(human_date("2025-13-03T08:15:00Z"), "2025-13-03T08:15:00Z");
    assert_eq!(human_date("soon"), "soon");
    assert_eq!(human_date_in("soon", "de"), "soon");
}

#[cfg(target_arch = "wasm32")]
mod browser {
    use super::*;
    use wasm_bindgen_test::*;

    wasm_bindgen_test_configure!(run_in_browser);

    /// English in the browser is the host's text exactly: no change at takeover. Bare `en`
    /// takes the host's text without `Intl` (its first use costs a page 30–70 ms); `en-GB`
    /// goes through `Intl`, and says the same.
    #[wasm_bindgen_test]
    fn english_matches_the_host_text() {
        assert_eq!(human_date_in(WRITTEN, "en"), "3 April 2025, 08:15");
        assert_eq!(human_date_in(WRITTEN, "en"), human_date(WRITTEN));
        assert_eq!(human_date_in(WRITTEN, "EN"), human_date(WRITTEN));
        assert_eq!(human_date_in(WRITTEN, ""), human_date(WRITTEN));
        assert_eq!(human_date_in(WRITTEN, "en-GB"), human_date(WRITTEN));
        for written in [
            "2025-09-30T23:05:00Z",
            "2024-02-29T00:00:00+01:00",
            "2025-12-01T12:59:00-03:30",
        ] {
            assert_eq!(human_date_in(written, "en-GB"), human_date(written));
        }
    }

    /// The wall clock as written, whatever the offset and the reader's own zone.
    #[wasm_bindgen_test]
    fn the_time_is_the_one_written() {
        for written in [
            "2025-04-03T08:15:00Z",
            "2025-04-03T08:15:00-09:30",
            "2025-04-03T08:15:59+05:45",
            "2025-04-03T08:15:00.123+14:00",
        ] {
            for lang in ["en", "en-GB"] {
                assert_eq!(
                    human_date_in(written, lang),
                    "3 April 2025, 08:15",
                    "{written} {lang}"
                );
            }
        }
        for lang in ["en", "en-GB"] {
            assert_eq!(
                human_date_in("2024-12-31T23:59:00-12:00", lang),
                "31 December 2024, 23:59"
            );
            assert_eq!(
                human_date_in("2025-01-01T00:05:00+13:00", lang),
                "1 January 2025, 00:05"
            );
        }
    }

    #[wasm_bindgen_test]
    fn german_and_french_month_names() {
        assert_eq!(human_date_in(WRITTEN, "de"), "3. April 2025, 08:15");
        assert_eq!(
            human_date_in("2025-03-03T08:15:00+01:00", "de"),
            "3. März 2025, 08:15"
        );
        assert_eq!(human_date_in(WRITTEN, "fr"), "3 avril 2025, 08:15");
        assert_eq!(
            human_date_in("2025-02-14T18:40:00Z", "fr"),
            "14 février 2025, 18:40"
        );
    }

    /// A tag `Intl` refuses (it throws a RangeError) falls back to English, without a panic.
    #[wasm_bindgen_test]
    fn an_invalid_language_falls_back_to_english() {
        for lang in ["en_GB", "not a tag", "x", "-", "de--DE"] {
            assert_eq!(
                human_date_in(WRITTEN, lang),
                "3 April 2025, 08:15",
                "{lang:?}"
            );
        }
        assert_eq!(human_date_in("soon", "de"), "soon");
    }

    /// A format is made once per language and kept: a front page of 50 stories made 100
    /// (about a millisecond each) in its start-up task. Results are the same from a kept one.
    #[wasm_bindgen_test]
    fn formats_are_made_once_per_language() {
        let first = human_date_in(WRITTEN, "de");
        let made = broadsheet::ui::date_formats_made();
        for _ in 0..50 {
            assert_eq!(human_date_in(WRITTEN, "de"), first);
            assert_eq!(
                human_date_in("2025-03-03T08:15:00+01:00", "de"),
                "3. März 2025, 08:15"
            );
        }
        assert_eq!(broadsheet::ui::date_formats_made(), made);
        // Another language gets its own (a day and a time format), and the first is unchanged.
        // (Italian: no other test of this file uses it, and they share one page.)
        assert_eq!(human_date_in(WRITTEN, "it"), "3 aprile 2025, 08:15");
        assert_eq!(broadsheet::ui::date_formats_made(), made + 2);
        assert_eq!(human_date_in(WRITTEN, "de"), "3. April 2025, 08:15");
        // A refused tag is remembered too, and still falls back to English.
        assert_eq!(human_date_in(WRITTEN, "de--DE"), "3 April 2025, 08:15");
        let refused = broadsheet::ui::date_formats_made();
        assert_eq!(human_date_in(WRITTEN, "de--DE"), "3 April 2025, 08:15");
        assert_eq!(broadsheet::ui::date_formats_made(), refused);
    }

    /// Comment times: local time in the page's language (`<html lang>`), short month.
    #[wasm_bindgen_test]
    fn comment_times_follow_the_page_language() {
        let html = web_sys::window()
            .unwrap()
            .document()
            .unwrap()
            .document_element()
            .unwrap();
        let before = html.get_attribute("lang");
        let local = js_sys::Date::new_with_year_month_day_hr_min(2026, 10, 28, 8, 15);
        let ms = local.get_time();
        html.set_attribute("lang", "en").unwrap();
        assert_eq!(broadsheet::ui::human_time(ms), "28 Nov 2026, 08:15");
        html.set_attribute("lang", "de").unwrap();
        assert_eq!(broadsheet::ui::human_time(ms), "28. Nov. 2026, 08:15");
        html.set_attribute("lang", "not a tag").unwrap();
        assert_eq!(broadsheet::ui::human_time(ms), "28 Nov 2026, 08:15");
        match before {
            Some(lang) => html.set_attribute("lang", &lang).unwrap(),
            None => html.remove_attribute("lang").unwrap(),
        }
    }
}
