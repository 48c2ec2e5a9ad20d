//! The reader's highlights and their notes: what is kept per highlight, how two tabs' copies
//! are merged, and the Markdown a notes app imports.
//!
//! A highlight belongs to its article's [`ItemState`]. It keeps its place as an [`Anchor`] (see
//! `anchor.rs`), the article's title when it was made (so that the list and the export can
//! name a story the site no longer has), and a note. Removal leaves a tombstone, as a deleted
//! comment does, so that another tab's older copy does not bring it back, and undo restores it.

use super::state::{ItemState, Record, Unknown, MAX_COMMENT_CHARS};
use crate::anchor::Anchor;
use serde::{Deserialize, Serialize};

/// Longest note, in characters (as long as a comment).
pub const MAX_NOTE_CHARS: usize = MAX_COMMENT_CHARS;

/// One highlight in an article.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Highlight {
    /// Unique across tabs: creation time plus a random part.
    pub id: String,
    pub anchor: Anchor,
    /// The article's title when the highlight was made.
    pub title: String,
    /// The reader's note; empty when there is none.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
    pub created_at: f64,
    /// The last change of any kind (the note typed, removal, undo): the later copy wins.
    pub updated_at: f64,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deleted: bool,
    #[serde(flatten)]
    pub extra: Unknown,
}

impl ItemState {
    /// Highlights not removed, in the order they were made.
    pub fn visible_highlights(&self) -> impl Iterator<Item = &Highlight> {
        self.highlights.iter().filter(|h| !h.deleted)
    }

    /// Adds a highlight of `anchor` in the article titled `title`.
    pub fn add_highlight(&mut self, id: String, anchor: Anchor, title: &str, now: f64) {
        self.highlights.push(Highlight {
            id,
            anchor,
            title: title.to_owned(),
            note: String::new(),
            created_at: now,
            updated_at: now,
            deleted: false,
            extra: Unknown::new(),
        });
    }

    /// Keeps what is typed as the note of highlight `id` (cut to [`MAX_NOTE_CHARS`]).
    pub fn set_note(&mut self, id: &str, note: &str, now: f64) {
        if let Some(h) = self.highlights.iter_mut().find(|h| h.id == id) {
            h.note = note.chars().take(MAX_NOTE_CHARS).collect();
            h.updated_at = now;
        }
    }

    /// Removes (or, with `deleted = false`, restores) highlight `id`, note and all.
    pub fn set_highlight_deleted(&mut self, id: &str, deleted: bool, now: f64) {
        if let Some(h) = self.highlights.iter_mut().find(|h| h.id == id) {
            h.deleted = deleted;
            h.updated_at = now;
        }
    }
}

/// Two tabs' highlights are merged as comments are (`state::merge_by_id`): by id, the later
/// change winning and a removal winning a tie.
impl Record for Highlight {
    fn id(&self) -> &str {
        &self.id
    }
    fn created_at(&self) -> f64 {
        self.created_at
    }
    fn updated_at(&self) -> f64 {
        self.updated_at
    }
    fn deleted(&self) -> bool {
        self.deleted
    }
}

/// One highlight as the list and the export show it: with the link of its place.
#[derive(Clone, Debug, PartialEq)]
pub struct Listed<'a> {
    pub highlight: &'a Highlight,
    /// The absolute (export) or site (list) address of the highlight in its article.
    pub link: String,
}

