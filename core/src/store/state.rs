//! The reader's state per article or brief, and their reading settings, with the merge rules
//! that let two tabs write without losing each other's changes.

use super::highlight::Highlight;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Fields a newer version of Broadsheet wrote that this one does not know: kept as they are
/// and written back with the value, so an older tab never strips a newer tab's data.
pub type Unknown = BTreeMap<String, serde_json::Value>;

/// Longest comment, in characters.
pub const MAX_COMMENT_CHARS: usize = 5000;

/// The six reactions, in the order they are shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Reaction {
    Like,
    Love,
    Insightful,
    Surprised,
    Sad,
    Angry,
}

impl Reaction {
    pub const ALL: [Reaction; 6] = [
        Reaction::Like,
        Reaction::Love,
        Reaction::Insightful,
        Reaction::Surprised,
        Reaction::Sad,
        Reaction::Angry,
    ];

    /// The accessible name.
    pub fn name(self) -> &'static str {
        match self {
            Reaction::Like => "Like",
            Reaction::Love => "Love",
            Reaction::Insightful => "Insightful",
            Reaction::Surprised => "Surprised",
            Reaction::Sad => "Sad",
            Reaction::Angry => "Angry",
        }
    }

    pub fn emoji(self) -> &'static str {
        match self {
            Reaction::Like => "👍",
            Reaction::Love => "❤️",
            Reaction::Insightful => "💡",
            Reaction::Surprised => "😮",
            Reaction::Sad => "😢",
            Reaction::Angry => "😠",
        }
    }
}

/// One reaction's state and when it last changed, so the later of two tabs wins.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReactionMark {
    pub on: bool,
    pub at: f64,
    #[serde(flatten)]
    pub extra: Unknown,
}

/// An unposted comment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    pub text: String,
    /// When it was last typed in (ms since the epoch).
    pub at: f64,
    #[serde(flatten)]
    pub extra: Unknown,
}

/// A posted comment, kept on this device.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Comment {
    /// Unique across tabs: creation time plus a random part.
    pub id: String,
    pub text: String,
    pub posted_at: f64,
    /// Last edit or deletion (ms since the epoch); equals `posted_at` until then.
    pub updated_at: f64,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub edited: bool,
    /// Deleted comments stay as tombstones so another tab's copy does not bring them back.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deleted: bool,
    #[serde(flatten)]
    pub extra: Unknown,
}

/// A comment edit in progress: the text in its edit box, kept as the draft is, so a reload, a
/// closed tab or a move to another page does not lose it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EditDraft {
    pub text: String,
    /// When it was last typed in, opened or closed.
    pub at: f64,
    /// Saved or cancelled: the box is closed. Kept (not removed) so that another tab's older
    /// copy, still open, does not open it again.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub closed: bool,
    #[serde(flatten)]
    pub extra: Unknown,
}

/// Where the reader is in an article: a paragraph and how far into it (0.0–1.0).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    pub paragraph: usize,
    pub offset: f64,
    pub at: f64,
}

/// Everything the reader did on one article or brief.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ItemState {
    pub reactions: BTreeMap<Reaction, ReactionMark>,
    pub draft: Option<Draft>,
    pub comments: Vec<Comment>,
    pub progress: Option<Progress>,
    /// Read to the end at least once.
    pub read: bool,
    /// Comment edits in progress (and closed ones), by comment id.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub edits: BTreeMap<String, EditDraft>,
    /// Highlights and their notes, removed ones included (as tombstones), oldest first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub highlights: Vec<Highlight>,
    #[serde(flatten)]
    pub extra: Unknown,
}

/// Whether a comment is being posted or an edit saved: the refusals say what to do next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CommentAction {
    Post,
    Edit,
}

/// Why a comment's text was refused (nothing changed). Its text is shown to the reader.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CommentError {
    /// Nothing but white space.
    Empty(CommentAction),
    /// Over [`MAX_COMMENT_CHARS`] characters.
    TooLong(CommentAction),
}

impl std::fmt::Display for CommentError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Empty(CommentAction::Post) => {
                "Write something before posting: an empty comment cannot be posted."
            }
            Self::Empty(CommentAction::Edit) => "A comment cannot be empty: delete it instead.",
            Self::TooLong(CommentAction::Post) => {
                "This comment is longer than 5,000 characters: shorten it to post."
            }
            Self::TooLong(CommentAction::Edit) => {
                "This comment is longer than 5,000 characters: shorten it to save."
            }
        })
    }
}

