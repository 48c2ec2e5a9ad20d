//! Full-text search over every article and brief: an inverted index built once, answering
//! prefix queries per keystroke without scanning the text.

use crate::corpus::{Corpus, RelatedTarget};
use std::collections::HashMap;

/// What a search result opens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DocTarget {
    Article { slug: String },
    Brief { article: String, brief: String },
}

/// One searchable document: an article or a brief.
#[derive(Clone, Debug, PartialEq)]
pub struct Doc {
    pub target: DocTarget,
    pub title: String,
    pub topic: Option<String>,
    /// The text shown under the title in results.
    pub snippet: String,
}

/// Field weights: a word in the title counts most.
const TITLE: u8 = 1;
const TOPIC: u8 = 2;
const SUMMARY: u8 = 4;
const BODY: u8 = 8;

fn weight(fields: u8) -> u32 {
    let mut w = 0;
    if fields & TITLE != 0 {
        w += 8;
    }
    if fields & TOPIC != 0 {
        w += 4;
    }
    if fields & SUMMARY != 0 {
        w += 2;
    }
    if fields & BODY != 0 {
        w += 1;
    }
    w
}

/// Documents a word occurs in, with the fields it occurs in, sorted by document.
type Postings = Vec<(u32, u8)>;

/// The index: documents, and a sorted vocabulary with each word's postings.
#[derive(Debug, Default)]
pub struct SearchIndex {
    docs: Vec<Doc>,
    /// Sorted by word; postings are (doc, fields) sorted by doc.
    vocab: Vec<(Box<str>, Postings)>,
}

/// A ranked match.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hit {
    pub doc: u32,
    pub score: u32,
}

/// Lowercased, accent-folded words of `text` (letters and digits runs).
pub fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(fold)
}

/// Lowercase ASCII form of a word: "Zürich" → "zurich", "Россия" → "rossiia".
pub fn fold(word: &str) -> String {
    let mut out = String::new();
    fold_into(word, &mut out);
    out
}

/// [`fold`] into a reused buffer (the index builder folds millions of words).
fn fold_into(word: &str, out: &mut String) {
    out.clear();
    for c in word.chars() {
        if c.is_ascii() {
            if c.is_ascii_alphanumeric() {
                out.push(c.to_ascii_lowercase());
            }
        } else if let Some(ascii) = crate::article::ascii_of(c) {
            out.extend(
                ascii
                    .chars()
                    .filter(char::is_ascii_alphanumeric)
                    .map(|c| c.to_ascii_lowercase()),
            );
        }
    }
}

/// Builds a [`SearchIndex`] a slice at a time, so a browser can index a large corpus between
/// frames instead of in one long task.
#[derive(Debug, Default)]
pub struct IndexBuilder {
    docs: Vec<Doc>,
    ids: HashMap<Box<str>, u32>,
    words: Vec<Box<str>>,
    postings: Vec<Postings>,
    /// How many of the corpus's articles are indexed.
    done: usize,
    word: String,
}

impl IndexBuilder {
    pub fn new() -> Self {
        Self::default()
    }

    /// How many articles are indexed so far.
    pub fn articles_done(&self) -> usize {
        self.done
    }

    fn add_text(&mut self, doc: u32, text: &str, field: u8) {
        for raw in text
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
        {
            fold_into(raw, &mut self.word);
            if self.word.is_empty() {
                continue;
            }
            let id = match self.ids.get(self.word.as_str()) {
                Some(&id) => id,
                None => {
                    let id = self.words.len() as u32;
                    self.ids.insert(self.word.as_str().into(), id);
                    self.words.push(self.word.as_str().into());
                    self.postings.push(Vec::new());
                    id
                }
            };
            let postings = &mut self.postings[id as usize];
            match postings.last_mut() {
                Some((d, fields)) if *d == doc => *fields |= field,
                _ => postings.push((doc, field)),
            }
        }
    }

