//! Binds the storage layer to signals: the one context every component reads and writes the
//! reader's data through, and where storage problems become visible state.

use crate::store::{
    ExportFile, ImportError, ImportSummary, ItemId, ItemState, KeyValue, MemoryStore, Repository,
    Settings, StoreError,
};
use leptos::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

/// What is wrong with storage right now, for the banner, the status line and "Your data".
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Health {
    /// Storage cannot be used at all; the reason. Everything lives in memory this session.
    pub unavailable: Option<String>,
    /// The last write hit the quota; unsaved changes are kept in memory and retried.
    pub quota_full: bool,
    /// Damaged data that was set aside, and other one-off notes.
    pub problems: Vec<String>,
}

impl Health {
    pub fn is_ok(&self) -> bool {
        *self == Health::default()
    }
}

/// Changes held in this tab's memory and not yet written (storage was full, say).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Unsaved {
    /// Stories with unsaved changes.
    pub stories: usize,
    /// Of those, the ones holding a draft: "Delete all my data" keeps these.
    pub drafts: usize,
    /// Whether the reading settings are unsaved.
    pub settings: bool,
}

impl Unsaved {
    pub fn is_empty(&self) -> bool {
        self.stories == 0 && !self.settings
    }
}

/// The reader's data as signals, backed by localStorage (or memory when that is unavailable).
#[derive(Clone, Copy)]
pub struct ReaderData {
    repo: StoredValue<Repository<Box<dyn KeyValue>>, LocalStorage>,
    items: RwSignal<BTreeMap<ItemId, ItemState>>,
    /// Items changed in memory and not yet written.
    pending: StoredValue<BTreeSet<ItemId>>,
    settings_pending: StoredValue<bool>,
    pub settings: RwSignal<Settings>,
    pub health: RwSignal<Health>,
    /// Bumped after every successful write, so a "saved" status can react.
    pub saved: RwSignal<u64>,
}

/// Milliseconds since the epoch on this device's clock, for display. Changes are stamped
/// with [`ReaderData::stamp`] instead.
pub use crate::store::now;

impl ReaderData {
    /// Opens the browser's localStorage, or falls back to memory and says so. Its keys are
    /// scoped to the site's base path (`<base href>`), so copies of the reader under different
    /// paths of one origin keep separate data.
    pub fn open() -> Self {
        let scope = crate::ui::base_path();
        #[cfg(target_arch = "wasm32")]
        let opened: Result<Box<dyn KeyValue>, StoreError> =
            crate::store::LocalStore::open().map(|s| Box::new(s) as Box<dyn KeyValue>);
        #[cfg(not(target_arch = "wasm32"))]
        let opened: Result<Box<dyn KeyValue>, StoreError> =
            Err(StoreError::Unavailable("no browser".into()));
        match opened {
            Ok(kv) => Self::with_store(kv, &scope),
            Err(e) => {
                let data = Self::with_store(Box::new(MemoryStore::new()), &scope);
                data.health.update(|h| h.unavailable = Some(e.to_string()));
                data
            }
        }
    }

    /// Starts from any key-value store (tests pass a [`MemoryStore`]), with the keys of the
    /// site served under `base_path` (see [`Repository::new`]).
    pub fn with_store(kv: Box<dyn KeyValue>, base_path: &str) -> Self {
        let repo = Repository::new(kv, base_path);
        let mut health = Health::default();
        let mut settings = Settings::default();
        let now = now();
        let started = repo
            .erased_at()
            .and_then(|_| repo.migrate(now))
            .and_then(|notes| {
                health.problems.extend(notes);
                repo.load_settings(now)
            });
        match started {
            Ok(loaded) => {
                settings = loaded.value;
                health.problems.extend(loaded.problem);
            }
            // Full but readable: keep the real store, so what is saved shows and later
            // writes are retried once there is room.
            Err(StoreError::QuotaExceeded) => {
                health.quota_full = true;
                if let Ok(loaded) = repo.load_settings(now) {
                    settings = loaded.value;
                    health.problems.extend(loaded.problem);
                }
            }
            // A value from a newer version is left alone; everything else works.
            Err(e @ StoreError::NewerVersion { .. }) => {
                health.problems.push(newer_version_problem(&e));
                if let Ok(loaded) = repo.load_settings(now) {
                    settings = loaded.value;
                    health.problems.extend(loaded.problem);
                }
            }
            Err(e) => health.unavailable = Some(e.to_string()),
        }
        // A store that throws on first use is as good as missing: keep going from memory.
        let repo = if health.unavailable.is_some() {
            Repository::new(Box::new(MemoryStore::new()) as Box<dyn KeyValue>, base_path)
        } else {
            repo
        };
        ReaderData {
            repo: StoredValue::new_local(repo),
            items: RwSignal::new(BTreeMap::new()),
            pending: StoredValue::new(BTreeSet::new()),
            settings_pending: StoredValue::new(false),
            settings: RwSignal::new(settings),
            health: RwSignal::new(health),
            saved: RwSignal::new(0),
        }
    }

