//! The query engine, run in the browser: it says which pieces of the index a query needs,
//! keeps the pieces it was given, and ranks and highlights from them.

use super::{
    chunk_path, doc_shard_path, fold_into, meta_path, raw_words, weight, Doc, Hit, Meta, Postings,
    INDEX_FORMAT,
};
use std::{
    collections::{BTreeSet, HashMap},
    fmt,
    ops::Range,
};

/// The most chunks one term may need (about 64 KB of JSON); see [`Searcher::chunks_needed`].
const TERM_CHUNKS: usize = 4;
/// The most chunks a term of one or two characters may need.
const SHORT_TERM_CHUNKS: usize = 1;

/// A piece of the index that does not read: which file, and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SearchDataError {
    pub path: String,
    pub message: String,
}

impl fmt::Display for SearchDataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

impl std::error::Error for SearchDataError {}

/// One word of a chunk with its postings, decoded: (doc, fields), by doc.
type Entry = (Box<str>, Postings);

/// The index as far as the browser has it: the meta file, and the word chunks and doc shards
/// fetched so far (kept for later queries; they never change under one version).
#[derive(Clone, Debug)]
pub struct Searcher {
    version: String,
    meta: Meta,
    chunks: HashMap<usize, Vec<Entry>>,
    shards: HashMap<u32, Vec<Doc>>,
}

impl Searcher {
    /// A searcher over the index of data version `version`, from its meta file's text.
    pub fn new(version: &str, meta_json: &str) -> Result<Self, SearchDataError> {
        let path = meta_path(version);
        let meta: Meta = serde_json::from_str(meta_json).map_err(|e| SearchDataError {
            path: path.clone(),
            message: e.to_string(),
        })?;
        if meta.format != INDEX_FORMAT {
            return Err(SearchDataError {
                path,
                message: format!(
                    "index format {} (this program reads {INDEX_FORMAT})",
                    meta.format
                ),
            });
        }
        Ok(Searcher {
            version: version.to_owned(),
            meta,
            chunks: HashMap::new(),
            shards: HashMap::new(),
        })
    }

    /// A searcher holding every file [`super::index_files`] wrote (the build's own pages, host
    /// tests): nothing left to fetch.
    pub fn with_files(version: &str, files: &[(String, String)]) -> Result<Self, SearchDataError> {
        let meta_path = meta_path(version);
        let meta = files
            .iter()
            .find(|(path, _)| *path == meta_path)
            .ok_or_else(|| SearchDataError {
                path: meta_path.clone(),
                message: "missing".to_owned(),
            })?;
        let mut searcher = Searcher::new(version, &meta.1)?;
        for (path, json) in files.iter().filter(|(path, _)| *path != meta_path) {
            searcher.add_piece(path, json)?;
        }
        Ok(searcher)
    }

    /// Keeps the word chunk or doc shard at `path`, whichever it is.
    pub fn add_piece(&mut self, path: &str, json: &str) -> Result<(), SearchDataError> {
        if self.shard_of(path).is_some() {
            self.add_docs(path, json)
        } else {
            self.add_chunk(path, json)
        }
    }

    /// The data version the index belongs to.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// How many documents (articles and briefs) the index has.
    pub fn len(&self) -> usize {
        self.meta.docs as usize
    }

    pub fn is_empty(&self) -> bool {
        self.meta.docs == 0
    }

    /// The folded words of `query`, folded as the build folded the text (with the meta's table).
    pub fn terms(&self, query: &str) -> Vec<String> {
        let mut word = String::new();
        raw_words(query)
            .filter_map(|raw| {
                fold_into(raw, &mut word, |c| self.fold_char(c));
                (!word.is_empty()).then(|| word.clone())
            })
            .collect()
    }

    /// The ASCII a non-ASCII character folds to, by the meta's table. A character the text
    /// never has in this case may be there in the other ("ZÜRICH" for "Zürich"): then its
    /// lowercase form's.
    fn fold_char(&self, c: char) -> Option<&str> {
        let table = &self.meta.fold;
        table
            .get(&c)
            .or_else(|| table.get(&c.to_lowercase().next()?))
            .map(String::as_str)
    }

