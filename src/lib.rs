//! Broadsheet: a news reader that runs entirely in the browser.
//!
//! The pure core ([`anchor`], [`article`], [`corpus`], [`routes`], [`search`], [`store`]) is the
//! `broadsheet-core` crate (`core/`), re-exported here; [`ui`] is the thin Leptos layer on top.

#![recursion_limit = "256"]

pub use broadsheet_core::{anchor, article, corpus, routes, search, site_data, store};
pub mod library;
pub mod ui;

pub use article::{parse, parse_str, Article, ParseError, RelatedStory};
