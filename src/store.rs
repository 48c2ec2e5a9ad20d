//! The reader's own data (reactions, drafts, comments, settings, progress): pure state,
//! a small key-value trait, and the stores behind it.
