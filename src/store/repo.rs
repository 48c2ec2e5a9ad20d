//! Namespaced, versioned keys over any [`KeyValue`]: loading with corruption backups,
//! merging writes, migration from v0, export, import and delete-all.

use super::kv::{utf16_len, KeyValue, StoreError};
use super::state::{Draft, ItemState, ReactionMark, Settings, Theme, Unknown, MAX_COMMENT_CHARS};
use serde::{Deserialize, Serialize};
use std::{cell::Cell, collections::BTreeMap};

/// How far in the future an imported stamp may lie (clocks disagree a little) before it is
/// brought back to the time of the import.
pub const FUTURE_MARGIN_MS: f64 = 5.0 * 60.0 * 1000.0;

/// Milliseconds since the epoch on this device's clock (for display; changes are stamped with
/// [`Repository::stamp`]).
pub fn now() -> f64 {
    #[cfg(target_arch = "wasm32")]
    {
        js_sys::Date::now()
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            // Whole milliseconds, as `Date.now()` gives: they survive a trip through JSON
            // exactly (serde_json may round a fraction's last digit).
            .map_or(0.0, |d| d.as_millis() as f64)
    }
}

/// Every key this app writes starts with this, then `:`.
pub const NAMESPACE: &str = "broadsheet";
const SCHEMA: &str = "1";
/// v0 (before namespacing by version) used dotted keys.
const V0_PREFIX: &str = "broadsheet.";
/// Keys before scoping by base path (`broadsheet:v1:…`, `broadsheet:schema`,
/// `broadsheet:backup:…`) start with this and then a letter; scoped keys with `broadsheet:/`.
const UNSCOPED_PREFIX: &str = "broadsheet:";

/// The scope of a site served under `base_path` (`/reader`, `/reader/`, `""` for the domain
/// root): the path with one leading and one trailing `/`, and `:` written `%3A`, so that the
/// first `:` after the scope always ends it (`/reader/`, `/`).
pub fn scope_of(base_path: &str) -> String {
    let path = base_path.trim_matches('/').replace(':', "%3A");
    if path.is_empty() {
        "/".to_owned()
    } else {
        format!("/{path}/")
    }
}

/// Every key of the reader served under `base_path` starts with this: `broadsheet:` then the
/// scope, then `:` (`broadsheet:/reader/:`). Two copies of the reader under different paths of
/// one origin never share a key, and nothing else's key starts with it.
pub fn key_prefix(base_path: &str) -> String {
    format!("{NAMESPACE}:{}:", scope_of(base_path))
}

/// A key of this app in any scope, or unscoped (before scoping): its scope (`None` when
/// unscoped) and the rest after the scope's `:` (`v1:item:article/x`, `schema`, `backup:…`).
fn split_key(key: &str) -> Option<(Option<&str>, &str)> {
    let rest = key.strip_prefix(UNSCOPED_PREFIX)?;
    if rest.starts_with('/') {
        let (scope, rest) = rest.split_once(':')?;
        scope.ends_with('/').then_some((Some(scope), rest))
    } else {
        let unscoped = rest == "schema" || rest.starts_with("v1:") || rest.starts_with("backup:");
        unscoped.then_some((None, rest))
    }
}

/// The key names of one scope.
#[derive(Clone, Debug)]
struct Keys {
    /// `broadsheet:/reader/:`
    prefix: String,
    schema: String,
    item_prefix: String,
    settings: String,
    /// When the reader last deleted everything: a tab holding older data in memory drops it
    /// instead of writing it back.
    erased: String,
    backup_prefix: String,
}

impl Keys {
    fn new(base_path: &str) -> Self {
        let prefix = key_prefix(base_path);
        Keys {
            schema: format!("{prefix}schema"),
            item_prefix: format!("{prefix}v1:item:"),
            settings: format!("{prefix}v1:settings"),
            erased: format!("{prefix}v1:erased"),
            backup_prefix: format!("{prefix}backup:"),
            prefix,
        }
    }
}

/// `format` field of an export file.
pub const EXPORT_FORMAT: &str = "broadsheet-export";
/// Version of the export file layout.
pub const EXPORT_VERSION: u32 = 1;
/// Version of the envelope of every stored value (`{"v":1,"data":…}`).
const STORAGE_VERSION: u32 = 1;

/// A value read from storage, and what went wrong reading it, if anything.
#[derive(Clone, Debug, PartialEq)]
pub struct Loaded<T> {
    pub value: T,
    /// A message for the reader, e.g. that damaged data was moved to a backup key.
    pub problem: Option<String>,
}

/// What a save did.
#[derive(Clone, Debug, PartialEq)]
pub struct SaveOutcome<T> {
    /// The value now stored: this tab's change merged with any other tab's.
    pub merged: T,
    /// A message for the reader when the stored value did not decode and was set aside first.
    pub problem: Option<String>,
}

/// One file with everything the reader has kept.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportFile {
    pub format: String,
    pub version: u32,
    pub exported_at: f64,
    pub settings: Settings,
    /// Per article (`article/SLUG`) or brief (`brief/ARTICLE/BRIEF`).
    pub items: BTreeMap<String, ItemState>,
    /// Damaged data set aside, by backup key, exactly as it was found.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub backups: BTreeMap<String, String>,
}

/// Damaged data that was set aside under a backup key.
#[derive(Clone, Debug, PartialEq)]
pub struct Backup {
    /// The backup key.
    pub key: String,
    /// The key the damaged value was found under.
    pub of: String,
    /// What it held, for the reader ("Reactions and comments for article/…").
    pub what: String,
    /// When it was set aside (ms since the epoch), when known.
    pub at: Option<f64>,
    /// Its size as browsers count it (UTF-16, key included).
    pub bytes: usize,
}

