//! The reader's own data (reactions, drafts, comments, highlights and notes, settings,
//! progress): pure state,
//! a small key-value trait, and the stores behind it.
//!
//! Nothing the reader wrote is ever lost: values that do not decode are moved to a backup
//! key and reported; a full or missing storage is reported while the state lives on in
//! memory; a write merges with whatever another tab stored since this tab last looked.

mod export;
mod highlight;
mod keys;
mod kv;
#[cfg(target_arch = "wasm32")]
mod local;
mod repo;
mod state;

pub use export::{
    too_large_to_import, Damage, ExportFile, ImportError, ImportSummary, InvalidExport,
    EXPORT_FORMAT, EXPORT_VERSION, FUTURE_MARGIN_MS, MAX_IMPORT_BYTES,
};
pub use highlight::{by_story, runs, to_markdown, Highlight, Listed, MAX_NOTE_CHARS};
pub use keys::{key_prefix, scope_of, ItemId, NotAnItemId, NAMESPACE};
pub use kv::{KeyValue, MemoryStore, StoreError};
#[cfg(target_arch = "wasm32")]
pub use local::LocalStore;
pub use repo::{now, settings_win, Backup, Loaded, Repository, SaveOutcome, Unreadable};
pub use state::{
    Comment, CommentAction, CommentError, Draft, EditDraft, FontChoice, ItemState, Progress,
    Reaction, ReactionMark, Settings, Theme, Unknown, MAX_COMMENT_CHARS,
};
