//! Full-text search over every article and brief, built ahead of time by the site build and
//! read by the browser a piece at a time, so that a query downloads only what it needs
//! whatever the size of the site. The format is modelled on Pagefind's:
//!
//! ```text
//! data/VERSION/search/meta.json       Meta: the number of documents, the first word of each
//!                                     word chunk, the doc shard size, the fold table
//! data/VERSION/search/words/N.json    word chunk N: [[word, postings], ...], sorted by word
//! data/VERSION/search/docs/N.json     doc shard N: the Docs numbered N*doc_shard.. (title,
//!                                     topic, snippet, target)
//! ```
//!
//! The vocabulary is every folded word ([`Meta::fold`]), sorted and cut into chunks of about
//! [`CHUNK_BYTES`] of JSON, so the words starting with a query term sit in one chunk or a few
//! neighbouring ones, found by a binary search over the chunks' first words in the meta file.
//! Postings are `(doc delta << 4) | fields`: the documents a word occurs in, in order, each
//! as the gap from the previous one, with the fields it occurs in ([`TITLE`] and the others)
//! in the low four bits. The builder is [`index_files`]; the query engine is [`Searcher`].

mod build;
mod query;

pub use build::index_files;
pub use query::{SearchDataError, Searcher};

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The index format's version, in the meta file; a Searcher refuses another.
pub const INDEX_FORMAT: u32 = 1;
/// About how many bytes of JSON a word chunk holds (one word with longer postings gets a
/// chunk of its own). At 16 KB a rare word's chunk is about 4 KB brotli-compressed, and a
/// 100,000-article site still has a meta file of tens of KB.
pub const CHUNK_BYTES: usize = 16 * 1024;
/// Documents per doc shard: a result list of 20 fetches at most 20 shards, a rare word one.
pub const DOC_SHARD: u32 = 16;

/// What a search result opens.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "to", rename_all = "lowercase")]
pub enum DocTarget {
    Article { slug: String },
    Brief { article: String, brief: String },
}

/// One searchable document: an article or a brief.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Doc {
    pub target: DocTarget,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic: Option<String>,
    /// The text shown under the title in results.
    pub snippet: String,
}

/// `data/VERSION/search/meta.json`: what the browser reads before any chunk.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meta {
    /// [`INDEX_FORMAT`] of the build that wrote it.
    pub format: u32,
    /// How many documents (articles and briefs) there are.
    pub docs: u32,
    /// Documents per doc shard.
    pub doc_shard: u32,
    /// The first word of each word chunk, in order: chunk N holds the words from
    /// `chunks[N]` up to (not including) `chunks[N + 1]`.
    pub chunks: Vec<String>,
    /// Every non-ASCII letter or digit of the indexed text, with the lowercase ASCII it folds
    /// to (from `deunicode`, possibly empty). The browser has no transliteration tables: with
    /// this it folds a query exactly as the build folded the text. A character missing here
    /// occurs in no document, so dropping it from a query loses no match.
    pub fold: BTreeMap<char, String>,
}

/// `data/VERSION/search/meta.json`.
pub fn meta_path(version: &str) -> String {
    format!("data/{version}/search/meta.json")
}

/// `data/VERSION/search/words/N.json`.
pub fn chunk_path(version: &str, chunk: usize) -> String {
    format!("data/{version}/search/words/{chunk}.json")
}

/// `data/VERSION/search/docs/N.json`.
pub fn doc_shard_path(version: &str, shard: u32) -> String {
    format!("data/{version}/search/docs/{shard}.json")
}

/// Fields a word occurs in, as bits of a posting.
pub const TITLE: u8 = 1;
pub const TOPIC: u8 = 2;
pub const SUMMARY: u8 = 4;
pub const BODY: u8 = 8;

/// A word's score in a document: title 8, topic 4, summary 2, body 1, summed over the fields
/// it occurs in.
fn weight(fields: u8) -> u32 {
    [(TITLE, 8), (TOPIC, 4), (SUMMARY, 2), (BODY, 1)]
        .iter()
        .filter(|(bit, _)| fields & bit != 0)
        .map(|(_, w)| w)
        .sum()
}

/// The documents a word occurs in, with the fields it occurs in, by document.
type Postings = Vec<(u32, u8)>;

/// A ranked match.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hit {
    pub doc: u32,
    pub score: u32,
}

/// The runs of letters and digits of `text`, the words search knows.
fn raw_words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
}

/// Lowercase ASCII form of `word` into `out` ("Zürich" -> "zurich"): ASCII letters and digits
/// lowercased, other characters as `ascii_of` gives them (letters and digits only).
fn fold_into<'a>(word: &str, out: &mut String, ascii_of: impl Fn(char) -> Option<&'a str>) {
    out.clear();
    for c in word.chars() {
        if c.is_ascii() {
            if c.is_ascii_alphanumeric() {
                out.push(c.to_ascii_lowercase());
            }
        } else if let Some(ascii) = ascii_of(c) {
            out.extend(
                ascii
                    .chars()
                    .filter(char::is_ascii_alphanumeric)
                    .map(|c| c.to_ascii_lowercase()),
            );
        }
    }
}