/// What an import changed, for the reader to see.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportSummary {
    pub items: usize,
    pub comments_added: usize,
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
            "Imported: {} comment{} added, {} reaction{} changed, {} draft{} restored across {} stor{}{}.",
            self.comments_added,
            plural(self.comments_added),
            self.reactions_changed,
            plural(self.reactions_changed),
            self.drafts_restored,
            plural(self.drafts_restored),
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
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImportError {
    /// The file is not a valid export; the message says where and what.
    Invalid(String),
    /// Storage failed (full, unavailable) while reading or writing.
    Storage(StoreError),
}

impl From<StoreError> for ImportError {
    fn from(e: StoreError) -> Self {
        ImportError::Storage(e)
    }
}

impl std::fmt::Display for ImportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ImportError::Invalid(why) => f.write_str(why),
            ImportError::Storage(e) => write!(f, "Nothing was imported: {e}."),
        }
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

#[derive(Serialize, Deserialize)]
struct Envelope<T> {
    v: u32,
    data: T,
}

/// The app's storage: every rule about keys lives here.
///
/// It also keeps a hybrid logical clock: the latest stamp it has seen in storage (items,
/// settings, the record of "delete all") or handed out. [`Repository::stamp`] never returns a
/// stamp at or below it, so a change made here outranks everything this tab has seen, even
/// when this device's clock is behind the one that wrote it (or went backwards).
///
/// Its keys are scoped to the base path of the site it serves (see [`key_prefix`]): it reads,
/// counts, exports and deletes only keys of its own scope.
pub struct Repository<K> {
    kv: K,
    keys: Keys,
    seen: Cell<f64>,
}

impl<K: KeyValue> Repository<K> {
    /// The repository of the reader served under `base_path` (`/reader/`; `/` or `""` at the
    /// domain root), over `kv`.
    pub fn new(kv: K, base_path: &str) -> Self {
        Repository {
            kv,
            keys: Keys::new(base_path),
            seen: Cell::new(0.0),
        }
    }

    /// What every key of this repository starts with (`broadsheet:/reader/:`).
    pub fn prefix(&self) -> &str {
        &self.keys.prefix
    }

    /// Whether `key` is one of this repository's (its scope's namespace, separator included).
    pub fn is_ours(&self, key: &str) -> bool {
        key.starts_with(&self.keys.prefix)
    }

    /// Notes a stamp read from storage or another tab, so later stamps outrank it.
    pub fn observe(&self, stamp: f64) {
        if stamp.is_finite() && stamp > self.seen.get() {
            self.seen.set(stamp);
        }
    }

    /// The latest stamp seen or handed out (0 if none).
    pub fn last_seen(&self) -> f64 {
        self.seen.get()
    }

    /// A stamp for a change made now: `max(now, last seen + 1)`, and never the same twice.
    pub fn stamp(&self, now: f64) -> f64 {
        let seen = self.seen.get();
        let mut stamp = if now.is_finite() { now } else { 0.0 }.max(seen + 1.0);
        if stamp <= seen {
            // So far out that adding 1 ms is lost to rounding: the next representable value.
            stamp = seen.next_up();
        }
        self.seen.set(stamp);
        stamp
    }

    pub fn kv(&self) -> &K {
        &self.kv
    }

    /// The storage key of an item id (`article/SLUG` or `brief/ARTICLE/BRIEF`).
    pub fn item_key(&self, id: &str) -> String {
        format!("{}{id}", self.keys.item_prefix)
    }

