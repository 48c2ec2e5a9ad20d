//! The key-value interface the stores share, and an in-memory store for tests and fallback.

use std::{cell::RefCell, collections::BTreeMap};

/// Why a storage call failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoreError {
    /// Storage is switched off, blocked, or throws (private mode).
    Unavailable(String),
    /// The browser's quota for this origin is used up.
    QuotaExceeded,
    /// The value under `key` was written by a newer version of Broadsheet (storage format
    /// `version`): this one leaves it as it is and does not write over it.
    NewerVersion { key: String, version: u32 },
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Unavailable(why) => write!(f, "browser storage is unavailable ({why})"),
            Self::QuotaExceeded => f.write_str("browser storage is full"),
            Self::NewerVersion { key, version } => write!(
                f,
                "“{key}” was saved by a newer version of Broadsheet (storage format {version}); reload this tab to use it"
            ),
        }
    }
}

/// A string key-value store, as localStorage is.
pub trait KeyValue {
    fn get(&self, key: &str) -> Result<Option<String>, StoreError>;
    fn set(&self, key: &str, value: &str) -> Result<(), StoreError>;
    fn remove(&self, key: &str) -> Result<(), StoreError>;
    /// Every key currently stored.
    fn keys(&self) -> Result<Vec<String>, StoreError>;
}

/// An in-memory store that can also play a full or a missing storage.
#[derive(Debug, Default)]
pub struct MemoryStore {
    map: RefCell<BTreeMap<String, String>>,
    /// Most bytes (UTF-16 code units of keys plus values, as browsers count) it will hold.
    quota: RefCell<Option<usize>>,
    unavailable: RefCell<bool>,
}

impl MemoryStore {
    pub fn new() -> Self {
        Self::default()
    }

    /// From then on, refuses writes that would grow it past `units` UTF-16 code units.
    pub fn set_quota(&self, units: Option<usize>) {
        *self.quota.borrow_mut() = units;
    }

    /// Makes every call fail as a disabled localStorage does.
    pub fn set_unavailable(&self, unavailable: bool) {
        *self.unavailable.borrow_mut() = unavailable;
    }

    fn check(&self) -> Result<(), StoreError> {
        if *self.unavailable.borrow() {
            Err(StoreError::Unavailable("storage is disabled".into()))
        } else {
            Ok(())
        }
    }

    fn used_without(&self, key: &str) -> usize {
        self.map
            .borrow()
            .iter()
            .filter(|(k, _)| k.as_str() != key)
            .map(|(k, v)| utf16_len(k) + utf16_len(v))
            .sum()
    }
}

pub(crate) fn utf16_len(s: &str) -> usize {
    s.encode_utf16().count()
}

impl KeyValue for MemoryStore {
    fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.check()?;
        Ok(self.map.borrow().get(key).cloned())
    }

    fn set(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.check()?;
        if let Some(quota) = *self.quota.borrow() {
            if self.used_without(key) + utf16_len(key) + utf16_len(value) > quota {
                return Err(StoreError::QuotaExceeded);
            }
        }
        self.map
            .borrow_mut()
            .insert(key.to_owned(), value.to_owned());
        Ok(())
    }

    fn remove(&self, key: &str) -> Result<(), StoreError> {
        self.check()?;
        self.map.borrow_mut().remove(key);
        Ok(())
    }

    fn keys(&self) -> Result<Vec<String>, StoreError> {
        self.check()?;
        Ok(self.map.borrow().keys().cloned().collect())
    }
}

/// Stores behind a pointer are stores: a boxed one for the app, a shared one (`Rc`) for tests
/// where several repositories share one store, as two tabs share one localStorage.
macro_rules! forward_key_value {
    ($($pointer:ty),+) => {$(
        impl<T: KeyValue + ?Sized> KeyValue for $pointer {
            fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
                (**self).get(key)
            }
            fn set(&self, key: &str, value: &str) -> Result<(), StoreError> {
                (**self).set(key, value)
            }
            fn remove(&self, key: &str) -> Result<(), StoreError> {
                (**self).remove(key)
            }
            fn keys(&self) -> Result<Vec<String>, StoreError> {
                (**self).keys()
            }
        }
    )+};
}

// A borrowed store is a store too, so a test can open a second repository over the first's.
forward_key_value!(Box<T>, std::rc::Rc<T>, &T);