impl std::error::Error for CommentError {}

/// `text` trimmed, if it may be a comment.
fn checked_text(text: &str, action: CommentAction) -> Result<&str, CommentError> {
    let text = text.trim();
    if text.is_empty() {
        Err(CommentError::Empty(action))
    } else if text.chars().count() > MAX_COMMENT_CHARS {
        Err(CommentError::TooLong(action))
    } else {
        Ok(text)
    }
}

impl ItemState {
    pub fn is_empty(&self) -> bool {
        *self == ItemState::default()
    }

    pub fn reacted(&self, reaction: Reaction) -> bool {
        self.reactions.get(&reaction).is_some_and(|m| m.on)
    }

    pub fn has_reactions(&self) -> bool {
        self.reactions.values().any(|m| m.on)
    }

    pub fn toggle(&mut self, reaction: Reaction, now: f64) {
        let mark = self.reactions.entry(reaction).or_insert(ReactionMark {
            on: false,
            at: now,
            extra: Unknown::new(),
        });
        mark.on = !mark.on;
        mark.at = now;
    }

    /// Comments not deleted, oldest first.
    pub fn visible_comments(&self) -> impl Iterator<Item = &Comment> {
        self.comments.iter().filter(|c| !c.deleted)
    }

    /// The draft's text, or "" when there is none.
    pub fn draft_text(&self) -> &str {
        self.draft.as_ref().map_or("", |d| d.text.as_str())
    }

    /// Replaces the draft; an empty text is kept as an empty draft with its time, so that
    /// clearing the box in one tab wins over an older text in another.
    pub fn set_draft(&mut self, text: &str, now: f64) {
        let extra = self.draft.take().map(|d| d.extra).unwrap_or_default();
        self.draft = Some(Draft {
            text: text.to_owned(),
            at: now,
            extra,
        });
    }

    /// Posts the draft text as a comment; refuses an empty or overlong one.
    pub fn post(&mut self, text: &str, id: String, now: f64) -> Result<(), CommentError> {
        let text = checked_text(text, CommentAction::Post)?;
        self.comments.push(Comment {
            id,
            text: text.to_owned(),
            posted_at: now,
            updated_at: now,
            edited: false,
            deleted: false,
            extra: Unknown::new(),
        });
        self.set_draft("", now);
        Ok(())
    }

    /// Replaces the text of comment `id`; refuses an empty or overlong one.
    pub fn edit(&mut self, id: &str, text: &str, now: f64) -> Result<(), CommentError> {
        let text = checked_text(text, CommentAction::Edit)?;
        if let Some(c) = self.comments.iter_mut().find(|c| c.id == id) {
            c.text = text.to_owned();
            c.edited = true;
            c.updated_at = now;
        }
        self.close_edit(id, now);
        Ok(())
    }

    /// The text being edited for comment `id`, while its edit box is open.
    pub fn edit_in_progress(&self, id: &str) -> Option<&str> {
        self.edits
            .get(id)
            .filter(|e| !e.closed)
            .map(|e| e.text.as_str())
    }

    /// Opens the edit box of comment `id` with its current text.
    pub fn open_edit(&mut self, id: &str, now: f64) {
        if let Some(text) = self
            .comments
            .iter()
            .find(|c| c.id == id)
            .map(|c| c.text.clone())
        {
            self.set_edit_text(id, &text, now);
        }
    }

    /// Keeps what is typed in the edit box of comment `id`.
    pub fn set_edit_text(&mut self, id: &str, text: &str, now: f64) {
        let extra = self.edits.remove(id).map(|e| e.extra).unwrap_or_default();
        self.edits.insert(
            id.to_owned(),
            EditDraft {
                text: text.to_owned(),
                at: now,
                closed: false,
                extra,
            },
        );
    }

    /// Closes the edit box of comment `id` (saved or cancelled), dropping its text.
    pub fn close_edit(&mut self, id: &str, now: f64) {
        if let Some(edit) = self.edits.get_mut(id) {
            edit.text.clear();
            edit.closed = true;
            edit.at = now;
        }
    }

    /// Deletes (or, with `deleted = false`, restores) a comment.
    pub fn set_deleted(&mut self, id: &str, deleted: bool, now: f64) {
        if let Some(c) = self.comments.iter_mut().find(|c| c.id == id) {
            c.deleted = deleted;
            c.updated_at = now;
        }
    }