    /// The stamp for a change made now (reactions, drafts, comments, progress, settings):
    /// `max(now, latest stamp seen + 1)`, so the change outranks everything this tab has seen
    /// even when this device's clock is behind the one that wrote it, or went backwards.
    pub fn stamp(self) -> f64 {
        self.repo.with_value(|r| r.stamp(now()))
    }

    /// The item's state as a memo; loads it from storage on first use.
    pub fn item(self, id: ItemId) -> Memo<ItemState> {
        self.load(&id);
        let items = self.items;
        Memo::new(move |_| items.with(|m| m.get(&id).cloned().unwrap_or_default()))
    }

    /// Reads an item from storage, noting any problem in `health`; `None` when storage failed.
    fn read_item(self, id: &ItemId, now: f64) -> Option<ItemState> {
        match self.repo.with_value(|r| r.load_item(id, now)) {
            Ok(loaded) => {
                if let Some(problem) = loaded.problem {
                    self.health.update(|h| h.problems.push(problem));
                }
                Some(loaded.value)
            }
            Err(e) => {
                self.report(&e);
                None
            }
        }
    }

    fn load(self, id: &ItemId) {
        if self.items.with_untracked(|m| m.contains_key(id)) {
            return;
        }
        let state = self.read_item(id, now()).unwrap_or_default();
        self.items.update(|m| {
            m.insert(id.clone(), state);
        });
    }

    /// Changes an item in memory only; [`ReaderData::flush`] writes it (drafts debounce this way).
    pub fn update_in_memory(self, id: &ItemId, change: impl FnOnce(&mut ItemState)) {
        self.load(id);
        self.items
            .update(|m| change(m.entry(id.clone()).or_default()));
        self.pending.update_value(|p| {
            p.insert(id.clone());
        });
    }

    /// Changes an item and writes it at once.
    pub fn update(self, id: &ItemId, change: impl FnOnce(&mut ItemState)) {
        self.update_in_memory(id, change);
        self.flush();
    }

    pub fn set_settings(self, change: impl FnOnce(&mut Settings)) {
        let at = self.stamp();
        self.settings.update(|s| {
            change(s);
            s.at = at;
        });
        self.settings_pending.set_value(true);
        self.flush();
    }

    /// Whether some change is not yet written.
    pub fn has_pending(self) -> bool {
        self.settings_pending.get_value() || self.pending.with_value(|p| !p.is_empty())
    }

    /// Writes every pending change, merging with other tabs. On a full quota the changes stay
    /// in memory and are retried by the next flush.
    pub fn flush(self) {
        let ids: Vec<ItemId> = self.pending.with_value(|p| p.iter().cloned().collect());
        let mut failed: Option<StoreError> = None;
        // Refused because a newer version wrote the value: reported, kept in memory, and no
        // reason to think storage itself is full.
        let mut refused = false;
        for id in ids {
            let Some(state) = self.items.with_untracked(|m| m.get(&id).cloned()) else {
                continue;
            };
            match self.repo.with_value(|r| r.save_item(&id, &state)) {
                Ok(outcome) => {
                    self.pending.update_value(|p| {
                        p.remove(&id);
                    });
                    if let Some(problem) = outcome.problem {
                        self.health.update(|h| h.problems.push(problem));
                    }
                    if outcome.merged != state {
                        self.items.update(|m| {
                            m.insert(id, outcome.merged);
                        });
                    }
                }
                Err(e @ StoreError::NewerVersion { .. }) => {
                    self.report(&e);
                    refused = true;
                }
                Err(e) => failed = Some(e),
            }
        }
        if self.settings_pending.get_value() {
            let settings = self.settings.get_untracked();
            match self.repo.with_value(|r| r.save_settings(&settings)) {
                Ok(outcome) => {
                    self.settings_pending.set_value(false);
                    if let Some(problem) = outcome.problem {
                        self.health.update(|h| h.problems.push(problem));
                    }
                    if outcome.merged != settings {
                        self.settings.set(outcome.merged);
                    }
                }
                Err(e @ StoreError::NewerVersion { .. }) => {
                    self.report(&e);
                    refused = true;
                }
                Err(e) => failed = Some(e),
            }
        }
        match failed {
            Some(e) => self.report(&e),
            None => {
                if self.health.with_untracked(|h| h.quota_full) {
                    self.health.update(|h| h.quota_full = false);
                }
                if !refused {
                    self.saved.update(|n| *n += 1);
                }
            }
        }
    }