    /// The chunks whose words a term matches: those whose range can hold words starting with
    /// it. On a large site a prefix the reader is still typing ("s", "con", "uniq") can
    /// start thousands of words, megabytes of postings: a term needs at most [`TERM_CHUNKS`]
    /// chunks ([`SHORT_TERM_CHUNKS`] for one or two characters), the first ones of its range,
    /// which hold the term itself as a word and the words just after it. Its results are then
    /// partial (an exact word is still found; "theory" may be missed for "the") until a
    /// further letter narrows the range. A site whose prefixes fit in those chunks (a few
    /// thousand articles) gets every match, as an index in memory would.
    fn term_chunks(&self, term: &str) -> Range<usize> {
        let firsts = &self.meta.chunks;
        if firsts.is_empty() {
            return 0..0;
        }
        let start = firsts
            .partition_point(|first| first.as_str() <= term)
            .saturating_sub(1);
        let end = firsts.partition_point(|first| first.as_str() < term || first.starts_with(term));
        let most = if term.len() <= 2 {
            SHORT_TERM_CHUNKS
        } else {
            TERM_CHUNKS
        };
        start..end.max(start + 1).min(start + most)
    }

    /// The word chunks `query` needs that are not here yet (paths relative to the base): for
    /// each term, the chunks of its words, at most four (one for a term of one or two
    /// characters): see `term_chunks`.
    pub fn chunks_needed(&self, query: &str) -> Vec<String> {
        let needed: BTreeSet<usize> = self
            .terms(query)
            .iter()
            .flat_map(|term| self.term_chunks(term))
            .filter(|chunk| !self.chunks.contains_key(chunk))
            .collect();
        needed
            .into_iter()
            .map(|chunk| chunk_path(&self.version, chunk))
            .collect()
    }

    fn chunk_of(&self, path: &str) -> Option<usize> {
        let prefix = chunk_path(&self.version, 0);
        let n = path
            .strip_prefix(prefix.strip_suffix("0.json")?)?
            .strip_suffix(".json")?
            .parse()
            .ok()?;
        (n < self.meta.chunks.len()).then_some(n)
    }

    fn shard_of(&self, path: &str) -> Option<u32> {
        let prefix = doc_shard_path(&self.version, 0);
        let n: u32 = path
            .strip_prefix(prefix.strip_suffix("0.json")?)?
            .strip_suffix(".json")?
            .parse()
            .ok()?;
        (n < self.meta.docs.div_ceil(self.meta.doc_shard.max(1))).then_some(n)
    }

    /// Keeps the word chunk at `path` (as [`Searcher::chunks_needed`] named it).
    pub fn add_chunk(&mut self, path: &str, json: &str) -> Result<(), SearchDataError> {
        let error = |message: String| SearchDataError {
            path: path.to_owned(),
            message,
        };
        let chunk = self
            .chunk_of(path)
            .ok_or_else(|| error("not a word chunk of this index".to_owned()))?;
        let raw: Vec<(String, Vec<u64>)> =
            serde_json::from_str(json).map_err(|e| error(e.to_string()))?;
        let mut entries = Vec::with_capacity(raw.len());
        for (word, encoded) in raw {
            let mut doc: u64 = 0;
            let mut postings = Vec::with_capacity(encoded.len());
            for p in encoded {
                doc += p >> 4;
                let doc = u32::try_from(doc)
                    .ok()
                    .filter(|&d| d < self.meta.docs)
                    .ok_or_else(|| error(format!("“{word}” names document {doc}, past the end")))?;
                postings.push((doc, (p & 0xF) as u8));
            }
            entries.push((word.into_boxed_str(), postings));
        }
        if !entries.windows(2).all(|w| w[0].0 < w[1].0) {
            return Err(error("the words are not sorted".to_owned()));
        }
        self.chunks.insert(chunk, entries);
        Ok(())
    }