    /// The item id a storage key belongs to, if it is one of ours.
    pub fn item_id<'a>(&self, key: &'a str) -> Option<&'a str> {
        key.strip_prefix(&self.keys.item_prefix)
    }

    pub fn is_settings_key(&self, key: &str) -> bool {
        key == self.keys.settings
    }

    /// The key of the reading settings.
    pub fn settings_key(&self) -> &str {
        &self.keys.settings
    }

    /// The time of "delete all" if `key` is the key that records it and `value` decodes.
    pub fn erased_marker(&self, key: &str, value: Option<&str>) -> Option<f64> {
        (key == self.keys.erased)
            .then(|| decode(value?).ok())
            .flatten()
    }

    /// When the reader last deleted everything (0 if never).
    pub fn erased_at(&self) -> Result<f64, StoreError> {
        let at = self
            .kv
            .get(&self.keys.erased)?
            .and_then(|v| decode(&v).ok())
            .unwrap_or(0.0);
        self.observe(at);
        Ok(at)
    }

    /// Whether `key` is one the first version (v0) wrote, which [`Repository::migrate`] moves.
    pub fn is_v0_key(key: &str) -> bool {
        key.starts_with(V0_PREFIX)
    }

    /// Whether `key` is one an older version wrote, which [`Repository::migrate`] takes over:
    /// v0's dotted keys, or the unscoped keys of the versions before keys were scoped to the
    /// base path (`broadsheet:v1:…`, `broadsheet:schema`, `broadsheet:backup:…`).
    pub fn is_legacy_key(key: &str) -> bool {
        Self::is_v0_key(key) || matches!(split_key(key), Some((None, _)))
    }

    /// `key` of any scope, or unscoped, as the key of this scope with the same rest; other keys
    /// as they are.
    fn rescoped(&self, key: &str) -> String {
        match split_key(key) {
            Some((_, rest)) => format!("{}{rest}", self.keys.prefix),
            None => key.to_owned(),
        }
    }

    /// A backup key of any scope (or unscoped) as a backup key of this scope, the key it was
    /// found under rescoped as well; `None` if it is not a backup key.
    fn rescoped_backup(&self, key: &str) -> Option<String> {
        let (_, rest) = split_key(key)?;
        let rest = rest.strip_prefix("backup:")?;
        let (of, stamp) = rest.rsplit_once(':').unwrap_or((rest, ""));
        Some(format!(
            "{}{}:{stamp}",
            self.keys.backup_prefix,
            self.rescoped(of)
        ))
    }

    /// Takes over the unscoped keys of the versions before scoping: the first copy of the
    /// reader on this origin to start after the update adopts them, merging with what it has.
    /// A value that cannot be merged (damaged, or from a newer version) is kept as it is: under
    /// this scope's key when that is free, else as a backup.
    fn adopt_unscoped(
        &self,
        keys: &[String],
        now: f64,
        notes: &mut Vec<String>,
    ) -> Result<(), StoreError> {
        // The record of "delete all" first, so what it erased is not brought back.
        let erased_key = format!("{UNSCOPED_PREFIX}v1:erased");
        if let Some(raw) = self.kv.get(&erased_key)? {
            if let Ok(theirs) = decode::<f64>(&raw) {
                if theirs > self.erased_at()? {
                    self.observe(theirs);
                    self.kv.set(&self.keys.erased, &encode(&theirs))?;
                }
            }
            self.kv.remove(&erased_key)?;
        }
        let erased_at = self.erased_at()?;
        for key in keys {
            let Some((None, rest)) = split_key(key) else {
                continue;
            };
            let Some(raw) = self.kv.get(key)? else {
                continue;
            };
            if rest == "schema" || rest == "v1:erased" {
                self.kv.remove(key)?;
                continue;
            }
            if let Some(backup) = self.rescoped_backup(key) {
                match self.kv.get(&backup)? {
                    None => self.kv.set(&backup, &raw)?,
                    Some(there) if there == raw => {}
                    Some(_) => {
                        self.back_up(key, &raw, now)?;
                    }
                }
                self.kv.remove(key)?;
                continue;
            }
            let target = self.rescoped(key);
            let merged = if let Some(id) = rest.strip_prefix("v1:item:") {
                match decode::<ItemState>(&raw) {
                    Ok(item) => match self.write_item(id, &item, erased_at) {
                        Ok(_) => true,
                        Err(StoreError::NewerVersion { .. }) => false,
                        Err(e) => return Err(e),
                    },
                    Err(_) => false,
                }
            } else if rest == "v1:settings" {
                match decode::<Settings>(&raw) {
                    Ok(settings) => match self.write_settings(&settings, erased_at) {
                        Ok(_) => true,
                        Err(StoreError::NewerVersion { .. }) => false,
                        Err(e) => return Err(e),
                    },
                    Err(_) => false,
                }
            } else {
                false
            };
            if !merged {
                if self.kv.get(&target)?.is_none() {
                    self.kv.set(&target, &raw)?;
                } else {
                    let backup = self.back_up(key, &raw, now)?;
                    notes.push(format!(
                        "Saved data “{key}” of an older version could not be merged; it was kept as “{backup}”."
                    ));
                }
            }
            self.kv.remove(key)?;
        }
        Ok(())
    }

    /// Brings storage from any older layout to the current one. Returns notes for the reader.
    ///
    /// It looks for old keys every time, not only once: a tab still running an old version
    /// goes on writing them, and what it writes is merged in like any other tab's change.
    pub fn migrate(&self, now: f64) -> Result<Vec<String>, StoreError> {
        let mut notes = Vec::new();
        let keys = self.kv.keys()?;
        let unscoped: Vec<String> = keys
            .iter()
            .filter(|k| matches!(split_key(k), Some((None, _))))
            .cloned()
            .collect();
        let old: Vec<String> = keys.into_iter().filter(|k| Self::is_v0_key(k)).collect();
        if old.is_empty()
            && unscoped.is_empty()
            && self.kv.get(&self.keys.schema)?.as_deref() == Some(SCHEMA)
        {
            return Ok(notes);
        }
        self.adopt_unscoped(&unscoped, now, &mut notes)?;
        let mut items: BTreeMap<String, ItemState> = BTreeMap::new();
        let mut settings = None;
        // What an old tab wrote is its latest change: stamped as a change made here now.
        let at = if old.is_empty() { now } else { self.stamp(now) };
        for key in &old {
            let raw = self.kv.get(key)?.unwrap_or_default();
            let rest = &key[V0_PREFIX.len()..];
            let ok = if let Some(slug) = rest.strip_prefix("reactions.") {
                serde_json::from_str::<Vec<super::state::Reaction>>(&raw)
                    .map(|list| {
                        let item = items.entry(format!("article/{slug}")).or_default();
                        for r in list {
                            item.reactions.insert(
                                r,
                                ReactionMark {
                                    on: true,
                                    at,
                                    extra: Unknown::new(),
                                },
                            );
                        }
                    })
                    .is_ok()
            } else if let Some(slug) = rest.strip_prefix("draft.") {
                items.entry(format!("article/{slug}")).or_default().draft = Some(Draft {
                    text: raw.clone(),
                    at,
                    extra: Unknown::new(),
                });
                true
            } else if rest == "theme" {
                let theme = Theme::ALL.into_iter().find(|t| t.key() == raw);
                settings = theme.map(|theme| Settings {
                    theme,
                    at,
                    ..Settings::default()
                });
                theme.is_some()
            } else {
                false
            };
            if !ok {
                let backup = self.back_up(key, &raw, now)?;
                notes.push(format!(
                    "Old saved data “{key}” could not be read; it was kept as “{backup}”."
                ));
            }
        }
        for (id, item) in &items {
            self.save_item(id, item)?;
        }
        if let Some(settings) = settings {
            self.save_settings(&settings)?;
        }
        for key in &old {
            self.kv.remove(key)?;
        }
        if self.kv.get(&self.keys.schema)?.as_deref() != Some(SCHEMA) {
            self.kv.set(&self.keys.schema, SCHEMA)?;
        }
        Ok(notes)
    }

    fn load<T: for<'de> Deserialize<'de> + Default>(
        &self,
        key: &str,
        what: &str,
        now: f64,
    ) -> Result<Loaded<T>, StoreError> {
        let Some(raw) = self.kv.get(key)? else {
            return Ok(Loaded {
                value: T::default(),
                problem: None,
            });
        };
        match decode_checked::<T>(&raw) {
            Ok(value) => Ok(Loaded {
                value,
                problem: None,
            }),
            // Left exactly as it is: shown if this version can make sense of it, never written.
            Err(Unreadable::Newer(version)) => Ok(Loaded {
                value: decode_newer(&raw).unwrap_or_default(),
                problem: Some(newer_problem(what, version)),
            }),
            Err(Unreadable::Damaged(why)) => {
                let problem = match self.back_up(key, &raw, now) {
                    Ok(backup) => {
                        self.kv.remove(key)?;
                        format!(
                            "Saved {what} could not be read ({why}). The damaged data was kept under “{backup}” and nothing was overwritten; starting afresh."
                        )
                    }
                    // No room for a copy: leave it where it is, untouched.
                    Err(_) => format!(
                        "Saved {what} could not be read ({why}). It was left untouched under “{key}”; changes here are kept in memory only."
                    ),
                };
                Ok(Loaded {
                    value: T::default(),
                    problem: Some(problem),
                })
            }
        }
    }

    /// Copies a damaged value to a backup key of its own (never over an earlier backup). The
    /// same damaged value is kept once: a save retried after a failure finds its backup made.
    fn back_up(&self, key: &str, raw: &str, stamp: f64) -> Result<String, StoreError> {
        let of_key = format!("{}{}:", self.keys.backup_prefix, self.rescoped(key));
        for existing in self.kv.keys()? {
            if existing.starts_with(&of_key) && self.kv.get(&existing)?.as_deref() == Some(raw) {
                return Ok(existing);
            }
        }
        let base = format!("{of_key}{stamp}");
        let mut backup = base.clone();
        let mut n = 1;
        while self.kv.get(&backup)?.is_some() {
            n += 1;
            backup = format!("{base}-{n}");
        }
        self.kv.set(&backup, raw)?;
        Ok(backup)
    }

    /// Reads what is stored under `key` for a merge. A value that does not decode is first set
    /// aside under a backup key, so the write that follows never overwrites it; when there is no
    /// room for that copy, the error is returned and nothing is written.
    fn stored_for_merge<T: for<'de> Deserialize<'de>>(
        &self,
        key: &str,
        what: &str,
        stamp: f64,
    ) -> Result<(Option<T>, Option<String>), StoreError> {
        let Some(raw) = self.kv.get(key)? else {
            return Ok((None, None));
        };
        match decode_checked::<T>(&raw) {
            Ok(value) => Ok((Some(value), None)),
            Err(Unreadable::Newer(version)) => Err(StoreError::NewerVersion {
                key: key.to_owned(),
                version,
            }),
            Err(Unreadable::Damaged(why)) => {
                let backup = self.back_up(key, &raw, stamp)?;
                Ok((
                    None,
                    Some(format!(
                        "Saved {what} could not be read ({why}). The damaged data was kept under “{backup}” and nothing was overwritten."
                    )),
                ))
            }
        }
    }

    pub fn load_item(&self, id: &str, now: f64) -> Result<Loaded<ItemState>, StoreError> {
        let loaded: Loaded<ItemState> = self.load(
            &self.item_key(id),
            &format!("reactions and comments for {id}"),
            now,
        )?;
        self.observe(loaded.value.latest_stamp());
        Ok(loaded)
    }

    /// Writes `state`, first merging whatever another tab stored since, and returns the result.
    /// Damaged stored data is set aside under a backup key first, never overwritten.
    /// What this tab holds from before the reader deleted everything is dropped, not written.
    pub fn save_item(
        &self,
        id: &str,
        state: &ItemState,
    ) -> Result<SaveOutcome<ItemState>, StoreError> {
        self.write_item(id, state, self.erased_at()?)
    }

    /// [`Repository::save_item`], dropping what changed at or before `erased_at` (0: nothing).
    fn write_item(
        &self,
        id: &str,
        state: &ItemState,
        erased_at: f64,
    ) -> Result<SaveOutcome<ItemState>, StoreError> {
        let key = self.item_key(id);
        let pruned;
        let state = if erased_at > 0.0 {
            pruned = state.erased_before(erased_at);
            &pruned
        } else {
            state
        };
        let (stored, problem) = self.stored_for_merge::<ItemState>(
            &key,
            &format!("reactions and comments for {id}"),
            state.latest_stamp(),
        )?;
        let merged = match stored {
            Some(stored) => state.merge(&stored),
            None => state.clone(),
        };
        self.observe(merged.latest_stamp());
        if merged.is_empty() {
            self.kv.remove(&key)?;
        } else {
            self.kv.set(&key, &encode(&merged))?;
        }
        Ok(SaveOutcome { merged, problem })
    }

    pub fn load_settings(&self, now: f64) -> Result<Loaded<Settings>, StoreError> {
        let mut loaded: Loaded<Settings> =
            self.load(&self.keys.settings, "reading settings", now)?;
        loaded.value = loaded.value.clamped();
        self.observe(loaded.value.at);
        Ok(loaded)
    }

    /// Writes settings unless another tab stored newer ones; returns the ones now in force.
    /// Damaged stored settings are set aside under a backup key first, never overwritten.
    /// Settings from before the reader deleted everything are not written either.
    pub fn save_settings(&self, settings: &Settings) -> Result<SaveOutcome<Settings>, StoreError> {
        self.write_settings(settings, self.erased_at()?)
    }

    fn write_settings(
        &self,
        settings: &Settings,
        erased_at: f64,
    ) -> Result<SaveOutcome<Settings>, StoreError> {
        let (stored, problem) = self.stored_for_merge::<Settings>(
            &self.keys.settings,
            "reading settings",
            settings.at,
        )?;
        if let Some(stored) = &stored {
            self.observe(stored.at);
        }
        self.observe(settings.at);
        if erased_at > 0.0 && settings.at <= erased_at {
            let merged = stored.unwrap_or_default().clamped();
            return Ok(SaveOutcome { merged, problem });
        }
        if let Some(stored) = stored {
            // The later wins; alike stamps are told apart by content, so every tab agrees.
            if stored == *settings || !settings_win(settings, &stored) {
                return Ok(SaveOutcome {
                    merged: stored.clamped(),
                    problem,
                });
            }
        }
        self.kv.set(&self.keys.settings, &encode(settings))?;
        Ok(SaveOutcome {
            merged: settings.clone(),
            problem,
        })
    }

    /// Decodes a stored item value, e.g. from a `storage` event.
    pub fn decode_item(raw: &str) -> Result<ItemState, String> {
        decode(raw)
    }

    pub fn decode_settings(raw: &str) -> Result<Settings, String> {
        decode::<Settings>(raw).map(Settings::clamped)
    }

    /// Ids of every stored item.
    pub fn item_ids(&self) -> Result<Vec<String>, StoreError> {
        Ok(self
            .kv
            .keys()?
            .iter()
            .filter_map(|k| self.item_id(k).map(str::to_owned))
            .collect())
    }

    /// Everything kept, as one versioned file. Damaged values are left out (they stay in backups).
    pub fn export(&self, now: f64) -> Result<ExportFile, StoreError> {
        let mut items = BTreeMap::new();
        for id in self.item_ids()? {
            if let Some(raw) = self.kv.get(&self.item_key(&id))? {
                if let Ok(item) = decode::<ItemState>(&raw) {
                    items.insert(id, item);
                }
            }
        }
        let settings = match self.kv.get(&self.keys.settings)? {
            Some(raw) => decode(&raw).unwrap_or_default(),
            None => Settings::default(),
        };
        let mut backups = BTreeMap::new();
        for key in self.backup_keys()? {
            if let Some(raw) = self.kv.get(&key)? {
                backups.insert(key, raw);
            }
        }
        Ok(ExportFile {
            format: EXPORT_FORMAT.to_owned(),
            version: EXPORT_VERSION,
            exported_at: now,
            settings,
            items,
            backups,
        })
    }

    /// Checks an export file completely, then merges it in. A bad file changes nothing.
    pub fn import(&self, json: &str) -> Result<ImportSummary, String> {
        self.import_checked(json).map_err(|e| e.to_string())
    }

    /// [`Repository::import`], telling a bad file apart from a storage failure (after which,
    /// too, nothing has changed).
    pub fn import_checked(&self, json: &str) -> Result<ImportSummary, ImportError> {
        self.import_at(json, now())
    }

    /// [`Repository::import_checked`] at the time `now`: stamps later than `now` plus
    /// [`FUTURE_MARGIN_MS`] are brought back to `now` (and counted in the summary).
    pub fn import_at(&self, json: &str, now: f64) -> Result<ImportSummary, ImportError> {
        let mut file = parse_export(json).map_err(ImportError::Invalid)?;
        let mut summary = ImportSummary {
            future_stamps_clamped: clamp_future_stamps(&mut file, now),
            ..ImportSummary::default()
        };
        let mut writes = Vec::new();
        for (id, incoming) in &file.items {
            let key = self.item_key(id);
            let before = match self.kv.get(&key)? {
                Some(raw) => decode::<ItemState>(&raw).unwrap_or_default(),
                None => ItemState::default(),
            };
            let after = before.merge(incoming);
            if after == before {
                continue;
            }
            summary.items += 1;
            summary.comments_added += after
                .visible_comments()
                .count()
                .saturating_sub(before.visible_comments().count());
            summary.reactions_changed += super::state::Reaction::ALL
                .iter()
                .filter(|r| before.reacted(**r) != after.reacted(**r))
                .count();
            if after.draft_text() != before.draft_text() && !after.draft_text().is_empty() {
                summary.drafts_restored += 1;
            }
            writes.push((id.clone(), after));
        }
        let settings = {
            let current = self.load_settings(now)?.value;
            let incoming = file.settings.clone().clamped();
            (settings_win(&incoming, &current) && incoming != current).then_some(incoming)
        };
        // Remember what was there, so a write that fails part-way can be undone.
        let mut undo = Vec::new();
        let mut backups = Vec::new();
        for (key, raw) in &file.backups {
            // Exported under another base path (or before scoping): kept under this one's.
            let key = self.rescoped_backup(key).unwrap_or_else(|| key.clone());
            if self.kv.get(&key)?.is_none() {
                backups.push((key, raw.clone()));
            }
        }
        let mut keys: Vec<String> = writes.iter().map(|(id, _)| self.item_key(id)).collect();
        if settings.is_some() {
            keys.push(self.keys.settings.clone());
        }
        keys.extend(backups.iter().map(|(key, _)| key.clone()));
        for key in keys {
            let raw = self.kv.get(&key)?;
            undo.push((key, raw));
        }
        let written = writes
            .iter()
            // An import brings back what the reader chose, however old: nothing is dropped.
            .try_for_each(|(id, item)| self.write_item(id, item, 0.0).map(drop))
            .and_then(|()| match &settings {
                Some(settings) => self.write_settings(settings, 0.0).map(drop),
                None => Ok(()),
            })
            .and_then(|()| {
                backups
                    .iter()
                    .try_for_each(|(key, raw)| self.kv.set(key, raw))
            });
        if let Err(e) = written {
            // Put every key back as it was, removing first so the old values fit again.
            for (key, _) in &undo {
                let _ = self.kv.remove(key);
            }
            for (key, raw) in &undo {
                if let Some(raw) = raw {
                    let _ = self.kv.set(key, raw);
                }
            }
            return Err(ImportError::Storage(e));
        }
        summary.settings_changed = settings.is_some();
        summary.backups_restored = backups.len();
        Ok(summary)
    }

    /// Removes every key of this repository's scope, backups included, and records when
    /// (`now`), so that a tab still holding older data does not write it back. Keys of other
    /// scopes and of other apps stay. Keys an older version wrote ([`Repository::is_legacy_key`])
    /// go too: the copy that starts first takes them over, so they are this one's to erase.
    /// Returns how many were removed (the schema marker stays; neither it nor the record of
    /// the deletion is counted).
    pub fn delete_all(&self, now: f64) -> Result<usize, StoreError> {
        let ours: Vec<String> = self
            .kv
            .keys()?
            .into_iter()
            .filter(|k| {
                (self.is_ours(k) && *k != self.keys.schema && *k != self.keys.erased)
                    || Self::is_legacy_key(k)
            })
            .collect();
        // The record must outrank everything it erases, whatever this device's clock says.
        self.erased_at()?;
        for key in &ours {
            if let Some(raw) = self.kv.get(key)? {
                let rest = split_key(key).map_or("", |(_, rest)| rest);
                if rest.starts_with("v1:item:") {
                    if let Ok(item) = decode::<ItemState>(&raw) {
                        self.observe(item.latest_stamp());
                    }
                } else if rest == "v1:settings" || rest == "v1:erased" {
                    if let Ok(at) = decode::<Settings>(&raw)
                        .map(|s| s.at)
                        .or_else(|_| decode::<f64>(&raw))
                    {
                        self.observe(at);
                    }
                }
            }
        }
        let now = self.stamp(now);
        for key in &ours {
            self.kv.remove(key)?;
        }
        if self.kv.get(&self.keys.schema)?.as_deref() != Some(SCHEMA) {
            self.kv.set(&self.keys.schema, SCHEMA)?;
        }
        // As JSON like every other value: serde_json's number code is in the app already, and
        // `f64::from_str` would add core's float parser and its tables (12 KB) to the wasm.
        self.kv.set(&self.keys.erased, &encode(&now))?;
        Ok(ours
            .iter()
            .filter(|k| !matches!(split_key(k), Some((_, "schema" | "v1:erased"))))
            .count())
    }

    /// Bytes this repository's scope uses (UTF-16, as browsers count against the quota).
    pub fn bytes_used(&self) -> Result<usize, StoreError> {
        let mut total = 0;
        for key in self.kv.keys()?.iter().filter(|k| self.is_ours(k)) {
            total += 2 * (utf16_len(key) + self.kv.get(key)?.map_or(0, |v| utf16_len(&v)));
        }
        Ok(total)
    }

    /// Damaged data set aside, oldest first: what it was, when, and its size.
    pub fn backups(&self) -> Result<Vec<Backup>, StoreError> {
        let mut found = Vec::new();
        for key in self.backup_keys()? {
            let Some(raw) = self.kv.get(&key)? else {
                continue;
            };
            let rest = &key[self.keys.backup_prefix.len()..];
            let (of, stamp) = rest.rsplit_once(':').unwrap_or((rest, ""));
            let stamp = stamp.split('-').next().unwrap_or_default();
            let what = if let Some(id) = self.item_id(of) {
                format!("Reactions and comments for {id}")
            } else if self.is_settings_key(of) {
                "Reading settings".to_owned()
            } else {
                format!("Saved data “{of}”")
            };
            found.push(Backup {
                bytes: 2 * (utf16_len(&key) + utf16_len(&raw)),
                at: serde_json::from_str::<f64>(stamp).ok().filter(|t| *t > 0.0),
                of: of.to_owned(),
                what,
                key,
            });
        }
        found.sort_by(|a, b| {
            a.at.unwrap_or(0.0)
                .total_cmp(&b.at.unwrap_or(0.0))
                .then_with(|| a.key.cmp(&b.key))
        });
        Ok(found)
    }

    /// The damaged value kept under a backup key (to download), if it is one.
    pub fn backup_value(&self, key: &str) -> Result<Option<String>, StoreError> {
        if !key.starts_with(&self.keys.backup_prefix) {
            return Ok(None);
        }
        self.kv.get(key)
    }

    /// Removes one backup, once the reader has chosen to; any other key is left alone.
    pub fn discard_backup(&self, key: &str) -> Result<bool, StoreError> {
        if !key.starts_with(&self.keys.backup_prefix) || self.kv.get(key)?.is_none() {
            return Ok(false);
        }
        self.kv.remove(key)?;
        Ok(true)
    }

    /// Removes every backup of this scope, once the reader has chosen to (to free space).
    /// Returns how many were removed and the bytes they took.
    pub fn discard_all_backups(&self) -> Result<(usize, usize), StoreError> {
        let mut freed = 0;
        let keys = self.backup_keys()?;
        for key in &keys {
            if let Some(raw) = self.kv.get(key)? {
                freed += 2 * (utf16_len(key) + utf16_len(&raw));
            }
            self.kv.remove(key)?;
        }
        Ok((keys.len(), freed))
    }

    /// Forgets where the reader stopped in every story (its reading position and "read"
    /// mark), keeping its reactions, comments, drafts and edits: to free space without losing
    /// anything the reader wrote. A story left with nothing is removed. Values that do not
    /// decode, or that a newer version wrote, are left alone. Returns how many stories
    /// changed and the bytes freed.
    pub fn forget_progress(&self) -> Result<(usize, usize), StoreError> {
        let mut changed = 0;
        let mut freed = 0;
        for id in self.item_ids()? {
            let key = self.item_key(&id);
            let Some(raw) = self.kv.get(&key)? else {
                continue;
            };
            let Ok(mut item) = decode_checked::<ItemState>(&raw) else {
                continue;
            };
            if item.progress.is_none() && !item.read {
                continue;
            }
            item.progress = None;
            item.read = false;
            // Written as it is, not merged: a merge would bring the position back.
            if item.is_empty() {
                self.kv.remove(&key)?;
                freed += 2 * (utf16_len(&key) + utf16_len(&raw));
            } else {
                let encoded = encode(&item);
                self.kv.set(&key, &encoded)?;
                freed += 2 * utf16_len(&raw).saturating_sub(utf16_len(&encoded));
            }
            changed += 1;
        }
        Ok((changed, freed))
    }

    /// Keys holding damaged data that was set aside.
    pub fn backup_keys(&self) -> Result<Vec<String>, StoreError> {
        Ok(self
            .kv
            .keys()?
            .into_iter()
            .filter(|k| k.starts_with(&self.keys.backup_prefix))
            .collect())
    }
}