    /// Indexes up to `count` more articles of `corpus` (title, topic, summary, body) with their
    /// briefs that are not themselves bundled articles (topic, summary). True when all are done.
    pub fn add_articles(&mut self, corpus: &Corpus, count: usize) -> bool {
        let articles = corpus.articles();
        let end = self.done.saturating_add(count).min(articles.len());
        for article in &articles[self.done..end] {
            let doc = self.docs.len() as u32;
            self.add_text(doc, &article.title, TITLE);
            if let Some(topic) = &article.topic {
                self.add_text(doc, topic, TOPIC);
            }
            if let Some(summary) = &article.summary {
                self.add_text(doc, summary, SUMMARY);
            }
            for paragraph in &article.paragraphs {
                self.add_text(doc, paragraph, BODY);
            }
            self.docs.push(Doc {
                target: DocTarget::Article {
                    slug: article.slug.clone(),
                },
                title: article.title.clone(),
                topic: article.topic.clone(),
                snippet: article
                    .summary
                    .clone()
                    .unwrap_or_else(|| article.paragraphs[0].clone()),
            });
            for entry in &article.related {
                if matches!(corpus.related_target(entry), RelatedTarget::Article(_)) {
                    continue;
                }
                let doc = self.docs.len() as u32;
                self.add_text(doc, &entry.topic, TITLE | TOPIC);
                self.add_text(doc, &entry.summary, SUMMARY);
                self.docs.push(Doc {
                    target: DocTarget::Brief {
                        article: article.slug.clone(),
                        brief: entry.slug.clone(),
                    },
                    title: entry.topic.clone(),
                    topic: Some("Brief".to_owned()),
                    snippet: entry.summary.clone(),
                });
            }
        }
        self.done = end;
        end == articles.len()
    }

    /// The finished index: the vocabulary sorted for prefix lookups.
    pub fn finish(self) -> SearchIndex {
        let mut vocab: Vec<(Box<str>, Postings)> =
            self.words.into_iter().zip(self.postings).collect();
        vocab.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        SearchIndex {
            docs: self.docs,
            vocab,
        }
    }
}

impl SearchIndex {
    /// Indexes every article and brief of `corpus` at once.
    pub fn build(corpus: &Corpus) -> Self {
        let mut builder = IndexBuilder::new();
        builder.add_articles(corpus, usize::MAX);
        builder.finish()
    }

    pub fn doc(&self, id: u32) -> &Doc {
        &self.docs[id as usize]
    }

    pub fn len(&self) -> usize {
        self.docs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    /// Documents containing every query word (the last one as a prefix, since the reader may
    /// still be typing it; the others as prefixes too, so "elect" finds "election"), best first.
    pub fn search(&self, query: &str) -> Vec<Hit> {
        let terms: Vec<String> = words(query).filter(|w| !w.is_empty()).collect();
        if terms.is_empty() {
            return Vec::new();
        }
        let mut scores: Option<Vec<u32>> = None;
        for term in &terms {
            let mut term_scores = vec![0u32; self.docs.len()];
            let start = self.vocab.partition_point(|(w, _)| **w < **term);
            for (word, postings) in self.vocab[start..]
                .iter()
                .take_while(|(w, _)| w.starts_with(term.as_str()))
            {
                let exact = **word == **term;
                for &(doc, fields) in postings {
                    let s = weight(fields) * if exact { 2 } else { 1 };
                    let slot = &mut term_scores[doc as usize];
                    *slot = (*slot).max(s);
                }
            }
            scores = Some(match scores {
                None => term_scores,
                Some(mut acc) => {
                    for (a, t) in acc.iter_mut().zip(term_scores) {
                        *a = if *a == 0 || t == 0 { 0 } else { *a + t };
                    }
                    acc
                }
            });
        }
        let mut hits: Vec<Hit> = scores
            .unwrap_or_default()
            .into_iter()
            .enumerate()
            .filter(|(_, s)| *s > 0)
            .map(|(doc, score)| Hit {
                doc: doc as u32,
                score,
            })
            .collect();
        // Best first; ties keep corpus order (newest first). Every key is distinct, so the
        // unstable sort (no merge buffer) gives the same order as a stable one.
        hits.sort_unstable_by(|a, b| b.score.cmp(&a.score).then(a.doc.cmp(&b.doc)));
        hits
    }
}

/// Splits `text` into runs, marking the words that start with one of the query's words,
/// so the UI can wrap them in `<mark>` without touching markup.
pub fn highlight(text: &str, query: &str) -> Vec<(String, bool)> {
    let terms: Vec<String> = words(query).filter(|w| !w.is_empty()).collect();
    let mut runs: Vec<(String, bool)> = Vec::new();
    let mut push = |s: &str, hit: bool| match runs.last_mut() {
        Some((last, h)) if *h == hit => last.push_str(s),
        _ => runs.push((s.to_owned(), hit)),
    };
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
            let folded = fold(word);
            let hit = terms.iter().any(|t| folded.starts_with(t.as_str()));
            push(word, hit);
        }
        rest = &rest[word_end..];
    }
    runs.retain(|(s, _)| !s.is_empty());
    runs
}
