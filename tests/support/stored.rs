//! The stored layout the storage tests check against, shared by the host tests (`store.rs`)
//! and the browser tests (`web_store.rs`). The keys are written out byte for byte rather than
//! built with the library's own key code: data already on readers' devices must keep loading,
//! so a change to how keys are built has to fail these tests.
#![allow(dead_code)]

use broadsheet::store::ItemId;

pub const ARTICLE: &str = "article/kirill-dmitriev-talks";
pub const BRIEF: &str = "brief/kirill-dmitriev-talks/ceasefire-holds";
/// The base path the repositories here serve, and their keys.
pub const SCOPE: &str = "/reader/";
pub const ITEM_KEY: &str = "broadsheet:/reader/:v1:item:article/kirill-dmitriev-talks";
pub const SETTINGS_KEY: &str = "broadsheet:/reader/:v1:settings";
pub const SCHEMA_KEY: &str = "broadsheet:/reader/:schema";
pub const ERASED_KEY: &str = "broadsheet:/reader/:v1:erased";

/// The item id written `id` (one of the valid ids above, or another the test spells out).
pub fn item_id(id: &str) -> ItemId {
    ItemId::parse(id).unwrap()
}