    fn report(self, e: &StoreError) {
        if let StoreError::NewerVersion { .. } = e {
            let problem = newer_version_problem(e);
            if !self
                .health
                .with_untracked(|h| h.problems.contains(&problem))
            {
                self.health.update(|h| h.problems.push(problem));
            }
            return;
        }
        self.health.update(|h| match e {
            StoreError::QuotaExceeded => h.quota_full = true,
            StoreError::Unavailable(why) => h.unavailable = Some(why.clone()),
            StoreError::NewerVersion { .. } => {}
        });
    }

    /// Takes in a change another tab made (the `storage` event). `key: None` means cleared.
    pub fn on_storage(self, key: Option<&str>, new_value: Option<&str>) {
        let Some(key) = key else {
            self.reload_all();
            return;
        };
        if Repository::<Box<dyn KeyValue>>::is_legacy_key(key) {
            // A tab still running an older version wrote: bring it in, then show it.
            if new_value.is_some() {
                self.migrate();
                self.reload_all();
            }
            return;
        }
        if !self.repo.with_value(|r| r.is_ours(key)) {
            // Another app's key, or another copy of the reader's (under another base path).
            return;
        }
        if let Some(id) = self.repo.with_value(|r| r.item_id(key)) {
            let id = &id;
            if !self.items.with_untracked(|m| m.contains_key(id)) {
                return;
            }
            let theirs = match new_value.map(Repository::<Box<dyn KeyValue>>::decode_item) {
                Some(Ok(state)) => state,
                Some(Err(_)) => return,
                None => ItemState::default(),
            };
            self.repo.with_value(|r| r.observe(theirs.latest_stamp()));
            let unsaved = self.pending.with_value(|p| p.contains(id));
            let mut lacking = false;
            self.items.update(|m| {
                let mine = m.entry(id.clone()).or_default();
                *mine = if new_value.is_none() && !unsaved {
                    theirs.clone()
                } else {
                    mine.merge(&theirs)
                };
                lacking = *mine != theirs;
            });
            // The stored value lacks something this tab holds (a comment another tab wrote
            // over, say): write it back at once, so a tab that reads storage next sees it too.
            // Unsaved changes are written by the flush already due (drafts are debounced).
            if lacking && !unsaved {
                self.pending.update_value(|p| {
                    p.insert(id.clone());
                });
                self.flush();
            }
        } else if let Some(erased_at) = self.repo.with_value(|r| r.erased_marker(key, new_value)) {
            // "Delete all" in another tab: keep only what changed here since.
            self.repo.with_value(|r| r.observe(erased_at));
            self.items.update(|m| {
                for state in m.values_mut() {
                    *state = state.erased_before(erased_at);
                }
            });
            if self.settings.get_untracked().at <= erased_at {
                self.settings.set(Settings::default());
            }
        } else if self.repo.with_value(|r| r.is_settings_key(key)) {
            match new_value.map(Repository::<Box<dyn KeyValue>>::decode_settings) {
                Some(Ok(theirs))
                    if crate::store::settings_win(&theirs, &self.settings.get_untracked()) =>
                {
                    self.repo.with_value(|r| r.observe(theirs.at));
                    self.settings.set(theirs)
                }
                // Older than the ones in force here: those go back into storage.
                Some(Ok(theirs)) if theirs != self.settings.get_untracked() => {
                    self.repo.with_value(|r| r.observe(theirs.at));
                    self.settings_pending.set_value(true);
                    self.flush();
                }
                None => self.settings.set(Settings::default()),
                _ => {}
            }
        }
    }

