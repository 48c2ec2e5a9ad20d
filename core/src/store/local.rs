//! The browser's localStorage behind the [`KeyValue`] trait, with its failures typed.

use super::kv::{KeyValue, StoreError};
use wasm_bindgen::{JsCast, JsValue};

/// `window.localStorage`, or the reason it cannot be had.
pub struct LocalStore {
    storage: web_sys::Storage,
}

impl LocalStore {
    /// Opens localStorage; private modes and blocked storage give [`StoreError::Unavailable`].
    pub fn open() -> Result<Self, StoreError> {
        let window =
            web_sys::window().ok_or_else(|| StoreError::Unavailable("no window".into()))?;
        match window.local_storage() {
            Ok(Some(storage)) => Ok(Self { storage }),
            Ok(None) => Err(StoreError::Unavailable("localStorage is missing".into())),
            Err(e) => Err(to_error(e)),
        }
    }
}

fn to_error(e: JsValue) -> StoreError {
    let name = e
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.name()))
        .or_else(|| e.dyn_ref::<web_sys::DomException>().map(|d| d.name()))
        .unwrap_or_default();
    // Firefox used to name it NS_ERROR_DOM_QUOTA_REACHED.
    if name == "QuotaExceededError" || name == "NS_ERROR_DOM_QUOTA_REACHED" {
        StoreError::QuotaExceeded
    } else {
        let message = e
            .dyn_ref::<js_sys::Error>()
            .map(|e| String::from(e.message()))
            .unwrap_or_else(|| format!("{e:?}"));
        StoreError::Unavailable(if name.is_empty() {
            message
        } else {
            format!("{name}: {message}")
        })
    }
}

impl KeyValue for LocalStore {
    fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.storage.get_item(key).map_err(to_error)
    }

    fn set(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.storage.set_item(key, value).map_err(to_error)
    }

    fn remove(&self, key: &str) -> Result<(), StoreError> {
        self.storage.remove_item(key).map_err(to_error)
    }

    fn keys(&self) -> Result<Vec<String>, StoreError> {
        let len = self.storage.length().map_err(to_error)?;
        let mut keys = Vec::with_capacity(len as usize);
        for i in 0..len {
            if let Some(key) = self.storage.key(i).map_err(to_error)? {
                keys.push(key);
            }
        }
        Ok(keys)
    }
}