    /// What is left after "delete all" at `erased_at` in another tab: only changes made later,
    /// and the draft, which stays in the box the reader is typing in. Reading to the end counts
    /// only if the progress that came with it is kept.
    pub fn erased_before(&self, erased_at: f64) -> ItemState {
        let mut kept = self.clone();
        kept.reactions.retain(|_, mark| mark.at > erased_at);
        kept.comments.retain(|c| c.updated_at > erased_at);
        kept.progress = kept.progress.filter(|p| p.at > erased_at);
        kept.edits.retain(|_, e| e.at > erased_at);
        kept.highlights.retain(|h| h.updated_at > erased_at);
        kept.read &= kept.progress.is_some();
        kept
    }

    /// Combines two versions of the same item, each written by some tab: per reaction,
    /// draft, comment and progress the later change wins; comments are united by id.
    ///
    /// The order is total: two changes stamped alike are told apart by their content, so
    /// `a.merge(b) == b.merge(a)` and two tabs merging the same values in any order agree.
    pub fn merge(&self, other: &ItemState) -> ItemState {
        let mut reactions = self.reactions.clone();
        for (r, mark) in &other.reactions {
            match reactions.get(r) {
                Some(mine) if !wins(mark, mine, |m| m.at, |m| u8::from(m.on)) => {}
                _ => {
                    reactions.insert(*r, mark.clone());
                }
            }
        }
        let comments = merge_by_id(&self.comments, &other.comments);
        ItemState {
            reactions,
            draft: later(&self.draft, &other.draft, |d| d.at),
            comments,
            progress: later(&self.progress, &other.progress, |p| p.at),
            read: self.read || other.read,
            edits: {
                let mut edits = self.edits.clone();
                for (id, theirs) in &other.edits {
                    match edits.get(id) {
                        // Closing wins a tie: a saved or cancelled edit does not reopen.
                        Some(mine) if !wins(theirs, mine, |e| e.at, |e| u8::from(e.closed)) => {}
                        _ => {
                            edits.insert(id.clone(), theirs.clone());
                        }
                    }
                }
                edits
            },
            highlights: merge_by_id(&self.highlights, &other.highlights),
            extra: merge_unknown(&self.extra, &other.extra),
        }
    }

    /// The latest stamp anywhere in the item (0 when it is empty).
    pub fn latest_stamp(&self) -> f64 {
        let reactions = self.reactions.values().map(|m| m.at);
        let draft = self.draft.iter().map(|d| d.at);
        let comments = self
            .comments
            .iter()
            .flat_map(|c| [c.posted_at, c.updated_at]);
        let progress = self.progress.iter().map(|p| p.at);
        let edits = self.edits.values().map(|e| e.at);
        let highlights = self
            .highlights
            .iter()
            .flat_map(|h| [h.created_at, h.updated_at]);
        reactions
            .chain(draft)
            .chain(comments)
            .chain(progress)
            .chain(edits)
            .chain(highlights)
            .filter(|t| t.is_finite())
            .fold(0.0, f64::max)
    }
}

/// What is kept in a list by id and merged by [`merge_by_id`]: a comment, a highlight.
pub(crate) trait Record: Clone + Serialize {
    fn id(&self) -> &str;
    fn created_at(&self) -> f64;
    /// The last change of any kind, deletion included.
    fn updated_at(&self) -> f64;
    fn deleted(&self) -> bool;
}

impl Record for Comment {
    fn id(&self) -> &str {
        &self.id
    }
    fn created_at(&self) -> f64 {
        self.posted_at
    }
    fn updated_at(&self) -> f64 {
        self.updated_at
    }
    fn deleted(&self) -> bool {
        self.deleted
    }
}

/// Both tabs' records, united by id; of two copies of one, the later change wins, and a
/// deletion wins a tie (nothing the reader deleted comes back by chance). Ordered by creation,
/// then id.
pub(crate) fn merge_by_id<T: Record>(mine: &[T], theirs: &[T]) -> Vec<T> {
    let mut merged = mine.to_vec();
    for other in theirs {
        match merged.iter_mut().find(|r| r.id() == other.id()) {
            Some(r) if !wins(other, r, T::updated_at, |r| u8::from(r.deleted())) => {}
            Some(r) => *r = other.clone(),
            None => merged.push(other.clone()),
        }
    }
    merged.sort_by(|a, b| {
        a.created_at()
            .total_cmp(&b.created_at())
            .then_with(|| a.id().cmp(b.id()))
    });
    merged
}