    /// Reads storage afresh for every item in memory (merging unsaved changes into what is
    /// stored) and for the settings. Items stay in the map, so memos already handed out keep
    /// showing them.
    fn reload_all(self) {
        let now = now();
        let ids: Vec<ItemId> = self.items.with_untracked(|m| m.keys().cloned().collect());
        let pending = self.pending.get_value();
        let mut fresh = BTreeMap::new();
        for id in ids {
            let Some(stored) = self.read_item(&id, now) else {
                continue;
            };
            let state = if pending.contains(&id) {
                let mine = self.items.with_untracked(|m| m[&id].clone());
                mine.merge(&stored)
            } else {
                stored
            };
            fresh.insert(id, state);
        }
        self.items.update(|m| m.extend(fresh));
        if !self.settings_pending.get_value() {
            if let Ok(loaded) = self.repo.with_value(|r| r.load_settings(now)) {
                if loaded.value != self.settings.get_untracked() {
                    self.settings.set(loaded.value);
                }
            }
        }
    }

    /// Moves keys an old version wrote into the current layout (see [`Repository::migrate`]).
    fn migrate(self) {
        match self.repo.with_value(|r| r.migrate(now())) {
            Ok(notes) => {
                if !notes.is_empty() {
                    self.health.update(|h| h.problems.extend(notes));
                }
            }
            Err(e) => self.report(&e),
        }
    }

    pub fn export(self) -> Result<ExportFile, StoreError> {
        self.migrate();
        self.flush();
        self.repo.with_value(|r| r.export(now()))
    }

    /// Merges an export file in; a bad file changes nothing. A full or failing storage is
    /// also reported in [`Health`], as any other failed write is.
    pub fn import(self, json: &str) -> Result<ImportSummary, ImportError> {
        self.flush();
        let summary = self.repo.with_value(|r| r.import(json)).inspect_err(|e| {
            if let ImportError::Storage(store) = e {
                self.report(store);
            }
        })?;
        self.reload_all();
        Ok(summary)
    }

    /// What this tab holds that is not written yet (see [`Unsaved`]).
    pub fn unsaved(self) -> Unsaved {
        let pending = self.pending.get_value();
        let drafts = self.items.with_untracked(|m| {
            pending
                .iter()
                .filter(|id| m.get(*id).is_some_and(|s| !s.draft_text().is_empty()))
                .count()
        });
        Unsaved {
            stories: pending.len(),
            drafts,
            settings: self.settings_pending.get_value(),
        }
    }

    /// Removes everything, memory included, except the drafts not yet saved (storage was
    /// full, say): those stay in the box they are typed in and are saved again at once, as
    /// another tab keeps its drafts through a "Delete all" (see `ItemState::erased_before`).
    /// Every other unsaved change is dropped; [`ReaderData::unsaved`] says beforehand what.
    pub fn delete_all(self) -> Result<usize, StoreError> {
        let removed = self.repo.with_value(|r| r.delete_all(now()))?;
        let erased_at = self.repo.with_value(|r| r.last_seen());
        let pending = self.pending.get_value();
        let kept: BTreeMap<ItemId, ItemState> = self.items.with_untracked(|m| {
            pending
                .iter()
                .filter_map(|id| {
                    let state = m.get(id)?.erased_before(erased_at);
                    (!state.draft_text().is_empty()).then(|| (id.clone(), state))
                })
                .collect()
        });
        self.pending.set_value(kept.keys().cloned().collect());
        self.settings_pending.set_value(false);
        self.items.set(kept);
        self.settings.set(Settings::default());
        self.health.update(|h| {
            h.problems.clear();
            h.quota_full = false;
        });
        if self.has_pending() {
            self.flush();
        }
        Ok(removed)
    }

    /// Removes every backup (to free space), then retries the unsaved changes.
    /// Returns how many backups were removed and the bytes freed.
    pub fn discard_all_backups(self) -> Result<(usize, usize), StoreError> {
        let freed = self.repo.with_value(|r| r.discard_all_backups())?;
        self.after_freeing();
        Ok(freed)
    }

    /// Forgets every reading position (to free space), keeping reactions, comments and drafts,
    /// then retries the unsaved changes. Returns how many stories changed and the bytes freed.
    pub fn forget_progress(self) -> Result<(usize, usize), StoreError> {
        let freed = self.repo.with_value(|r| r.forget_progress())?;
        self.items.update(|m| {
            for state in m.values_mut() {
                state.progress = None;
                state.read = false;
            }
        });
        self.after_freeing();
        Ok(freed)
    }

