//! Where a highlight is in an article's text, kept so that it finds its place again when the
//! article is published again with changes: the W3C Web Annotation model's two selectors
//! together, a position (the paragraph and character offsets in it, its
//! `TextPositionSelector`) and the quoted text with a little context on each side (its
//! `TextQuoteSelector`).
//!
//! [`Anchor::find`] looks in this order: the quote where the position says; the quote elsewhere,
//! the place whose context matches best (text was added or removed around it); the context with
//! changed text between it (the quote itself was edited). When none of these is in the text, it
//! says so ([`Gone`]), so that the reader is told and the highlight is not dropped in silence.
//!
//! Offsets count Unicode scalar values (`char`s) in one paragraph's text; the browser adapter
//! converts the DOM's UTF-16 offsets.

use serde::{Deserialize, Serialize};

/// How much context, in characters, an anchor keeps on each side of its quote.
pub const CONTEXT: usize = 32;

/// A highlight's place: a paragraph, the characters `start..end` in it, and the quote with up
/// to [`CONTEXT`] characters before (`prefix`) and after (`suffix`) it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Anchor {
    pub paragraph: usize,
    pub start: usize,
    pub end: usize,
    pub quote: String,
    pub prefix: String,
    pub suffix: String,
}

/// Where [`Anchor::find`] found the quote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Found {
    /// Where the anchor says.
    Here,
    /// The same quote at another place (text was added or removed before it): the anchor of
    /// that place.
    Moved(Anchor),
    /// Between the same context, other text (the quote was edited): the anchor of the new text.
    Changed(Anchor),
}

/// Neither the quote nor its context is in the text any more.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Gone;

/// The shortest context on a side that, found again, places an edited quote: shorter context
/// ("the ", "a") is found almost anywhere.
const MIN_CONTEXT: usize = 8;

impl Anchor {
    /// The anchor of characters `start..end` of paragraph `paragraph`; `None` when that is no
    /// text (an empty range or one outside the paragraph).
    pub fn new(paragraphs: &[&str], paragraph: usize, start: usize, end: usize) -> Option<Anchor> {
        let text: Vec<char> = paragraphs.get(paragraph)?.chars().collect();
        (start < end && end <= text.len()).then(|| at(&text, paragraph, start, end))
    }

    /// Finds the quote in `paragraphs` (the article's text as published now); see the module
    /// documentation for the order.
    pub fn find(&self, paragraphs: &[&str]) -> Result<Found, Gone> {
        let texts: Vec<Vec<char>> = paragraphs.iter().map(|p| p.chars().collect()).collect();
        let quote: Vec<char> = self.quote.chars().collect();
        if quote.is_empty() {
            return Err(Gone);
        }
        if let Some(text) = texts.get(self.paragraph) {
            if text.get(self.start..self.end) == Some(&quote[..]) {
                return Ok(Found::Here);
            }
        }
        let prefix: Vec<char> = self.prefix.chars().collect();
        let suffix: Vec<char> = self.suffix.chars().collect();
        // The quote elsewhere: the most context matched, then the nearest to where it was.
        let best = texts
            .iter()
            .enumerate()
            .flat_map(|(p, text)| occurrences(text, &quote).map(move |start| (p, start)))
            .max_by_key(|&(p, start)| {
                let text = &texts[p];
                let context = common_suffix(&text[..start], &prefix)
                    + common_prefix(&text[start + quote.len()..], &suffix);
                (
                    context,
                    std::cmp::Reverse(p.abs_diff(self.paragraph)),
                    std::cmp::Reverse(start.abs_diff(self.start)),
                )
            });
        if let Some((p, start)) = best {
            return Ok(Found::Moved(at(&texts[p], p, start, start + quote.len())));
        }
        self.edited(&texts, &prefix, &suffix, quote.len())
            .map(Found::Changed)
            .ok_or(Gone)
    }

