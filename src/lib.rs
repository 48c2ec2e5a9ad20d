//! Broadsheet: a news reader that runs entirely in the browser.
//!
//! The pure core ([`article`], [`corpus`], [`routes`], [`store`]) builds and tests on the host;
//! [`ui`] is the thin Leptos layer on top.

#![recursion_limit = "256"]

pub mod article;
pub mod corpus;
pub mod routes;
pub mod search;
pub mod store;
pub mod ui;

pub use article::{parse, parse_str, Article, ParseError, RelatedStory};
