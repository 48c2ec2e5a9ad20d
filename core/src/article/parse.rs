//! Parses one article file into an [`Article`], or says at which line and column it is wrong.
//!
//! # Format
//!
//! ```text
//! ---                                  optional header, opened by the first non-blank line
//! title: Talks make progress           keys: title slug published topic author lang summary
//! published: 2025-04-03T08:15:00+02:00
//! ---
//! The lede, one paragraph per line.    body: every non-empty line is a paragraph
//!
//! Another paragraph.
//! Read next                            exactly this line (trimmed) opens the related block
//! 07:45                                entries: clock time, topic, summary
//! Topic label
//! One-paragraph summary.
//! What is your opinion on this topic?  comment footer lines are dropped wherever they appear
//! Leave the first comment
//! ```
//!
//! # Decisions
//!
//! - Lines are split on `\n`; every line is trimmed (so CRLF, indentation and trailing
//!   spaces do not matter). A leading UTF-8 BOM is dropped and not counted in columns.
//! - Positions: line and column from 1; the column counts characters (not bytes) of the line
//!   as written and points at the first character of the offending thing.
//! - Header: blank lines inside it are allowed; values are taken literally (no YAML quoting);
//!   keys are lowercase. A header whose closing `---` never comes is reported at its opening
//!   `---`, not at the first body line that happens to lack a colon. `published` must be valid
//!   RFC 3339 (real calendar day, offset within ±23:59); `slug` must already be a slug
//!   ([`ParseErrorKind::InvalidSlug`]). Value errors point at the value, key errors at the key,
//!   an empty value just after the colon.
//! - Related entries are three consecutive non-blank lines; blank lines may separate entries.
//!   An entry cut short by a blank line, a comment footer line, a clock time where a topic or
//!   summary belongs, or the end of the file is [`ParseErrorKind::IncompleteRelated`] at the
//!   place where the missing line should be (the end of the last line for the end of the file).
//!   Once `Read next` has come, every other line must belong to an entry (or the footer): body
//!   text there is a [`ParseErrorKind::BadClockTime`]. A `Read next` with no entries is allowed.
//! - Comment footer lines (exactly `What is your opinion on this topic?`, `Leave the first
//!   comment`, or digits (commas allowed) then ` comments`/` comment`) are never body text: they
//!   are dropped wherever a paragraph or an entry could start, and set
//!   [`Article::comments_prompt`].
//! - [`ParseErrorKind::NoBody`] points at the `Read next` line when related stories come before
//!   any paragraph, otherwise at the end of the input.
//! - Derived title: the lede's first sentence (ending at `.`, `!` or `?`, plus any closing
//!   quotes, before a space or the end; not before a lowercase word, and for `.` not after an
//!   initial or abbreviation like "U.S." or "Mr."). A plain final `.` is dropped. Longer than
//!   100 characters, it is cut at the last word boundary within 99 characters, trailing
//!   punctuation removed, and `…` appended.
//! - Related slugs: the summary's first sentence, slugified and capped at 60 characters, with
//!   `-2`, `-3`… appended on a clash within the article.
//!
//! Every step looks at each byte a bounded number of times, so parsing is linear in the input;
//! [`parse_with_stats`] reports the work done so tests can hold the parser to that.

use super::model::{Article, ParseError, ParseErrorKind, Published, RelatedStory};
use super::reading_time::reading_minutes;
use super::slug::{is_valid_slug, slugify_with_limit, MAX_SLUG_LEN};
use std::collections::{HashMap, HashSet};

/// Longest derived title, in characters (including the `…` added when cut).
const MAX_TITLE_CHARS: usize = 100;
/// Longest related-entry slug before a `-N` suffix.
const MAX_RELATED_SLUG_LEN: usize = 60;
/// Longest excerpt of the input quoted in an error message, in characters.
const MAX_EXCERPT_CHARS: usize = 40;

const READ_NEXT: &str = "Read next";
const FOOTER_PROMPT: &str = "What is your opinion on this topic?";
const FOOTER_FIRST: &str = "Leave the first comment";
const HEADER_KEYS: [&str; 7] = [
    "title",
    "slug",
    "published",
    "topic",
    "author",
    "lang",
    "summary",
];

