//! The export file: its layout, how an import file is checked (every refusal typed, saying
//! where and what), and what an import changed.

use super::highlight::MAX_NOTE_CHARS;
use super::keys::{rest_of, ItemId, Rest};
use super::kv::StoreError;
use super::state::{ItemState, Settings, MAX_COMMENT_CHARS};
use crate::anchor::CONTEXT;
use serde::{Deserialize, Serialize};
use std::{collections::BTreeMap, fmt};

/// How far in the future an imported stamp may lie (clocks disagree a little) before it is
/// brought back to the time of the import.
pub const FUTURE_MARGIN_MS: f64 = 5.0 * 60.0 * 1000.0;

/// `format` field of an export file.
pub const EXPORT_FORMAT: &str = "broadsheet-export";
/// Version of the export file layout.
pub const EXPORT_VERSION: u32 = 1;

/// One file with everything the reader has kept.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportFile {
    pub format: String,
    pub version: u32,
    pub exported_at: f64,
    pub settings: Settings,
    /// Per article (`article/SLUG`) or brief (`brief/ARTICLE/BRIEF`).
    pub items: BTreeMap<ItemId, ItemState>,
    /// Damaged data set aside, by backup key, exactly as it was found.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub backups: BTreeMap<String, String>,
}

/// What an import changed, for the reader to see.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportSummary {
    pub items: usize,
    pub comments_added: usize,
    pub highlights_added: usize,
    pub reactions_changed: usize,
    pub drafts_restored: usize,
    pub settings_changed: bool,
    /// Stamps in the file later than the time of the import (plus [`FUTURE_MARGIN_MS`]),
    /// brought back to that time so that they cannot outrank every later change.
    pub future_stamps_clamped: usize,
    /// Backups of damaged data in the file that were not here, kept again as backups.
    pub backups_restored: usize,
}

impl std::fmt::Display for ImportSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let clamped = ImportSummary {
            future_stamps_clamped: 0,
            backups_restored: 0,
            ..self.clone()
        };
        if clamped == ImportSummary::default() {
            f.write_str(match self.backups_restored {
                0 => "Nothing changed: everything in the file was already here.",
                _ => "Nothing else changed: everything else in the file was already here.",
            })?;
        } else {
            write!(
            f,
            "Imported: {} comment{} added, {} reaction{} changed, {} draft{} restored{} across {} stor{}{}.",
            self.comments_added,
            plural(self.comments_added),
            self.reactions_changed,
            plural(self.reactions_changed),
            self.drafts_restored,
            plural(self.drafts_restored),
            match self.highlights_added {
                0 => String::new(),
                1 => ", 1 highlight added".to_owned(),
                n => format!(", {n} highlights added"),
            },
            self.items,
            if self.items == 1 { "y" } else { "ies" },
            if self.settings_changed { "; reading settings updated" } else { "" }
            )?;
        }
        match self.backups_restored {
            0 => {}
            1 => f.write_str(" 1 backup of damaged data was kept again.")?,
            n => write!(f, " {n} backups of damaged data were kept again.")?,
        }
        match self.future_stamps_clamped {
            0 => Ok(()),
            n => write!(
                f,
                " {n} change{} dated in the future (a clock set ahead) {} dated to now instead.",
                plural(n),
                if n == 1 { "was" } else { "were" }
            ),
        }
    }
}

/// Why an import was refused. Either way, nothing changed.
#[derive(Clone, Debug, PartialEq)]
pub enum ImportError {
    /// The file is not a valid export; the message says where and what.
    Invalid(InvalidExport),
    /// Storage failed (full, unavailable) while reading or writing.
    Storage(StoreError),
}

impl From<StoreError> for ImportError {
    fn from(e: StoreError) -> Self {
        ImportError::Storage(e)
    }
}

impl From<InvalidExport> for ImportError {
    fn from(e: InvalidExport) -> Self {
        ImportError::Invalid(e)
    }
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImportError::Invalid(why) => why.fmt(f),
            ImportError::Storage(e) => write!(f, "Nothing was imported: {e}."),
        }
    }
}

impl std::error::Error for ImportError {}

/// Why a file is not an export this reader takes. Its text is shown to the reader as it is.
#[derive(Clone, Debug, PartialEq)]
pub enum InvalidExport {
    /// Larger than any export (see [`MAX_IMPORT_BYTES`]); its size in bytes.
    TooLarge(f64),
    /// Not JSON; where the JSON parser stopped.
    NotJson {
        line: usize,
        column: usize,
    },
    /// JSON, but its `format` is not [`EXPORT_FORMAT`].
    NotAnExport,
    /// An export of another layout version.
    Version(u64),
    NoVersion,
    /// An export, but something in it is not what this reader writes.
    Damaged(Damage),
}

