//! The site's data files: what the build derives from the articles and writes next to the
//! pages, and what the app fetches as the reader moves around. The program (the wasm) holds
//! none of it, so it is the same size whether the site has one article or 100,000.
//!
//! Layout under the site's base path (every path here is relative to it):
//!
//! ```text
//! data/site.json                          SiteInfo: the data version, counts, topics (revalidated)
//! data/articles/SLUG.HASH.txt             each article, in the article format (immutable)
//! data/VERSION/list/all/N.json            Listing page N (from 0) of every article, newest first
//! data/VERSION/list/topic/KEY/N.json      the same for the articles of one topic
//! data/VERSION/slugs/S.json               slug -> Located, for the slugs of shard S
//! data/VERSION/search/...                 the search index (see `crate::search`)
//! ```
//!
//! Everything under `data/VERSION/` and `data/articles/` is named by its content, so it can be
//! cached forever; only `data/site.json` is fetched afresh, and it names the version.

use crate::{
    article::{slugify, Article, Published},
    corpus::{Corpus, RelatedTarget},
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The layout's version: a build writes it, the app refuses data of another format.
pub const DATA_FORMAT: u32 = 1;
/// The one file fetched afresh on every load.
pub const SITE_INFO: &str = "data/site.json";
/// The `id` of the `<script type="application/json">` block in an article's or brief's page
/// that holds where the article is (its [`Located`]), so that the app taking the page over
/// needs no slug shard, and the page names no data version.
pub const PAGE_DATA: &str = "page-data";
/// Stories per listing page.
pub const PAGE_SIZE: usize = 50;
/// About how many articles a slug shard holds.
const PER_SHARD: usize = 32;

/// `data/site.json`: what the app needs before anything else.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteInfo {
    /// [`DATA_FORMAT`] of the build that wrote it.
    pub format: u32,
    /// The folder under `data/` of this build's data (a content hash).
    pub version: String,
    /// How many articles the site has.
    pub articles: usize,
    /// Stories per listing page.
    pub page_size: usize,
    /// How many slug shards there are (a power of two).
    pub slug_shards: u32,
    /// Topics in order of first appearance (newest first).
    pub topics: Vec<TopicInfo>,
}

/// One topic of the site, for the topic filter.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopicInfo {
    /// As the articles spell it.
    pub name: String,
    /// Its folder under `list/topic/` (the topic's slug).
    pub key: String,
    /// How many articles it has.
    pub articles: usize,
}

/// What a story list shows of an article.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListEntry {
    pub slug: String,
    /// The article's file, relative to the base path: `data/articles/SLUG.HASH.txt`.
    pub file: String,
    pub title: String,
    pub topic: Option<String>,
    pub published: Option<Published>,
    pub lang: String,
    /// The summary, or the lede where there is none.
    pub summary: String,
    /// Reading time in minutes, low and high.
    pub minutes: [u32; 2],
}

/// A page of a story list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Listing {
    /// This page's number, from 0.
    pub page: usize,
    /// How many pages the list has.
    pub pages: usize,
    /// How many articles the list has.
    pub total: usize,
    pub entries: Vec<ListEntry>,
}

/// Where a "Read next" entry leads, resolved by the build.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "to", rename_all = "lowercase")]
pub enum RelatedLink {
    /// To an article of the site.
    Article { slug: String, file: String },
    /// To the entry's brief page, `article/ARTICLE/brief/SLUG`.
    Brief { slug: String },
}

/// An article's entry in its slug shard: its list entry, and its "Read next" links in the
/// order of `Article::related`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Located {
    pub entry: ListEntry,
    pub related: Vec<RelatedLink>,
}

impl Located {
    /// Gives an article parsed in the browser the build's slugs. The browser has no
    /// transliteration tables, so a title or topic outside ASCII may slug differently there;
    /// the build's are the ones every URL and stored key uses.
    pub fn apply(&self, article: &mut Article) {
        article.slug.clone_from(&self.entry.slug);
        for (story, link) in article.related.iter_mut().zip(&self.related) {
            if let RelatedLink::Brief { slug } = link {
                story.slug.clone_from(slug);
            }
        }
    }
}

