//! Turns titles and summaries into URL slugs: lowercase ASCII letters, digits and single hyphens.
//!
//! Non-Latin text is transliterated with `deunicode` ("Привет мир" becomes `privet-mir`),
//! apostrophes vanish ("Russia’s" becomes `russias`), and every other run of non-alphanumeric
//! characters becomes one hyphen. A slug is never empty: text with nothing to keep gets
//! `article-` followed by a stable hash of the text.

use super::translit::ascii_of;

/// The longest slug [`slugify`] returns, in bytes (slugs are ASCII, so also in characters).
pub const MAX_SLUG_LEN: usize = 80;

/// The slug for `text`: at most 80 characters, cut at a hyphen where possible.
///
/// ```
/// use broadsheet_core::article::slugify;
/// assert_eq!(slugify("Russia’s “three steps forward”"), "russias-three-steps-forward");
/// assert_eq!(slugify("Северный поток"), "severnyi-potok");
/// assert_eq!(slugify("!!!"), slugify("!!!")); // stable fallback, never empty
/// assert!(slugify("!!!").starts_with("article-"));
/// ```
pub fn slugify(text: &str) -> String {
    slugify_with_limit(text, MAX_SLUG_LEN).0
}

/// Whether `s` is exactly what a slug may be: non-empty, at most 80 characters
/// of `a-z`, `0-9` and `-`, with no leading, trailing or doubled hyphen.
pub fn is_valid_slug(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= MAX_SLUG_LEN
        && b[0] != b'-'
        && b[b.len() - 1] != b'-'
        && !s.contains("--")
        && b.iter()
            .all(|&c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-')
}

/// Like [`slugify`] with a custom length cap; also returns how many input characters it
/// examined, which the parser adds to its work count.
///
/// Stops reading `text` as soon as the cap is exceeded, so a long title costs no more than
/// its first few words (unless they transliterate to nothing).
pub(crate) fn slugify_with_limit(text: &str, max: usize) -> (String, usize) {
    let max = max.max(1);
    // Only ASCII is ever pushed, so bytes are as good as characters and cheaper.
    let mut out: Vec<u8> = Vec::with_capacity(max + 8);
    let mut gap = false;
    let mut visited = 0;
    let push = |out: &mut Vec<u8>, b: u8, gap: &mut bool| {
        if b.is_ascii_alphanumeric() {
            if *gap && !out.is_empty() {
                out.push(b'-');
            }
            *gap = false;
            out.push(b.to_ascii_lowercase());
        } else if b != b'\'' {
            *gap = true;
        }
    };
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() && out.len() <= max {
        visited += 1;
        if bytes[i].is_ascii() {
            // The common case, without decoding a character.
            push(&mut out, bytes[i], &mut gap);
            i += 1;
            continue;
        }
        let Some(c) = text.get(i..).and_then(|rest| rest.chars().next()) else {
            break;
        };
        i += c.len_utf8();
        if c == '’' || c == 'ʼ' {
            // Typographic apostrophes vanish like ASCII ones ("Russia’s" -> "russias").
        } else {
            match ascii_of(c) {
                Some(ascii) => ascii.bytes().for_each(|b| push(&mut out, b, &mut gap)),
                None => gap = true,
            }
        }
    }
    if out.len() > max {
        // Hyphens only ever precede a letter or digit, so cutting before one ends on a word.
        let cut = if out[max] == b'-' {
            max
        } else {
            out[..max].iter().rposition(|&b| b == b'-').unwrap_or(max)
        };
        out.truncate(cut);
    }
    if out.is_empty() {
        visited += text.len();
        return (format!("article-{:08x}", fnv1a32(bytes)), visited);
    }
    (String::from_utf8(out).unwrap_or_default(), visited)
}

/// FNV-1a, 32-bit: a tiny, stable hash for fallback slugs and slug shards (the same on every
/// platform).
pub fn fnv1a32(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0x811c_9dc5, |h: u32, &b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cases() {
        let cases = [
            ("Hello, World!", "hello-world"),
            ("  --Leading and trailing--  ", "leading-and-trailing"),
            ("Biden-era AI chip", "biden-era-ai-chip"),
            ("Russia–Ukraine war", "russia-ukraine-war"),
            ("Don't stop", "dont-stop"),
            ("Ünïcödé Çafé", "unicode-cafe"),
            ("北京", "bei-jing"),
            ("3.5% growth", "3-5-growth"),
        ];
        for (text, want) in cases {
            assert_eq!(slugify(text), want, "{text:?}");
            assert!(is_valid_slug(want));
        }
    }

    #[test]
    fn caps_at_a_hyphen() {
        let long = "word ".repeat(40);
        let s = slugify(&long);
        assert!(s.len() <= MAX_SLUG_LEN && s.ends_with("word"), "{s}");
        let one = "x".repeat(200);
        assert_eq!(slugify(&one).len(), MAX_SLUG_LEN);
        let (s, _) = slugify_with_limit("ab cd", 3);
        assert_eq!(s, "ab");
    }

    #[test]
    fn never_empty_and_stable() {
        for text in ["", "!!!", "…", "\u{1F600}"] {
            let s = slugify(text);
            assert!(is_valid_slug(&s), "{text:?} -> {s:?}");
            assert_eq!(s, slugify(text));
        }
        assert_ne!(slugify("!!!"), slugify("???"));
    }

    #[test]
    fn validity() {
        for bad in ["", "-a", "a-", "a--b", "A", "a b", "é", &"a".repeat(81)] {
            assert!(!is_valid_slug(bad), "{bad:?}");
        }
        assert!(is_valid_slug("a-1-b"));
    }
}
