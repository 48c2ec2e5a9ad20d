//! Broadsheet's core, with no Leptos and no I/O beyond the browser's storage: the article
//! format ([`article`]), the corpus ([`corpus`]), search ([`search`]), the route table
//! ([`routes`]), the reader's data ([`store`]), the site's data files ([`site_data`]) and where
//! a highlight is in an article's text ([`anchor`]). The app (wasm) and the site build (native)
//! both use it, and it is tested on the host with plain `cargo test`.

pub mod anchor;
pub mod article;
pub mod corpus;
pub mod routes;
pub mod search;
pub mod site_data;
pub mod store;

pub use article::{parse, parse_str, Article, ParseError, RelatedStory};