/// The slug shard an article is listed in: FNV-1a of the slug, modulo the shard count.
pub fn shard_of(slug: &str, shards: u32) -> u32 {
    crate::article::fnv1a32(slug.as_bytes()) % shards.max(1)
}

/// The number of slug shards for `articles` articles: a power of two, about 32 to a shard.
pub fn shard_count(articles: usize) -> u32 {
    (articles.div_ceil(PER_SHARD).max(1).next_power_of_two()) as u32
}

/// `data/articles/SLUG.HASH.txt`.
pub fn article_path(slug: &str, hash: &str) -> String {
    format!("data/articles/{slug}.{hash}.txt")
}

/// The slug an article file's name starts with, as [`article_path`] wrote it.
pub fn slug_of_article_path(path: &str) -> Option<&str> {
    let name = path.rsplit('/').next()?.strip_suffix(".txt")?;
    name.rsplit_once('.').map(|(slug, _)| slug)
}

/// `data/VERSION/list/all/N.json`, or `data/VERSION/list/topic/KEY/N.json`.
pub fn listing_path(version: &str, topic_key: Option<&str>, page: usize) -> String {
    match topic_key {
        None => format!("data/{version}/list/all/{page}.json"),
        Some(key) => format!("data/{version}/list/topic/{key}/{page}.json"),
    }
}

/// `data/VERSION/slugs/S.json`.
pub fn shard_path(version: &str, shard: u32) -> String {
    format!("data/{version}/slugs/{shard}.json")
}

/// Everything the build derives from a corpus for the data files, held once: the listing pages
/// and slug shards are made from it on demand (at 100,000 articles, holding every page at
/// once would triple the memory).
#[derive(Clone, Debug)]
pub struct SiteData {
    pub info: SiteInfo,
    /// One per article, newest first (the corpus's order).
    entries: Vec<ListEntry>,
    related: Vec<Vec<RelatedLink>>,
    /// For each topic of `info.topics`, its articles' positions in `entries`.
    by_topic: Vec<Vec<usize>>,
    /// Position in `entries` by slug.
    by_slug: BTreeMap<String, usize>,
}

impl SiteData {
    /// The data of `corpus`; `file_of` names each article's file (the build hashes the bytes),
    /// `version` is the folder of this build's data.
    pub fn new(corpus: &Corpus, file_of: impl Fn(&Article) -> String, version: &str) -> Self {
        let articles = corpus.articles();
        let entries: Vec<ListEntry> = articles
            .iter()
            .map(|a| ListEntry {
                slug: a.slug.clone(),
                file: file_of(a),
                title: a.title.clone(),
                topic: a.topic.clone(),
                published: a.published.clone(),
                lang: a.lang.clone(),
                summary: a.summary.clone().unwrap_or_else(|| a.paragraphs[0].clone()),
                minutes: a.reading_minutes,
            })
            .collect();
        let by_slug: BTreeMap<String, usize> = entries
            .iter()
            .enumerate()
            .map(|(i, e)| (e.slug.clone(), i))
            .collect();
        let related = articles
            .iter()
            .map(|a| {
                a.related
                    .iter()
                    .map(|story| match corpus.related_target(story) {
                        RelatedTarget::Article(target) => RelatedLink::Article {
                            slug: target.slug.clone(),
                            file: entries[by_slug[&target.slug]].file.clone(),
                        },
                        RelatedTarget::Brief => RelatedLink::Brief {
                            slug: story.slug.clone(),
                        },
                    })
                    .collect()
            })
            .collect();
        let mut topics: Vec<TopicInfo> = Vec::new();
        let mut by_topic: Vec<Vec<usize>> = Vec::new();
        for (i, topic) in entries.iter().enumerate() {
            let Some(name) = &topic.topic else { continue };
            match topics.iter().position(|t| &t.name == name) {
                Some(t) => by_topic[t].push(i),
                None => {
                    topics.push(TopicInfo {
                        name: name.clone(),
                        key: topic_key(name, &topics),
                        articles: 0,
                    });
                    by_topic.push(vec![i]);
                }
            }
        }
        for (topic, list) in topics.iter_mut().zip(&by_topic) {
            topic.articles = list.len();
        }
        SiteData {
            info: SiteInfo {
                format: DATA_FORMAT,
                version: version.to_owned(),
                articles: entries.len(),
                page_size: PAGE_SIZE,
                slug_shards: shard_count(entries.len()),
                topics,
            },
            entries,
            related,
            by_topic,
            by_slug,
        }
    }