/// Work done by one parse, for tests that hold the parser to linear time.
#[doc(hidden)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ParseStats {
    /// Lines visited, once per pass over them.
    pub lines: usize,
    /// Bytes or characters examined: UTF-8 validation, each pass over a line, characters
    /// counted, text fed to the slugger and the sentence finder.
    pub bytes: usize,
    /// Lookups made to find a free related-entry slug.
    pub slug_probes: usize,
}

impl ParseStats {
    /// All counted work, in one number.
    pub fn steps(&self) -> usize {
        self.lines + self.bytes + self.slug_probes
    }
}

/// Parses an article file given as bytes: drops a UTF-8 BOM, rejects invalid UTF-8 at the line
/// and column of the first bad byte, then parses as [`parse_str`] does.
pub fn parse(bytes: &[u8]) -> Result<Article, ParseError> {
    parse_with_stats(bytes).0
}

/// Parses an article file given as text (a leading BOM is ignored).
pub fn parse_str(text: &str) -> Result<Article, ParseError> {
    let mut stats = ParseStats::default();
    parse_text(text.strip_prefix('\u{FEFF}').unwrap_or(text), &mut stats)
}

/// [`parse`], also reporting the work it did.
#[doc(hidden)]
pub fn parse_with_stats(bytes: &[u8]) -> (Result<Article, ParseError>, ParseStats) {
    let mut stats = ParseStats::default();
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    stats.bytes += bytes.len();
    let result = match std::str::from_utf8(bytes) {
        Ok(text) => parse_text(text, &mut stats),
        Err(e) => Err(invalid_utf8(bytes, e.valid_up_to())),
    };
    (result, stats)
}

/// The error for invalid UTF-8 starting at byte `at` (everything before it is valid).
fn invalid_utf8(bytes: &[u8], at: usize) -> ParseError {
    let valid = std::str::from_utf8(&bytes[..at]).unwrap_or_default();
    let line_start = valid.rfind('\n').map_or(0, |i| i + 1);
    ParseError {
        line: valid.bytes().filter(|&b| b == b'\n').count() + 1,
        column: valid[line_start..].chars().count() + 1,
        kind: ParseErrorKind::InvalidUtf8,
    }
}

/// One line of input: its number, its text as written (without `\n`) and trimmed.
#[derive(Clone, Copy)]
struct Line<'a> {
    number: usize,
    raw: &'a str,
    text: &'a str,
}

impl<'a> Line<'a> {
    /// The column of byte offset `at` of the raw line.
    fn column_at(&self, at: usize) -> usize {
        self.raw.get(..at).map_or(1, |s| s.chars().count() + 1)
    }

    /// The column of `part`, which must be a subslice of this line.
    fn column_of(&self, part: &str) -> usize {
        let at = (part.as_ptr() as usize).wrapping_sub(self.raw.as_ptr() as usize);
        self.column_at(at.min(self.raw.len()))
    }

    fn error_at(&self, part: &str, kind: ParseErrorKind) -> ParseError {
        ParseError {
            line: self.number,
            column: self.column_of(part),
            kind,
        }
    }

    /// The start of the line: for errors about a blank line.
    fn start(&self, kind: ParseErrorKind) -> ParseError {
        ParseError {
            line: self.number,
            column: 1,
            kind,
        }
    }

    /// Just after the last character of the line: where something missing would go.
    fn end(&self, kind: ParseErrorKind) -> ParseError {
        ParseError {
            line: self.number,
            column: self.raw.chars().count() + 1,
            kind,
        }
    }
}

/// Numbered, trimmed lines, counting the work of visiting them.
#[derive(Clone)]
struct Lines<'a> {
    inner: std::iter::Enumerate<std::str::Split<'a, char>>,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Self {
        Lines {
            inner: text.split('\n').enumerate(),
        }
    }

    fn next(&mut self, stats: &mut ParseStats) -> Option<Line<'a>> {
        let (i, raw) = self.inner.next()?;
        stats.lines += 1;
        stats.bytes += raw.len();
        Some(Line {
            number: i + 1,
            raw,
            text: raw.trim(),
        })
    }
}

/// Header values by key, in [`HEADER_KEYS`] order.
type Header<'a> = [Option<&'a str>; HEADER_KEYS.len()];

/// What the body parser expects next.
enum State<'a> {
    Body,
    Time,
    Topic { time: &'a str },
    Summary { time: &'a str, topic: &'a str },
}