    /// The quote edited in place: its whole context found again, on both sides that have one
    /// (a side with none is the paragraph's start or end), with text between of a length near
    /// the quote's.
    fn edited(
        &self,
        texts: &[Vec<char>],
        prefix: &[char],
        suffix: &[char],
        quote_len: usize,
    ) -> Option<Anchor> {
        let usable = |side: &[char]| side.is_empty() || side.len() >= MIN_CONTEXT;
        if (prefix.is_empty() && suffix.is_empty()) || !usable(prefix) || !usable(suffix) {
            return None;
        }
        let near = |len: usize| len > 0 && len <= quote_len * 2 + MIN_CONTEXT;
        let mut best: Option<(usize, Anchor)> = None;
        for (p, text) in texts.iter().enumerate() {
            let starts: Vec<usize> = if prefix.is_empty() {
                vec![0]
            } else {
                occurrences(text, prefix)
                    .map(|at| at + prefix.len())
                    .collect()
            };
            for start in starts {
                let end = if suffix.is_empty() {
                    Some(text.len())
                } else {
                    occurrences(&text[start..], suffix)
                        .next()
                        .map(|at| start + at)
                };
                let Some(end) = end.filter(|end| near(end - start)) else {
                    continue;
                };
                let distance = p.abs_diff(self.paragraph) * 1_000_000 + start.abs_diff(self.start);
                if best.as_ref().is_none_or(|(d, _)| distance < *d) {
                    best = Some((distance, at(text, p, start, end)));
                }
            }
        }
        best.map(|(_, anchor)| anchor)
    }
}

/// The anchor of `text[start..end]`, in paragraph `paragraph`.
fn at(text: &[char], paragraph: usize, start: usize, end: usize) -> Anchor {
    Anchor {
        paragraph,
        start,
        end,
        quote: text[start..end].iter().collect(),
        prefix: text[start.saturating_sub(CONTEXT)..start].iter().collect(),
        suffix: text[end..(end + CONTEXT).min(text.len())].iter().collect(),
    }
}

/// Where `needle` (not empty) starts in `text`, each place in order.
fn occurrences<'a>(text: &'a [char], needle: &'a [char]) -> impl Iterator<Item = usize> + 'a {
    text.windows(needle.len().max(1))
        .enumerate()
        .filter(move |(_, window)| !needle.is_empty() && *window == needle)
        .map(|(at, _)| at)
}

/// How many characters at the end of `a` and of `b` are the same.
fn common_suffix(a: &[char], b: &[char]) -> usize {
    a.iter()
        .rev()
        .zip(b.iter().rev())
        .take_while(|(x, y)| x == y)
        .count()
}