    /// Every article's list entry, newest first.
    pub fn entries(&self) -> &[ListEntry] {
        &self.entries
    }

    /// Page `page` of every article (`topic_key` `None`) or of one topic's; `None` past the
    /// end or for a topic the site does not have. An empty site has one empty page.
    pub fn listing(&self, topic_key: Option<&str>, page: usize) -> Option<Listing> {
        let positions: Vec<usize> = match topic_key {
            None => (0..self.entries.len()).collect(),
            Some(key) => {
                let t = self.info.topics.iter().position(|t| t.key == key)?;
                self.by_topic[t].clone()
            }
        };
        let size = self.info.page_size.max(1);
        let pages = positions.len().div_ceil(size).max(1);
        (page < pages).then(|| Listing {
            page,
            pages,
            total: positions.len(),
            entries: positions
                .iter()
                .skip(page * size)
                .take(size)
                .map(|&i| self.entries[i].clone())
                .collect(),
        })
    }

    /// Where the article `slug` is, with its resolved "Read next" links.
    pub fn locate(&self, slug: &str) -> Option<Located> {
        let &i = self.by_slug.get(slug)?;
        Some(Located {
            entry: self.entries[i].clone(),
            related: self.related[i].clone(),
        })
    }

    /// Slug shard `shard`: every article whose slug falls in it, by slug.
    pub fn shard(&self, shard: u32) -> BTreeMap<String, Located> {
        self.by_slug
            .keys()
            .filter(|slug| shard_of(slug, self.info.slug_shards) == shard)
            .filter_map(|slug| Some((slug.clone(), self.locate(slug)?)))
            .collect()
    }

    /// Every data file but the articles' own and the search index's: (path, JSON).
    pub fn files(&self) -> Vec<(String, String)> {
        let version = &self.info.version;
        let json = |value: &dyn erased::Json| value.to_json();
        let mut files = vec![(SITE_INFO.to_owned(), json(&self.info))];
        let lists =
            std::iter::once(None).chain(self.info.topics.iter().map(|t| Some(t.key.as_str())));
        for key in lists {
            let mut page = 0;
            while let Some(listing) = self.listing(key, page) {
                files.push((listing_path(version, key, page), json(&listing)));
                page += 1;
            }
        }
        let mut shards: Vec<BTreeMap<String, Located>> =
            vec![BTreeMap::new(); self.info.slug_shards as usize];
        for slug in self.by_slug.keys() {
            if let Some(located) = self.locate(slug) {
                shards[shard_of(slug, self.info.slug_shards) as usize]
                    .insert(slug.clone(), located);
            }
        }
        for (s, shard) in shards.iter().enumerate() {
            files.push((shard_path(version, s as u32), json(shard)));
        }
        files
    }
}

/// A topic's folder name: its slug, made unique among the topics before it.
fn topic_key(name: &str, before: &[TopicInfo]) -> String {
    let base = slugify(name);
    let mut key = base.clone();
    let mut n = 2;
    while before.iter().any(|t| t.key == key) {
        key = format!("{base}-{n}");
        n += 1;
    }
    key
}

mod erased {
    /// Serializes any of the data types to JSON (they cannot fail: strings, numbers, maps with
    /// string keys).
    pub trait Json {
        fn to_json(&self) -> String;
    }

