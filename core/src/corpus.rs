//! A site's articles, parsed once, ordered newest first and looked up by slug: what the site
//! build derives the data files from (the app fetches those; it holds no articles itself).

use crate::article::{parse, Article, ParseError, RelatedStory};
use std::{collections::HashMap, sync::Arc};

/// A file that did not parse; the rest of the corpus is unaffected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    pub file: String,
    pub error: ParseError,
}

/// Where a "Read next" entry leads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RelatedTarget<'a> {
    /// The story is on the site: link to its article.
    Article(&'a Article),
    /// Not on the site: a brief page of its own.
    Brief,
}

/// Every article of the site, newest first (undated ones after dated, then by title).
///
/// The site build makes it once and shares it (`Arc<Corpus>`, e.g. in a memory `Library` for
/// the pages rendered ahead of time); each article is an `Arc` so that pages hold their article
/// without borrowing the corpus.
#[derive(Debug, Default)]
pub struct Corpus {
    articles: Vec<Arc<Article>>,
    failures: Vec<Failure>,
    /// Position of each article in `articles`, by slug.
    by_slug: HashMap<String, usize>,
    /// Position of each article by its summary and by its lede, for matching related entries.
    by_text: HashMap<String, usize>,
}

impl Corpus {
    /// Parses `(file name, bytes)` pairs; files that fail or repeat a slug become [`Failure`]s.
    pub fn from_files<'a>(files: impl IntoIterator<Item = (&'a str, &'a [u8])>) -> Self {
        Corpus::from_parsed(
            files
                .into_iter()
                .map(|(file, bytes)| (file.to_owned(), parse(bytes))),
        )
    }

    /// The corpus of files already parsed, as `(file name, what parse gave)` in file order: the
    /// site build parses on every core at once. Like [`Corpus::from_files`], a file that failed
    /// or repeats an earlier file's slug becomes a [`Failure`].
    pub fn from_parsed(
        parsed: impl IntoIterator<Item = (String, Result<Article, ParseError>)>,
    ) -> Self {
        let mut corpus = Corpus::default();
        for (file, result) in parsed {
            match result {
                Ok(article) if corpus.by_slug.contains_key(&article.slug) => {
                    corpus.failures.push(Failure {
                        file,
                        error: ParseError {
                            line: 1,
                            column: 1,
                            kind: crate::article::ParseErrorKind::DuplicateSlug(article.slug),
                        },
                    })
                }
                Ok(article) => {
                    corpus.by_slug.insert(article.slug.clone(), 0);
                    corpus.articles.push(Arc::new(article));
                }
                Err(error) => corpus.failures.push(Failure { file, error }),
            }
        }
        corpus.articles.sort_by(|a, b| {
            b.published
                .as_ref()
                .map(|p| p.unix_seconds)
                .cmp(&a.published.as_ref().map(|p| p.unix_seconds))
                .then_with(|| a.title.cmp(&b.title))
        });
        corpus.by_slug = corpus
            .articles
            .iter()
            .enumerate()
            .map(|(i, a)| (a.slug.clone(), i))
            .collect();
        for (i, a) in corpus.articles.iter().enumerate().rev() {
            for text in a.summary.iter().chain(a.paragraphs.first()) {
                corpus.by_text.insert(text.clone(), i);
            }
        }
        corpus
    }

    /// Articles, newest first.
    pub fn articles(&self) -> &[Arc<Article>] {
        &self.articles
    }

    /// Files that could not be read, with where they went wrong.
    pub fn failures(&self) -> &[Failure] {
        &self.failures
    }

    pub fn article(&self, slug: &str) -> Option<&Arc<Article>> {
        self.by_slug.get(slug).map(|&i| &self.articles[i])
    }

    /// A related entry leads to an article of the site when it names that article's slug,
    /// or repeats its summary or lede word for word.
    pub fn related_target(&self, entry: &RelatedStory) -> RelatedTarget<'_> {
        self.article(&entry.slug)
            .or_else(|| self.by_text.get(&entry.summary).map(|&i| &self.articles[i]))
            .map_or(RelatedTarget::Brief, |a| RelatedTarget::Article(a))
    }

    /// The brief `brief_slug` listed under article `article_slug`.
    pub fn brief(
        &self,
        article_slug: &str,
        brief_slug: &str,
    ) -> Option<(&Arc<Article>, &RelatedStory)> {
        let article = self.article(article_slug)?;
        let entry = article.related.iter().find(|r| r.slug == brief_slug)?;
        Some((article, entry))
    }

    /// Distinct topics of the articles, in order of first appearance.
    pub fn topics(&self) -> Vec<&str> {
        let mut topics: Vec<&str> = Vec::new();
        for topic in self.articles.iter().filter_map(|a| a.topic.as_deref()) {
            if !topics.contains(&topic) {
                topics.push(topic);
            }
        }
        topics
    }
}