/// Brings every stamp in `file` later than `now + FUTURE_MARGIN_MS` back to `now`; returns
/// how many it changed.
fn clamp_future_stamps(file: &mut ExportFile, now: f64) -> usize {
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
    }
    clamped
}

/// Whether `mine` outranks `theirs`: the later stamp, or for alike stamps the greater content.
pub fn settings_win(mine: &Settings, theirs: &Settings) -> bool {
    super::state::wins(mine, theirs, |s| s.at, |_| 0)
}

fn encode<T: Serialize>(value: &T) -> String {
    serde_json::to_string(&Envelope {
        v: STORAGE_VERSION,
        data: value,
    })
    .expect("state serialises")
}

/// Why a stored value cannot be used as it is.
enum Unreadable {
    /// Written by a newer version (its envelope's `v`): to be left alone, not set aside.
    Newer(u32),
    /// Not a value of this app, or damaged; why.
    Damaged(String),
}

fn decode_checked<T: for<'de> Deserialize<'de>>(raw: &str) -> Result<T, Unreadable> {
    let envelope: Envelope<serde_json::Value> =
        serde_json::from_str(raw).map_err(|e| Unreadable::Damaged(e.to_string()))?;
    match envelope.v {
        STORAGE_VERSION => {
            T::deserialize(envelope.data).map_err(|e| Unreadable::Damaged(e.to_string()))
        }
        v if v > STORAGE_VERSION => Err(Unreadable::Newer(v)),
        v => Err(Unreadable::Damaged(format!("unknown version {v}"))),
    }
}

