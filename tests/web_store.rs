//! Browser tests of the localStorage adapter for real, in headless Chromium: a damaged value,
//! a filled quota, and another tab's change arriving as a `storage` event.
#![cfg(target_arch = "wasm32")]

use broadsheet::store::{
    ItemState, KeyValue, LocalStore, MemoryStore, Reaction, Repository, StoreError, Theme,
};
use broadsheet::ui::reader_data::{listen_for_changes, ReaderData};
use broadsheet::ui::BasePath;
use leptos::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[path = "support/stored.rs"]
mod stored;
use stored::{item_id, ARTICLE as ID, ERASED_KEY, ITEM_KEY, SCOPE, SETTINGS_KEY};
const FILLER: &str = "test-filler:";

fn local() -> web_sys::Storage {
    web_sys::window().unwrap().local_storage().unwrap().unwrap()
}

/// Every test starts from an empty localStorage.
fn clear() {
    local().clear().unwrap();
}

/// The app's data as the reader served under `base` opens it (its page's `<base href>`, given
/// to the app as context).
fn open_under(base: &str) -> ReaderData {
    provide_context(BasePath::new(base));
    ReaderData::open()
}

fn now() -> f64 {
    js_sys::Date::now()
}

/// A repository over localStorage, as another tab would have.
fn other_tab() -> Repository<LocalStore> {
    Repository::new(LocalStore::open().unwrap(), SCOPE)
}

fn backup_keys() -> Vec<String> {
    LocalStore::open()
        .unwrap()
        .keys()
        .unwrap()
        .into_iter()
        .filter(|k| k.starts_with("broadsheet:/reader/:backup:"))
        .collect()
}

/// Sends the `storage` event a write in another tab would (a write in this document fires none).
fn dispatch_storage_event(key: Option<&str>, new_value: Option<&str>, area: &web_sys::Storage) {
    let init = web_sys::StorageEventInit::new();
    init.set_key(key);
    init.set_new_value(new_value);
    init.set_storage_area(Some(area));
    let event = web_sys::StorageEvent::new_with_event_init_dict("storage", &init).unwrap();
    web_sys::window().unwrap().dispatch_event(&event).unwrap();
}

#[wasm_bindgen_test]
fn a_damaged_value_is_kept_under_a_backup_key_and_reported() {
    clear();
    let garbage = "{\"v\":1,\"data\":{\"reactions\":<b>";
    local().set_item(ITEM_KEY, garbage).unwrap();

    let repo = Repository::new(LocalStore::open().unwrap(), SCOPE);
    let loaded = repo.load_item(&item_id(ID), now()).unwrap();
    assert_eq!(loaded.value, ItemState::default());
    let backups = backup_keys();
    assert_eq!(backups.len(), 1, "{backups:?}");
    assert_eq!(
        local().get_item(&backups[0]).unwrap().as_deref(),
        Some(garbage)
    );
    assert_eq!(local().get_item(ITEM_KEY).unwrap(), None);
    let problem = loaded.problem.expect("the reader is told");
    assert!(problem.contains(&backups[0]), "{problem}");

    // The same through the app's context: the problem reaches `health`.
    clear();
    local().set_item(ITEM_KEY, garbage).unwrap();
    let owner = Owner::new();
    owner.with(|| {
        let data = open_under(SCOPE);
        let item = data.item(item_id(ID));
        assert_eq!(item.get_untracked(), ItemState::default());
        let health = data.health.get_untracked();
        let backup = backup_keys().pop().expect("a backup key");
        assert!(
            health.problems.iter().any(|p| p.contains(&backup)),
            "{health:?}"
        );
        assert_eq!(local().get_item(&backup).unwrap().as_deref(), Some(garbage));

        // Going on with defaults writes afresh and leaves the backup alone.
        data.update(&item_id(ID), |s| s.toggle(Reaction::Like, now()));
        assert!(other_tab()
            .load_item(&item_id(ID), now())
            .unwrap()
            .value
            .reacted(Reaction::Like));
        assert_eq!(local().get_item(&backup).unwrap().as_deref(), Some(garbage));
    });
    clear();
}

