//! The index builder, run by the site build on the host: every article and brief of a corpus
//! to the meta file, the word chunks and the doc shards.

use super::{
    chunk_path, doc_shard_path, fold_into, meta_path, raw_words, Doc, DocTarget, Meta, Postings,
    BODY, CHUNK_BYTES, DOC_SHARD, INDEX_FORMAT, SUMMARY, TITLE, TOPIC,
};
use crate::{
    corpus::Corpus,
    site_data::{RelatedLink, SiteData},
};
use std::collections::{BTreeMap, HashMap};

/// The search index of `corpus` as data files: (path relative to the base, JSON), under
/// `data/{data.info.version}/search/`, the meta file first.
///
/// Documents are numbered as the story list orders them: each article (newest first),
/// followed by its "Read next" entries that are not articles of the site (the build resolved
/// which are, in `data`), as briefs. Ranking breaks ties by this number.
pub fn index_files(corpus: &Corpus, data: &SiteData) -> Vec<(String, String)> {
    let mut index = Builder::default();
    for article in corpus.articles() {
        let doc = index.docs.len() as u32;
        index.add_text(doc, &article.title, TITLE);
        if let Some(topic) = &article.topic {
            index.add_text(doc, topic, TOPIC);
        }
        if let Some(summary) = &article.summary {
            index.add_text(doc, summary, SUMMARY);
        }
        for paragraph in &article.paragraphs {
            index.add_text(doc, paragraph, BODY);
        }
        index.docs.push(Doc {
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
        let links = data
            .locate(&article.slug)
            .map(|located| located.related)
            .unwrap_or_default();
        for (entry, link) in article.related.iter().zip(&links) {
            let RelatedLink::Brief { slug } = link else {
                continue;
            };
            let doc = index.docs.len() as u32;
            index.add_text(doc, &entry.topic, TITLE | TOPIC);
            index.add_text(doc, &entry.summary, SUMMARY);
            index.docs.push(Doc {
                target: DocTarget::Brief {
                    article: article.slug.clone(),
                    brief: slug.clone(),
                },
                title: entry.topic.clone(),
                topic: Some("Brief".to_owned()),
                snippet: entry.summary.clone(),
            });
        }
    }
    index.files(&data.info.version)
}

/// The index while it is built: documents, and each word's postings.
#[derive(Default)]
struct Builder {
    docs: Vec<Doc>,
    ids: HashMap<Box<str>, u32>,
    words: Vec<Box<str>>,
    /// Per word: (doc, fields), by doc.
    postings: Vec<Postings>,
    /// Every non-ASCII letter or digit seen, with its folded form.
    fold: BTreeMap<char, String>,
    word: String,
}

impl Builder {
    fn add_text(&mut self, doc: u32, text: &str, field: u8) {
        for raw in raw_words(text) {
            for c in raw.chars().filter(|c| !c.is_ascii()) {
                self.fold.entry(c).or_insert_with(|| {
                    let mut folded = String::new();
                    fold_into(c.encode_utf8(&mut [0; 4]), &mut folded, |c| {
                        crate::article::ascii_of(c)
                    });
                    folded
                });
            }
            fold_into(raw, &mut self.word, crate::article::ascii_of);
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

    fn files(self, version: &str) -> Vec<(String, String)> {
        let mut vocab: Vec<(Box<str>, Postings)> =
            self.words.into_iter().zip(self.postings).collect();
        vocab.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        // Chunks: sorted words, cut where the JSON would pass CHUNK_BYTES.
        let mut chunks: Vec<String> = Vec::new();
        let mut firsts: Vec<String> = Vec::new();
        let mut chunk = String::new();
        for (word, postings) in &vocab {
            let entry = chunk_entry(word, postings);
            if !chunk.is_empty() && chunk.len() + entry.len() + 2 > CHUNK_BYTES {
                chunks.push(std::mem::take(&mut chunk) + "]");
            }
            if chunk.is_empty() {
                firsts.push(word.to_string());
                chunk.push('[');
            } else {
                chunk.push(',');
            }
            chunk.push_str(&entry);
        }
        if !chunk.is_empty() {
            chunks.push(chunk + "]");
        }
        let meta = Meta {
            format: INDEX_FORMAT,
            docs: self.docs.len() as u32,
            doc_shard: DOC_SHARD,
            chunks: firsts,
            fold: self.fold,
        };
        let mut files = vec![(
            meta_path(version),
            serde_json::to_string(&meta).expect("the meta serializes"),
        )];
        files.extend(
            chunks
                .into_iter()
                .enumerate()
                .map(|(i, chunk)| (chunk_path(version, i), chunk)),
        );
        files.extend(
            self.docs
                .chunks(DOC_SHARD as usize)
                .enumerate()
                .map(|(i, docs)| {
                    (
                        doc_shard_path(version, i as u32),
                        serde_json::to_string(docs).expect("docs serialize"),
                    )
                }),
        );
        files
    }
}

/// `["word",[p,p,...]]`: postings as doc gaps shifted left four bits, with the fields below.
fn chunk_entry(word: &str, postings: &[(u32, u8)]) -> String {
    use std::fmt::Write;
    // Folded words are ASCII letters and digits: nothing to escape.
    let mut out = format!("[\"{word}\",[");
    let mut previous = 0;
    for (i, &(doc, fields)) in postings.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let gap = u64::from(doc - previous);
        let _ = write!(out, "{}", gap << 4 | u64::from(fields));
        previous = doc;
    }
    out.push_str("]]");
    out
}
