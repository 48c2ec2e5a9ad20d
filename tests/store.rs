//! Host tests of the reader's storage: the pure state and its merge rules, and the repository
//! over a memory store playing damaged, full, missing and shared (two-tab) storage.

use broadsheet::store::{
    Comment, ItemId, ItemState, KeyValue, MemoryStore, Reaction, Repository, Settings, StoreError,
    Theme, EXPORT_FORMAT, EXPORT_VERSION, MAX_COMMENT_CHARS,
};
use broadsheet::ui::reader_data::ReaderData;
use leptos::prelude::GetUntracked;
use std::{collections::BTreeMap, rc::Rc};

#[path = "support/stored.rs"]
mod stored;
use stored::{item_id, ARTICLE, BRIEF, ERASED_KEY, ITEM_KEY, SCHEMA_KEY, SCOPE, SETTINGS_KEY};

const NOW: f64 = 1_000.0;

/// The v0 layout (dotted keys), as an old version of the reader left it.
const V0_FIXTURE: &str = include_str!("fixtures/store_v0.json");

/// A fresh repository over a memory store, already migrated.
fn repo() -> Repository<MemoryStore> {
    let repo = Repository::new(MemoryStore::new(), SCOPE);
    repo.migrate(NOW).unwrap();
    repo
}

/// Every key and value in a store, to show that something changed nothing.
fn snapshot(kv: &impl KeyValue) -> BTreeMap<String, String> {
    kv.keys()
        .unwrap()
        .into_iter()
        .map(|k| {
            let v = kv.get(&k).unwrap().unwrap();
            (k, v)
        })
        .collect()
}

fn backups(kv: &impl KeyValue) -> Vec<String> {
    let mut keys: Vec<String> = kv
        .keys()
        .unwrap()
        .into_iter()
        .filter(|k| k.starts_with("broadsheet:/reader/:backup:"))
        .collect();
    keys.sort();
    keys
}

/// An item with a bit of everything: two reactions, a draft, a comment, progress.
fn sample_item(t: f64) -> ItemState {
    let mut item = ItemState::default();
    item.toggle(Reaction::Like, t);
    item.toggle(Reaction::Insightful, t + 1.0);
    item.post(
        "First “thoughts” — with <b>markup</b>",
        format!("{t}-a"),
        t + 2.0,
    )
    .unwrap();
    item.set_draft("half a thought", t + 3.0);
    item
}

// ---------------------------------------------------------------- pure state

#[test]
fn post_refuses_empty_whitespace_and_overlong_comments() {
    let at_limit = "é".repeat(MAX_COMMENT_CHARS);
    let over_limit = "x".repeat(MAX_COMMENT_CHARS + 1);
    let padded_at_limit = format!("  {}\n", "y".repeat(MAX_COMMENT_CHARS));
    // (text, Ok(stored text) or Err(fragment of the message))
    let cases: [(&str, Result<&str, &str>); 7] = [
        ("", Err("empty comment")),
        ("   ", Err("empty comment")),
        ("\n\t \u{a0}", Err("empty comment")),
        ("  Well said.  ", Ok("Well said.")),
        (&at_limit, Ok(&at_limit)),
        (&padded_at_limit, Ok(padded_at_limit.trim())),
        (&over_limit, Err("longer than 5,000 characters")),
    ];
    for (text, want) in cases {
        let mut item = ItemState::default();
        item.set_draft(text, 1.0);
        let before = item.clone();
        let got = item.post(text, "c1".into(), 2.0);
        match want {
            Ok(stored) => {
                assert_eq!(got, Ok(()), "{text:?}");
                let posted: Vec<&str> = item.visible_comments().map(|c| c.text.as_str()).collect();
                assert_eq!(posted, [stored], "{text:?}");
                assert_eq!(item.draft_text(), "", "posting clears the draft");
            }
            Err(fragment) => {
                let message = got.expect_err(text);
                assert!(
                    message.to_string().contains(fragment),
                    "{text:?}: {message}"
                );
                assert_eq!(item, before, "a refused comment changes nothing: {text:?}");
            }
        }
    }
}

#[test]
fn edit_refuses_what_post_refuses_and_delete_can_be_undone() {
    let mut item = ItemState::default();
    item.post("original", "c1".into(), 1.0).unwrap();
    assert!(item.edit("c1", "  ", 2.0).is_err());
    assert!(item
        .edit("c1", &"z".repeat(MAX_COMMENT_CHARS + 1), 2.0)
        .is_err());
    item.edit("c1", "changed", 3.0).unwrap();
    let c = &item.comments[0];
    assert_eq!(
        (c.text.as_str(), c.edited, c.updated_at),
        ("changed", true, 3.0)
    );

    item.set_deleted("c1", true, 4.0);
    assert_eq!(item.visible_comments().count(), 0);
    item.set_deleted("c1", false, 5.0);
    assert_eq!(item.visible_comments().count(), 1, "undo brings it back");
}

#[test]
fn merge_is_per_part_and_order_free() {
    let mut a = ItemState::default();
    let mut b = ItemState::default();
    a.toggle(Reaction::Love, 10.0); // only a
    b.toggle(Reaction::Sad, 11.0); // only b
    a.toggle(Reaction::Like, 12.0); // both, b later: b's "on, then off" wins
    b.toggle(Reaction::Like, 13.0);
    b.toggle(Reaction::Like, 14.0);
    a.set_draft("older", 15.0);
    b.set_draft("newer", 16.0);
    a.read = true;

    for merged in [a.merge(&b), b.merge(&a)] {
        assert!(merged.reacted(Reaction::Love));
        assert!(merged.reacted(Reaction::Sad));
        assert!(!merged.reacted(Reaction::Like));
        assert_eq!(merged.draft_text(), "newer");
        assert!(merged.read);
    }
    assert_eq!(a.merge(&b), b.merge(&a));
    assert_eq!(a.merge(&a), a, "merging with itself changes nothing");
}

// ---------------------------------------------------------------- corruption