fn parse_text(text: &str, stats: &mut ParseStats) -> Result<Article, ParseError> {
    let mut lines = Lines::new(text);
    let mut last = None;
    let mut header: Header = Default::default();

    // The header, if the first non-blank line opens one.
    let mut pending = None;
    while let Some(line) = lines.next(stats) {
        last = Some(line);
        if !line.text.is_empty() {
            pending = Some(line);
            break;
        }
    }
    if let Some(open) = pending.filter(|l| l.text == "---") {
        pending = None;
        parse_header(open, &mut lines, &mut header, &mut last, stats)?;
    }

    // The body, related entries and comment footer.
    let mut paragraphs = Vec::new();
    let mut related: Vec<(&str, &str, &str)> = Vec::new();
    let mut comments_prompt = false;
    let mut char_count = 0;
    let mut state = State::Body;
    while let Some(line) = pending.take().or_else(|| lines.next(stats)) {
        last = Some(line);
        let t = line.text;
        let missing = match state {
            State::Topic { .. } => Some("topic"),
            State::Summary { .. } => Some("summary"),
            _ => None,
        };
        if t.is_empty() {
            if let Some(missing) = missing {
                return Err(line.start(ParseErrorKind::IncompleteRelated(missing)));
            }
            continue;
        }
        if is_footer(t) {
            if let Some(missing) = missing {
                return Err(line.error_at(t, ParseErrorKind::IncompleteRelated(missing)));
            }
            comments_prompt = true;
            continue;
        }
        state = match state {
            State::Body if t == READ_NEXT => {
                if paragraphs.is_empty() {
                    return Err(line.error_at(t, ParseErrorKind::NoBody));
                }
                State::Time
            }
            State::Body => {
                // Counting characters is a second pass over the paragraph.
                stats.bytes += t.len();
                char_count += t.chars().count();
                paragraphs.push(t.to_owned());
                State::Body
            }
            State::Time if is_clock_time(t) => State::Topic { time: t },
            State::Time => {
                return Err(line.error_at(t, ParseErrorKind::BadClockTime(excerpt(t))));
            }
            State::Topic { .. } | State::Summary { .. } if is_clock_time(t) => {
                let missing = missing.unwrap_or("topic");
                return Err(line.error_at(t, ParseErrorKind::IncompleteRelated(missing)));
            }
            State::Topic { time } => State::Summary { time, topic: t },
            State::Summary { time, topic } => {
                related.push((time, topic, t));
                State::Time
            }
        };
    }
    // `split` yields at least one line, so `last` is set.
    let last = last.unwrap_or(Line {
        number: 1,
        raw: "",
        text: "",
    });
    match state {
        State::Topic { .. } => return Err(last.end(ParseErrorKind::IncompleteRelated("topic"))),
        State::Summary { .. } => return Err(last.end(ParseErrorKind::IncompleteRelated("summary"))),
        _ if paragraphs.is_empty() => return Err(last.end(ParseErrorKind::NoBody)),
        _ => {}
    }

    let [title, slug, published, topic, author, lang, summary] = header;
    let title = match title {
        Some(title) => title.to_owned(),
        None => derive_title(&paragraphs[0], stats),
    };
    let slug = match slug {
        Some(slug) => slug.to_owned(),
        None => {
            let (slug, visited) = slugify_with_limit(&title, MAX_SLUG_LEN);
            stats.bytes += visited;
            slug
        }
    };
    let lang = lang.unwrap_or("en").to_owned();
    let published = published.map(|text| Published {
        unix_seconds: rfc3339_unix_seconds(text).unwrap_or_default(),
        text: text.to_owned(),
    });
    let related = with_slugs(related, stats);
    Ok(Article {
        reading_minutes: reading_minutes(char_count, &lang),
        title,
        slug,
        topic: topic.map(str::to_owned),
        published,
        author: author.map(str::to_owned),
        lang,
        summary: summary.map(str::to_owned),
        paragraphs,
        related,
        comments_prompt,
    })
}

