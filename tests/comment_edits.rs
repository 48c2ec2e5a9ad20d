//! Host tests of a comment edit in progress: kept with the item like the draft, so a reload,
//! a closed tab or another page does not lose it, and merged between tabs.

use broadsheet::store::{ItemId, ItemState, MemoryStore, Repository};
use broadsheet::ui::reader_data::ReaderData;
use leptos::prelude::GetUntracked;
use std::rc::Rc;

const SCOPE: &str = "/reader/";

fn article() -> ItemId {
    ItemId::article("kirill-dmitriev-talks")
}

fn with_comment() -> ItemState {
    let mut item = ItemState::default();
    item.post("First thoughts.", "c1".into(), 1_000.0).unwrap();
    item
}

#[test]
fn an_edit_in_progress_is_kept_until_saved_or_cancelled() {
    let mut item = with_comment();
    assert_eq!(item.edit_in_progress("c1"), None);
    item.open_edit("c1", 2_000.0);
    assert_eq!(item.edit_in_progress("c1"), Some("First thoughts."));
    item.set_edit_text("c1", "First thoughts, revised", 3_000.0);
    assert_eq!(item.edit_in_progress("c1"), Some("First thoughts, revised"));
    item.edit("c1", "First thoughts, revised.", 4_000.0)
        .unwrap();
    assert_eq!(item.edit_in_progress("c1"), None, "saving closes the edit");
    assert_eq!(item.comments[0].text, "First thoughts, revised.");
    item.open_edit("c1", 5_000.0);
    item.set_edit_text("c1", "Never mind", 6_000.0);
    item.close_edit("c1", 7_000.0);
    assert_eq!(item.edit_in_progress("c1"), None, "cancelling closes it");
    assert_eq!(item.comments[0].text, "First thoughts, revised.");
    // A refused save keeps the edit open with its text.
    item.open_edit("c1", 8_000.0);
    item.set_edit_text("c1", "   ", 9_000.0);
    assert!(item.edit("c1", "   ", 10_000.0).is_err());
    assert_eq!(item.edit_in_progress("c1"), Some("   "));
}

#[test]
fn edits_merge_between_tabs_and_a_closed_edit_does_not_reopen() {
    let mut open = with_comment();
    open.open_edit("c1", 2_000.0);
    open.set_edit_text("c1", "Typed in tab A", 3_000.0);
    let mut closed = open.clone();
    closed.close_edit("c1", 4_000.0);
    assert_eq!(open.merge(&closed).edit_in_progress("c1"), None);
    assert_eq!(closed.merge(&open).edit_in_progress("c1"), None);
    // Later typing in another tab wins over older typing.
    let mut later = open.clone();
    later.set_edit_text("c1", "Typed later in tab B", 5_000.0);
    assert_eq!(open.merge(&later), later.merge(&open));
    assert_eq!(
        open.merge(&later).edit_in_progress("c1"),
        Some("Typed later in tab B")
    );
}

#[test]
fn an_edit_in_progress_survives_a_reload() {
    let store = Rc::new(MemoryStore::new());
    let tab = ReaderData::with_store(Box::new(store.clone()), SCOPE);
    tab.update(&article(), |s| {
        s.post("First thoughts.", "c1".into(), 1_000.0).unwrap();
    });
    tab.update(&article(), |s| s.open_edit("c1", 2_000.0));
    tab.update_in_memory(&article(), |s| {
        s.set_edit_text("c1", "First thoughts, half rewritten", 3_000.0)
    });
    // The page is hidden or closed: pending changes are written.
    tab.flush();
    let reopened = ReaderData::with_store(Box::new(store.clone()), SCOPE);
    let item = reopened.item(article()).get_untracked();
    assert_eq!(
        item.edit_in_progress("c1"),
        Some("First thoughts, half rewritten")
    );
    let repo = Repository::new(store, SCOPE);
    let stored = repo.load_item(&article(), 4_000.0).unwrap().value;
    assert_eq!(stored, item);
}
