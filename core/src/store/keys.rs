//! Every localStorage key Broadsheet writes, and the ids of the items stored under them: built
//! and parsed here and nowhere else, so that what is on the reader's disk has one definition.
//!
//! A key is `broadsheet:` + scope + `:` + rest (`broadsheet:/reader/:v1:item:article/SLUG`).
//! Older versions wrote unscoped keys (`broadsheet:v1:…`) and, before that, dotted v0 keys
//! (`broadsheet.draft.SLUG`); they are recognised here so that the repository can take them over.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// Every key this app writes starts with this, then `:`.
pub const NAMESPACE: &str = "broadsheet";
/// The value of the schema key once storage is in the current layout.
pub(super) const SCHEMA: &str = "1";
/// v0 (before namespacing by version) used dotted keys.
const V0_PREFIX: &str = "broadsheet.";
/// Keys before scoping by base path (`broadsheet:v1:…`, `broadsheet:schema`,
/// `broadsheet:backup:…`) start with this and then a letter; scoped keys with `broadsheet:/`.
const UNSCOPED_PREFIX: &str = "broadsheet:";
/// The rest of an item key before its id.
const ITEM: &str = "v1:item:";
const SETTINGS: &str = "v1:settings";
const ERASED: &str = "v1:erased";
const SCHEMA_KEY: &str = "schema";
const BACKUP: &str = "backup:";

/// What an item id is: one article, or one brief of an article.
///
/// Stored as `article/SLUG` or `brief/ARTICLE/BRIEF` (in keys, and as a string in export files);
/// [`ItemId::parse`] accepts exactly that, so an id read from a file or from storage always
/// names one story.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ItemId(String);

/// Why a string is not an [`ItemId`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotAnItemId(pub String);

impl fmt::Display for NotAnItemId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} is not an article or brief", self.0)
    }
}

impl std::error::Error for NotAnItemId {}

impl ItemId {
    /// The id of the article with `slug`.
    pub fn article(slug: &str) -> Self {
        debug_assert!(crate::article::is_valid_slug(slug), "{slug:?}");
        ItemId(format!("article/{slug}"))
    }

    /// The id of the brief `brief_slug` of the article `article_slug`.
    pub fn brief(article_slug: &str, brief_slug: &str) -> Self {
        debug_assert!(
            crate::article::is_valid_slug(article_slug),
            "{article_slug:?}"
        );
        debug_assert!(crate::article::is_valid_slug(brief_slug), "{brief_slug:?}");
        ItemId(format!("brief/{article_slug}/{brief_slug}"))
    }