/// Reads header lines up to the closing `---` into `header`; `open` is the opening `---`.
fn parse_header<'a>(
    open: Line<'a>,
    lines: &mut Lines<'a>,
    header: &mut Header<'a>,
    last: &mut Option<Line<'a>>,
    stats: &mut ParseStats,
) -> Result<(), ParseError> {
    // Look ahead for the closing line first, so a forgotten `---` is reported as such.
    let mut ahead = lines.clone();
    let mut closed = false;
    while let Some(line) = ahead.next(stats) {
        if line.text == "---" {
            closed = true;
            break;
        }
    }
    if !closed {
        return Err(open.error_at(open.text, ParseErrorKind::UnclosedHeader));
    }
    while let Some(line) = lines.next(stats) {
        *last = Some(line);
        let t = line.text;
        if t == "---" {
            return Ok(());
        }
        if t.is_empty() {
            continue;
        }
        let Some((key, value)) = t.split_once(':') else {
            return Err(line.error_at(t, ParseErrorKind::MalformedHeaderLine));
        };
        let key = key.trim_end();
        let well_formed = !key.is_empty()
            && key
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if !well_formed {
            return Err(line.error_at(t, ParseErrorKind::MalformedHeaderLine));
        }
        let Some(slot) = HEADER_KEYS.iter().position(|&k| k == key) else {
            return Err(line.error_at(key, ParseErrorKind::UnknownHeaderKey(excerpt(key))));
        };
        if header[slot].is_some() {
            return Err(line.error_at(key, ParseErrorKind::DuplicateHeaderKey(key.to_owned())));
        }
        let trimmed = value.trim();
        if trimmed.is_empty() {
            return Err(line.error_at(value, ParseErrorKind::EmptyHeaderValue(key.to_owned())));
        }
        let invalid = match key {
            "published" if rfc3339_unix_seconds(trimmed).is_none() => {
                Some(ParseErrorKind::InvalidDate(excerpt(trimmed)))
            }
            "slug" if !is_valid_slug(trimmed) => {
                Some(ParseErrorKind::InvalidSlug(excerpt(trimmed)))
            }
            _ => None,
        };
        if let Some(kind) = invalid {
            return Err(line.error_at(trimmed, kind));
        }
        header[slot] = Some(trimmed);
    }
    // Unreachable: the look-ahead found the closing line.
    Err(open.error_at(open.text, ParseErrorKind::UnclosedHeader))
}

/// `text` for an error message, cut to [`MAX_EXCERPT_CHARS`] characters.
fn excerpt(text: &str) -> String {
    match text.char_indices().nth(MAX_EXCERPT_CHARS) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}

/// A comment footer line: the prompt, "Leave the first comment", or a comment count.
fn is_footer(t: &str) -> bool {
    if t == FOOTER_PROMPT || t == FOOTER_FIRST {
        return true;
    }
    let count = t
        .strip_suffix(" comments")
        .or_else(|| t.strip_suffix(" comment"));
    count.is_some_and(|n| {
        let n = n.trim_end();
        n.starts_with(|c: char| c.is_ascii_digit())
            && n.bytes().all(|b| b.is_ascii_digit() || b == b',')
    })
}

/// `H:MM` or `HH:MM`, 24-hour: hours 0–23, minutes 00–59.
fn is_clock_time(t: &str) -> bool {
    let digit = |b: u8| b.is_ascii_digit().then(|| u32::from(b - b'0'));
    let (hours, minutes) = match *t.as_bytes() {
        [h, b':', m1, m2] => (digit(h), digit(m1).zip(digit(m2))),
        [h1, h2, b':', m1, m2] => (
            digit(h1).zip(digit(h2)).map(|(a, b)| a * 10 + b),
            digit(m1).zip(digit(m2)),
        ),
        _ => return false,
    };
    matches!((hours, minutes), (Some(h), Some((m1, _))) if h < 24 && m1 < 6)
}

/// The title derived from the lede: see the module documentation.
fn derive_title(lede: &str, stats: &mut ParseStats) -> String {
    let sentence = first_sentence(lede, MAX_TITLE_CHARS + 1, stats);
    if char_window_end(sentence, MAX_TITLE_CHARS) < sentence.len() {
        // Too long: cut at a word boundary within 99 characters and mark the cut.
        let limit = char_window_end(sentence, MAX_TITLE_CHARS - 1);
        let head = &sentence[..limit];
        let at_boundary = sentence[limit..].starts_with(char::is_whitespace);
        let word_end = if at_boundary {
            limit
        } else {
            head.rfind(char::is_whitespace).unwrap_or(limit)
        };
        let mut title = head[..word_end]
            .trim_end()
            .trim_end_matches([',', ';', ':', '-', '–', '—', '(', '“', '‘', '"', '\''])
            .trim_end();
        if title.is_empty() {
            title = head;
        }
        return format!("{title}…");
    }
    let plain = sentence
        .strip_suffix('.')
        .filter(|s| !s.ends_with('.'))
        .unwrap_or(sentence);
    plain.to_owned()
}

