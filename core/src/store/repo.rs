//! Namespaced, versioned keys over any [`KeyValue`]: loading with corruption backups,
//! merging writes, migration from v0, export, import and delete-all.

use super::export::{
    clamp_future_stamps, parse_export, ExportFile, ImportError, ImportSummary, EXPORT_FORMAT,
    EXPORT_VERSION,
};
use super::keys::{is_v0_key, rest_of, split_key, unscoped_key, ItemId, Keys, Rest, V0Key, SCHEMA};
use super::kv::{utf16_len, KeyValue, StoreError};
use super::state::{Draft, ItemState, ReactionMark, Settings, Theme, Unknown};
use serde::{Deserialize, Serialize};
use std::{cell::Cell, collections::BTreeMap};

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

    /// The storage key of an item.
    pub fn item_key(&self, id: &ItemId) -> String {
        self.keys.item(id)
    }

    /// The item a storage key belongs to, if it is one of ours and names an article or brief.
    pub fn item_id(&self, key: &str) -> Option<ItemId> {
        self.keys.item_id(key)
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
        is_v0_key(key)
    }

    /// Whether `key` is one an older version wrote, which [`Repository::migrate`] takes over:
    /// v0's dotted keys, or the unscoped keys of the versions before keys were scoped to the
    /// base path (`broadsheet:v1:…`, `broadsheet:schema`, `broadsheet:backup:…`).
    pub fn is_legacy_key(key: &str) -> bool {
        Self::is_v0_key(key) || matches!(split_key(key), Some((None, _)))
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
        let erased_key = unscoped_key("v1:erased");
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
            let rest = Rest::of(rest);
            if matches!(rest, Rest::Schema | Rest::Erased) {
                self.kv.remove(key)?;
                continue;
            }
            if let Some(backup) = self.keys.rescoped_backup(key) {
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
            let target = self.keys.rescoped(key);
            let merged = if let Rest::Item(id) = rest {
                match (decode::<ItemState>(&raw), ItemId::parse(id)) {
                    (Ok(item), Ok(id)) => match self.write_item(&id, &item, erased_at) {
                        Ok(_) => true,
                        Err(StoreError::NewerVersion { .. }) => false,
                        Err(e) => return Err(e),
                    },
                    _ => false,
                }
            } else if rest == Rest::Settings {
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
        let old: Vec<String> = keys.into_iter().filter(|k| is_v0_key(k)).collect();
        if old.is_empty()
            && unscoped.is_empty()
            && self.kv.get(&self.keys.schema)?.as_deref() == Some(SCHEMA)
        {
            return Ok(notes);
        }
        self.adopt_unscoped(&unscoped, now, &mut notes)?;
        let mut items: BTreeMap<ItemId, ItemState> = BTreeMap::new();
        let mut settings = None;
        // What an old tab wrote is its latest change: stamped as a change made here now.
        let at = if old.is_empty() { now } else { self.stamp(now) };
        for key in &old {
            let raw = self.kv.get(key)?.unwrap_or_default();
            let article = |slug: &str| ItemId::parse(&format!("article/{slug}")).ok();
            let ok = match V0Key::parse(key).unwrap_or(V0Key::Other) {
                V0Key::Reactions(slug) => article(slug)
                    .zip(serde_json::from_str::<Vec<super::state::Reaction>>(&raw).ok())
                    .map(|(id, list)| {
                        let item = items.entry(id).or_default();
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
                    .is_some(),
                V0Key::Draft(slug) => article(slug)
                    .map(|id| {
                        items.entry(id).or_default().draft = Some(Draft {
                            text: raw.clone(),
                            at,
                            extra: Unknown::new(),
                        });
                    })
                    .is_some(),
                V0Key::Theme => {
                    let theme = Theme::ALL.into_iter().find(|t| t.key() == raw);
                    settings = theme.map(|theme| Settings {
                        theme,
                        at,
                        ..Settings::default()
                    });
                    theme.is_some()
                }
                V0Key::Other => false,
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
        match decode::<T>(&raw) {
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
        let of_key = self.keys.backups_of(key);
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
        match decode::<T>(&raw) {
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

    pub fn load_item(&self, id: &ItemId, now: f64) -> Result<Loaded<ItemState>, StoreError> {
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
        id: &ItemId,
        state: &ItemState,
    ) -> Result<SaveOutcome<ItemState>, StoreError> {
        self.write_item(id, state, self.erased_at()?)
    }

    /// [`Repository::save_item`], dropping what changed at or before `erased_at` (0: nothing).
    fn write_item(
        &self,
        id: &ItemId,
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
    pub fn decode_item(raw: &str) -> Result<ItemState, Unreadable> {
        decode(raw)
    }

    pub fn decode_settings(raw: &str) -> Result<Settings, Unreadable> {
        decode::<Settings>(raw).map(Settings::clamped)
    }

    /// Ids of every stored item.
    pub fn item_ids(&self) -> Result<Vec<ItemId>, StoreError> {
        Ok(self
            .kv
            .keys()?
            .iter()
            .filter_map(|k| self.item_id(k))
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

    /// Checks an export file completely, then merges it in. A bad file changes nothing, and
    /// neither does a storage failure part-way (what was written is put back).
    pub fn import(&self, json: &str) -> Result<ImportSummary, ImportError> {
        self.import_at(json, now())
    }

    /// [`Repository::import`] at the time `now`: stamps later than `now` plus
    /// [`FUTURE_MARGIN_MS`] are brought back to `now` (and counted in the summary).
    pub fn import_at(&self, json: &str, now: f64) -> Result<ImportSummary, ImportError> {
        let mut file = parse_export(json)?;
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
            summary.highlights_added += after
                .visible_highlights()
                .count()
                .saturating_sub(before.visible_highlights().count());
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
            let key = self
                .keys
                .rescoped_backup(key)
                .unwrap_or_else(|| key.clone());
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
                let rest = rest_of(key).unwrap_or(Rest::Other);
                if let Rest::Item(_) = rest {
                    if let Ok(item) = decode::<ItemState>(&raw) {
                        self.observe(item.latest_stamp());
                    }
                } else if matches!(rest, Rest::Settings | Rest::Erased) {
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
            .filter(|k| !matches!(rest_of(k), Some(Rest::Schema | Rest::Erased)))
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
            let Some((of, stamp)) = self.keys.backup_parts(&key) else {
                continue;
            };
            let what = if let Some(id) = self.item_id(of) {
                format!("Reactions and comments for {id}")
            } else if self.is_settings_key(of) {
                "Reading settings".to_owned()
            } else {
                format!("Saved data “{of}”")
            };
            let at = serde_json::from_str::<f64>(stamp).ok().filter(|t| *t > 0.0);
            let of = of.to_owned();
            found.push(Backup {
                bytes: 2 * (utf16_len(&key) + utf16_len(&raw)),
                at,
                of,
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
        if !self.keys.is_backup(key) {
            return Ok(None);
        }
        self.kv.get(key)
    }

    /// Removes one backup, once the reader has chosen to; any other key is left alone.
    pub fn discard_backup(&self, key: &str) -> Result<bool, StoreError> {
        if !self.keys.is_backup(key) || self.kv.get(key)?.is_none() {
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
            let Ok(mut item) = decode::<ItemState>(&raw) else {
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
            .filter(|k| self.keys.is_backup(k))
            .collect())
    }
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
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Unreadable {
    /// Written by a newer version (its envelope's `v`): to be left alone, not set aside.
    Newer(u32),
    /// Not a value of this app, or damaged; why (the JSON decoder's account, or the version).
    Damaged(String),
}

impl std::fmt::Display for Unreadable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unreadable::Newer(v) => write!(f, "written by a newer version (storage format {v})"),
            Unreadable::Damaged(why) => f.write_str(why),
        }
    }
}

impl std::error::Error for Unreadable {}

fn decode<T: for<'de> Deserialize<'de>>(raw: &str) -> Result<T, Unreadable> {
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
