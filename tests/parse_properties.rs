//! Properties of the parser on generated input: it never panics, and every error it reports
//! points inside the input.

use broadsheet::article::{parse, parse_str, ParseError};
use proptest::prelude::*;

/// Whether `e` lies inside `bytes`: an existing line, and at most one past its last character.
///
/// Lines are split on `\n`; an invalid byte sequence counts as one character (as the
/// replacement character would), and a leading BOM is not counted, as in the parser.
fn inside(bytes: &[u8], e: &ParseError) -> bool {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = String::from_utf8_lossy(bytes);
    let Some(line) = text.split('\n').nth(e.line.wrapping_sub(1)) else {
        return false;
    };
    e.line >= 1 && e.column >= 1 && e.column <= line.chars().count() + 1
}

/// Lines that exercise every rule, good and bad, to be shuffled into articles.
fn line() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("---".to_owned()),
        Just("Read next".to_owned()),
        Just("Read next week".to_owned()),
        Just("What is your opinion on this topic?".to_owned()),
        Just("Leave the first comment".to_owned()),
        Just("12 comments".to_owned()),
        Just("title: A title".to_owned()),
        Just("slug: a-slug".to_owned()),
        Just("slug: Not valid".to_owned()),
        Just("published: 2025-04-03T08:15:00+02:00".to_owned()),
        Just("published: 2025-02-30T08:15:00Z".to_owned()),
        Just("colour: red".to_owned()),
        Just("title:".to_owned()),
        Just("07:45".to_owned()),
        Just("7:5".to_owned()),
        Just("24:00".to_owned()),
        Just("Topic".to_owned()),
        Just("He said “no.” Then left. The U.S. team won!".to_owned()),
        Just("\u{feff}".to_owned()),
        "[ \t\r]{0,3}",
        "[ \t]{0,2}[a-zA-Z0-9:.!?’“”—é -]{0,30}[ \t\r]{0,2}",
        "\\PC{0,20}",
    ]
}

fn article() -> impl Strategy<Value = String> {
    (prop::collection::vec(line(), 0..40), any::<bool>())
        .prop_map(|(lines, crlf)| lines.join(if crlf { "\r\n" } else { "\n" }))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        if let Err(e) = parse(&bytes) {
            prop_assert!(inside(&bytes, &e), "{e} for {bytes:?}");
        }
    }

    #[test]
    fn line_structured_text_never_panics(text in article()) {
        let result = parse_str(&text);
        prop_assert_eq!(&result, &parse(text.as_bytes()));
        match result {
            Err(e) => prop_assert!(inside(text.as_bytes(), &e), "{} for {:?}", e, text),
            Ok(a) => {
                prop_assert!(!a.paragraphs.is_empty());
                prop_assert!(a.title.chars().count() <= 100 || text.contains("title:"));
                prop_assert!(!a.slug.is_empty());
                prop_assert!(a.reading_minutes[0] >= 1 && a.reading_minutes[0] <= a.reading_minutes[1]);
                let mut slugs: Vec<&str> = a.related.iter().map(|r| r.slug.as_str()).collect();
                slugs.sort_unstable();
                slugs.dedup();
                prop_assert_eq!(slugs.len(), a.related.len());
            }
        }
    }

    #[test]
    fn invalid_bytes_anywhere_are_reported_where_they_are(
        text in article(),
        at in any::<prop::sample::Index>(),
        bad in prop_oneof![Just(vec![0xff]), Just(vec![0xc3]), Just(vec![0xe2, 0x80]), Just(vec![0xed, 0xa0, 0x80])],
    ) {
        let mut bytes = text.into_bytes();
        // Insert at a character boundary so the bytes before stay valid.
        let mut i = at.index(bytes.len() + 1);
        while i < bytes.len() && (bytes[i] & 0xc0) == 0x80 {
            i += 1;
        }
        let before = String::from_utf8(bytes[..i].to_vec()).unwrap();
        let before = before.strip_prefix('\u{feff}').unwrap_or(&before).to_owned();
        bytes.splice(i..i, bad);
        let e = parse(&bytes).unwrap_err();
        prop_assert_eq!(e.line, before.matches('\n').count() + 1);
        prop_assert_eq!(e.column, before.rsplit('\n').next().unwrap_or("").chars().count() + 1);
        prop_assert!(inside(&bytes, &e));
    }
}

/// Named regressions: inputs that once broke an invariant stay here.
#[test]
fn regressions() {
    // A BOM that is not at the start is ordinary (non-whitespace) text.
    let a = parse_str("Lede\n\u{feff}").unwrap();
    assert_eq!(a.paragraphs, ["Lede", "\u{feff}"]);
    // Two BOMs: only the first is dropped.
    assert!(parse(b"\xEF\xBB\xBF\xEF\xBB\xBFLede").is_ok());
}