/// What is wrong inside an export file. `at` says where, as a path into the JSON
/// (`items["article/x"].comments[2]`).
#[derive(Clone, Debug, PartialEq)]
pub enum Damage {
    /// A field this version does not write (a misspelling would otherwise import nothing).
    UnknownField {
        field: String,
        at: String,
        expected: &'static [&'static str],
    },
    /// A value of the wrong type or shape; the JSON decoder's account of it.
    Malformed {
        at: String,
        why: String,
    },
    /// A key under `backups` that is not a backup key.
    NotABackupKey(String),
    /// A key under `items` that is not an article or brief.
    NotAnItem(String),
    /// A time that is not milliseconds since the epoch.
    BadTime {
        at: String,
        time: f64,
    },
    /// A setting past its last step.
    SettingOutOfRange {
        name: &'static str,
        step: u8,
        steps: u8,
    },
    DraftTooLong(ItemId),
    /// A comment id that is empty or longer than [`MAX_COMMENT_ID_CHARS`].
    BadCommentId {
        at: String,
    },
    RepeatedCommentId {
        at: String,
        comment: String,
        item: ItemId,
    },
    CommentTooLong {
        item: ItemId,
        comment: String,
    },
    EmptyComment {
        item: ItemId,
        comment: String,
    },
    EditTooLong {
        item: ItemId,
        comment: String,
    },
    /// A reading position outside the paragraph (0 to 1).
    OffsetOutOfRange {
        at: String,
        offset: f64,
    },
    /// A highlight this reader could not have made; `why` says what is wrong with it.
    BadHighlight {
        at: String,
        why: &'static str,
    },
}

impl fmt::Display for InvalidExport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooLarge(bytes) => write!(
                f,
                "This file is {:.1} MB; a Broadsheet export is never larger than 10 MB (browser storage holds about 5 MB), so it was not read.",
                bytes / (1024.0 * 1024.0)
            ),
            Self::NotJson { line, column } => write!(
                f,
                "This is not a Broadsheet export: not valid JSON (line {line}, column {column})."
            ),
            Self::NotAnExport => f.write_str(
                "This is not a Broadsheet export: its \"format\" is not \"broadsheet-export\".",
            ),
            Self::Version(v) => write!(
                f,
                "This export is version {v}; this reader understands version {EXPORT_VERSION}."
            ),
            Self::NoVersion => f.write_str("This export has no \"version\"."),
            Self::Damaged(damage) => write!(f, "This export is damaged: {damage}."),
        }
    }
}

impl fmt::Display for Damage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownField {
                field,
                at,
                expected,
            } => write!(
                f,
                "unknown field {field:?} in {at} (expected one of: {})",
                expected.join(", ")
            ),
            Self::Malformed { at, why } => write!(f, "{at}: {why}"),
            Self::NotABackupKey(key) => {
                write!(f, "backups holds {key:?}, which is not a backup key")
            }
            Self::NotAnItem(id) => write!(f, "{id:?} is not an article or brief"),
            Self::BadTime { at, time } => write!(
                f,
                "{at} has the time {time}, which is not a time this reader writes"
            ),
            Self::SettingOutOfRange { name, step, steps } => write!(
                f,
                "settings.{name} is {step}; it goes from 0 to {}",
                steps - 1
            ),
            Self::DraftTooLong(item) => {
                write!(f, "the draft on {item} is over 5,000 characters")
            }
            Self::BadCommentId { at } => write!(
                f,
                "{at} has an id that is empty or over {MAX_COMMENT_ID_CHARS} characters"
            ),
            Self::RepeatedCommentId { at, comment, item } => {
                write!(f, "{at} repeats the comment id {comment:?} on {item}")
            }
            Self::CommentTooLong { item, comment } => write!(
                f,
                "a comment on {item} ({comment}) is over 5,000 characters"
            ),
            Self::EmptyComment { item, comment } => {
                write!(f, "a comment on {item} ({comment}) is empty")
            }
            Self::EditTooLong { item, comment } => write!(
                f,
                "the edit of comment {comment} on {item} is over 5,000 characters"
            ),
            Self::OffsetOutOfRange { at, offset } => {
                write!(f, "{at}.progress.offset is {offset}; it goes from 0 to 1")
            }
            Self::BadHighlight { at, why } => write!(f, "{at} {why}"),
        }
    }
}

impl std::error::Error for InvalidExport {}