/// A newer version's value read as this version's, where it can be (to show, never to write).
fn decode_newer<T: for<'de> Deserialize<'de>>(raw: &str) -> Option<T> {
    let envelope: Envelope<serde_json::Value> = serde_json::from_str(raw).ok()?;
    T::deserialize(envelope.data).ok()
}

fn newer_problem(what: &str, version: u32) -> String {
    format!(
        "Saved {what} were written by a newer version of Broadsheet (storage format {version}; this tab knows {STORAGE_VERSION}). They are left as they are, and changes to them in this tab are not saved: reload this tab to use the newer version."
    )
}

fn decode<T: for<'de> Deserialize<'de>>(raw: &str) -> Result<T, String> {
    decode_checked(raw).map_err(|e| match e {
        Unreadable::Newer(v) => format!("written by a newer version (storage format {v})"),
        Unreadable::Damaged(why) => why,
    })
}

/// Largest import file accepted, in bytes. An export holds no more than browser storage does
/// (about 5 MB of UTF-16 text per site), which is at most 10 MB of UTF-8.
pub const MAX_IMPORT_BYTES: usize = 10 * 1024 * 1024;

/// Why a file of `bytes` bytes is refused before it is read.
pub fn too_large_to_import(bytes: f64) -> Option<String> {
    (bytes > MAX_IMPORT_BYTES as f64).then(|| {
        format!(
            "This file is {:.1} MB; a Broadsheet export is never larger than 10 MB (browser storage holds about 5 MB), so it was not read.",
            bytes / (1024.0 * 1024.0)
        )
    })
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
];
const EDIT_FIELDS: &[&str] = &["text", "at", "closed"];
const MARK_FIELDS: &[&str] = &["on", "at"];
const DRAFT_FIELDS: &[&str] = &["text", "at"];
const COMMENT_FIELDS: &[&str] = &["id", "text", "posted_at", "updated_at", "edited", "deleted"];
const PROGRESS_FIELDS: &[&str] = &["paragraph", "offset", "at"];