/// Fills localStorage with filler keys until it refuses, each time with smaller pieces, so
/// little room is left. Returns the keys written. The refusals must come back as
/// [`StoreError::QuotaExceeded`] from the adapter.
fn fill_local_storage() -> Vec<String> {
    let store = LocalStore::open().unwrap();
    let mut keys = Vec::new();
    for size in [1 << 20, 1 << 16, 1 << 12, 1 << 8, 8] {
        let piece = "x".repeat(size);
        loop {
            let key = format!("{FILLER}{}", keys.len());
            match store.set(&key, &piece) {
                Ok(()) => keys.push(key),
                Err(StoreError::QuotaExceeded) => break,
                Err(e) => panic!("expected QuotaExceeded, got {e:?}"),
            }
        }
    }
    assert!(
        keys.len() > 4,
        "the quota was reached only after some writes"
    );
    keys
}

fn remove_fillers(keys: &[String]) {
    for key in keys {
        local().remove_item(key).unwrap();
    }
}

#[wasm_bindgen_test]
fn a_filled_quota_is_reported_state_is_kept_and_saved_once_there_is_room() {
    clear();
    let owner = Owner::new();
    owner.with(|| {
        let data = open_under(SCOPE);
        let item = data.item(item_id(ID));
        let fillers = fill_local_storage();

        // The repository refuses with the typed error and writes nothing.
        let repo = other_tab();
        let mut state = ItemState::default();
        state.toggle(Reaction::Insightful, now());
        state.set_draft(&"typed while full ".repeat(20), now());
        assert_eq!(
            repo.save_item(&item_id(ID), &state),
            Err(StoreError::QuotaExceeded)
        );
        assert_eq!(local().get_item(ITEM_KEY).unwrap(), None);

        // The app keeps the change in memory and says storage is full.
        data.update_in_memory(&item_id(ID), |s| *s = state.clone());
        data.flush();
        assert!(data.health.get_untracked().quota_full);
        assert!(data.has_pending());
        assert_eq!(item.get_untracked(), state);

        // Room again: the next flush writes it and the problem clears.
        remove_fillers(&fillers);
        data.flush();
        assert!(!data.health.get_untracked().quota_full);
        assert!(!data.has_pending());
        assert_eq!(
            other_tab().load_item(&item_id(ID), now()).unwrap().value,
            state
        );
    });
    clear();
}