    /// `s` if it is exactly `article/SLUG` or `brief/ARTICLE/BRIEF` with valid slugs
    /// (`article/a/b/c`, `brief/x`, `article/Not A Slug` are refused).
    pub fn parse(s: &str) -> Result<Self, NotAnItemId> {
        let mut parts = s.split('/');
        let kind = parts.next().unwrap_or_default();
        let slugs: Vec<&str> = parts.collect();
        let valid = slugs.iter().all(|s| crate::article::is_valid_slug(s))
            && matches!((kind, slugs.len()), ("article", 1) | ("brief", 2));
        if valid {
            Ok(ItemId(s.to_owned()))
        } else {
            Err(NotAnItemId(s.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ItemId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for ItemId {
    type Err = NotAnItemId;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl Serialize for ItemId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for ItemId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        ItemId::parse(&s).map_err(serde::de::Error::custom)
    }
}

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
pub(super) fn split_key(key: &str) -> Option<(Option<&str>, &str)> {
    let rest = key.strip_prefix(UNSCOPED_PREFIX)?;
    if rest.starts_with('/') {
        let (scope, rest) = rest.split_once(':')?;
        scope.ends_with('/').then_some((Some(scope), rest))
    } else {
        let unscoped = rest == SCHEMA_KEY || rest.starts_with("v1:") || rest.starts_with(BACKUP);
        unscoped.then_some((None, rest))
    }
}

/// What the rest of a key (after its scope, see [`split_key`]) holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Rest<'a> {
    Schema,
    /// An item, by its id as stored (not checked: see [`ItemId::parse`]).
    Item(&'a str),
    Settings,
    Erased,
    /// A backup of the value found under `of` (a whole key), set aside at `stamp`.
    Backup {
        of: &'a str,
        stamp: &'a str,
    },
    Other,
}

impl<'a> Rest<'a> {
    pub(super) fn of(rest: &'a str) -> Self {
        if let Some(id) = rest.strip_prefix(ITEM) {
            Rest::Item(id)
        } else if let Some(backup) = rest.strip_prefix(BACKUP) {
            let (of, stamp) = backup.rsplit_once(':').unwrap_or((backup, ""));
            Rest::Backup { of, stamp }
        } else {
            match rest {
                SCHEMA_KEY => Rest::Schema,
                SETTINGS => Rest::Settings,
                ERASED => Rest::Erased,
                _ => Rest::Other,
            }
        }
    }
}

/// What a key of any scope (or unscoped) holds; `None` if it is not a key of this app.
pub(super) fn rest_of(key: &str) -> Option<Rest<'_>> {
    split_key(key).map(|(_, rest)| Rest::of(rest))
}

/// A key the first version (v0) wrote.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum V0Key<'a> {
    /// The reactions on the article with this slug.
    Reactions(&'a str),
    /// The draft comment on the article with this slug.
    Draft(&'a str),
    Theme,
    Other,
}

impl<'a> V0Key<'a> {
    /// `key` if v0 wrote it.
    pub(super) fn parse(key: &'a str) -> Option<Self> {
        let rest = key.strip_prefix(V0_PREFIX)?;
        Some(if let Some(slug) = rest.strip_prefix("reactions.") {
            V0Key::Reactions(slug)
        } else if let Some(slug) = rest.strip_prefix("draft.") {
            V0Key::Draft(slug)
        } else if rest == "theme" {
            V0Key::Theme
        } else {
            V0Key::Other
        })
    }
}

/// Whether v0 wrote `key`.
pub(super) fn is_v0_key(key: &str) -> bool {
    key.starts_with(V0_PREFIX)
}

/// The unscoped key of `rest` (`broadsheet:v1:erased`), as versions before scoping wrote it.
pub(super) fn unscoped_key(rest: &str) -> String {
    format!("{UNSCOPED_PREFIX}{rest}")
}

/// The key names of one scope.
#[derive(Clone, Debug)]
pub(super) struct Keys {
    /// `broadsheet:/reader/:`
    pub prefix: String,
    pub schema: String,
    item_prefix: String,
    pub settings: String,
    /// When the reader last deleted everything: a tab holding older data in memory drops it
    /// instead of writing it back.
    pub erased: String,
    pub backup_prefix: String,
}

impl Keys {
    pub fn new(base_path: &str) -> Self {
        let prefix = key_prefix(base_path);
        Keys {
            schema: format!("{prefix}{SCHEMA_KEY}"),
            item_prefix: format!("{prefix}{ITEM}"),
            settings: format!("{prefix}{SETTINGS}"),
            erased: format!("{prefix}{ERASED}"),
            backup_prefix: format!("{prefix}{BACKUP}"),
            prefix,
        }
    }

    /// The key of item `id`.
    pub fn item(&self, id: &ItemId) -> String {
        format!("{}{id}", self.item_prefix)
    }

    /// The item a key of this scope holds, if it is an item key with a valid id.
    pub fn item_id(&self, key: &str) -> Option<ItemId> {
        ItemId::parse(key.strip_prefix(&self.item_prefix)?).ok()
    }

    /// `key` of any scope, or unscoped, as the key of this scope with the same rest; other
    /// keys as they are.
    pub fn rescoped(&self, key: &str) -> String {
        match split_key(key) {
            Some((_, rest)) => format!("{}{rest}", self.prefix),
            None => key.to_owned(),
        }
    }

    /// Every backup of the value under `key` (rescoped to this scope) starts with this.
    pub fn backups_of(&self, key: &str) -> String {
        format!("{}{}:", self.backup_prefix, self.rescoped(key))
    }

    /// A backup key of any scope (or unscoped) as a backup key of this scope, the key it was
    /// found under rescoped as well; `None` if it is not a backup key.
    pub fn rescoped_backup(&self, key: &str) -> Option<String> {
        match rest_of(key)? {
            Rest::Backup { of, stamp } => Some(format!("{}{stamp}", self.backups_of(of))),
            _ => None,
        }
    }

    /// The key a backup key of this scope was found under, and the stamp of when (the part
    /// before any `-N` that tells apart backups made at one time); `None` for other keys.
    pub fn backup_parts<'a>(&self, key: &'a str) -> Option<(&'a str, &'a str)> {
        let rest = key.strip_prefix(&self.backup_prefix)?;
        let (of, stamp) = rest.rsplit_once(':').unwrap_or((rest, ""));
        Some((of, stamp.split('-').next().unwrap_or_default()))
    }

    pub fn is_backup(&self, key: &str) -> bool {
        key.starts_with(&self.backup_prefix)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn item_ids_are_parsed_exactly() {
        for good in ["article/a", "brief/a-1/b2"] {
            assert_eq!(ItemId::parse(good).unwrap().as_str(), good);
        }
        for bad in [
            "",
            "article",
            "article/",
            "article/a/b",
            "article/a/b/c",
            "brief/a",
            "brief/a/b/c",
            "article/Not A Slug",
            "comment/a",
            "/article/a",
        ] {
            assert_eq!(
                ItemId::parse(bad),
                Err(NotAnItemId(bad.to_owned())),
                "{bad}"
            );
        }
        assert_eq!(ItemId::article("a").to_string(), "article/a");
        assert_eq!(ItemId::brief("a", "b").to_string(), "brief/a/b");
    }

    #[test]
    fn keys_round_trip() {
        let keys = Keys::new("/reader");
        let id = ItemId::brief("a", "b");
        let key = keys.item(&id);
        assert_eq!(key, "broadsheet:/reader/:v1:item:brief/a/b");
        assert_eq!(keys.item_id(&key), Some(id));
        assert_eq!(
            keys.item_id("broadsheet:/reader/:v1:item:article/a/b"),
            None
        );
        let backup = keys
            .rescoped_backup("broadsheet:backup:broadsheet:v1:settings:12")
            .unwrap();
        assert_eq!(
            backup,
            "broadsheet:/reader/:backup:broadsheet:/reader/:v1:settings:12"
        );
        assert_eq!(
            keys.backup_parts(&format!("{backup}-2")),
            Some((keys.settings.as_str(), "12"))
        );
        assert_eq!(V0Key::parse("broadsheet.draft.x"), Some(V0Key::Draft("x")));
        assert_eq!(V0Key::parse("broadsheet:/reader/:schema"), None);
    }
}