/// The first sentence of `text`, looking at no more than `window` characters (the whole
/// window when no sentence ends inside it).
fn first_sentence<'a>(text: &'a str, window: usize, stats: &mut ParseStats) -> &'a str {
    let scan = &text[..char_window_end(text, window)];
    stats.bytes += scan.len();
    let bytes = scan.as_bytes();
    let mut from = 0;
    // Terminators are ASCII, so a byte search finds them without decoding characters.
    while let Some(found) = bytes[from..]
        .iter()
        .position(|b| matches!(b, b'.' | b'!' | b'?'))
    {
        let at = from + found;
        let mut after = at + 1;
        let closers = scan[after..]
            .chars()
            .take_while(|q| matches!(q, '"' | '\'' | '”' | '’' | '»' | ')' | ']'));
        after += closers.map(char::len_utf8).sum::<usize>();
        let rest = &scan[after..];
        let ends = rest.chars().next().is_none_or(char::is_whitespace);
        let lowercase_next = rest.trim_start().starts_with(char::is_lowercase);
        if ends && !lowercase_next && (bytes[at] != b'.' || !is_abbreviation(&scan[..at])) {
            return &scan[..after];
        }
        from = after;
    }
    scan
}

/// The byte offset just after the first `n` characters of `text` (or its length).
fn char_window_end(text: &str, n: usize) -> usize {
    let mut seen = 0;
    for (i, &b) in text.as_bytes().iter().enumerate() {
        // Every byte that is not a UTF-8 continuation byte starts a character.
        if (b as i8) >= -0x40 {
            if seen == n {
                return i;
            }
            seen += 1;
        }
    }
    text.len()
}

/// Whether the `.` that ends `before` belongs to an abbreviation rather than ending a sentence:
/// a single letter ("U.S.", "J. Smith") or a common title or abbreviation ("Mr.", "Inc.").
fn is_abbreviation(before: &str) -> bool {
    let word = before
        .rsplit(|c: char| !c.is_alphanumeric() && c != '.')
        .next()
        .unwrap_or("");
    let word = word.rsplit('.').next().unwrap_or(word);
    let single_letter = {
        let mut cs = word.chars();
        matches!((cs.next(), cs.next()), (Some(c), None) if c.is_alphabetic())
    };
    single_letter
        || matches!(
            word,
            "Mr" | "Mrs"
                | "Ms"
                | "Dr"
                | "Prof"
                | "St"
                | "Jr"
                | "Sr"
                | "Gen"
                | "Gov"
                | "Sen"
                | "Rep"
                | "Lt"
                | "Col"
                | "Capt"
                | "No"
                | "vs"
                | "etc"
                | "Inc"
                | "Ltd"
                | "Co"
        )
}

/// Turns `(time, topic, summary)` triples into stories with slugs unique within the article.
fn with_slugs(entries: Vec<(&str, &str, &str)>, stats: &mut ParseStats) -> Vec<RelatedStory> {
    let mut used: HashSet<String> = HashSet::with_capacity(entries.len());
    // Next suffix to try per base slug, so repeated bases never rescan taken suffixes.
    let mut next_suffix: HashMap<String, usize> = HashMap::new();
    entries
        .into_iter()
        .map(|(time, topic, summary)| {
            let sentence = first_sentence(summary, 2 * MAX_RELATED_SLUG_LEN, stats);
            let (base, visited) = slugify_with_limit(sentence, MAX_RELATED_SLUG_LEN);
            stats.bytes += visited;
            stats.slug_probes += 1;
            let slug = if used.contains(&base) {
                let n = next_suffix.entry(base.clone()).or_insert(2);
                loop {
                    stats.slug_probes += 1;
                    let candidate = format!("{base}-{n}");
                    *n += 1;
                    if !used.contains(&candidate) {
                        break candidate;
                    }
                }
            } else {
                base
            };
            used.insert(slug.clone());
            RelatedStory {
                time: time.to_owned(),
                topic: topic.to_owned(),
                summary: summary.to_owned(),
                slug,
            }
        })
        .collect()
}