/// Whether `candidate` wins over `current`: the later stamp, then the higher `rank`, then the
/// greater content (as JSON), so that any two different values are ordered the same way in
/// every tab.
pub(crate) fn wins<T: Serialize>(
    candidate: &T,
    current: &T,
    at: impl Fn(&T) -> f64,
    rank: impl Fn(&T) -> u8,
) -> bool {
    at(candidate)
        .total_cmp(&at(current))
        .then_with(|| rank(candidate).cmp(&rank(current)))
        .then_with(|| content(candidate).cmp(&content(current)))
        .is_gt()
}

/// Unknown fields of both; where both have one, the greater value (as JSON), so every tab
/// agrees.
pub(crate) fn merge_unknown(a: &Unknown, b: &Unknown) -> Unknown {
    let mut merged = a.clone();
    for (key, theirs) in b {
        match merged.get(key) {
            Some(mine) if content(mine) >= content(theirs) => {}
            _ => {
                merged.insert(key.clone(), theirs.clone());
            }
        }
    }
    merged
}

fn content<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

fn later<T: Clone + Serialize>(a: &Option<T>, b: &Option<T>, at: impl Fn(&T) -> f64) -> Option<T> {
    match (a, b) {
        (Some(x), Some(y)) => Some(if wins(y, x, &at, |_| 0) {
            y.clone()
        } else {
            x.clone()
        }),
        (x, None) => x.clone(),
        (None, y) => y.clone(),
    }
}

/// Colour theme.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Theme {
    #[default]
    System,
    Light,
    Dark,
    Sepia,
    Contrast,
}

impl Theme {
    pub const ALL: [Theme; 5] = [
        Theme::System,
        Theme::Light,
        Theme::Dark,
        Theme::Sepia,
        Theme::Contrast,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Theme::System => "System",
            Theme::Light => "Light",
            Theme::Dark => "Dark",
            Theme::Sepia => "Sepia",
            Theme::Contrast => "High contrast",
        }
    }

    /// The value of `data-theme` on `<html>`.
    pub fn key(self) -> &'static str {
        match self {
            Theme::System => "system",
            Theme::Light => "light",
            Theme::Dark => "dark",
            Theme::Sepia => "sepia",
            Theme::Contrast => "contrast",
        }
    }
}

/// Body font.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FontChoice {
    #[default]
    Serif,
    Sans,
    Legible,
}

impl FontChoice {
    pub const ALL: [FontChoice; 3] = [FontChoice::Serif, FontChoice::Sans, FontChoice::Legible];

    pub fn label(self) -> &'static str {
        match self {
            FontChoice::Serif => "Serif",
            FontChoice::Sans => "Sans-serif",
            FontChoice::Legible => "Atkinson Hyperlegible",
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            FontChoice::Serif => "serif",
            FontChoice::Sans => "sans",
            FontChoice::Legible => "legible",
        }
    }
}

/// Reading settings. Steps are indices into the scales the stylesheet defines.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    pub theme: Theme,
    /// 0..=7, default 2.
    pub text_size: u8,
    /// 0 narrow, 1 medium, 2 wide.
    pub line_width: u8,
    pub font: FontChoice,
    /// 0 tight, 1 normal, 2 loose.
    pub line_spacing: u8,
    /// When they were last changed, so the later tab wins.
    pub at: f64,
    #[serde(flatten)]
    pub extra: Unknown,
}

impl Settings {
    pub const TEXT_SIZES: u8 = 8;
    pub const LINE_WIDTHS: u8 = 3;
    pub const LINE_SPACINGS: u8 = 3;

    /// Clamps every step into its scale (an imported or old value may be out of range).
    pub fn clamped(mut self) -> Self {
        self.text_size = self.text_size.min(Self::TEXT_SIZES - 1);
        self.line_width = self.line_width.min(Self::LINE_WIDTHS - 1);
        self.line_spacing = self.line_spacing.min(Self::LINE_SPACINGS - 1);
        self
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            theme: Theme::System,
            text_size: 2,
            line_width: 1,
            font: FontChoice::Serif,
            line_spacing: 1,
            at: 0.0,
            extra: Unknown::new(),
        }
    }
}