#[wasm_bindgen_test]
fn another_tabs_change_shows_through_the_storage_event() {
    clear();
    let owner = Owner::new();
    owner.with(|| {
        let data = open_under(SCOPE);
        listen_for_changes(data);
        let item = data.item(item_id(ID));
        // Typed here and not yet written (drafts are debounced).
        data.update_in_memory(&item_id(ID), |s| s.set_draft("mine, unsaved", now()));

        // The other tab reacts and writes; this tab hears of it through `storage`.
        let other = other_tab();
        let mut theirs = other.load_item(&item_id(ID), now()).unwrap().value;
        theirs.toggle(Reaction::Love, now());
        other.save_item(&item_id(ID), &theirs).unwrap();
        let raw = local().get_item(ITEM_KEY).unwrap();
        dispatch_storage_event(Some(ITEM_KEY), raw.as_deref(), &local());

        let shown = item.get_untracked();
        assert!(shown.reacted(Reaction::Love), "{shown:?}");
        assert_eq!(
            shown.draft_text(),
            "mine, unsaved",
            "nothing typed here is lost"
        );

        // The same key from sessionStorage is not ours to follow.
        let session = web_sys::window()
            .unwrap()
            .session_storage()
            .unwrap()
            .unwrap();
        let mut elsewhere = theirs.clone();
        elsewhere.toggle(Reaction::Angry, now());
        let scratch = Repository::new(MemoryStore::new(), SCOPE);
        scratch.save_item(&item_id(ID), &elsewhere).unwrap();
        let encoded = scratch.kv().get(ITEM_KEY).unwrap();
        dispatch_storage_event(Some(ITEM_KEY), encoded.as_deref(), &session);
        assert!(!item.get_untracked().reacted(Reaction::Angry));

        // Settings changed in the other tab apply here too.
        let mut settings = other.load_settings(now()).unwrap().value;
        settings.theme = Theme::Sepia;
        settings.at = now() + 1.0;
        other.save_settings(&settings).unwrap();
        let raw = local().get_item(SETTINGS_KEY).unwrap();
        dispatch_storage_event(Some(SETTINGS_KEY), raw.as_deref(), &local());
        assert_eq!(data.settings.get_untracked().theme, Theme::Sepia);

        // The other tab clears storage: the unsaved draft here survives.
        other.delete_all(now()).unwrap();
        dispatch_storage_event(None, None, &local());
        assert_eq!(item.get_untracked().draft_text(), "mine, unsaved");
        // The other tab deletes everything: what it deleted goes here too; the draft stays.
        let erased = local().get_item(ERASED_KEY).unwrap();
        assert!(erased.is_some());
        dispatch_storage_event(Some(ERASED_KEY), erased.as_deref(), &local());
        let shown = item.get_untracked();
        assert!(!shown.reacted(Reaction::Love), "{shown:?}");
        assert_eq!(shown.draft_text(), "mine, unsaved");
    });
    clear();
}

#[wasm_bindgen_test]
fn two_copies_under_different_paths_of_one_origin_keep_separate_data() {
    clear();
    local()
        .set_item("broadsheet-admin", "another app's")
        .unwrap();
    const STAGING_ITEM: &str = "broadsheet:/staging/:v1:item:article/kirill-dmitriev-talks";
    let owner = Owner::new();
    owner.with(|| {
        // The copy under /staging/ opens, as its page's <base href> says, and writes.
        let staging = open_under("/staging/");
        let staged = staging.item(item_id(ID));
        staging.update(&item_id(ID), |s| s.toggle(Reaction::Sad, now()));
        staging.set_settings(|s| s.theme = Theme::Sepia);
        assert!(local().get_item(STAGING_ITEM).unwrap().is_some());

        // The copy under /reader/ sees none of it, and its storage events pass it by.
        let reader = open_under(SCOPE);
        let item = reader.item(item_id(ID));
        assert_eq!(item.get_untracked(), ItemState::default());
        assert_ne!(reader.settings.get_untracked().theme, Theme::Sepia);
        let raw = local().get_item(STAGING_ITEM).unwrap();
        reader.on_storage(Some(STAGING_ITEM), raw.as_deref());
        assert!(!item.get_untracked().reacted(Reaction::Sad));
        reader.update(&item_id(ID), |s| s.toggle(Reaction::Love, now()));
        assert!(!staged.get_untracked().reacted(Reaction::Love));

        // Delete all under /reader/ leaves /staging/'s data and the other app's key alone.
        assert!(reader.delete_all().unwrap() >= 1);
        assert_eq!(local().get_item(ITEM_KEY).unwrap(), None);
        let erased = local().get_item(ERASED_KEY).unwrap();
        staging.on_storage(Some(ERASED_KEY), erased.as_deref());
        assert!(staged.get_untracked().reacted(Reaction::Sad));
        let stored = Repository::new(LocalStore::open().unwrap(), "/staging/");
        assert!(stored
            .load_item(&item_id(ID), now())
            .unwrap()
            .value
            .reacted(Reaction::Sad));
        assert_eq!(
            stored.load_settings(now()).unwrap().value.theme,
            Theme::Sepia
        );
        assert_eq!(
            local().get_item("broadsheet-admin").unwrap().as_deref(),
            Some("another app's")
        );
    });
    clear();
}