/// Refuses a field of `value` (when it is an object) not in `known`, saying where.
fn known_fields(value: &serde_json::Value, known: &[&str], at: &str) -> Result<(), String> {
    let Some(object) = value.as_object() else {
        return Ok(()); // a wrong type is reported by the decoding that follows
    };
    match object.keys().find(|k| !known.contains(&k.as_str())) {
        Some(field) => Err(format!(
            "This export is damaged: unknown field {field:?} in {at} (expected one of: {}).",
            known.join(", ")
        )),
        None => Ok(()),
    }
}

/// Checks every object in the file for fields this version does not write.
fn check_fields(file: &serde_json::Value) -> Result<(), String> {
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
    }
    Ok(())
}

/// Whether `id` is exactly `article/SLUG` or `brief/ARTICLE/BRIEF`.
fn is_item_id(id: &str) -> bool {
    let parts: Vec<&str> = id.split('/').collect();
    let slugs_valid = parts[1..].iter().all(|s| crate::article::is_valid_slug(s));
    slugs_valid && matches!((parts[0], parts.len()), ("article", 2) | ("brief", 3))
}

/// A stamp as this reader writes them: milliseconds since the epoch, not negative.
fn check_stamp(at: f64, what: &str) -> Result<(), String> {
    if at.is_finite() && at >= 0.0 {
        Ok(())
    } else {
        Err(format!(
            "This export is damaged: {what} has the time {at}, which is not a time this reader writes."
        ))
    }
}