    impl<T: serde::Serialize> Json for T {
        fn to_json(&self) -> String {
            serde_json::to_string(self).expect("data types serialize")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::article::synthetic;

    fn corpus(n: usize) -> Corpus {
        let files: Vec<(String, Vec<u8>)> = synthetic::articles(n)
            .into_iter()
            .enumerate()
            .map(|(i, bytes)| (format!("{i}.txt"), bytes))
            .collect();
        Corpus::from_files(files.iter().map(|(f, b)| (f.as_str(), b.as_slice())))
    }

    fn data(corpus: &Corpus) -> SiteData {
        SiteData::new(corpus, |a| article_path(&a.slug, "0123abcd"), "v1")
    }

    #[test]
    fn listings_page_every_article_newest_first_and_by_topic() {
        let corpus = corpus(120);
        let data = data(&corpus);
        let first = data.listing(None, 0).unwrap();
        assert_eq!(
            (first.pages, first.total, first.entries.len()),
            (3, 120, 50)
        );
        assert_eq!(first.entries[0].slug, corpus.articles()[0].slug);
        assert_eq!(data.listing(None, 2).unwrap().entries.len(), 20);
        assert!(data.listing(None, 3).is_none());
        let counted: usize = data.info.topics.iter().map(|t| t.articles).sum();
        assert_eq!(
            counted,
            corpus
                .articles()
                .iter()
                .filter(|a| a.topic.is_some())
                .count()
        );
        for topic in &data.info.topics {
            let page = data.listing(Some(&topic.key), 0).unwrap();
            assert_eq!(page.total, topic.articles);
            assert!(page
                .entries
                .iter()
                .all(|e| e.topic.as_deref() == Some(&*topic.name)));
        }
        assert!(data.listing(Some("no-such-topic"), 0).is_none());
    }

    #[test]
    fn every_article_is_in_exactly_its_shard_and_files_round_trip() {
        let corpus = corpus(200);
        let data = data(&corpus);
        assert_eq!(data.info.slug_shards, 8);
        let files = data.files();
        let mut found = 0;
        for (path, json) in &files {
            if let Some(rest) = path.strip_prefix("data/v1/slugs/") {
                let s: u32 = rest.trim_end_matches(".json").parse().unwrap();
                let shard: BTreeMap<String, Located> = serde_json::from_str(json).unwrap();
                for (slug, located) in &shard {
                    assert_eq!(shard_of(slug, 8), s);
                    assert_eq!(located, &data.locate(slug).unwrap());
                }
                found += shard.len();
            }
        }
        assert_eq!(found, 200);
        let info: SiteInfo = serde_json::from_str(&files[0].1).unwrap();
        assert_eq!(info, data.info);
        let page: Listing = serde_json::from_str(&files[1].1).unwrap();
        assert_eq!(page, data.listing(None, 0).unwrap());
    }

    #[test]
    fn located_gives_a_browser_parse_the_builds_slugs() {
        let corpus = corpus(3);
        let data = data(&corpus);
        let article = &corpus.articles()[0];
        let located = data.locate(&article.slug).unwrap();
        let mut parsed = (**article).clone();
        parsed.slug = "something-else".into();
        for story in &mut parsed.related {
            story.slug = "other".into();
        }
        located.apply(&mut parsed);
        assert_eq!(&parsed, &**article);
    }

    #[test]
    fn paths() {
        assert_eq!(shard_count(0), 1);
        assert_eq!(shard_count(32), 1);
        assert_eq!(shard_count(33), 2);
        assert_eq!(shard_count(100_000), 4096);
        let path = article_path("a-b", "ff00");
        assert_eq!(path, "data/articles/a-b.ff00.txt");
        assert_eq!(slug_of_article_path(&path), Some("a-b"));
        assert_eq!(
            listing_path("v", Some("k"), 2),
            "data/v/list/topic/k/2.json"
        );
    }
}