/// Seconds since the Unix epoch for an RFC 3339 timestamp, or `None` when it is not one.
///
/// Accepts `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`, with `t`/space for `T` and `z` for
/// `Z`; checks the day against the month (and leap years), hours 0–23, minutes and offset
/// minutes 0–59, seconds 0–59 (60 only at minute 59, for a leap second). The fraction is
/// ignored.
pub(super) fn rfc3339_unix_seconds(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    let num = |from: usize, len: usize| -> Option<i64> {
        let digits = b.get(from..from + len)?;
        digits.iter().try_fold(0i64, |acc, &d| {
            d.is_ascii_digit().then(|| acc * 10 + i64::from(d - b'0'))
        })
    };
    let at = |i: usize, allowed: &[u8]| b.get(i).is_some_and(|c| allowed.contains(c));
    let (year, month, day) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
    let (hour, minute, second) = (num(11, 2)?, num(14, 2)?, num(17, 2)?);
    let separators = at(4, b"-") && at(7, b"-") && at(10, b"Tt ") && at(13, b":") && at(16, b":");
    if !separators {
        return None;
    }
    let mut i = 19;
    if at(i, b".") {
        let digits = b[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
        if digits == 0 {
            return None;
        }
        i += 1 + digits;
    }
    let offset_minutes = if at(i, b"Zz") {
        i += 1;
        0
    } else if at(i, b"+-") {
        let (oh, om) = (num(i + 1, 2)?, num(i + 4, 2)?);
        if !at(i + 3, b":") || oh > 23 || om > 59 {
            return None;
        }
        let sign = if b[i] == b'-' { -1 } else { 1 };
        i += 6;
        sign * (oh * 60 + om)
    } else {
        return None;
    };
    let valid = i == b.len()
        && (1..=12).contains(&month)
        && day >= 1
        && day <= days_in_month(year, month)
        && hour <= 23
        && minute <= 59
        && (second <= 59 || (second == 60 && minute == 59));
    if !valid {
        return None;
    }
    let days = days_from_civil(year, month, day);
    Some(days * 86_400 + hour * 3_600 + minute * 60 + second - offset_minutes * 60)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12; // March = 0
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_times() {
        for ok in ["0:00", "7:45", "07:45", "23:59", "12:05"] {
            assert!(is_clock_time(ok), "{ok}");
        }
        for bad in [
            "24:00", "7:60", "7:5", "007:45", "07-45", "07:45 ", "a:bc", ":45", "",
        ] {
            assert!(!is_clock_time(bad), "{bad}");
        }
    }

    #[test]
    fn rfc3339() {
        let cases = [
            ("1970-01-01T00:00:00Z", Some(0)),
            ("2025-04-03T08:15:00+02:00", Some(1_743_660_900)),
            ("2025-04-03t06:15:00.123z", Some(1_743_660_900)),
            ("2025-04-03 06:15:00Z", Some(1_743_660_900)),
            ("2000-02-29T00:00:00-00:00", Some(951_782_400)),
            ("1969-12-31T23:59:59Z", Some(-1)),
            ("2016-12-31T23:59:60Z", Some(1_483_228_800)),
            ("2023-02-29T00:00:00Z", None),
            ("1900-02-29T00:00:00Z", None),
            ("2025-04-31T00:00:00Z", None),
            ("2025-13-01T00:00:00Z", None),
            ("2025-04-03T24:00:00Z", None),
            ("2025-04-03T08:15:60Z", None),
            ("2025-04-03T08:15:00+24:00", None),
            ("2025-04-03T08:15:00+02:60", None),
            ("2025-04-03T08:15:00", None),
            ("2025-04-03T08:15:00.Z", None),
            ("2025-04-03", None),
            ("2025-04-03T08:15:00Zjunk", None),
            ("2025-4-03T08:15:00Z", None),
        ];
        for (text, want) in cases {
            assert_eq!(rfc3339_unix_seconds(text), want, "{text}");
        }
    }

    #[test]
    fn sentences() {
        let mut stats = ParseStats::default();
        let cases = [
            ("One. Two.", "One."),
            ("He said “no.” Then left.", "He said “no.”"),
            ("The U.S. team won. Next.", "The U.S. team won."),
            ("Mr. Smith left! Now.", "Mr. Smith left!"),
            ("It rose 3.5 percent. Next.", "It rose 3.5 percent."),
            ("No end here", "No end here"),
            ("Why? Because.", "Why?"),
            ("approx. five items. Yes.", "approx. five items."),
        ];
        for (text, want) in cases {
            assert_eq!(first_sentence(text, 101, &mut stats), want, "{text}");
        }
    }
}