    /// Space was freed: what waits in memory is written now, and counts refresh.
    fn after_freeing(self) {
        if self.has_pending() {
            self.flush();
        }
        self.saved.update(|n| *n += 1);
    }

    /// Damaged data set aside, for "Your data" to list.
    pub fn backups(self) -> Result<Vec<crate::store::Backup>, StoreError> {
        self.repo.with_value(|r| r.backups())
    }

    /// What a backup holds, exactly as it was found (for the reader to download).
    pub fn backup_value(self, key: &str) -> Result<Option<String>, StoreError> {
        self.repo.with_value(|r| r.backup_value(key))
    }

    /// Removes one backup the reader chose to discard; bumps `saved` so counts refresh.
    pub fn discard_backup(self, key: &str) -> Result<bool, StoreError> {
        let removed = self.repo.with_value(|r| r.discard_backup(key))?;
        if removed {
            self.saved.update(|n| *n += 1);
        }
        Ok(removed)
    }

    pub fn bytes_used(self) -> Result<usize, StoreError> {
        self.repo.with_value(|r| r.bytes_used())
    }

    /// Ids of items stored or in memory (for home-page marks).
    pub fn all_items(self) -> Memo<BTreeMap<ItemId, ItemState>> {
        let items = self.items;
        let repo = self.repo;
        // Stored items not yet loaded are read once here.
        let ids = repo.with_value(|r| r.item_ids()).unwrap_or_default();
        for id in ids {
            self.load(&id);
        }
        Memo::new(move |_| items.get())
    }
}

/// What the reader is told when a save is refused because a newer version wrote the value.
fn newer_version_problem(e: &StoreError) -> String {
    format!("Not saved: {e}. Changes to it in this tab cannot be saved.")
}

/// The reader's data, provided by [`crate::ui::App`].
pub fn use_reader_data() -> ReaderData {
    expect_context::<ReaderData>()
}

/// One article's or brief's data, for the components that show and change it.
#[derive(Clone, Copy)]
pub struct ItemData {
    pub data: ReaderData,
    id: StoredValue<ItemId>,
    /// Its state, loaded from storage on first use.
    pub state: Memo<ItemState>,
}

impl ItemData {
    /// Changes it and writes it at once.
    pub fn update(self, change: impl FnOnce(&mut ItemState)) {
        self.id.with_value(|id| self.data.update(id, change));
    }

    /// Changes it in memory only, for a later flush (see [`ReaderData::update_in_memory`]).
    pub fn update_in_memory(self, change: impl FnOnce(&mut ItemState)) {
        self.id
            .with_value(|id| self.data.update_in_memory(id, change));
    }
}

/// The data of item `id`, from the reader's data in context.
pub fn use_item(id: ItemId) -> ItemData {
    let data = use_reader_data();
    ItemData {
        data,
        state: data.item(id.clone()),
        id: StoredValue::new(id),
    }
}

/// Keeps this tab in step with others (`storage` events) and writes pending changes when the
/// page is hidden or closed, so nothing typed a moment before is lost. The listeners last as
/// long as the calling owner (the app's root).
pub fn listen_for_changes(data: ReaderData) {
    #[cfg(target_arch = "wasm32")]
    {
        use leptos::ev;
        let storage = window_event_listener(ev::storage, move |e| {
            let is_local = e.storage_area().is_some_and(|area| {
                window_local_storage().is_some_and(|local| js_sys::Object::is(&area, &local))
            });
            if is_local {
                data.on_storage(e.key().as_deref(), e.new_value().as_deref());
            }
        });
        let pagehide = window_event_listener(ev::pagehide, move |_| data.flush());
        // Fired at the document; it bubbles up to the window.
        let hidden = window_event_listener(ev::visibilitychange, move |_| {
            if document().visibility_state() == web_sys::VisibilityState::Hidden {
                data.flush();
            }
        });
        on_cleanup(move || {
            storage.remove();
            pagehide.remove();
            hidden.remove();
        });
    }
    #[cfg(not(target_arch = "wasm32"))]
    let _ = data;
}

#[cfg(target_arch = "wasm32")]
fn window_local_storage() -> Option<web_sys::Storage> {
    window().local_storage().ok().flatten()
}