/// Checks each value's range and length, saying where.
fn check_values(file: &ExportFile) -> Result<(), String> {
    check_stamp(file.exported_at, "exported_at")?;
    let s = &file.settings;
    check_stamp(s.at, "settings.at")?;
    for (name, step, steps) in [
        ("text_size", s.text_size, Settings::TEXT_SIZES),
        ("line_width", s.line_width, Settings::LINE_WIDTHS),
        ("line_spacing", s.line_spacing, Settings::LINE_SPACINGS),
    ] {
        if step >= steps {
            return Err(format!(
                "This export is damaged: settings.{name} is {step}; it goes from 0 to {}.",
                steps - 1
            ));
        }
    }
    for (id, item) in &file.items {
        if !is_item_id(id) {
            return Err(format!(
                "This export is damaged: {id:?} is not an article or brief."
            ));
        }
        let at = format!("items[{id:?}]");
        for (reaction, mark) in &item.reactions {
            check_stamp(mark.at, &format!("{at}.reactions.{}", reaction.name()))?;
        }
        if let Some(draft) = &item.draft {
            check_stamp(draft.at, &format!("{at}.draft"))?;
            if draft.text.chars().count() > MAX_COMMENT_CHARS {
                return Err(format!(
                    "This export is damaged: the draft on {id} is over 5,000 characters."
                ));
            }
        }
        let mut ids = std::collections::BTreeSet::new();
        for (n, c) in item.comments.iter().enumerate() {
            let where_ = format!("{at}.comments[{n}]");
            if c.id.is_empty() || c.id.chars().count() > MAX_COMMENT_ID_CHARS {
                return Err(format!(
                    "This export is damaged: {where_} has an id that is empty or over {MAX_COMMENT_ID_CHARS} characters."
                ));
            }
            if !ids.insert(c.id.as_str()) {
                return Err(format!(
                    "This export is damaged: {where_} repeats the comment id {:?} on {id}.",
                    c.id
                ));
            }
            if c.text.chars().count() > MAX_COMMENT_CHARS {
                return Err(format!(
                    "This export is damaged: a comment on {id} ({}) is over 5,000 characters.",
                    c.id
                ));
            }
            if !c.deleted && c.text.trim().is_empty() {
                return Err(format!(
                    "This export is damaged: a comment on {id} ({}) is empty.",
                    c.id
                ));
            }
            check_stamp(c.posted_at, &format!("{where_}.posted_at"))?;
            check_stamp(c.updated_at, &format!("{where_}.updated_at"))?;
        }
        for (comment, edit) in &item.edits {
            check_stamp(edit.at, &format!("{at}.edits[{comment:?}]"))?;
            if edit.text.chars().count() > MAX_COMMENT_CHARS {
                return Err(format!(
                    "This export is damaged: the edit of comment {comment} on {id} is over 5,000 characters."
                ));
            }
        }
        if let Some(p) = &item.progress {
            check_stamp(p.at, &format!("{at}.progress"))?;
            if !(0.0..=1.0).contains(&p.offset) {
                return Err(format!(
                    "This export is damaged: {at}.progress.offset is {}; it goes from 0 to 1.",
                    p.offset
                ));
            }
        }
    }
    Ok(())
}