    /// Documents containing every term of `query` (each as a prefix, so "elect" finds
    /// "election"; an exact word scores double), best first, ties in document order; `None`
    /// while a chunk it needs is missing. Empty for a query without words.
    pub fn search(&self, query: &str) -> Option<Vec<Hit>> {
        let terms = self.terms(query);
        let ranges: Vec<Range<usize>> = terms.iter().map(|t| self.term_chunks(t)).collect();
        if ranges
            .iter()
            .flat_map(Clone::clone)
            .any(|c| !self.chunks.contains_key(&c))
        {
            return None;
        }
        let mut scores: Option<Vec<(u32, u32)>> = None;
        for (term, range) in terms.iter().zip(ranges) {
            let mut found: Vec<(u32, u32)> = Vec::new();
            for chunk in range.map(|c| &self.chunks[&c]) {
                let start = chunk.partition_point(|(w, _)| **w < **term);
                for (word, postings) in chunk[start..]
                    .iter()
                    .take_while(|(w, _)| w.starts_with(term.as_str()))
                {
                    let exact = if **word == **term { 2 } else { 1 };
                    found.extend(postings.iter().map(|&(d, f)| (d, weight(f) * exact)));
                }
            }
            // Per document, the best of the words the term matched.
            found.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
            found.dedup_by_key(|(doc, _)| *doc);
            scores = Some(match scores {
                None => found,
                Some(acc) => intersect(&acc, &found),
            });
        }
        let mut hits: Vec<Hit> = scores
            .unwrap_or_default()
            .into_iter()
            .map(|(doc, score)| Hit { doc, score })
            .collect();
        // Every key is distinct, so the unstable sort gives the same order as a stable one.
        hits.sort_unstable_by(|a, b| b.score.cmp(&a.score).then(a.doc.cmp(&b.doc)));
        Some(hits)
    }

    /// The doc shards that the documents of `hits` are in and that are not here yet.
    pub fn docs_needed(&self, hits: &[Hit]) -> Vec<String> {
        let shard = self.meta.doc_shard.max(1);
        let needed: BTreeSet<u32> = hits
            .iter()
            .map(|h| h.doc / shard)
            .filter(|s| !self.shards.contains_key(s))
            .collect();
        needed
            .into_iter()
            .map(|s| doc_shard_path(&self.version, s))
            .collect()
    }

    /// Keeps the doc shard at `path` (as [`Searcher::docs_needed`] named it).
    pub fn add_docs(&mut self, path: &str, json: &str) -> Result<(), SearchDataError> {
        let error = |message: String| SearchDataError {
            path: path.to_owned(),
            message,
        };
        let shard = self
            .shard_of(path)
            .ok_or_else(|| error("not a doc shard of this index".to_owned()))?;
        let docs: Vec<Doc> = serde_json::from_str(json).map_err(|e| error(e.to_string()))?;
        let first = shard * self.meta.doc_shard;
        let expected = (self.meta.docs - first).min(self.meta.doc_shard) as usize;
        if docs.len() != expected {
            return Err(error(format!(
                "{} documents, expected {expected}",
                docs.len()
            )));
        }
        self.shards.insert(shard, docs);
        Ok(())
    }

    /// Document `id`, if its shard is here.
    pub fn doc(&self, id: u32) -> Option<&Doc> {
        let shard = self.meta.doc_shard.max(1);
        self.shards.get(&(id / shard))?.get((id % shard) as usize)
    }

    /// Splits `text` into runs, marking the words that start with one of the query's terms
    /// (folded as the index folds), so the UI can wrap them in `<mark>` without touching
    /// markup.
    pub fn highlight(&self, text: &str, query: &str) -> Vec<(String, bool)> {
        let terms = self.terms(query);
        let mut runs: Vec<(String, bool)> = Vec::new();
        let mut push = |s: &str, hit: bool| match runs.last_mut() {
            Some((last, h)) if *h == hit => last.push_str(s),
            _ => runs.push((s.to_owned(), hit)),
        };
        let mut folded = String::new();
        let mut rest = text;
        while !rest.is_empty() {
            let word_start = rest.find(char::is_alphanumeric).unwrap_or(rest.len());
            push(&rest[..word_start], false);
            rest = &rest[word_start..];
            let word_end = rest
                .find(|c: char| !c.is_alphanumeric())
                .unwrap_or(rest.len());
            let word = &rest[..word_end];
            if !word.is_empty() {
                fold_into(word, &mut folded, |c| self.fold_char(c));
                let hit = terms.iter().any(|t| folded.starts_with(t.as_str()));
                push(word, hit);
            }
            rest = &rest[word_end..];
        }
        runs.retain(|(s, _)| !s.is_empty());
        runs
    }
}

/// Documents in both lists (each sorted by doc), with the scores summed.
fn intersect(a: &[(u32, u32)], b: &[(u32, u32)]) -> Vec<(u32, u32)> {
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::new();
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                out.push((a[i].0, a[i].1 + b[j].1));
                i += 1;
                j += 1;
            }
        }
    }
    out
}
