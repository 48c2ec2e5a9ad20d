//! Full-text search over every article and brief: an inverted index built once, answering
//! prefix queries per keystroke without scanning the text.

use crate::corpus::{Corpus, RelatedTarget};

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
    if word.is_ascii() {
        word.to_ascii_lowercase()
    } else {
        word.chars()
            .flat_map(|c| {
                let ascii = if c.is_ascii() {
                    None
                } else {
                    crate::article::ascii_of(c)
                };
                let own = c.is_ascii().then_some(c);
                own.into_iter().chain(ascii.unwrap_or("").chars())
            })
            .filter(|c| c.is_ascii_alphanumeric())
            .map(|c| c.to_ascii_lowercase())
            .collect()
    }
}

impl SearchIndex {
    /// Indexes every article (title, topic, summary, body) and every brief that is not itself
    /// a bundled article (topic, summary).
    pub fn build(corpus: &Corpus) -> Self {
        let mut docs = Vec::new();
        let mut pairs: Vec<(String, u32, u8)> = Vec::new();
        let add = |pairs: &mut Vec<(String, u32, u8)>, doc: u32, text: &str, field: u8| {
            pairs.extend(
                words(text)
                    .filter(|w| !w.is_empty())
                    .map(|w| (w, doc, field)),
            );
        };
        for article in corpus.articles() {
            let doc = docs.len() as u32;
            add(&mut pairs, doc, &article.title, TITLE);
            if let Some(topic) = &article.topic {
                add(&mut pairs, doc, topic, TOPIC);
            }
            if let Some(summary) = &article.summary {
                add(&mut pairs, doc, summary, SUMMARY);
            }
            for paragraph in &article.paragraphs {
                add(&mut pairs, doc, paragraph, BODY);
            }
            docs.push(Doc {
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
                let doc = docs.len() as u32;
                add(&mut pairs, doc, &entry.topic, TITLE | TOPIC);
                add(&mut pairs, doc, &entry.summary, SUMMARY);
                docs.push(Doc {
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
        pairs.sort_unstable();
        let mut vocab: Vec<(Box<str>, Postings)> = Vec::new();
        for (word, doc, field) in pairs {
            match vocab.last_mut() {
                Some((w, postings)) if **w == *word => match postings.last_mut() {
                    Some((d, fields)) if *d == doc => *fields |= field,
                    _ => postings.push((doc, field)),
                },
                _ => vocab.push((word.into_boxed_str(), vec![(doc, field)])),
            }
        }
        SearchIndex { docs, vocab }
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
        // Best first; ties keep corpus order (newest first).
        hits.sort_by(|a, b| b.score.cmp(&a.score).then(a.doc.cmp(&b.doc)));
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