/// Parses and validates an export file; errors say where and what. The file must hold only
/// what this version writes: an unknown field is refused by name (a misspelt one would
/// otherwise import nothing, silently).
pub fn parse_export(json: &str) -> Result<ExportFile, String> {
    if let Some(why) = too_large_to_import(json.len() as f64) {
        return Err(why);
    }
    let value: serde_json::Value = serde_json::from_str(json).map_err(|e| {
        format!(
            "This is not a Broadsheet export: not valid JSON (line {}, column {}).",
            e.line(),
            e.column()
        )
    })?;
    if value.get("format").and_then(|f| f.as_str()) != Some(EXPORT_FORMAT) {
        return Err(
            "This is not a Broadsheet export: its \"format\" is not \"broadsheet-export\".".into(),
        );
    }
    match value.get("version").and_then(|v| v.as_u64()) {
        Some(v) if v == u64::from(EXPORT_VERSION) => {}
        Some(v) => {
            return Err(format!(
                "This export is version {v}; this reader understands version {EXPORT_VERSION}."
            ))
        }
        None => return Err("This export has no \"version\".".into()),
    }
    check_fields(&value)?;
    // Decoded part by part, so that a wrong type is reported with where it is.
    let part = |key: &str| value.get(key).cloned().unwrap_or(serde_json::Value::Null);
    let damaged = |at: &str, e: serde_json::Error| format!("This export is damaged: {at}: {e}.");
    let exported_at = serde_json::from_value::<f64>(part("exported_at"))
        .map_err(|e| damaged("exported_at", e))?;
    let settings =
        serde_json::from_value::<Settings>(part("settings")).map_err(|e| damaged("settings", e))?;
    let raw_items = serde_json::from_value::<BTreeMap<String, serde_json::Value>>(part("items"))
        .map_err(|e| damaged("items", e))?;
    let mut items = BTreeMap::new();
    for (id, raw) in raw_items {
        let item = serde_json::from_value::<ItemState>(raw)
            .map_err(|e| damaged(&format!("items[{id:?}]"), e))?;
        items.insert(id, item);
    }
    let backups = serde_json::from_value::<Option<BTreeMap<String, String>>>(part("backups"))
        .map_err(|e| damaged("backups", e))?
        .unwrap_or_default();
    let is_backup_key = |k: &str| split_key(k).is_some_and(|(_, rest)| rest.starts_with("backup:"));
    if let Some(key) = backups.keys().find(|k| !is_backup_key(k)) {
        return Err(format!(
            "This export is damaged: backups holds {key:?}, which is not a backup key."
        ));
    }
    let file = ExportFile {
        format: EXPORT_FORMAT.to_owned(),
        version: EXPORT_VERSION,
        exported_at,
        settings,
        items,
        backups,
    };
    check_values(&file)?;
    Ok(file)
}
