//! The reader's-world types produced by the parser.

use serde::{Deserialize, Serialize};
use std::fmt;

/// One article, parsed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Article {
    /// Headline: from the header, or derived from the lede's first sentence.
    pub title: String,
    /// URL-safe identifier: from the header, or derived from the title.
    pub slug: String,
    pub topic: Option<String>,
    /// Publication time as written in the header (validated RFC 3339).
    pub published: Option<Published>,
    pub author: Option<String>,
    /// Language tag; `"en"` when the header does not say.
    pub lang: String,
    pub summary: Option<String>,
    /// Body paragraphs, trimmed, exactly as written; the first is the lede.
    pub paragraphs: Vec<String>,
    /// The "Read next" entries.
    pub related: Vec<RelatedStory>,
    /// True when the file ended with a comment footer.
    pub comments_prompt: bool,
    /// Estimated reading time as `[low, high]` minutes.
    pub reading_minutes: [u32; 2],
}

/// The writing direction of a language tag: `"rtl"` for the scripts written right to left
/// (Arabic, Hebrew, Persian, Urdu, and the others below, by the tag's primary language or an
/// explicit script subtag such as `-Arab`), else `"ltr"`. The value of an element's `dir`.
pub fn direction(lang: &str) -> &'static str {
    const RTL_LANGUAGES: [&str; 12] = [
        "ar", "he", "iw", "fa", "ur", "yi", "ps", "sd", "ug", "dv", "ckb", "arc",
    ];
    const RTL_SCRIPTS: [&str; 6] = ["arab", "hebr", "thaa", "syrc", "nkoo", "adlm"];
    let lang = lang.to_ascii_lowercase();
    let mut subtags = lang.split(['-', '_']);
    let primary = subtags.next().unwrap_or_default();
    let script = subtags.find(|s| s.len() == 4);
    let rtl = match script {
        Some(script) => RTL_SCRIPTS.contains(&script),
        None => RTL_LANGUAGES.contains(&primary),
    };
    if rtl {
        "rtl"
    } else {
        "ltr"
    }
}

#[cfg(test)]
mod direction_tests {
    use super::direction;

    #[test]
    fn right_to_left_languages_and_scripts_are_rtl_and_the_rest_ltr() {
        for rtl in [
            "ar",
            "ar-EG",
            "he",
            "fa-IR",
            "ur",
            "AR",
            "az-Arab",
            "uz-Arab-AF",
        ] {
            assert_eq!(direction(rtl), "rtl", "{rtl}");
        }
        for ltr in [
            "en", "en-GB", "ru", "fr", "", "az-Latn", "sr-Cyrl", "ar-Latn", "hy",
        ] {
            assert_eq!(direction(ltr), "ltr", "{ltr}");
        }
    }
}

/// A validated RFC 3339 timestamp, kept as written plus its instant for sorting.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct Published {
    /// Seconds since the Unix epoch (UTC).
    pub unix_seconds: i64,
    /// The original text, e.g. `2025-04-03T08:15:00+02:00`.
    pub text: String,
}

impl TryFrom<String> for Published {
    type Error = String;

    /// Reads the text back (from the site's data files), checking it as the parser does.
    fn try_from(text: String) -> Result<Self, String> {
        match super::parse::rfc3339_unix_seconds(&text) {
            Some(unix_seconds) => Ok(Published { unix_seconds, text }),
            None => Err(format!("not an RFC 3339 time: {text:?}")),
        }
    }
}

impl From<Published> for String {
    fn from(p: Published) -> String {
        p.text
    }
}

/// One "Read next" entry: a related story.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RelatedStory {
    /// Clock time as written, `H:MM` or `HH:MM`.
    pub time: String,
    /// Topic label.
    pub topic: String,
    /// One-paragraph summary.
    pub summary: String,
    /// Slug derived from the summary (or topic), unique within the article.
    pub slug: String,
}

/// What went wrong while parsing, and where (line and column count from 1; column in characters).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    pub line: usize,
    pub column: usize,
    pub kind: ParseErrorKind,
}

/// The kinds of problem an article file can have.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ParseErrorKind {
    InvalidUtf8,
    NoBody,
    BadClockTime(String),
    IncompleteRelated(&'static str),
    UnknownHeaderKey(String),
    MalformedHeaderLine,
    DuplicateHeaderKey(String),
    UnclosedHeader,
    InvalidDate(String),
    EmptyHeaderValue(String),
    /// A header `slug:` that is not lowercase letters, digits and single hyphens.
    InvalidSlug(String),
    /// Another article of the site already uses this slug.
    DuplicateSlug(String),
}

impl fmt::Display for ParseErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidUtf8 => f.write_str("invalid UTF-8: save the file as UTF-8"),
            Self::NoBody => f.write_str("no body text: an article needs at least one paragraph"),
            Self::BadClockTime(t) => write!(
                f,
                "bad clock time {t:?} in Read next: expected H:MM or HH:MM, 24-hour (e.g. 07:45)"
            ),
            Self::IncompleteRelated(missing) => write!(
                f,
                "incomplete Read next entry: missing its {missing} (each entry is a time, a topic and a summary line)"
            ),
            Self::UnknownHeaderKey(k) => write!(
                f,
                "unknown header key {k:?}: allowed keys are title, slug, published, topic, author, lang, summary"
            ),
            Self::MalformedHeaderLine => {
                f.write_str("malformed header line: expected `key: value`")
            }
            Self::DuplicateHeaderKey(k) => write!(f, "header key {k:?} is given twice"),
            Self::UnclosedHeader => {
                f.write_str("unclosed header: add a `---` line after the header fields")
            }
            Self::InvalidDate(d) => write!(
                f,
                "invalid date {d:?}: expected RFC 3339, e.g. 2025-04-03T08:15:00Z"
            ),
            Self::EmptyHeaderValue(k) => write!(f, "header key {k:?} has no value"),
            Self::InvalidSlug(s) => write!(
                f,
                "invalid slug {s:?}: use lowercase letters a-z, digits and single hyphens, at most 80 characters"
            ),
            Self::DuplicateSlug(s) => write!(
                f,
                "duplicate slug {s:?}: another article already uses it; set a distinct `slug:` in the header"
            ),
        }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: error: {}", self.line, self.column, self.kind)
    }
}

impl std::error::Error for ParseError {}