impl From<Damage> for InvalidExport {
    fn from(damage: Damage) -> Self {
        InvalidExport::Damaged(damage)
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// Brings every stamp in `file` later than `now + FUTURE_MARGIN_MS` back to `now`; returns
/// how many it changed.
pub(super) fn clamp_future_stamps(file: &mut ExportFile, now: f64) -> usize {
    let mut clamped = 0;
    let mut clamp = |at: &mut f64| {
        if *at > now + FUTURE_MARGIN_MS {
            *at = now;
            clamped += 1;
        }
    };
    clamp(&mut file.settings.at);
    for item in file.items.values_mut() {
        for mark in item.reactions.values_mut() {
            clamp(&mut mark.at);
        }
        if let Some(draft) = &mut item.draft {
            clamp(&mut draft.at);
        }
        for comment in &mut item.comments {
            clamp(&mut comment.posted_at);
            clamp(&mut comment.updated_at);
        }
        if let Some(progress) = &mut item.progress {
            clamp(&mut progress.at);
        }
        for edit in item.edits.values_mut() {
            clamp(&mut edit.at);
        }
        for highlight in &mut item.highlights {
            clamp(&mut highlight.created_at);
            clamp(&mut highlight.updated_at);
        }
    }
    clamped
}

/// Largest import file accepted, in bytes. An export holds no more than browser storage does
/// (about 5 MB of UTF-16 text per site), which is at most 10 MB of UTF-8.
pub const MAX_IMPORT_BYTES: usize = 10 * 1024 * 1024;

/// Why a file of `bytes` bytes is refused before it is read.
pub fn too_large_to_import(bytes: f64) -> Option<InvalidExport> {
    (bytes > MAX_IMPORT_BYTES as f64).then_some(InvalidExport::TooLarge(bytes))
}

/// Longest comment id accepted in an import (this reader makes ids of about 25 characters).
const MAX_COMMENT_ID_CHARS: usize = 100;

/// The fields of each part of an export file, for naming any other field.
const FILE_FIELDS: &[&str] = &[
    "format",
    "version",
    "exported_at",
    "settings",
    "items",
    "backups",
];
const SETTINGS_FIELDS: &[&str] = &[
    "theme",
    "text_size",
    "line_width",
    "font",
    "line_spacing",
    "at",
];
const ITEM_FIELDS: &[&str] = &[
    "reactions",
    "draft",
    "comments",
    "progress",
    "read",
    "edits",
    "highlights",
];
const HIGHLIGHT_FIELDS: &[&str] = &[
    "id",
    "anchor",
    "title",
    "note",
    "created_at",
    "updated_at",
    "deleted",
];
const ANCHOR_FIELDS: &[&str] = &["paragraph", "start", "end", "quote", "prefix", "suffix"];
/// Longest quote and title accepted in an import (a paragraph, a headline).
const MAX_QUOTE_CHARS: usize = 20_000;
const MAX_TITLE_CHARS: usize = 1_000;
const EDIT_FIELDS: &[&str] = &["text", "at", "closed"];
const MARK_FIELDS: &[&str] = &["on", "at"];
const DRAFT_FIELDS: &[&str] = &["text", "at"];
const COMMENT_FIELDS: &[&str] = &["id", "text", "posted_at", "updated_at", "edited", "deleted"];
const PROGRESS_FIELDS: &[&str] = &["paragraph", "offset", "at"];

/// Refuses a field of `value` (when it is an object) not in `known`, saying where.
fn known_fields(
    value: &serde_json::Value,
    known: &'static [&'static str],
    at: &str,
) -> Result<(), Damage> {
    let Some(object) = value.as_object() else {
        return Ok(()); // a wrong type is reported by the decoding that follows
    };
    match object.keys().find(|k| !known.contains(&k.as_str())) {
        Some(field) => Err(Damage::UnknownField {
            field: field.clone(),
            at: at.to_owned(),
            expected: known,
        }),
        None => Ok(()),
    }
}

/// Checks every object in the file for fields this version does not write.
fn check_fields(file: &serde_json::Value) -> Result<(), Damage> {
    known_fields(file, FILE_FIELDS, "the file")?;
    known_fields(&file["settings"], SETTINGS_FIELDS, "settings")?;
    let Some(items) = file.get("items").and_then(|i| i.as_object()) else {
        return Ok(());
    };
    for (id, item) in items {
        let at = format!("items[{id:?}]");
        known_fields(item, ITEM_FIELDS, &at)?;
        if let Some(marks) = item.get("reactions").and_then(|r| r.as_object()) {
            for (reaction, mark) in marks {
                known_fields(mark, MARK_FIELDS, &format!("{at}.reactions.{reaction}"))?;
            }
        }
        if let Some(draft) = item.get("draft") {
            known_fields(draft, DRAFT_FIELDS, &format!("{at}.draft"))?;
        }
        if let Some(comments) = item.get("comments").and_then(|c| c.as_array()) {
            for (n, comment) in comments.iter().enumerate() {
                known_fields(comment, COMMENT_FIELDS, &format!("{at}.comments[{n}]"))?;
            }
        }
        if let Some(progress) = item.get("progress") {
            known_fields(progress, PROGRESS_FIELDS, &format!("{at}.progress"))?;
        }
        if let Some(edits) = item.get("edits").and_then(|e| e.as_object()) {
            for (comment, edit) in edits {
                known_fields(edit, EDIT_FIELDS, &format!("{at}.edits[{comment:?}]"))?;
            }
        }
        if let Some(highlights) = item.get("highlights").and_then(|h| h.as_array()) {
            for (n, highlight) in highlights.iter().enumerate() {
                let at = format!("{at}.highlights[{n}]");
                known_fields(highlight, HIGHLIGHT_FIELDS, &at)?;
                known_fields(&highlight["anchor"], ANCHOR_FIELDS, &format!("{at}.anchor"))?;
            }
        }
    }
    Ok(())
}

/// A stamp as this reader writes them: milliseconds since the epoch, not negative.
fn check_stamp(time: f64, at: impl fmt::Display) -> Result<(), Damage> {
    if time.is_finite() && time >= 0.0 {
        Ok(())
    } else {
        Err(Damage::BadTime {
            at: at.to_string(),
            time,
        })
    }
}

/// Checks the settings' ranges and times, saying where.
fn check_settings(exported_at: f64, s: &Settings) -> Result<(), Damage> {
    check_stamp(exported_at, "exported_at")?;
    check_stamp(s.at, "settings.at")?;
    for (name, step, steps) in [
        ("text_size", s.text_size, Settings::TEXT_SIZES),
        ("line_width", s.line_width, Settings::LINE_WIDTHS),
        ("line_spacing", s.line_spacing, Settings::LINE_SPACINGS),
    ] {
        if step >= steps {
            return Err(Damage::SettingOutOfRange { name, step, steps });
        }
    }
    Ok(())
}

/// Checks one item's id, and each of its values' range and length, saying where.
fn check_item(raw_id: &str, item: &ItemState) -> Result<ItemId, Damage> {
    let id = ItemId::parse(raw_id).map_err(|_| Damage::NotAnItem(raw_id.to_owned()))?;
    let at = format!("items[{raw_id:?}]");
    for (reaction, mark) in &item.reactions {
        check_stamp(mark.at, format_args!("{at}.reactions.{}", reaction.name()))?;
    }
    if let Some(draft) = &item.draft {
        check_stamp(draft.at, format_args!("{at}.draft"))?;
        if draft.text.chars().count() > MAX_COMMENT_CHARS {
            return Err(Damage::DraftTooLong(id));
        }
    }
    let mut ids = std::collections::BTreeSet::new();
    for (n, c) in item.comments.iter().enumerate() {
        let where_ = format!("{at}.comments[{n}]");
        let comment = || c.id.clone();
        if c.id.is_empty() || c.id.chars().count() > MAX_COMMENT_ID_CHARS {
            return Err(Damage::BadCommentId { at: where_ });
        }
        if !ids.insert(c.id.as_str()) {
            return Err(Damage::RepeatedCommentId {
                at: where_,
                comment: comment(),
                item: id,
            });
        }
        if c.text.chars().count() > MAX_COMMENT_CHARS {
            return Err(Damage::CommentTooLong {
                item: id,
                comment: comment(),
            });
        }
        if !c.deleted && c.text.trim().is_empty() {
            return Err(Damage::EmptyComment {
                item: id,
                comment: comment(),
            });
        }
        check_stamp(c.posted_at, format_args!("{where_}.posted_at"))?;
        check_stamp(c.updated_at, format_args!("{where_}.updated_at"))?;
    }
    for (comment, edit) in &item.edits {
        check_stamp(edit.at, format_args!("{at}.edits[{comment:?}]"))?;
        if edit.text.chars().count() > MAX_COMMENT_CHARS {
            return Err(Damage::EditTooLong {
                item: id,
                comment: comment.clone(),
            });
        }
    }
    check_highlights(&at, item)?;
    if let Some(p) = &item.progress {
        check_stamp(p.at, format_args!("{at}.progress"))?;
        if !(0.0..=1.0).contains(&p.offset) {
            return Err(Damage::OffsetOutOfRange {
                at,
                offset: p.offset,
            });
        }
    }
    Ok(id)
}

/// Checks an item's highlights: ids present and not repeated, an anchor that is text (its
/// quote as long as its range, context no longer than [`CONTEXT`]), lengths and times.
fn check_highlights(at: &str, item: &ItemState) -> Result<(), Damage> {
    let mut ids = std::collections::BTreeSet::new();
    for (n, h) in item.highlights.iter().enumerate() {
        let at = format!("{at}.highlights[{n}]");
        let bad = |why| {
            Err(Damage::BadHighlight {
                at: at.clone(),
                why,
            })
        };
        let a = &h.anchor;
        let chars = |s: &str| s.chars().count();
        if h.id.is_empty() || chars(&h.id) > MAX_COMMENT_ID_CHARS {
            return bad("has an id that is empty or over 100 characters");
        }
        if !ids.insert(h.id.as_str()) {
            return bad("repeats the id of an earlier highlight");
        }
        if a.start >= a.end || chars(&a.quote) != a.end - a.start {
            return bad("has an anchor whose quote is not its range of characters");
        }
        if chars(&a.quote) > MAX_QUOTE_CHARS || chars(&h.title) > MAX_TITLE_CHARS {
            return bad("has a quote over 20,000 characters or a title over 1,000");
        }
        if chars(&a.prefix) > CONTEXT || chars(&a.suffix) > CONTEXT {
            return bad("has more than 32 characters of context on a side");
        }
        if chars(&h.note) > MAX_NOTE_CHARS {
            return bad("has a note over 5,000 characters");
        }
        check_stamp(h.created_at, format_args!("{at}.created_at"))?;
        check_stamp(h.updated_at, format_args!("{at}.updated_at"))?;
    }
    Ok(())
}

/// Parses and validates an export file; errors say where and what. The file must hold only
/// what this version writes: an unknown field is refused by name (a misspelt one would
/// otherwise import nothing, silently).
pub fn parse_export(json: &str) -> Result<ExportFile, InvalidExport> {
    if let Some(why) = too_large_to_import(json.len() as f64) {
        return Err(why);
    }
    let value: serde_json::Value =
        serde_json::from_str(json).map_err(|e| InvalidExport::NotJson {
            line: e.line(),
            column: e.column(),
        })?;
    if value.get("format").and_then(|f| f.as_str()) != Some(EXPORT_FORMAT) {
        return Err(InvalidExport::NotAnExport);
    }
    match value.get("version").and_then(|v| v.as_u64()) {
        Some(v) if v == u64::from(EXPORT_VERSION) => {}
        Some(v) => return Err(InvalidExport::Version(v)),
        None => return Err(InvalidExport::NoVersion),
    }
    check_fields(&value)?;
    // Decoded part by part, so that a wrong type is reported with where it is.
    let part = |key: &str| value.get(key).cloned().unwrap_or(serde_json::Value::Null);
    let damaged = |at: &str, e: serde_json::Error| Damage::Malformed {
        at: at.to_owned(),
        why: e.to_string(),
    };
    let exported_at = serde_json::from_value::<f64>(part("exported_at"))
        .map_err(|e| damaged("exported_at", e))?;
    let settings =
        serde_json::from_value::<Settings>(part("settings")).map_err(|e| damaged("settings", e))?;
    let raw_items = serde_json::from_value::<BTreeMap<String, serde_json::Value>>(part("items"))
        .map_err(|e| damaged("items", e))?;
    let mut raw = Vec::new();
    for (id, item) in raw_items {
        let item = serde_json::from_value::<ItemState>(item)
            .map_err(|e| damaged(&format!("items[{id:?}]"), e))?;
        raw.push((id, item));
    }
    let backups = serde_json::from_value::<Option<BTreeMap<String, String>>>(part("backups"))
        .map_err(|e| damaged("backups", e))?
        .unwrap_or_default();
    let is_backup_key = |k: &str| matches!(rest_of(k), Some(Rest::Backup { .. }));
    if let Some(key) = backups.keys().find(|k| !is_backup_key(k)) {
        return Err(Damage::NotABackupKey(key.clone()).into());
    }
    check_settings(exported_at, &settings)?;
    let mut items = BTreeMap::new();
    for (id, item) in raw {
        items.insert(check_item(&id, &item)?, item);
    }
    Ok(ExportFile {
        format: EXPORT_FORMAT.to_owned(),
        version: EXPORT_VERSION,
        exported_at,
        settings,
        items,
        backups,
    })
}