#[test]
fn damaged_values_are_moved_to_a_backup_and_reported() {
    // (what is stored, why it cannot be read)
    let cases = [
        ("{not json", "not JSON"),
        ("", "empty"),
        ("[1,2,3]", "not an envelope"),
        (r#"{"v":0,"data":{}}"#, "an unknown older version"),
        (r#"{"v":1,"data":{"reactions":"lots"}}"#, "wrong shape"),
        (
            r#"{"v":1,"data":{"comments":[{"id":"x"}]}}"#,
            "comment missing fields",
        ),
    ];
    for (raw, why) in cases {
        let repo = repo();
        repo.kv().set(ITEM_KEY, raw).unwrap();
        let loaded = repo.load_item(&item_id(ARTICLE), NOW).unwrap();
        assert_eq!(loaded.value, ItemState::default(), "{why}: starts afresh");
        let backup = backups(repo.kv());
        assert_eq!(backup.len(), 1, "{why}");
        assert_eq!(
            repo.kv().get(&backup[0]).unwrap().as_deref(),
            Some(raw),
            "{why}"
        );
        assert!(backup[0].contains(ITEM_KEY), "{why}: {}", backup[0]);
        let problem = loaded.problem.expect(why);
        assert!(
            problem.contains(&backup[0]),
            "{why}: the reader is told where: {problem}"
        );
        assert!(problem.contains(ARTICLE), "{why}: and what: {problem}");
        assert_eq!(repo.kv().get(ITEM_KEY).unwrap(), None, "{why}");

        // Saving afresh does not touch the backup.
        repo.save_item(&item_id(ARTICLE), &sample_item(NOW))
            .unwrap();
        assert_eq!(
            repo.kv().get(&backup[0]).unwrap().as_deref(),
            Some(raw),
            "{why}"
        );
        assert_eq!(
            repo.load_item(&item_id(ARTICLE), NOW).unwrap().value,
            sample_item(NOW)
        );
    }
}

#[test]
fn damaged_settings_are_backed_up_too() {
    let repo = repo();
    repo.kv().set(SETTINGS_KEY, "{\"v\":1,\"data\":").unwrap();
    let loaded = repo.load_settings(NOW).unwrap();
    assert_eq!(loaded.value, Settings::default());
    assert!(loaded.problem.unwrap().contains("reading settings"));
    let backup = backups(repo.kv());
    assert_eq!(backup.len(), 1);
    assert_eq!(
        repo.kv().get(&backup[0]).unwrap().as_deref(),
        Some("{\"v\":1,\"data\":")
    );
}

#[test]
fn a_second_damage_in_the_same_moment_gets_its_own_backup() {
    let repo = repo();
    for raw in ["first garbage", "second garbage"] {
        repo.kv().set(ITEM_KEY, raw).unwrap();
        assert!(repo
            .load_item(&item_id(ARTICLE), NOW)
            .unwrap()
            .problem
            .is_some());
    }
    let kept: Vec<String> = backups(repo.kv())
        .iter()
        .map(|k| repo.kv().get(k).unwrap().unwrap())
        .collect();
    assert_eq!(kept, ["first garbage", "second garbage"]);
}

#[test]
fn damaged_value_without_room_for_a_backup_is_left_untouched() {
    let repo = repo();
    let garbage = "{\"v\":1,\"data\":{\"reactions\":[oops";
    repo.kv().set(ITEM_KEY, garbage).unwrap();
    repo.kv().set_quota(Some(0)); // no room for anything new

    let loaded = repo.load_item(&item_id(ARTICLE), NOW).unwrap();
    let problem = loaded.problem.unwrap();
    assert!(problem.contains("left untouched"), "{problem}");
    assert!(problem.contains(ITEM_KEY), "{problem}");
    assert_eq!(repo.kv().get(ITEM_KEY).unwrap().as_deref(), Some(garbage));
    assert!(backups(repo.kv()).is_empty());

    // A save must not write over it either, even though the new value would fit in its place.
    let mut item = ItemState::default();
    item.toggle(Reaction::Like, NOW);
    assert_eq!(
        repo.save_item(&item_id(ARTICLE), &item),
        Err(StoreError::QuotaExceeded)
    );
    assert_eq!(repo.kv().get(ITEM_KEY).unwrap().as_deref(), Some(garbage));

    // Once there is room, the save first sets the damaged value aside, and says so.
    repo.kv().set_quota(None);
    let outcome = repo.save_item(&item_id(ARTICLE), &item).unwrap();
    assert_eq!(outcome.merged, item);
    let backup = backups(repo.kv());
    assert_eq!(backup.len(), 1);
    assert!(outcome.problem.unwrap().contains(&backup[0]));
    assert_eq!(repo.kv().get(&backup[0]).unwrap().as_deref(), Some(garbage));
    assert_eq!(repo.load_item(&item_id(ARTICLE), NOW).unwrap().value, item);
}

// ---------------------------------------------------------------- quota

#[test]
fn a_full_quota_is_reported_and_a_later_save_succeeds() {
    let repo = repo();
    let used: usize = snapshot(repo.kv())
        .iter()
        .map(|(k, v)| k.encode_utf16().count() + v.encode_utf16().count())
        .sum();
    repo.kv().set_quota(Some(used + 10));
    let item = sample_item(NOW);
    let before = snapshot(repo.kv());

    assert_eq!(
        repo.save_item(&item_id(ARTICLE), &item),
        Err(StoreError::QuotaExceeded)
    );
    let settings = Settings {
        theme: Theme::Dark,
        at: NOW,
        ..Settings::default()
    };
    assert_eq!(
        repo.save_settings(&settings),
        Err(StoreError::QuotaExceeded)
    );
    assert_eq!(
        snapshot(repo.kv()),
        before,
        "a refused write changes nothing"
    );
    assert_eq!(item, sample_item(NOW), "the state is still there to retry");

    repo.kv().set_quota(Some(used + 10_000)); // room freed
    assert_eq!(
        repo.save_item(&item_id(ARTICLE), &item).unwrap().merged,
        item
    );
    repo.save_settings(&settings).unwrap();
    assert_eq!(repo.load_item(&item_id(ARTICLE), NOW).unwrap().value, item);
    assert_eq!(repo.load_settings(NOW).unwrap().value, settings);
}

#[test]
fn reader_data_keeps_changes_in_memory_while_full_and_retries() {
    let store = Rc::new(MemoryStore::new());
    let data = ReaderData::with_store(Box::new(store.clone()), SCOPE);
    let item = data.item(item_id(ARTICLE));
    store.set_quota(Some(0));

    data.update(&item_id(ARTICLE), |s| s.toggle(Reaction::Love, NOW));
    assert!(data.health.get_untracked().quota_full);
    assert!(data.has_pending());
    assert!(
        item.get_untracked().reacted(Reaction::Love),
        "shown from memory"
    );
    assert_eq!(store.get(ITEM_KEY).unwrap(), None);

    store.set_quota(None);
    data.update_in_memory(&item_id(ARTICLE), |s| {
        s.set_draft("typed while full", NOW + 1.0)
    });
    data.flush();
    assert!(!data.health.get_untracked().quota_full);
    assert!(!data.has_pending());
    let stored = Repository::new(store.clone(), SCOPE)
        .load_item(&item_id(ARTICLE), NOW)
        .unwrap()
        .value;
    assert!(
        stored.reacted(Reaction::Love),
        "the earlier change was retried"
    );
    assert_eq!(stored.draft_text(), "typed while full");
}

// ---------------------------------------------------------------- unavailable

#[test]
fn unavailable_storage_fails_every_call_with_a_reason() {
    let repo = repo();
    repo.kv().set_unavailable(true);
    let unavailable = |e: StoreError| matches!(e, StoreError::Unavailable(_));
    assert!(repo
        .load_item(&item_id(ARTICLE), NOW)
        .is_err_and(unavailable));
    assert!(repo
        .save_item(&item_id(ARTICLE), &sample_item(NOW))
        .is_err_and(unavailable));
    assert!(repo.load_settings(NOW).is_err_and(unavailable));
    assert!(repo.export(NOW).is_err_and(unavailable));
    assert!(repo.delete_all(NOW).is_err_and(unavailable));
    assert!(repo.bytes_used().is_err_and(unavailable));
    assert!(repo.import("{}").is_err());
    let shown = StoreError::Unavailable("storage is disabled".into()).to_string();
    assert!(shown.contains("unavailable"), "{shown}");
}

#[test]
fn reader_data_works_from_memory_when_storage_is_unavailable() {
    let store = MemoryStore::new();
    store.set_unavailable(true);
    let data = ReaderData::with_store(Box::new(store), SCOPE);
    assert!(data.health.get_untracked().unavailable.is_some());

    let item = data.item(item_id(ARTICLE));
    data.update(&item_id(ARTICLE), |s| {
        s.post("kept for this visit", "c1".into(), NOW).unwrap()
    });
    assert_eq!(item.get_untracked().visible_comments().count(), 1);
    data.set_settings(|s| s.theme = Theme::Sepia);
    assert_eq!(data.settings.get_untracked().theme, Theme::Sepia);
    assert!(!data.has_pending(), "written to the memory stand-in");
    assert_eq!(data.export().unwrap().items.len(), 1);
}

#[test]
fn reader_data_reports_storage_that_goes_away_mid_visit() {
    let store = Rc::new(MemoryStore::new());
    let data = ReaderData::with_store(Box::new(store.clone()), SCOPE);
    assert!(data.health.get_untracked().is_ok());
    store.set_unavailable(true);
    data.update(&item_id(ARTICLE), |s| s.toggle(Reaction::Sad, NOW));
    assert!(data.health.get_untracked().unavailable.is_some());
    assert!(data.has_pending(), "kept in memory");
    assert!(data
        .item(item_id(ARTICLE))
        .get_untracked()
        .reacted(Reaction::Sad));
}

// ---------------------------------------------------------------- migration

#[test]
fn migrates_the_v0_fixture() {
    let v0: BTreeMap<String, String> = serde_json::from_str(V0_FIXTURE).unwrap();
    let store = MemoryStore::new();
    for (key, value) in &v0 {
        store.set(key, value).unwrap();
    }
    let repo = Repository::new(store, SCOPE);
    let notes = repo.migrate(NOW).unwrap();

    // The one value that could not be read is kept and named.
    let backup = backups(repo.kv());
    assert_eq!(backup.len(), 1);
    assert_eq!(
        repo.kv().get(&backup[0]).unwrap().as_deref(),
        Some("like,love")
    );
    assert_eq!(notes.len(), 1);
    assert!(notes[0].contains("broadsheet.reactions.ceasefire-talks"));
    assert!(notes[0].contains(&backup[0]));

    let talks = repo.load_item(&item_id(ARTICLE), NOW).unwrap();
    assert_eq!(talks.problem, None);
    let on: Vec<Reaction> = Reaction::ALL
        .into_iter()
        .filter(|r| talks.value.reacted(*r))
        .collect();
    assert_eq!(on, [Reaction::Like, Reaction::Insightful]);
    assert_eq!(
        talks.value.draft_text(),
        "What do “three steps forward” mean — and who counts them?"
    );
    let ceasefire = repo
        .load_item(&item_id("article/ceasefire-talks"), NOW)
        .unwrap()
        .value;
    assert_eq!(
        ceasefire.draft_text(),
        "A draft whose reactions were damaged is still kept."
    );
    assert!(!ceasefire.has_reactions());
    assert_eq!(repo.load_settings(NOW).unwrap().value.theme, Theme::Sepia);

    let keys = repo.kv().keys().unwrap();
    assert!(
        !keys.iter().any(|k| k.starts_with("broadsheet.")),
        "{keys:?}"
    );
    assert_eq!(
        repo.kv().get("another-app.setting").unwrap().as_deref(),
        Some("not ours, left alone")
    );
    assert_eq!(repo.kv().get(SCHEMA_KEY).unwrap().as_deref(), Some("1"));

    // A second start finds nothing to do.
    let after = snapshot(repo.kv());
    assert_eq!(repo.migrate(NOW + 1.0).unwrap(), Vec::<String>::new());
    assert_eq!(snapshot(repo.kv()), after);
}

// ---------------------------------------------------------------- two tabs

/// Two tabs' repositories over one storage.
fn two_tabs() -> (Repository<Rc<MemoryStore>>, Repository<Rc<MemoryStore>>) {
    let store = Rc::new(MemoryStore::new());
    (
        Repository::new(store.clone(), SCOPE),
        Repository::new(store, SCOPE),
    )
}

#[test]
fn two_tabs_never_overwrite_each_others_unseen_changes() {
    // What both tabs start from: Like on, one comment, a draft.
    let mut shared_start = ItemState::default();
    shared_start.toggle(Reaction::Like, 10.0);
    shared_start
        .post("an old comment", "c0".into(), 11.0)
        .unwrap();
    shared_start.set_draft("started in one tab", 12.0);

    // Each tab changes different things and the same things, without seeing the other.
    let tab_a = |mut s: ItemState| {
        s.toggle(Reaction::Love, 20.0); // only A
        s.toggle(Reaction::Insightful, 21.0); // both: A on at 21 ...
        s.set_deleted("c0", true, 22.0); // A deletes the old comment
        s.post("from tab A", "a1".into(), 23.0).unwrap();
        s.set_draft("A's draft", 24.0);
        s
    };
    let tab_b = |mut s: ItemState| {
        s.toggle(Reaction::Angry, 30.0); // only B
        s.toggle(Reaction::Insightful, 31.0); // ... B on at 31, off at 32: B's is later
        s.toggle(Reaction::Insightful, 32.0);
        s.post("from tab B", "b1".into(), 33.0).unwrap();
        s.set_draft("B's later draft", 34.0);
        s
    };

    for a_saves_first in [true, false] {
        let store = Rc::new(MemoryStore::new());
        let a = Repository::new(store.clone(), SCOPE);
        let b = Repository::new(store.clone(), SCOPE);
        a.save_item(&item_id(ARTICLE), &shared_start).unwrap();

        let seen_by_a = a.load_item(&item_id(ARTICLE), NOW).unwrap().value;
        let seen_by_b = b.load_item(&item_id(ARTICLE), NOW).unwrap().value;
        let (mine_a, mine_b) = (tab_a(seen_by_a), tab_b(seen_by_b));
        let (first, second) = if a_saves_first {
            (
                a.save_item(&item_id(ARTICLE), &mine_a),
                b.save_item(&item_id(ARTICLE), &mine_b),
            )
        } else {
            (
                b.save_item(&item_id(ARTICLE), &mine_b),
                a.save_item(&item_id(ARTICLE), &mine_a),
            )
        };
        first.unwrap();
        let merged = second.unwrap().merged;

        let stored = a.load_item(&item_id(ARTICLE), NOW).unwrap().value;
        assert_eq!(stored, merged, "the second save returns what it stored");
        assert_eq!(stored, b.load_item(&item_id(ARTICLE), NOW).unwrap().value);

        let on: Vec<Reaction> = Reaction::ALL
            .into_iter()
            .filter(|r| stored.reacted(*r))
            .collect();
        assert_eq!(on, [Reaction::Like, Reaction::Love, Reaction::Angry]);
        let visible: Vec<&str> = stored.visible_comments().map(|c| c.text.as_str()).collect();
        assert_eq!(
            visible,
            ["from tab A", "from tab B"],
            "united; c0 stays deleted"
        );
        assert!(stored.comments.iter().any(|c| c.id == "c0" && c.deleted));
        assert_eq!(stored.draft_text(), "B's later draft");

        // A tab that saves its stale copy again brings nothing back and loses nothing.
        let again = a.save_item(&item_id(ARTICLE), &mine_a).unwrap().merged;
        assert_eq!(again, stored, "a_saves_first = {a_saves_first}");
    }
}

#[test]
fn a_tab_holding_data_from_before_delete_all_does_not_bring_it_back() {
    let (a, b) = two_tabs();
    let mut item = ItemState::default();
    item.toggle(Reaction::Like, 1.0);
    item.post("regrettable", "c1".into(), 2.0).unwrap();
    a.save_item(&item_id(ARTICLE), &item).unwrap();
    let mut settings = Settings {
        theme: Theme::Dark,
        at: 3.0,
        ..Settings::default()
    };
    a.save_settings(&settings).unwrap();

    // Tab B holds all of it in memory and types a draft it has not saved yet.
    let mut in_b = b.load_item(&item_id(ARTICLE), NOW).unwrap().value;
    in_b.set_draft("still typing", 4.0);
    a.delete_all(5.0).unwrap();

    // B's next write keeps its draft and what it changes later, nothing from before.
    in_b.toggle(Reaction::Sad, 6.0);
    let stored = b.save_item(&item_id(ARTICLE), &in_b).unwrap().merged;
    assert_eq!(stored.draft_text(), "still typing");
    assert!(!stored.reacted(Reaction::Like));
    assert!(stored.reacted(Reaction::Sad));
    assert_eq!(stored.comments, []);
    assert_eq!(b.load_item(&item_id(ARTICLE), NOW).unwrap().value, stored);
    assert_eq!(
        b.save_settings(&settings).unwrap().merged,
        Settings::default()
    );
    assert_eq!(b.kv().get(SETTINGS_KEY).unwrap(), None);
    settings.at = 7.0;
    assert_eq!(b.save_settings(&settings).unwrap().merged, settings);

    // An import brings back whatever the file holds, however old.
    let mut file = a.export(NOW).unwrap();
    file.items.insert(item_id(ARTICLE), item.clone());
    file.items.insert(item_id("article/other"), item.clone());
    b.import(&serde_json::to_string(&file).unwrap()).unwrap();
    assert_eq!(
        b.load_item(&item_id("article/other"), NOW).unwrap().value,
        item
    );
    assert!(b
        .load_item(&item_id(ARTICLE), NOW)
        .unwrap()
        .value
        .reacted(Reaction::Like));
}

#[test]
fn reader_data_drops_what_another_tab_deleted_and_keeps_the_unsaved_draft() {
    let store = Rc::new(MemoryStore::new());
    let data = ReaderData::with_store(Box::new(store.clone()), SCOPE);
    let article = data.item(item_id(ARTICLE));
    data.update(&item_id(ARTICLE), |s| s.toggle(Reaction::Like, NOW));
    data.update_in_memory(&item_id(ARTICLE), |s| {
        s.set_draft("not saved yet", NOW + 1.0)
    });

    // The other tab deletes everything; the events arrive here in the order it wrote.
    let other_tab = Repository::new(store.clone(), SCOPE);
    other_tab.delete_all(NOW + 2.0).unwrap();
    data.on_storage(Some(ITEM_KEY), None);
    let erased = store.get(ERASED_KEY).unwrap();
    data.on_storage(Some(ERASED_KEY), erased.as_deref());
    let shown = article.get_untracked();
    assert!(
        !shown.reacted(Reaction::Like),
        "deleted elsewhere, gone here"
    );
    assert_eq!(shown.draft_text(), "not saved yet");

    data.flush();
    let stored = other_tab.load_item(&item_id(ARTICLE), NOW).unwrap().value;
    assert!(!stored.reacted(Reaction::Like));
    assert_eq!(stored.draft_text(), "not saved yet");
}

#[test]
fn a_deleted_comment_stays_deleted_against_an_older_copy() {
    let (a, b) = two_tabs();
    let mut item = ItemState::default();
    item.post("regrettable", "c1".into(), 1.0).unwrap();
    a.save_item(&item_id(ARTICLE), &item).unwrap();
    let stale_in_b = b.load_item(&item_id(ARTICLE), NOW).unwrap().value;

    let mut deleted = item.clone();
    deleted.set_deleted("c1", true, 2.0);
    a.save_item(&item_id(ARTICLE), &deleted).unwrap();
    let after_b = b.save_item(&item_id(ARTICLE), &stale_in_b).unwrap().merged;
    assert_eq!(after_b.visible_comments().count(), 0);
}

#[test]
fn settings_from_a_tab_that_had_not_seen_newer_ones_are_not_written() {
    let (a, b) = two_tabs();
    let newer = Settings {
        theme: Theme::Dark,
        at: 50.0,
        ..Settings::default()
    };
    let older = Settings {
        text_size: 5,
        at: 40.0,
        ..Settings::default()
    };
    a.save_settings(&newer).unwrap();
    assert_eq!(b.save_settings(&older).unwrap().merged, newer);
    assert_eq!(a.load_settings(NOW).unwrap().value, newer);
}

// ---------------------------------------------------------------- export and import

/// A store with an article, a brief, a deleted comment, settings and a backup.
fn filled_repo() -> Repository<MemoryStore> {
    let repo = repo();
    repo.save_item(&item_id(ARTICLE), &sample_item(100.0))
        .unwrap();
    let mut brief = ItemState::default();
    brief.toggle(Reaction::Surprised, 200.0);
    brief.post("kept", "b-1".into(), 201.0).unwrap();
    brief.post("deleted", "b-2".into(), 202.0).unwrap();
    brief.set_deleted("b-2", true, 203.0);
    repo.save_item(&item_id(BRIEF), &brief).unwrap();
    repo.save_settings(&Settings {
        theme: Theme::Contrast,
        text_size: 4,
        at: 300.0,
        ..Settings::default()
    })
    .unwrap();
    repo
}

#[test]
fn export_delete_all_import_round_trip() {
    let repo = filled_repo();
    repo.kv()
        .set("broadsheet:/reader/:backup:old:1", "garbage")
        .unwrap();
    repo.kv().set("another-app.key", "theirs").unwrap();
    let exported = repo.export(NOW).unwrap();
    assert_eq!(exported.format, EXPORT_FORMAT);
    assert_eq!(exported.version, EXPORT_VERSION);
    assert_eq!(exported.items.len(), 2);
    let json = serde_json::to_string_pretty(&exported).unwrap();

    // Two items, the settings and the backup; the schema marker and others' keys stay.
    assert_eq!(repo.delete_all(NOW).unwrap(), 4);
    let left: Vec<String> = repo.kv().keys().unwrap();
    assert_eq!(left, ["another-app.key", SCHEMA_KEY, ERASED_KEY]);
    assert_eq!(repo.export(NOW).unwrap().items.len(), 0);
    assert_eq!(repo.delete_all(NOW).unwrap(), 0);

    let summary = repo.import(&json).unwrap();
    assert_eq!(
        (
            summary.items,
            summary.comments_added,
            summary.reactions_changed,
            summary.drafts_restored,
            summary.settings_changed
        ),
        (2, 2, 3, 1, true)
    );
    assert_eq!(
        summary.to_string(),
        "Imported: 2 comments added, 3 reactions changed, 1 draft restored across 2 stories; reading settings updated. 1 backup of damaged data was kept again."
    );
    let mut again = repo.export(NOW + 1.0).unwrap();
    again.exported_at = exported.exported_at;
    assert_eq!(again, exported, "everything came back, tombstone included");

    let nothing = repo.import(&json).unwrap();
    assert_eq!(
        nothing.to_string(),
        "Nothing changed: everything in the file was already here."
    );
}

#[test]
fn import_merges_with_what_is_there() {
    let source = filled_repo();
    let json = serde_json::to_string(&source.export(NOW).unwrap()).unwrap();
    let repo = repo();
    let mut mine = ItemState::default();
    mine.post("written here", "here-1".into(), 500.0).unwrap();
    repo.save_item(&item_id(ARTICLE), &mine).unwrap();

    let summary = repo.import(&json).unwrap();
    assert_eq!(summary.comments_added, 2);
    let texts: Vec<String> = repo
        .load_item(&item_id(ARTICLE), NOW)
        .unwrap()
        .value
        .visible_comments()
        .map(|c| c.text.clone())
        .collect();
    assert_eq!(
        texts,
        ["First “thoughts” — with <b>markup</b>", "written here"]
    );
}

#[test]
fn bad_import_files_are_refused_and_change_nothing() {
    let good: serde_json::Value = serde_json::to_value(filled_repo().export(NOW).unwrap()).unwrap();
    let with = |edit: &dyn Fn(&mut serde_json::Value)| {
        let mut file = good.clone();
        edit(&mut file);
        file.to_string()
    };
    let long_comment = Comment {
        id: "long".into(),
        text: "w".repeat(MAX_COMMENT_CHARS + 1),
        posted_at: 1.0,
        updated_at: 1.0,
        edited: false,
        deleted: false,
        extra: Default::default(),
    };
    // (file, a fragment of the error the reader sees)
    let cases: Vec<(String, &str)> = vec![
        ("this is not JSON".into(), "not valid JSON (line 1, column "),
        (
            "{\"format\": \"broadsheet-export\",".into(),
            "not valid JSON",
        ),
        ("".into(), "not valid JSON"),
        (
            "[1, 2, 3]".into(),
            "\"format\" is not \"broadsheet-export\"",
        ),
        (
            with(&|f| f["format"] = "another-reader".into()),
            "\"format\" is not \"broadsheet-export\"",
        ),
        (
            with(&|f| f["version"] = 2.into()),
            "version 2; this reader understands version 1",
        ),
        (
            with(&|f| {
                f.as_object_mut().unwrap().remove("version");
            }),
            "no \"version\"",
        ),
        (
            with(&|f| f["items"]["../../etc/passwd"] = serde_json::json!({})),
            "\"../../etc/passwd\" is not an article or brief",
        ),
        (
            with(&|f| f["items"]["article/"] = serde_json::json!({})),
            "is not an article or brief",
        ),
        (
            with(&|f| f["items"]["article/Not A Slug"] = serde_json::json!({})),
            "is not an article or brief",
        ),
        (
            with(&|f| {
                f["items"][ARTICLE]["comments"]
                    .as_array_mut()
                    .unwrap()
                    .push(serde_json::to_value(&long_comment).unwrap())
            }),
            "(long) is over 5,000 characters",
        ),
        (
            with(&|f| f["items"][ARTICLE]["reactions"] = "all of them".into()),
            "This export is damaged",
        ),
        (
            with(&|f| f["surprise"] = true.into()),
            "This export is damaged",
        ),
    ];
    for (file, fragment) in cases {
        let repo = filled_repo();
        repo.kv()
            .set("broadsheet:/reader/:v1:item:article/other", "damaged")
            .unwrap();
        let before = snapshot(repo.kv());
        let error = repo.import(&file).expect_err(fragment);
        let error = error.to_string();
        assert!(error.contains(fragment), "want {fragment:?}, got {error:?}");
        assert_eq!(snapshot(repo.kv()), before, "{fragment}: nothing changed");
    }
}

#[test]
fn an_import_that_runs_out_of_room_part_way_changes_nothing() {
    let json = serde_json::to_string(&filled_repo().export(NOW).unwrap()).unwrap();
    let repo = repo();
    let mut mine = ItemState::default();
    mine.toggle(Reaction::Angry, 1.0);
    repo.save_item(&item_id(BRIEF), &mine).unwrap();
    let before = snapshot(repo.kv());
    let units = |map: &BTreeMap<String, String>| -> usize {
        map.iter()
            .map(|(k, v)| k.encode_utf16().count() + v.encode_utf16().count())
            .sum()
    };
    // Room for the article (written first), not for the brief as well.
    let article_alone = Repository::new(MemoryStore::new(), SCOPE);
    article_alone
        .save_item(&item_id(ARTICLE), &sample_item(100.0))
        .unwrap();
    repo.kv()
        .set_quota(Some(units(&before) + units(&snapshot(article_alone.kv()))));

    let error = repo.import(&json).unwrap_err();
    assert_eq!(
        error.to_string(),
        "Nothing was imported: browser storage is full."
    );
    assert_eq!(snapshot(repo.kv()), before);

    repo.kv().set_quota(None);
    assert_eq!(repo.import(&json).unwrap().items, 2, "with room it goes in");
}

#[test]
fn bytes_used_counts_our_keys_in_utf16() {
    let repo = repo();
    let base = repo.bytes_used().unwrap();
    assert_eq!(base, 2 * (SCHEMA_KEY.len() + 1));
    repo.kv().set("another-app.big", &"x".repeat(1000)).unwrap();
    assert_eq!(
        repo.bytes_used().unwrap(),
        base,
        "others' keys are not ours"
    );
    // “ and ” are one UTF-16 unit each, the emoji two.
    repo.kv()
        .set("broadsheet:/reader/:backup:k", "“😀”")
        .unwrap();
    assert_eq!(
        repo.bytes_used().unwrap(),
        base + 2 * ("broadsheet:/reader/:backup:k".len() + 4)
    );
}

// ---------------------------------------------------------------- the signals over it all

#[test]
fn reader_data_shows_imports_deletions_and_other_tabs_in_memos_already_handed_out() {
    let store = Rc::new(MemoryStore::new());
    let data = ReaderData::with_store(Box::new(store.clone()), SCOPE);
    let article = data.item(item_id(ARTICLE));
    data.update(&item_id(ARTICLE), |s| s.toggle(Reaction::Angry, NOW));

    let json = serde_json::to_string(&filled_repo().export(NOW).unwrap()).unwrap();
    data.import(&json).unwrap();
    let shown = article.get_untracked();
    assert!(shown.reacted(Reaction::Angry), "mine stays");
    assert!(shown.reacted(Reaction::Like), "imported shows at once");
    assert_eq!(shown.visible_comments().count(), 1);
    assert_eq!(data.settings.get_untracked().theme, Theme::Contrast);

    // Another tab writes (the `storage` event carries the new value).
    let other_tab = Repository::new(store.clone(), SCOPE);
    let mut theirs = other_tab.load_item(&item_id(ARTICLE), NOW).unwrap().value;
    theirs.toggle(Reaction::Sad, NOW + 10.0);
    other_tab.save_item(&item_id(ARTICLE), &theirs).unwrap();
    let raw = store.get(ITEM_KEY).unwrap();
    data.on_storage(Some(ITEM_KEY), raw.as_deref());
    assert!(article.get_untracked().reacted(Reaction::Sad));

    assert!(data.delete_all().unwrap() >= 2);
    assert_eq!(article.get_untracked(), ItemState::default());
    assert_eq!(data.settings.get_untracked(), Settings::default());
    // What is left: the schema marker and when everything was deleted.
    let erased = store.get(ERASED_KEY).unwrap().unwrap();
    assert_eq!(
        data.bytes_used().unwrap(),
        2 * (SCHEMA_KEY.len() + 1 + ERASED_KEY.len() + erased.len())
    );
}

#[test]
fn a_full_storage_at_first_start_is_full_not_unavailable() {
    let store = Rc::new(MemoryStore::new());
    let mut kept = ItemState::default();
    kept.toggle(Reaction::Love, 1.0);
    Repository::new(store.clone(), SCOPE)
        .save_item(&item_id(ARTICLE), &kept)
        .unwrap();
    store.set_quota(Some(0)); // not even the schema marker fits

    let data = ReaderData::with_store(Box::new(store.clone()), SCOPE);
    let health = data.health.get_untracked();
    assert!(health.quota_full);
    assert_eq!(health.unavailable, None);
    assert!(
        data.item(item_id(ARTICLE))
            .get_untracked()
            .reacted(Reaction::Love),
        "what was saved still shows"
    );
}

#[test]
fn an_import_refused_for_lack_of_room_shows_storage_is_full() {
    let store = Rc::new(MemoryStore::new());
    let data = ReaderData::with_store(Box::new(store.clone()), SCOPE);
    let json = serde_json::to_string(&filled_repo().export(NOW).unwrap()).unwrap();
    let before = snapshot(&store);
    store.set_quota(Some(0));

    let error = data.import(&json).unwrap_err();
    assert_eq!(
        error.to_string(),
        "Nothing was imported: browser storage is full."
    );
    assert!(data.health.get_untracked().quota_full);
    assert_eq!(snapshot(&store), before);

    // A bad file is the file's fault, not storage's.
    store.set_quota(None);
    data.flush();
    assert!(data.import("{").is_err());
    assert!(data.health.get_untracked().is_ok());
}

// ---------------------------------------------------------------- clocks

/// A day, in milliseconds: how far ahead a wrong clock ran.
const DAY: f64 = 24.0 * 60.0 * 60.0 * 1000.0;

#[test]
fn stamps_outrank_everything_seen_even_when_the_clock_goes_backwards() {
    let repo = repo();
    let mut seen_ahead = ItemState::default();
    seen_ahead.toggle(Reaction::Like, 5_000.0);
    repo.save_item(&item_id(ARTICLE), &seen_ahead).unwrap();
    let fresh = Repository::new(repo.kv(), SCOPE);
    fresh.load_item(&item_id(ARTICLE), NOW).unwrap();
    // The clock reads 1,000, then 900, then 900 again: every stamp is later than the last.
    let stamps = [fresh.stamp(NOW), fresh.stamp(900.0), fresh.stamp(900.0)];
    assert_eq!(stamps, [5_001.0, 5_002.0, 5_003.0]);
    // A clock that has caught up is used as it is.
    assert_eq!(fresh.stamp(9_000.0), 9_000.0);
}

#[test]
fn changes_win_over_data_written_by_a_clock_that_ran_ahead() {
    let store = Rc::new(MemoryStore::new());
    let ahead = broadsheet::store::now() + DAY;
    let tab_ahead = Repository::new(store.clone(), SCOPE);
    let mut item = ItemState::default();
    item.toggle(Reaction::Like, ahead);
    item.post("written ahead", "c1".into(), ahead).unwrap();
    tab_ahead.save_item(&item_id(ARTICLE), &item).unwrap();
    tab_ahead
        .save_settings(&Settings {
            theme: Theme::Dark,
            at: ahead,
            ..Settings::default()
        })
        .unwrap();

    // The clock is right again; the reader changes their mind about all of it.
    let data = ReaderData::with_store(Box::new(store.clone()), SCOPE);
    let article = data.item(item_id(ARTICLE));
    data.update(&item_id(ARTICLE), |s| {
        s.toggle(Reaction::Like, data.stamp())
    });
    data.update(&item_id(ARTICLE), |s| {
        s.edit("c1", "edited later", data.stamp()).unwrap()
    });
    data.set_settings(|s| s.theme = Theme::Sepia);
    data.update(&item_id(ARTICLE), |s| {
        s.set_deleted("c1", true, data.stamp())
    });

    let stored = tab_ahead.load_item(&item_id(ARTICLE), NOW).unwrap().value;
    assert!(
        !stored.reacted(Reaction::Like),
        "the toggle stays: {stored:?}"
    );
    assert_eq!(stored.comments[0].text, "edited later");
    assert!(stored.comments[0].deleted, "the delete stays");
    assert_eq!(stored, article.get_untracked());
    assert_eq!(
        tab_ahead.load_settings(NOW).unwrap().value.theme,
        Theme::Sepia
    );
    assert_eq!(data.settings.get_untracked().theme, Theme::Sepia);
}

#[test]
fn comments_posted_after_a_delete_all_made_with_a_clock_ahead_are_kept() {
    let store = Rc::new(MemoryStore::new());
    let ahead = broadsheet::store::now() + DAY;
    Repository::new(store.clone(), SCOPE)
        .delete_all(ahead)
        .unwrap();

    // A tab started once the clock is right, and one that was open all along.
    let data = ReaderData::with_store(Box::new(store.clone()), SCOPE);
    let open_before = ReaderData::with_store(Box::new(store.clone()), SCOPE);
    let erased = store.get(ERASED_KEY).unwrap();
    open_before.on_storage(Some(ERASED_KEY), erased.as_deref());
    for (tab, text) in [(data, "posted after"), (open_before, "posted here too")] {
        tab.item(item_id(ARTICLE));
        let id = format!("{text}-id");
        tab.update(&item_id(ARTICLE), |s| {
            s.post(text, id, tab.stamp()).unwrap()
        });
        assert!(!tab.has_pending());
    }
    let stored = Repository::new(store.clone(), SCOPE)
        .load_item(&item_id(ARTICLE), NOW)
        .unwrap()
        .value;
    let texts: Vec<&str> = stored.visible_comments().map(|c| c.text.as_str()).collect();
    assert_eq!(texts.len(), 2, "{stored:?}");
    assert!(texts.contains(&"posted after") && texts.contains(&"posted here too"));
}

#[test]
fn a_delete_all_outranks_what_it_erases_whatever_the_clock() {
    let repo = repo();
    let mut item = ItemState::default();
    item.toggle(Reaction::Love, 5_000.0);
    repo.save_item(&item_id(ARTICLE), &item).unwrap();
    // This tab's clock is behind the stamp it erases.
    Repository::new(repo.kv(), SCOPE).delete_all(NOW).unwrap();
    // A stale tab writing the same again brings nothing back.
    assert!(!repo
        .save_item(&item_id(ARTICLE), &item)
        .unwrap()
        .merged
        .reacted(Reaction::Love));
}

#[test]
fn imported_stamps_in_the_future_are_clamped_and_reported() {
    let now = broadsheet::store::now();
    let mut item = ItemState::default();
    item.toggle(Reaction::Like, now + 365.0 * DAY);
    item.post("from the future", "f1".into(), now + 365.0 * DAY)
        .unwrap();
    item.toggle(Reaction::Sad, now + 60_000.0); // a minute ahead: within the margin
    let file = broadsheet::store::ExportFile {
        format: EXPORT_FORMAT.into(),
        version: EXPORT_VERSION,
        exported_at: now,
        settings: Settings {
            theme: Theme::Dark,
            at: now + 365.0 * DAY,
            ..Settings::default()
        },
        items: BTreeMap::from([(item_id(ARTICLE), item)]),
        backups: BTreeMap::new(),
    };
    let store = Rc::new(MemoryStore::new());
    let data = ReaderData::with_store(Box::new(store.clone()), SCOPE);
    let summary = data.import(&serde_json::to_string(&file).unwrap()).unwrap();
    let message = summary.to_string();
    // The reaction, the draft emptied by posting, both comment stamps, the settings.
    assert_eq!(summary.future_stamps_clamped, 5, "{message}");
    assert!(
        message.contains(
            "5 changes dated in the future (a clock set ahead) were dated to now instead."
        ),
        "{message}"
    );
    let stored = Repository::new(store.clone(), SCOPE)
        .load_item(&item_id(ARTICLE), NOW)
        .unwrap()
        .value;
    assert!(stored.latest_stamp() <= broadsheet::store::now() + 60_000.0);

    // Changes made after the import win over it.
    let article = data.item(item_id(ARTICLE));
    data.update(&item_id(ARTICLE), |s| {
        s.toggle(Reaction::Like, data.stamp())
    });
    data.set_settings(|s| s.theme = Theme::Light);
    let stored = Repository::new(store.clone(), SCOPE)
        .load_item(&item_id(ARTICLE), NOW)
        .unwrap()
        .value;
    assert!(!stored.reacted(Reaction::Like));
    assert!(!article.get_untracked().reacted(Reaction::Like));
    assert_eq!(
        Repository::new(store, SCOPE)
            .load_settings(NOW)
            .unwrap()
            .value
            .theme,
        Theme::Light
    );
}

#[test]
fn merges_of_alike_stamps_agree_in_either_order() {
    let mut a = ItemState::default();
    let mut b = ItemState::default();
    a.toggle(Reaction::Like, 10.0); // on at 10 ...
    b.toggle(Reaction::Like, 9.0);
    b.toggle(Reaction::Like, 10.0); // ... and off at 10
    a.set_draft("one", 11.0);
    b.set_draft("two", 11.0);
    a.post("same comment", "c1".into(), 12.0).unwrap();
    b.post("same comment", "c1".into(), 12.0).unwrap();
    a.set_deleted("c1", true, 13.0);
    b.edit("c1", "edited", 13.0).unwrap();
    a.progress = Some(broadsheet::store::Progress {
        paragraph: 1,
        offset: 0.5,
        at: 14.0,
    });
    b.progress = Some(broadsheet::store::Progress {
        paragraph: 2,
        offset: 0.1,
        at: 14.0,
    });
    assert_eq!(a.merge(&b), b.merge(&a));
    assert!(
        a.merge(&b).comments[0].deleted,
        "a deletion wins a tie with an edit"
    );

    // Settings: two tabs saving different settings stamped alike end with the same ones.
    let dark = Settings {
        theme: Theme::Dark,
        at: 20.0,
        ..Settings::default()
    };
    let sepia = Settings {
        theme: Theme::Sepia,
        at: 20.0,
        ..Settings::default()
    };
    let mut outcomes = Vec::new();
    for (first, second) in [(&dark, &sepia), (&sepia, &dark)] {
        let (x, y) = two_tabs();
        x.save_settings(first).unwrap();
        outcomes.push(y.save_settings(second).unwrap().merged);
    }
    assert_eq!(outcomes[0], outcomes[1]);
}

// ---------------------------------------------------------------- newer versions

/// An item as a newer version of the reader might store it: envelope version 2.
const NEWER_ITEM: &str =
    r#"{"v":2,"data":{"reactions":{"like":{"on":true,"at":5.0}},"pinned":["c1"]}}"#;

#[test]
fn a_value_from_a_newer_version_is_left_alone_and_never_written_over() {
    let repo = repo();
    repo.kv().set(ITEM_KEY, NEWER_ITEM).unwrap();
    repo.kv()
        .set(SETTINGS_KEY, r#"{"v":3,"data":{"theme":"dark","at":5.0}}"#)
        .unwrap();
    let before = snapshot(repo.kv());

    let loaded = repo.load_item(&item_id(ARTICLE), NOW).unwrap();
    assert!(
        loaded.value.reacted(Reaction::Like),
        "shown as far as it can be"
    );
    let problem = loaded.problem.unwrap();
    assert!(problem.contains("newer version of Broadsheet"), "{problem}");
    assert!(problem.contains("reload this tab"), "{problem}");
    assert!(problem.contains(ARTICLE), "{problem}");
    let settings = repo.load_settings(NOW).unwrap();
    assert_eq!(settings.value.theme, Theme::Dark);
    assert!(settings.problem.unwrap().contains("newer version"));

    let mut item = ItemState::default();
    item.toggle(Reaction::Sad, NOW);
    assert_eq!(
        repo.save_item(&item_id(ARTICLE), &item),
        Err(StoreError::NewerVersion {
            key: ITEM_KEY.into(),
            version: 2
        })
    );
    assert!(matches!(
        repo.save_settings(&Settings::default()),
        Err(StoreError::NewerVersion { version: 3, .. })
    ));
    assert!(backups(repo.kv()).is_empty(), "nothing is set aside");
    assert_eq!(snapshot(repo.kv()), before, "nothing is written or removed");
}

#[test]
fn reader_data_refuses_to_save_over_a_newer_version_and_says_to_reload() {
    let store = Rc::new(MemoryStore::new());
    store.set(ITEM_KEY, NEWER_ITEM).unwrap();
    let data = ReaderData::with_store(Box::new(store.clone()), SCOPE);
    let item = data.item(item_id(ARTICLE));
    data.update(&item_id(ARTICLE), |s| s.toggle(Reaction::Sad, data.stamp()));
    data.update(&item_id(ARTICLE), |s| {
        s.toggle(Reaction::Love, data.stamp())
    });

    assert_eq!(store.get(ITEM_KEY).unwrap().as_deref(), Some(NEWER_ITEM));
    assert!(
        item.get_untracked().reacted(Reaction::Sad),
        "kept in memory"
    );
    assert!(data.has_pending());
    let health = data.health.get_untracked();
    assert!(
        !health.quota_full && health.unavailable.is_none(),
        "{health:?}"
    );
    let refusals: Vec<&String> = health
        .problems
        .iter()
        .filter(|p| p.starts_with("Not saved"))
        .collect();
    assert_eq!(refusals.len(), 1, "said once: {health:?}");
    assert!(refusals[0].contains("newer version of Broadsheet"));
    assert!(refusals[0].contains("reload this tab"));
    assert!(refusals[0].contains(ITEM_KEY));

    // Other items are saved as usual.
    data.update(&item_id(BRIEF), |s| s.toggle(Reaction::Like, data.stamp()));
    assert!(Repository::new(store.clone(), SCOPE)
        .load_item(&item_id(BRIEF), NOW)
        .unwrap()
        .value
        .reacted(Reaction::Like));
}

#[test]
fn fields_this_version_does_not_know_are_kept_when_a_value_is_rewritten() {
    let stored = serde_json::json!({"v": 1, "data": {
        "reactions": {"like": {"on": true, "at": 5.0, "device": "phone"}},
        "draft": {"text": "draft", "at": 6.0, "format": "markdown"},
        "comments": [{"id": "c1", "text": "hi", "posted_at": 7.0, "updated_at": 7.0,
                      "pinned": true}],
        "progress": null,
        "read": false,
        "bookmarks": [{"paragraph": 2}]
    }});
    let settings = serde_json::json!({"v": 1, "data": {
        "theme": "dark", "text_size": 2, "line_width": 1, "font": "serif",
        "line_spacing": 1, "at": 5.0, "hyphenate": true
    }});
    let store = Rc::new(MemoryStore::new());
    store.set(ITEM_KEY, &stored.to_string()).unwrap();
    store.set(SETTINGS_KEY, &settings.to_string()).unwrap();

    let data = ReaderData::with_store(Box::new(store.clone()), SCOPE);
    data.item(item_id(ARTICLE));
    data.update(&item_id(ARTICLE), |s| {
        s.toggle(Reaction::Like, data.stamp());
        s.toggle(Reaction::Sad, data.stamp());
        s.set_draft("draft, longer", data.stamp());
        s.edit("c1", "hi again", data.stamp()).unwrap();
    });
    data.set_settings(|s| s.theme = Theme::Sepia);

    let item: serde_json::Value =
        serde_json::from_str(&store.get(ITEM_KEY).unwrap().unwrap()).unwrap();
    let item = &item["data"];
    assert_eq!(item["reactions"]["like"]["device"], "phone");
    assert_eq!(item["reactions"]["like"]["on"], false);
    assert_eq!(item["draft"]["format"], "markdown");
    assert_eq!(item["draft"]["text"], "draft, longer");
    assert_eq!(item["comments"][0]["pinned"], true);
    assert_eq!(item["comments"][0]["text"], "hi again");
    assert_eq!(item["bookmarks"], serde_json::json!([{"paragraph": 2}]));
    let settings: serde_json::Value =
        serde_json::from_str(&store.get(SETTINGS_KEY).unwrap().unwrap()).unwrap();
    assert_eq!(settings["data"]["hyphenate"], true);
    assert_eq!(settings["data"]["theme"], "sepia");

    // A merge with another tab's copy keeps them too.
    let mut other = ItemState::default();
    other.toggle(Reaction::Angry, 1.0);
    let merged = Repository::new(store.clone(), SCOPE)
        .save_item(&item_id(ARTICLE), &other)
        .unwrap()
        .merged;
    assert_eq!(
        merged.extra["bookmarks"],
        serde_json::json!([{"paragraph": 2}])
    );
    assert_eq!(merged.comments[0].extra["pinned"], true);
}

// ---------------------------------------------------------------- writing back

#[test]
fn what_a_storage_event_lacks_is_written_back_so_a_third_tab_sees_it() {
    let store = Rc::new(MemoryStore::new());
    let data = ReaderData::with_store(Box::new(store.clone()), SCOPE);
    let article = data.item(item_id(ARTICLE));
    data.update(&item_id(ARTICLE), |s| {
        s.post("still shown here", "c1".into(), data.stamp())
            .unwrap()
    });

    // Another tab writes a value without the comment (it wrote over it without merging).
    let mut theirs = ItemState::default();
    theirs.toggle(Reaction::Sad, data.stamp());
    let scratch = Repository::new(MemoryStore::new(), SCOPE);
    scratch.save_item(&item_id(ARTICLE), &theirs).unwrap();
    let raw = scratch.kv().get(ITEM_KEY).unwrap().unwrap();
    store.set(ITEM_KEY, &raw).unwrap();
    data.on_storage(Some(ITEM_KEY), Some(&raw));

    let shown = article.get_untracked();
    assert_eq!(shown.visible_comments().count(), 1);
    assert!(shown.reacted(Reaction::Sad));
    // A third tab, reading storage now, has both.
    let third = Repository::new(store.clone(), SCOPE)
        .load_item(&item_id(ARTICLE), NOW)
        .unwrap()
        .value;
    assert_eq!(third, shown);
    assert!(!data.has_pending());

    // An event that brings nothing new writes nothing.
    let raw = store.get(ITEM_KEY).unwrap().unwrap();
    let saved = data.saved.get_untracked();
    data.on_storage(Some(ITEM_KEY), Some(&raw));
    assert_eq!(data.saved.get_untracked(), saved);

    // Settings: older ones written by another tab give way to the ones in force here.
    data.set_settings(|s| s.theme = Theme::Contrast);
    let older = Settings {
        theme: Theme::Light,
        at: 1.0,
        ..Settings::default()
    };
    let raw_older = {
        let scratch = Repository::new(MemoryStore::new(), SCOPE);
        scratch.save_settings(&older).unwrap();
        scratch.kv().get(SETTINGS_KEY).unwrap().unwrap()
    };
    store.set(SETTINGS_KEY, &raw_older).unwrap();
    data.on_storage(Some(SETTINGS_KEY), Some(&raw_older));
    assert_eq!(data.settings.get_untracked().theme, Theme::Contrast);
    assert_eq!(
        Repository::new(store, SCOPE)
            .load_settings(NOW)
            .unwrap()
            .value
            .theme,
        Theme::Contrast
    );
}

// ---------------------------------------------------------------- hostile import files

#[test]
fn import_files_are_bounded_and_every_field_is_checked_where_it_is() {
    use broadsheet::store::MAX_IMPORT_BYTES;
    let good: serde_json::Value = serde_json::to_value(filled_repo().export(NOW).unwrap()).unwrap();
    let with = |edit: &dyn Fn(&mut serde_json::Value)| {
        let mut file = good.clone();
        edit(&mut file);
        file.to_string()
    };
    // The article's item in the file.
    // (file, a fragment of the error the reader sees)
    let cases: Vec<(String, &str)> = vec![
        // Whitespace is valid JSON padding: refused for its size alone, before it is parsed.
        (
            format!("{}{}", " ".repeat(MAX_IMPORT_BYTES), good),
            "never larger than 10 MB",
        ),
        (
            with(&|f| item(f)["rections"] = serde_json::json!({})),
            "unknown field \"rections\" in items[\"article/kirill-dmitriev-talks\"]",
        ),
        (
            with(&|f| item(f)["comments"][0]["txt"] = "typo".into()),
            "unknown field \"txt\" in items[\"article/kirill-dmitriev-talks\"].comments[0]",
        ),
        (
            with(&|f| item(f)["reactions"]["like"]["when"] = 1.into()),
            "unknown field \"when\" in items[\"article/kirill-dmitriev-talks\"].reactions.like",
        ),
        (
            with(&|f| item(f)["draft"]["txt"] = "typo".into()),
            ".draft (expected one of: text, at)",
        ),
        (
            with(&|f| {
                item(f)["progress"] = serde_json::json!({"paragraph": 1, "offset": 0.5, "at": 1, "x": 0})
            }),
            "unknown field \"x\" in items[\"article/kirill-dmitriev-talks\"].progress",
        ),
        (
            with(&|f| f["settings"]["colour"] = "red".into()),
            "unknown field \"colour\" in settings",
        ),
        (
            with(&|f| f["items"]["article/a/b/c"] = serde_json::json!({})),
            "\"article/a/b/c\" is not an article or brief",
        ),
        (
            with(&|f| f["items"]["brief/only-one"] = serde_json::json!({})),
            "\"brief/only-one\" is not an article or brief",
        ),
        (
            with(&|f| f["items"]["brief/a/b/c"] = serde_json::json!({})),
            "\"brief/a/b/c\" is not an article or brief",
        ),
        (
            with(&|f| item(f)["draft"]["text"] = "d".repeat(MAX_COMMENT_CHARS + 1).into()),
            "the draft on article/kirill-dmitriev-talks is over 5,000 characters",
        ),
        (
            with(&|f| item(f)["reactions"]["like"]["at"] = (-1.0).into()),
            "items[\"article/kirill-dmitriev-talks\"].reactions.Like has the time -1",
        ),
        (
            with(&|f| f["exported_at"] = (-5.0).into()),
            "exported_at has the time -5",
        ),
        (
            with(&|f| {
                item(f)["progress"] = serde_json::json!({"paragraph": 1, "offset": 1.5, "at": 1})
            }),
            "items[\"article/kirill-dmitriev-talks\"].progress.offset is 1.5; it goes from 0 to 1",
        ),
        (
            with(&|f| f["settings"]["text_size"] = 9.into()),
            "settings.text_size is 9; it goes from 0 to 7",
        ),
        (
            with(&|f| f["items"][BRIEF]["comments"] = "none".into()),
            "This export is damaged: items[\"brief/kirill-dmitriev-talks/ceasefire-holds\"]: invalid type",
        ),
        (
            with(&|f| {
                let first = item(f)["comments"][0].clone();
                item(f)["comments"].as_array_mut().unwrap().push(first);
            }),
            ".comments[1] repeats the comment id",
        ),
        (
            with(&|f| item(f)["comments"][0]["text"] = "   ".into()),
            "is empty",
        ),
        (
            with(&|f| item(f)["comments"][0]["id"] = "".into()),
            "comments[0] has an id that is empty",
        ),
        (
            with(&|f| {
                item(f)["edits"] = serde_json::json!({"c1": {"text": "x", "at": 1, "open": true}})
            }),
            "unknown field \"open\" in items[\"article/kirill-dmitriev-talks\"].edits[\"c1\"]",
        ),
        (
            with(&|f| {
                item(f)["edits"] = serde_json::json!({"c1": {"text": "e".repeat(MAX_COMMENT_CHARS + 1), "at": 1}})
            }),
            "the edit of comment c1 on article/kirill-dmitriev-talks is over 5,000 characters",
        ),
    ];
    for (file, fragment) in cases {
        let store = Rc::new(MemoryStore::new());
        let data = ReaderData::with_store(Box::new(store.clone()), SCOPE);
        data.update(&item_id(ARTICLE), |s| {
            s.toggle(Reaction::Angry, data.stamp())
        });
        let before = snapshot(&store);
        let shown = data.item(item_id(ARTICLE)).get_untracked();
        let error = data.import(&file).expect_err(fragment);
        let error = error.to_string();
        assert!(error.contains(fragment), "want {fragment:?}, got {error:?}");
        assert_eq!(snapshot(&store), before, "{fragment}: nothing changed");
        assert_eq!(data.item(item_id(ARTICLE)).get_untracked(), shown);
    }
    // The file itself, untouched, is fine; so is one with an edit in progress.
    assert!(repo().import(&good.to_string()).is_ok());
    let with_edit =
        with(&|f| item(f)["edits"] = serde_json::json!({"c1": {"text": "half-edited", "at": 1}}));
    assert_eq!(repo().import(&with_edit).unwrap().items, 2);
}

#[test]
fn the_size_limit_is_said_in_the_message() {
    let big = broadsheet::store::too_large_to_import(12.0 * 1024.0 * 1024.0)
        .unwrap()
        .to_string();
    assert!(big.contains("12.0 MB"), "{big}");
    assert!(big.contains("10 MB"), "{big}");
    assert_eq!(broadsheet::store::too_large_to_import(1000.0), None);
}

/// The article's item in an export file.
fn item(file: &mut serde_json::Value) -> &mut serde_json::Value {
    &mut file["items"][ARTICLE]
}

// ---------------------------------------------------------------- highlights

/// A change made to a good export file.
type Edit = dyn Fn(&mut serde_json::Value);

/// An item with two highlights (one with a note) made in `text`'s first paragraph.
fn highlighted(at: f64) -> ItemState {
    use broadsheet::anchor::Anchor;
    let text = ["Kirill Dmitriev said on Friday that talks would go on."];
    let mut item = ItemState::default();
    let said = Anchor::new(&text, 0, 16, 30).unwrap();
    item.add_highlight("h-1".into(), said, "Talks go on", at);
    item.set_note("h-1", "Who else said so?", at + 1.0);
    let talks = Anchor::new(&text, 0, 36, 41).unwrap();
    item.add_highlight("h-2".into(), talks, "Talks go on", at + 2.0);
    item
}

#[test]
fn highlights_and_notes_are_saved_exported_erased_and_imported_back() {
    let repo = repo();
    repo.save_item(&item_id(ARTICLE), &highlighted(100.0))
        .unwrap();
    let loaded = repo.load_item(&item_id(ARTICLE), NOW).unwrap().value;
    let quotes: Vec<&str> = loaded
        .visible_highlights()
        .map(|h| h.anchor.quote.as_str())
        .collect();
    assert_eq!(quotes, ["said on Friday", "talks"]);
    assert_eq!(loaded.highlights[0].note, "Who else said so?");

    let json = serde_json::to_string(&repo.export(NOW).unwrap()).unwrap();
    assert_eq!(repo.delete_all(NOW).unwrap(), 1);
    assert!(repo
        .load_item(&item_id(ARTICLE), NOW)
        .unwrap()
        .value
        .is_empty());
    let summary = repo.import(&json).unwrap();
    assert_eq!(summary.highlights_added, 2);
    assert_eq!(
        summary.to_string(),
        "Imported: 0 comments added, 0 reactions changed, 0 drafts restored, 2 highlights added across 1 story."
    );
    assert_eq!(
        repo.load_item(&item_id(ARTICLE), NOW).unwrap().value,
        loaded
    );
}

#[test]
fn a_highlight_removed_in_one_tab_stays_removed_when_an_older_tab_saves() {
    let (a, b) = two_tabs();
    a.save_item(&item_id(ARTICLE), &highlighted(10.0)).unwrap();
    let mut in_b = b.load_item(&item_id(ARTICLE), NOW).unwrap().value;
    let mut removed = in_b.clone();
    removed.set_highlight_deleted("h-2", true, 20.0);
    a.save_item(&item_id(ARTICLE), &removed).unwrap();
    // Tab B, which had not seen the removal, types a note on the other highlight.
    in_b.set_note("h-1", "typed in B", 21.0);
    let merged = b.save_item(&item_id(ARTICLE), &in_b).unwrap().merged;
    let left: Vec<(&str, &str)> = merged
        .visible_highlights()
        .map(|h| (h.id.as_str(), h.note.as_str()))
        .collect();
    assert_eq!(left, [("h-1", "typed in B")]);
}

#[test]
fn an_import_with_a_highlight_this_reader_could_not_have_made_is_refused_saying_where() {
    let source = repo();
    source
        .save_item(&item_id(ARTICLE), &highlighted(100.0))
        .unwrap();
    let good: serde_json::Value = serde_json::to_value(source.export(NOW).unwrap()).unwrap();
    let at = "items[\"article/kirill-dmitriev-talks\"].highlights";
    // (a change to the good file, what the refusal says)
    let cases: Vec<(&Edit, String)> = vec![
        (
            &|f| item(f)["highlights"][0]["colour"] = "red".into(),
            format!("unknown field \"colour\" in {at}[0]"),
        ),
        (
            &|f| item(f)["highlights"][1]["anchor"]["offset"] = 3.into(),
            format!("unknown field \"offset\" in {at}[1].anchor"),
        ),
        (
            &|f| item(f)["highlights"][1]["id"] = "h-1".into(),
            format!("{at}[1] repeats the id of an earlier highlight"),
        ),
        (
            &|f| item(f)["highlights"][0]["anchor"]["end"] = 99.into(),
            format!("{at}[0] has an anchor whose quote is not its range of characters"),
        ),
        (
            &|f| item(f)["highlights"][0]["note"] = "n".repeat(MAX_COMMENT_CHARS + 1).into(),
            format!("{at}[0] has a note over 5,000 characters"),
        ),
        (
            &|f| item(f)["highlights"][1]["updated_at"] = (-5.0).into(),
            format!("{at}[1].updated_at has the time -5"),
        ),
    ];
    let target = repo();
    let before = snapshot(target.kv());
    for (edit, expected) in cases {
        let mut file = good.clone();
        edit(&mut file);
        let error = target.import(&file.to_string()).unwrap_err().to_string();
        assert!(error.contains(&expected), "{error}\nexpected: {expected}");
        assert_eq!(snapshot(target.kv()), before, "{expected}: nothing changed");
    }
}

// ---------------------------------------------------------------- old tabs

#[test]
fn keys_an_old_version_goes_on_writing_are_migrated_whenever_they_appear() {
    let repo = repo(); // migrated once: the schema marker is there
    let mut here = ItemState::default();
    here.toggle(Reaction::Like, 10.0);
    repo.save_item(&item_id(ARTICLE), &here).unwrap();

    // A tab still running v0 writes its dotted keys.
    repo.kv()
        .set("broadsheet.reactions.kirill-dmitriev-talks", "[\"love\"]")
        .unwrap();
    repo.kv()
        .set("broadsheet.draft.kirill-dmitriev-talks", "from the old tab")
        .unwrap();
    assert_eq!(repo.migrate(NOW).unwrap(), Vec::<String>::new());
    let item = repo.load_item(&item_id(ARTICLE), NOW).unwrap().value;
    assert!(item.reacted(Reaction::Like), "merged, nothing lost");
    assert!(item.reacted(Reaction::Love));
    assert_eq!(item.draft_text(), "from the old tab");
    let keys = repo.kv().keys().unwrap();
    assert!(
        !keys.iter().any(|k| k.starts_with("broadsheet.")),
        "{keys:?}"
    );
    assert!(repo.export(NOW).unwrap().items[&item_id(ARTICLE)].reacted(Reaction::Love));
}

#[test]
fn reader_data_takes_in_an_old_tabs_write_from_the_storage_event() {
    let store = Rc::new(MemoryStore::new());
    let data = ReaderData::with_store(Box::new(store.clone()), SCOPE);
    let article = data.item(item_id(ARTICLE));
    store.set("broadsheet.theme", "sepia").unwrap();
    data.on_storage(Some("broadsheet.theme"), Some("sepia"));
    store
        .set("broadsheet.reactions.kirill-dmitriev-talks", "[\"sad\"]")
        .unwrap();
    data.on_storage(
        Some("broadsheet.reactions.kirill-dmitriev-talks"),
        Some("[\"sad\"]"),
    );
    assert!(article.get_untracked().reacted(Reaction::Sad));
    assert_eq!(data.settings.get_untracked().theme, Theme::Sepia);
    assert_eq!(store.get("broadsheet.theme").unwrap(), None);

    // Written without an event this tab heard of: an export still has it.
    store
        .set("broadsheet.draft.another-story", "kept for export")
        .unwrap();
    let file = data.export().unwrap();
    assert_eq!(
        file.items[&item_id("article/another-story")].draft_text(),
        "kept for export"
    );
}

// ---------------------------------------------------------------- backups

#[test]
fn a_retried_save_keeps_one_backup_of_the_same_damaged_value() {
    let repo = repo();
    repo.kv().set(ITEM_KEY, "garbage").unwrap();
    let units: usize = snapshot(repo.kv())
        .iter()
        .map(|(k, v)| k.encode_utf16().count() + v.encode_utf16().count())
        .sum();
    // Room for a backup of the garbage, not for the item written after it.
    repo.kv().set_quota(Some(units + 200));
    let mut item = ItemState::default();
    item.set_draft(&"long ".repeat(100), NOW);
    for _attempt in 0..3 {
        assert_eq!(
            repo.save_item(&item_id(ARTICLE), &item),
            Err(StoreError::QuotaExceeded)
        );
    }
    assert_eq!(backups(repo.kv()).len(), 1);
    repo.kv().set_quota(None);
    repo.save_item(&item_id(ARTICLE), &item).unwrap();
    assert_eq!(backups(repo.kv()).len(), 1);
}

#[test]
fn backups_are_listed_exported_and_discarded_one_by_one() {
    let repo = repo();
    repo.kv().set(ITEM_KEY, "garbage").unwrap();
    repo.kv().set(SETTINGS_KEY, "{oops").unwrap();
    repo.load_item(&item_id(ARTICLE), 5_000.0).unwrap();
    repo.load_settings(6_000.0).unwrap();
    let list = repo.backups().unwrap();
    let what: Vec<(&str, Option<f64>)> = list.iter().map(|b| (b.what.as_str(), b.at)).collect();
    assert_eq!(
        what,
        [
            (
                "Reactions and comments for article/kirill-dmitriev-talks",
                Some(5_000.0)
            ),
            ("Reading settings", Some(6_000.0)),
        ]
    );
    assert_eq!(list[0].of, ITEM_KEY);
    assert_eq!(list[0].bytes, 2 * (list[0].key.len() + "garbage".len()));
    assert_eq!(
        repo.backup_value(&list[0].key).unwrap().as_deref(),
        Some("garbage")
    );
    assert_eq!(
        repo.backup_value(SETTINGS_KEY).unwrap(),
        None,
        "not a backup"
    );

    // The export carries them; an import into another browser keeps them again.
    let file = repo.export(NOW).unwrap();
    assert_eq!(file.backups.len(), 2);
    let elsewhere = self::repo();
    let summary = elsewhere
        .import(&serde_json::to_string(&file).unwrap())
        .unwrap();
    assert_eq!(summary.backups_restored, 2);
    assert_eq!(
        summary.to_string(),
        "Nothing else changed: everything else in the file was already here. 2 backups of damaged data were kept again."
    );
    assert_eq!(backups(elsewhere.kv()), backups(repo.kv()));

    assert!(repo.discard_backup(&list[0].key).unwrap());
    assert!(!repo.discard_backup(SETTINGS_KEY).unwrap(), "only backups");
    assert_eq!(repo.backups().unwrap().len(), 1);
}

// ---------------------------------------------------------------- keys scoped to the base path

#[test]
fn the_scope_is_the_base_path_with_its_slashes_and_no_colon() {
    use broadsheet::store::{key_prefix, scope_of};
    assert_eq!(scope_of("/reader"), "/reader/");
    assert_eq!(scope_of("/reader/"), "/reader/");
    assert_eq!(scope_of(""), "/");
    assert_eq!(scope_of("/"), "/");
    assert_eq!(scope_of("/a/b"), "/a/b/");
    // The first `:` after the scope ends it, so no scope's prefix starts another's keys.
    assert_eq!(key_prefix("/a:b/"), "broadsheet:/a%3Ab/:");
    assert_eq!(key_prefix("/reader"), "broadsheet:/reader/:");
    let repo = Repository::new(MemoryStore::new(), "/reader");
    assert_eq!(repo.item_key(&item_id(ARTICLE)), ITEM_KEY);
    assert_eq!(repo.item_id(ITEM_KEY), Some(item_id(ARTICLE)));
    assert_eq!(
        repo.item_id("broadsheet:/reader/x/:v1:item:article/kirill-dmitriev-talks"),
        None
    );
    assert!(repo.is_ours(SETTINGS_KEY));
    assert!(!repo.is_ours("broadsheet:/reader/x/:v1:settings"));
    assert!(!repo.is_ours("broadsheet:/:v1:settings"));
}

/// A store shared by two copies of the reader (`/reader/` and `/staging/`) and another app,
/// each with something kept.
fn shared_by_two_copies_and_another_app() -> (
    Rc<MemoryStore>,
    Repository<Rc<MemoryStore>>,
    Repository<Rc<MemoryStore>>,
) {
    let store = Rc::new(MemoryStore::new());
    store.set("broadsheet-admin", "another app's").unwrap();
    store.set("broadsheet", "a bare key").unwrap();
    store.set("broadsheetx:v1:item:a", "not ours").unwrap();
    let reader = Repository::new(store.clone(), SCOPE);
    let staging = Repository::new(store.clone(), "/staging/");
    for repo in [&reader, &staging] {
        repo.migrate(NOW).unwrap();
        repo.save_item(&item_id(ARTICLE), &sample_item(100.0))
            .unwrap();
        repo.save_settings(&Settings {
            theme: Theme::Sepia,
            at: 300.0,
            ..Settings::default()
        })
        .unwrap();
    }
    // One damaged value each, set aside under a backup.
    for repo in [&reader, &staging] {
        damage_brief(repo, "damaged");
        assert_eq!(repo.backups().unwrap().len(), 1);
    }
    (store, reader, staging)
}

#[test]
fn delete_all_leaves_other_apps_and_other_copies_of_the_reader_alone() {
    let (store, reader, staging) = shared_by_two_copies_and_another_app();
    let staging_before: BTreeMap<String, String> = snapshot(&store)
        .into_iter()
        .filter(|(k, _)| k.starts_with("broadsheet:/staging/:"))
        .collect();
    assert_eq!(staging_before.len(), 4, "{staging_before:?}");

    // The item, the settings and the backup of /reader/.
    assert_eq!(reader.delete_all(NOW).unwrap(), 3);
    let left = snapshot(&store);
    assert_eq!(left["broadsheet-admin"], "another app's");
    assert_eq!(left["broadsheet"], "a bare key");
    assert_eq!(left["broadsheetx:v1:item:a"], "not ours");
    for (key, value) in &staging_before {
        assert_eq!(left.get(key), Some(value), "{key} is /staging/'s");
    }
    let mine: Vec<&String> = left
        .keys()
        .filter(|k| k.starts_with("broadsheet:/reader/:"))
        .collect();
    assert_eq!(mine, [SCHEMA_KEY, ERASED_KEY]);

    // /staging/ goes on as before: nothing of it was erased, not even in memory.
    assert_eq!(staging.erased_at().unwrap(), 0.0);
    assert_eq!(
        staging.load_item(&item_id(ARTICLE), NOW).unwrap().value,
        sample_item(100.0)
    );
    assert_eq!(staging.backups().unwrap().len(), 1);
}

#[test]
fn bytes_used_export_and_backups_count_only_this_scope() {
    let (store, reader, staging) = shared_by_two_copies_and_another_app();
    let of_scope = |prefix: &str| -> usize {
        snapshot(&store)
            .iter()
            .filter(|(k, _)| k.starts_with(prefix))
            .map(|(k, v)| 2 * (k.encode_utf16().count() + v.encode_utf16().count()))
            .sum()
    };
    assert_eq!(
        reader.bytes_used().unwrap(),
        of_scope("broadsheet:/reader/:")
    );
    assert_eq!(
        staging.bytes_used().unwrap(),
        of_scope("broadsheet:/staging/:")
    );
    staging
        .save_item(&item_id("article/only-staging"), &sample_item(500.0))
        .unwrap();
    let exported = reader.export(NOW).unwrap();
    assert_eq!(
        exported.items.keys().collect::<Vec<_>>(),
        [&item_id(ARTICLE)]
    );
    assert_eq!(exported.backups.len(), 1);
    assert!(exported
        .backups
        .keys()
        .all(|k| k.starts_with("broadsheet:/reader/:backup:")));
    assert!(reader
        .backups()
        .unwrap()
        .iter()
        .all(|b| b.key.starts_with("broadsheet:/reader/:backup:")));
    // /staging/'s backup cannot be read or discarded through /reader/.
    let theirs = staging.backups().unwrap()[0].key.clone();
    assert_eq!(reader.backup_value(&theirs).unwrap(), None);
    assert!(!reader.discard_backup(&theirs).unwrap());
    assert_eq!(staging.backups().unwrap().len(), 1);
}

#[test]
fn an_export_from_another_path_imports_its_backups_under_this_one() {
    let (_, reader, _) = shared_by_two_copies_and_another_app();
    let json = serde_json::to_string(&reader.export(NOW).unwrap()).unwrap();
    let elsewhere = Repository::new(MemoryStore::new(), "/news/");
    let summary = elsewhere.import(&json).unwrap();
    assert_eq!((summary.items, summary.backups_restored), (1, 1));
    let backups = elsewhere.backups().unwrap();
    assert!(
        backups[0]
            .key
            .starts_with("broadsheet:/news/:backup:broadsheet:/news/:v1:item:brief/"),
        "{backups:?}"
    );
    assert_eq!(
        backups[0].what,
        format!("Reactions and comments for {BRIEF}")
    );
}

#[test]
fn unscoped_keys_are_taken_over_once_by_the_first_copy_to_start() {
    let store = Rc::new(MemoryStore::new());
    // As the version before scoping left them.
    let before = Repository::new(MemoryStore::new(), SCOPE);
    before
        .save_item(&item_id(ARTICLE), &sample_item(100.0))
        .unwrap();
    let item_raw = before.kv().get(ITEM_KEY).unwrap().unwrap();
    let settings = Settings {
        theme: Theme::Contrast,
        at: 300.0,
        ..Settings::default()
    };
    before.save_settings(&settings).unwrap();
    let settings_raw = before.kv().get(SETTINGS_KEY).unwrap().unwrap();
    store
        .set(
            "broadsheet:v1:item:article/kirill-dmitriev-talks",
            &item_raw,
        )
        .unwrap();
    store.set("broadsheet:v1:settings", &settings_raw).unwrap();
    store
        .set("broadsheet:v1:item:article/damaged", "garbage")
        .unwrap();
    store.set("broadsheet:schema", "1").unwrap();
    store
        .set(
            "broadsheet:backup:broadsheet:v1:item:article/older:50",
            "set aside before",
        )
        .unwrap();
    store
        .set("broadsheet:v1:erased", "{\"v\":1,\"data\":10.0}")
        .unwrap();
    store.set("broadsheet.theme", "sepia").unwrap(); // v0, older still
    store.set("broadsheet-admin", "another app's").unwrap();

    let reader = Repository::new(store.clone(), SCOPE);
    reader.migrate(NOW).unwrap();
    let keys = store.keys().unwrap();
    assert!(
        keys.iter()
            .all(|k| !Repository::<MemoryStore>::is_legacy_key(k)),
        "{keys:?}"
    );
    assert_eq!(
        reader.load_item(&item_id(ARTICLE), NOW).unwrap().value,
        sample_item(100.0)
    );
    // The v0 theme is migrated as a change made now: it outranks the v1 settings.
    assert_eq!(reader.load_settings(NOW).unwrap().value.theme, Theme::Sepia);
    assert_eq!(reader.erased_at().unwrap(), 10.0);
    // The damaged value moved as it was, and is set aside when read.
    assert_eq!(
        store
            .get("broadsheet:/reader/:v1:item:article/damaged")
            .unwrap()
            .as_deref(),
        Some("garbage")
    );
    let backups = reader.backups().unwrap();
    assert_eq!(backups.len(), 1, "{backups:?}");
    assert_eq!(
        backups[0].key,
        "broadsheet:/reader/:backup:broadsheet:/reader/:v1:item:article/older:50"
    );
    assert_eq!(backups[0].what, "Reactions and comments for article/older");
    assert_eq!(
        store.get("broadsheet-admin").unwrap().as_deref(),
        Some("another app's")
    );
    assert_eq!(store.get(SCHEMA_KEY).unwrap().as_deref(), Some("1"));

    // The second copy to start finds nothing left to take, and the first keeps what it took.
    let staging = Repository::new(store.clone(), "/staging/");
    let snapshot_before = snapshot(&store);
    staging.migrate(NOW).unwrap();
    assert_eq!(staging.export(NOW).unwrap().items.len(), 0);
    assert_eq!(
        snapshot(&store).len(),
        snapshot_before.len() + 1,
        "only /staging/'s schema marker was added"
    );
    // Run again, the migration changes nothing.
    let again = snapshot(&store);
    reader.migrate(NOW).unwrap();
    assert_eq!(snapshot(&store), again);
}

#[test]
fn unscoped_keys_an_older_tab_writes_later_are_merged_not_written_over() {
    let store = Rc::new(MemoryStore::new());
    let data = ReaderData::with_store(Box::new(store.clone()), SCOPE);
    let article = data.item(item_id(ARTICLE));
    data.update(&item_id(ARTICLE), |s| s.toggle(Reaction::Love, NOW));
    // A tab of the version before scoping (not reloaded after the update) writes.
    let mut theirs = ItemState::default();
    theirs.toggle(Reaction::Sad, NOW + 1.0);
    let scratch = Repository::new(MemoryStore::new(), SCOPE);
    scratch.save_item(&item_id(ARTICLE), &theirs).unwrap();
    let raw = scratch.kv().get(ITEM_KEY).unwrap().unwrap();
    let old_key = "broadsheet:v1:item:article/kirill-dmitriev-talks";
    store.set(old_key, &raw).unwrap();
    data.on_storage(Some(old_key), Some(&raw));
    let shown = article.get_untracked();
    assert!(
        shown.reacted(Reaction::Love) && shown.reacted(Reaction::Sad),
        "{shown:?}"
    );
    assert_eq!(store.get(old_key).unwrap(), None);
    let stored = Repository::new(store.clone(), SCOPE)
        .load_item(&item_id(ARTICLE), NOW)
        .unwrap()
        .value;
    assert_eq!(stored, shown);
}

#[test]
fn another_copys_storage_events_are_not_ours() {
    let store = Rc::new(MemoryStore::new());
    let data = ReaderData::with_store(Box::new(store.clone()), SCOPE);
    let article = data.item(item_id(ARTICLE));
    data.update(&item_id(ARTICLE), |s| s.toggle(Reaction::Love, NOW));
    let staging = Repository::new(store.clone(), "/staging/");
    staging.delete_all(NOW + 10.0).unwrap();
    let marker = "broadsheet:/staging/:v1:erased";
    let raw = store.get(marker).unwrap();
    data.on_storage(Some(marker), raw.as_deref());
    assert!(article.get_untracked().reacted(Reaction::Love));
    let mut theirs = ItemState::default();
    theirs.toggle(Reaction::Sad, NOW + 20.0);
    staging.save_item(&item_id(ARTICLE), &theirs).unwrap();
    let key = staging.item_key(&item_id(ARTICLE));
    let raw = store.get(&key).unwrap();
    data.on_storage(Some(&key), raw.as_deref());
    assert!(!article.get_untracked().reacted(Reaction::Sad));
}

// ---------------------------------------------------------------- freeing space without loss

/// UTF-16 units of every key and value in a store, as the memory store's quota counts them.
fn units(kv: &impl KeyValue) -> usize {
    snapshot(kv)
        .iter()
        .map(|(k, v)| k.encode_utf16().count() + v.encode_utf16().count())
        .sum()
}

/// Saves `n` stories the reader only read (a reading position each), and one damaged value
/// set aside as a backup of `backup_chars` characters.
fn read_stories_and_a_backup(repo: &Repository<impl KeyValue>, n: usize, backup_chars: usize) {
    for i in 0..n {
        let item = ItemState {
            progress: Some(broadsheet::store::Progress {
                paragraph: 3,
                offset: 0.25,
                at: 50.0 + i as f64,
            }),
            read: i % 2 == 0,
            ..ItemState::default()
        };
        repo.save_item(&ItemId::article(&format!("read-story-{i}")), &item)
            .unwrap();
    }
    damage_brief(repo, &"#".repeat(backup_chars));
}

/// Writes `raw` (not JSON of an item) under the brief's key, and loads it: the load reports it.
fn damage_brief<K: KeyValue>(repo: &Repository<K>, raw: &str) {
    repo.kv().set(&repo.item_key(&item_id(BRIEF)), raw).unwrap();
    assert!(repo
        .load_item(&item_id(BRIEF), NOW)
        .unwrap()
        .problem
        .is_some());
}

#[test]
fn forgetting_reading_positions_keeps_reactions_comments_and_drafts() {
    let (store, reader, staging) = shared_by_two_copies_and_another_app();
    read_stories_and_a_backup(&reader, 4, 10);
    let staging_before: BTreeMap<String, String> = snapshot(&store)
        .into_iter()
        .filter(|(k, _)| k.starts_with("broadsheet:/staging/:"))
        .collect();
    let mut with_position = sample_item(100.0);
    with_position.progress = Some(broadsheet::store::Progress {
        paragraph: 2,
        offset: 0.5,
        at: 110.0,
    });
    with_position.read = true;
    reader.save_item(&item_id(ARTICLE), &with_position).unwrap();
    let used = reader.bytes_used().unwrap();

    let (stories, freed) = reader.forget_progress().unwrap();
    assert_eq!(stories, 5, "the four read stories and the article");
    assert_eq!(reader.bytes_used().unwrap(), used - freed);
    assert_eq!(
        reader.load_item(&item_id(ARTICLE), NOW).unwrap().value,
        sample_item(100.0)
    );
    assert_eq!(
        reader.item_ids().unwrap(),
        [item_id(ARTICLE)],
        "read-only stories go"
    );
    assert_eq!(reader.backups().unwrap().len(), 2, "backups stay");
    let staging_after: BTreeMap<String, String> = snapshot(&store)
        .into_iter()
        .filter(|(k, _)| k.starts_with("broadsheet:/staging/:"))
        .collect();
    assert_eq!(staging_after, staging_before);
    assert_eq!(
        staging.load_item(&item_id(ARTICLE), NOW).unwrap().value,
        sample_item(100.0)
    );
    assert_eq!(reader.forget_progress().unwrap(), (0, 0));
}

#[test]
fn discarding_all_backups_takes_only_this_scopes_backups() {
    let (_, reader, staging) = shared_by_two_copies_and_another_app();
    read_stories_and_a_backup(&reader, 0, 1000);
    let used = reader.bytes_used().unwrap();
    let (n, freed) = reader.discard_all_backups().unwrap();
    assert_eq!(n, 2);
    assert!(freed > 2000, "{freed}");
    assert_eq!(reader.bytes_used().unwrap(), used - freed);
    assert!(reader.backups().unwrap().is_empty());
    assert_eq!(staging.backups().unwrap().len(), 1);
    assert_eq!(
        reader.load_item(&item_id(ARTICLE), NOW).unwrap().value,
        sample_item(100.0)
    );
    assert_eq!(reader.discard_all_backups().unwrap(), (0, 0));
}

#[test]
fn with_storage_full_freeing_space_saves_the_unsaved_draft() {
    let store = Rc::new(MemoryStore::new());
    let data = ReaderData::with_store(Box::new(store.clone()), SCOPE);
    let repo = Repository::new(store.clone(), SCOPE);
    read_stories_and_a_backup(&repo, 10, 2000);
    let article = data.item(item_id(ARTICLE));
    data.update(&item_id(ARTICLE), |s| s.toggle(Reaction::Love, NOW));
    store.set_quota(Some(units(&*store) + 20));

    // Typed while full: kept in memory, reported.
    let words = "Words typed while storage was full. ".repeat(8);
    data.update_in_memory(&item_id(ARTICLE), |s| s.set_draft(&words, NOW + 1.0));
    data.flush();
    assert!(data.health.get_untracked().quota_full);
    assert!(data.has_pending());

    // Forgetting the reading positions makes room, and the draft is saved at once.
    let (stories, _) = data.forget_progress().unwrap();
    assert_eq!(stories, 10);
    assert!(!data.health.get_untracked().quota_full);
    assert!(!data.has_pending());
    let stored = repo.load_item(&item_id(ARTICLE), NOW).unwrap().value;
    assert_eq!(stored.draft_text(), words);
    assert!(stored.reacted(Reaction::Love));
    assert_eq!(article.get_untracked(), stored);

    // Full again; discarding the backups makes room.
    store.set_quota(Some(units(&*store) + 20));
    let more = format!("{words}{}", "And more words. ".repeat(40));
    data.update_in_memory(&item_id(ARTICLE), |s| s.set_draft(&more, NOW + 2.0));
    data.flush();
    assert!(data.health.get_untracked().quota_full);
    assert_eq!(data.discard_all_backups().unwrap().0, 1);
    assert!(!data.health.get_untracked().quota_full);
    assert!(!data.has_pending());
    assert_eq!(
        repo.load_item(&item_id(ARTICLE), NOW)
            .unwrap()
            .value
            .draft_text(),
        more
    );
}

#[test]
fn delete_all_keeps_unsaved_drafts_and_says_beforehand_what_is_lost() {
    use broadsheet::ui::reader_data::Unsaved;
    let store = Rc::new(MemoryStore::new());
    let data = ReaderData::with_store(Box::new(store.clone()), SCOPE);
    let article = data.item(item_id(ARTICLE));
    let brief = data.item(item_id(BRIEF));
    data.update(&item_id(ARTICLE), |s| s.toggle(Reaction::Like, NOW));
    read_stories_and_a_backup(&Repository::new(store.clone(), SCOPE), 3, 100);
    assert_eq!(data.unsaved(), Unsaved::default());
    store.set_quota(Some(units(&*store) + 10));

    data.update_in_memory(&item_id(ARTICLE), |s| {
        s.set_draft("unsaved words", NOW + 1.0)
    });
    data.update_in_memory(&item_id(BRIEF), |s| s.toggle(Reaction::Sad, NOW + 2.0));
    data.set_settings(|s| s.theme = Theme::Dark);
    data.flush();
    assert!(data.health.get_untracked().quota_full);
    assert_eq!(
        data.unsaved(),
        Unsaved {
            stories: 2,
            drafts: 1,
            settings: true
        }
    );

    data.delete_all().unwrap();
    // The unsaved draft stays in its box and is saved again; the rest is gone.
    assert_eq!(article.get_untracked().draft_text(), "unsaved words");
    assert!(!article.get_untracked().reacted(Reaction::Like));
    assert_eq!(brief.get_untracked(), ItemState::default());
    assert_eq!(data.settings.get_untracked(), Settings::default());
    assert!(!data.has_pending());
    assert_eq!(data.unsaved(), Unsaved::default());
    let fresh = Repository::new(store.clone(), SCOPE);
    assert!(fresh.erased_at().unwrap() > 0.0);
    let stored = fresh.load_item(&item_id(ARTICLE), NOW).unwrap().value;
    assert_eq!(stored.draft_text(), "unsaved words");
    assert!(!stored.has_reactions());
    assert_eq!(fresh.item_ids().unwrap(), [item_id(ARTICLE)]);
}