/// How many characters at the start of `a` and of `b` are the same.
fn common_prefix(a: &[char], b: &[char]) -> usize {
    a.iter().zip(b).take_while(|(x, y)| x == y).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: [&str; 3] = [
        "Kirill Dmitriev said on Friday that talks would go on.",
        "The envoy met officials in Washington for two days, he said, and the meeting was useful.",
        "Markets rose after the news.",
    ];

    /// The anchor `a` has in `text`, where it must have moved.
    fn moved_in(a: &Anchor, text: &[&str]) -> Anchor {
        match a.find(text) {
            Ok(Found::Moved(moved)) => moved,
            other => panic!("not moved: {other:?}"),
        }
    }

    fn anchor(text: &[&str], paragraph: usize, quote: &str) -> Anchor {
        let chars: Vec<char> = text[paragraph].chars().collect();
        let quote: Vec<char> = quote.chars().collect();
        let start = occurrences(&chars, &quote)
            .next()
            .expect("the quote is there");
        Anchor::new(text, paragraph, start, start + quote.len()).unwrap()
    }

    #[test]
    fn an_anchor_keeps_the_quote_and_some_context_on_each_side() {
        let a = anchor(&TEXT, 1, "two days");
        assert_eq!(a.quote, "two days");
        assert_eq!(a.prefix, "met officials in Washington for ");
        assert_eq!(a.suffix, ", he said, and the meeting was u");
        assert_eq!(a.suffix.chars().count(), CONTEXT);
        assert_eq!(Anchor::new(&TEXT, 0, 3, 3), None, "empty");
        assert_eq!(Anchor::new(&TEXT, 0, 0, 500), None, "past the end");
        assert_eq!(Anchor::new(&TEXT, 9, 0, 1), None, "no such paragraph");
    }

    #[test]
    fn unchanged_text_finds_the_quote_where_it_was() {
        let a = anchor(&TEXT, 1, "two days");
        assert_eq!(a.find(&TEXT), Ok(Found::Here));
    }

    #[test]
    fn text_inserted_before_the_quote_moves_it() {
        let a = anchor(&TEXT, 1, "two days");
        let edited = [
            TEXT[0],
            "The envoy, who arrived late, met officials in Washington for two days, he said, and the meeting was useful.",
            TEXT[2],
        ];
        let moved = moved_in(&a, &edited);
        assert_eq!((moved.paragraph, moved.quote.as_str()), (1, "two days"));
        assert_eq!(moved.start, a.start + ", who arrived late,".chars().count());

        // A paragraph added before it.
        let added = ["A new first paragraph.", TEXT[0], TEXT[1], TEXT[2]];
        let moved = moved_in(&a, &added);
        assert_eq!((moved.paragraph, moved.start), (2, a.start));
    }

    #[test]
    fn of_two_places_of_the_same_words_the_context_chooses() {
        let text = ["He said no. Later, in the evening, he said yes to the plan."];
        let a = anchor(&text, 0, "Later, in the evening, he said");
        let a = Anchor::new(&text, 0, a.end - "he said".len(), a.end).unwrap();
        assert_eq!(a.quote, "he said");
        // Text added at the start moves both places; the second one is still chosen.
        let edited = ["Asked twice, he said no. Later, in the evening, he said yes to the plan."];
        let moved = moved_in(&a, &edited);
        assert_eq!(moved.start, a.start + "Asked twice, ".len());
        assert!(moved.prefix.ends_with("in the evening, "));
    }

    #[test]
    fn an_edited_quote_is_found_between_its_context_with_its_new_text() {
        let a = anchor(&TEXT, 1, "two days");
        let edited = [
            TEXT[0],
            "The envoy met officials in Washington for three days, he said, and the meeting was useful.",
            TEXT[2],
        ];
        let Ok(Found::Changed(changed)) = a.find(&edited) else {
            panic!("{:?}", a.find(&edited));
        };
        assert_eq!(
            (changed.paragraph, changed.quote.as_str(), changed.start),
            (1, "three days", a.start)
        );
    }

    #[test]
    fn a_quote_whose_words_and_context_are_gone_is_reported() {
        let a = anchor(&TEXT, 1, "two days");
        let rewritten = [TEXT[0], "The envoy did not travel.", TEXT[2]];
        assert_eq!(a.find(&rewritten), Err(Gone));
        assert_eq!(a.find(&[]), Err(Gone));
        // A whole paragraph, rewritten: no context to place it by.
        let whole = Anchor::new(&TEXT, 2, 0, TEXT[2].chars().count()).unwrap();
        assert_eq!(whole.find(&[TEXT[0], TEXT[1], "Markets fell."]), Err(Gone));
    }

    #[test]
    fn offsets_count_characters_not_bytes() {
        let text = ["Café « Über » naïve 🎉 end of the line here."];
        let a = anchor(&text, 0, "naïve 🎉");
        assert_eq!((a.start, a.end), (14, 21));
        assert_eq!(a.prefix, "Café « Über » ");
        let edited = ["Le café « Über » naïve 🎉 end of the line here."];
        let moved = moved_in(&a, &edited);
        assert_eq!((moved.start, moved.end), (17, 24));
    }

    #[test]
    fn an_anchor_is_stored_as_json_and_read_back() {
        let a = anchor(&TEXT, 1, "two days");
        let json = serde_json::to_string(&a).unwrap();
        assert_eq!(serde_json::from_str::<Anchor>(&json).unwrap(), a);
    }
}