/// The reader's highlights as one Markdown file: a heading per article (its title, linking to
/// the article), then each highlight's quote as a block quote, its note below it, and a link
/// back to its place. `stories` are in the order to show, as [`by_story`] gives them.
pub fn to_markdown(stories: &[(String, Vec<Listed<'_>>)]) -> String {
    let mut out = String::from("# Highlights from Broadsheet\n");
    for (article_link, highlights) in stories {
        let Some(first) = highlights.first() else {
            continue;
        };
        out.push_str(&format!(
            "\n## [{}](<{}>)\n",
            escape(&first.highlight.title),
            article_link
        ));
        for listed in highlights {
            let h = listed.highlight;
            out.push('\n');
            for line in h.anchor.quote.lines() {
                out.push_str("> ");
                out.push_str(&escape(line));
                out.push('\n');
            }
            let note = h.note.trim();
            if !note.is_empty() {
                out.push('\n');
                for line in note.lines() {
                    out.push_str(&escape(line));
                    out.push_str("  \n");
                }
            }
            out.push_str(&format!("\n[Go to this highlight](<{}>)\n", listed.link));
        }
    }
    out
}

/// `text` with Markdown's punctuation escaped, so a quote or note shows as written.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if "\\`*_{}[]<>()#+-.!|~".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The reader's highlights grouped by story, newest first: the story with the latest
/// highlight first, and in each story its latest highlight first. Removed highlights are left
/// out, and so are stories with none.
pub fn by_story<'a, K: Clone>(
    items: impl IntoIterator<Item = (K, &'a ItemState)>,
) -> Vec<(K, Vec<&'a Highlight>)> {
    let mut stories: Vec<(K, Vec<&'a Highlight>)> = items
        .into_iter()
        .filter_map(|(key, item)| {
            let mut list: Vec<&Highlight> = item.visible_highlights().collect();
            list.sort_by(|a, b| b.created_at.total_cmp(&a.created_at));
            (!list.is_empty()).then_some((key, list))
        })
        .collect();
    stories.sort_by(|(_, a), (_, b)| b[0].created_at.total_cmp(&a[0].created_at));
    stories
}

/// Where the highlights of one paragraph fall in its text: the paragraph's characters cut into
/// runs, each marked by the highlight it belongs to (`Some(index into ranges)`) or not. Where
/// two highlights overlap, the one made first marks the shared characters. `ranges` are
/// character ranges `(start, end)`, already placed in this paragraph's text.
pub fn runs(len: usize, ranges: &[(usize, usize)]) -> Vec<(usize, usize, Option<usize>)> {
    let owner = |at: usize| {
        ranges
            .iter()
            .position(|&(start, end)| start <= at && at < end.min(len))
    };
    let mut out: Vec<(usize, usize, Option<usize>)> = Vec::new();
    for at in 0..len {
        let mark = owner(at);
        match out.last_mut() {
            Some(run) if run.2 == mark => run.1 = at + 1,
            _ => out.push((at, at + 1, mark)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn highlight(id: &str, quote: &str, at: f64) -> Highlight {
        let text = format!("Before {quote} after.");
        let start = "Before ".chars().count();
        let anchor = Anchor::new(&[&text], 0, start, start + quote.chars().count()).unwrap();
        let mut item = ItemState::default();
        item.add_highlight(id.into(), anchor, "A story", at);
        item.highlights.remove(0)
    }

    #[test]
    fn a_note_and_a_removal_change_the_highlight_and_undo_restores_it() {
        let mut item = ItemState::default();
        item.highlights.push(highlight("a", "words", 1.0));
        item.set_note("a", "Mine", 2.0);
        assert_eq!(item.highlights[0].note, "Mine");
        item.set_highlight_deleted("a", true, 3.0);
        assert_eq!(item.visible_highlights().count(), 0);
        item.set_highlight_deleted("a", false, 4.0);
        let h = item.visible_highlights().next().unwrap();
        assert_eq!((h.note.as_str(), h.updated_at), ("Mine", 4.0));
        item.set_note("a", &"x".repeat(MAX_NOTE_CHARS + 10), 5.0);
        assert_eq!(item.highlights[0].note.chars().count(), MAX_NOTE_CHARS);
    }

    #[test]
    fn two_tabs_highlights_are_united_and_the_later_change_wins() {
        let mut a = ItemState::default();
        a.highlights.push(highlight("one", "first words", 1.0));
        let mut b = a.clone();
        a.set_note("one", "typed in tab A", 5.0);
        b.set_note("one", "older, in tab B", 4.0);
        b.highlights.push(highlight("two", "second words", 3.0));
        for merged in [a.merge(&b), b.merge(&a)] {
            let ids: Vec<&str> = merged.highlights.iter().map(|h| h.id.as_str()).collect();
            assert_eq!(ids, ["one", "two"]);
            assert_eq!(merged.highlights[0].note, "typed in tab A");
        }
        // A removal wins a tie.
        let mut removed = a.clone();
        removed.highlights[0].deleted = true;
        assert!(a.merge(&removed).highlights[0].deleted);
        assert!(removed.merge(&a).highlights[0].deleted);
    }

    #[test]
    fn delete_all_in_another_tab_keeps_only_later_highlights() {
        let mut item = ItemState::default();
        item.highlights.push(highlight("old", "old words", 1.0));
        item.highlights.push(highlight("new", "new words", 10.0));
        let kept = item.erased_before(5.0);
        let ids: Vec<&str> = kept.highlights.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids, ["new"]);
        assert_eq!(item.latest_stamp(), 10.0);
    }

    #[test]
    fn stories_and_their_highlights_are_listed_newest_first() {
        let mut older = ItemState::default();
        older.highlights.push(highlight("o1", "a", 1.0));
        older.highlights.push(highlight("o2", "b", 7.0));
        let mut newer = ItemState::default();
        newer.highlights.push(highlight("n1", "c", 5.0));
        newer.highlights.push(highlight("n2", "d", 9.0));
        newer.set_highlight_deleted("n2", true, 10.0);
        let none = ItemState::default();
        let listed = by_story([("older", &older), ("newer", &newer), ("none", &none)]);
        let shape: Vec<(&str, Vec<&str>)> = listed
            .iter()
            .map(|(k, list)| (*k, list.iter().map(|h| h.id.as_str()).collect()))
            .collect();
        assert_eq!(shape, [("older", vec!["o2", "o1"]), ("newer", vec!["n1"])]);
    }

    #[test]
    fn the_markdown_holds_title_quote_note_and_links_with_markup_escaped() {
        let mut h = highlight("a", "the *real* [story]", 1.0);
        h.title = "Talks # go on".into();
        h.note = "Check this_one\nsecond line".into();
        let plain = highlight("b", "plain words", 2.0);
        let md = to_markdown(&[(
            "https://news.example/reader/article/talks".into(),
            vec![
                Listed {
                    highlight: &h,
                    link: "https://news.example/reader/article/talks#hl-a".into(),
                },
                Listed {
                    highlight: &plain,
                    link: "https://news.example/reader/article/talks#hl-b".into(),
                },
            ],
        )]);
        assert_eq!(
            md,
            "# Highlights from Broadsheet\n\
             \n## [Talks \\# go on](<https://news.example/reader/article/talks>)\n\
             \n> the \\*real\\* \\[story\\]\n\
             \nCheck this\\_one  \nsecond line  \n\
             \n[Go to this highlight](<https://news.example/reader/article/talks#hl-a>)\n\
             \n> plain words\n\
             \n[Go to this highlight](<https://news.example/reader/article/talks#hl-b>)\n"
        );
    }

    #[test]
    fn runs_cut_a_paragraph_at_each_highlight_and_the_first_made_wins_an_overlap() {
        assert_eq!(runs(5, &[]), [(0, 5, None)]);
        assert_eq!(
            runs(10, &[(2, 4), (6, 10)]),
            [
                (0, 2, None),
                (2, 4, Some(0)),
                (4, 6, None),
                (6, 10, Some(1))
            ]
        );
        assert_eq!(
            runs(8, &[(3, 6), (1, 4)]),
            [(0, 1, None), (1, 3, Some(1)), (3, 6, Some(0)), (6, 8, None)]
        );
        // A range past the end (an old anchor) is cut to the text.
        assert_eq!(runs(3, &[(1, 9)]), [(0, 1, None), (1, 3, Some(0))]);
    }
}
