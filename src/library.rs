//! The site's articles as the app sees them: fetched from the site's data files
//! (`crate::site_data`) and cached, or, on the host (pages rendered ahead of time, tests), held
//! in memory. Provided once as context by the app's root; pages ask it for what they show.
//!
//! Every getter comes in two forms: `cached_*`, synchronous, for what is already here (the
//! memory backend has everything, so pages rendered ahead of time never wait), and an `async`
//! loader that fetches what is missing and keeps it. A page first asks the cache, so a page
//! whose data `ui::start` loaded before mounting renders at once, exactly as prerendered.

use crate::{
    article::Article,
    corpus::Corpus,
    routes::Route,
    site_data::{
        article_path, listing_path, shard_of, shard_path, Listing, Located, SiteData, SiteInfo,
        DATA_FORMAT, SITE_INFO,
    },
};
use std::{
    collections::{BTreeMap, HashMap},
    fmt,
    future::Future,
    pin::Pin,
    sync::{Arc, Mutex, MutexGuard},
};

/// Why something could not be loaded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LoadError {
    /// The site has no such file (a 404), or no such article: an unknown slug, or data from
    /// another build.
    NotFound { path: String },
    /// The network failed or the server answered with an error: offline, most often.
    Network { path: String, message: String },
    /// The file arrived but does not read: `path` and what is wrong with it (for an article
    /// file, `LINE:COL: error: MSG`).
    Malformed { path: String, message: String },
}

impl LoadError {
    /// The file (or, for an unknown article, the article's path) the error is about.
    pub fn path(&self) -> &str {
        match self {
            LoadError::NotFound { path }
            | LoadError::Network { path, .. }
            | LoadError::Malformed { path, .. } => path,
        }
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::NotFound { path } => write!(f, "{path}: not found"),
            LoadError::Network { path, message } => write!(f, "{path}: {message}"),
            LoadError::Malformed { path, message } => write!(f, "{path}: {message}"),
        }
    }
}

impl std::error::Error for LoadError {}

/// An article with where the build placed it: its list entry (the build's slug, its file) and
/// its resolved "Read next" links.
#[derive(Clone, Debug, PartialEq)]
pub struct Story {
    pub article: Arc<Article>,
    pub located: Arc<Located>,
}

/// A slug shard: slug -> where that article is.
type Shard = BTreeMap<String, Located>;

/// A load in progress (boxed where that saves wasm bytes; not `Send`: browser futures are not).
pub type Load<'a, T> = Pin<Box<dyn Future<Output = Result<T, LoadError>> + 'a>>;

/// Where the data comes from.
enum Source {
    /// Everything in memory: the build's corpus and the data derived from it.
    Memory {
        corpus: Arc<Corpus>,
        data: Arc<SiteData>,
    },
    /// Fetched from the site under `base` (`""` or `"/reader"`).
    Remote { base: String },
}

/// What the remote backend has loaded so far. Data under a version folder and article files
/// never change, but a redeployment removes them: when a file of the cached data version is
/// gone (a 404) and the site's info, fetched afresh, names another version, everything here is
/// of the old version and is dropped (see [`Library::redeployed`]).
#[derive(Default)]
struct Cache {
    /// The site's info; its version names every other file here.
    info: Option<Arc<SiteInfo>>,
    /// By (topic key, page); `None` is the list of every article.
    listings: HashMap<(Option<String>, usize), Arc<Listing>>,
    shards: HashMap<u32, Arc<Shard>>,
    /// Where an article is, as its own page told it ([`Library::know`]), by slug.
    known: HashMap<String, Arc<Located>>,
    /// Parsed articles by slug.
    stories: HashMap<String, Story>,
}

struct Inner {
    source: Source,
    cache: Mutex<Cache>,
}

/// The site's data, cheap to clone: one is shared through context (`Send + Sync`, as Leptos
/// contexts must be; the cache sits behind a mutex that is never held across an `await`).
#[derive(Clone)]
pub struct Library {
    inner: Arc<Inner>,
}

impl Library {
    /// A library over data held in memory (the build, prerendering, host tests).
    pub fn memory(corpus: Arc<Corpus>, data: Arc<SiteData>) -> Self {
        Self::with_source(Source::Memory { corpus, data })
    }

    /// A memory library over `corpus` with data made on the spot (tests, and the host tools
    /// that do not write files): every article file is named with a placeholder hash, which
    /// only matters to a build that writes the files (it hashes their bytes instead).
    pub fn from_corpus(corpus: Arc<Corpus>) -> Self {
        let data = SiteData::new(
            &corpus,
            |a| article_path(&a.slug, "0000000000000000"),
            "memory",
        );
        Self::memory(corpus, Arc::new(data))
    }

    /// A library fetching the data files of the site served under `base` (`""` or `"/reader"`).
    pub fn remote(base: &str) -> Self {
        Self::with_source(Source::Remote {
            base: base.trim_end_matches('/').to_owned(),
        })
    }

    fn with_source(source: Source) -> Self {
        Library {
            inner: Arc::new(Inner {
                source,
                cache: Mutex::new(Cache::default()),
            }),
        }
    }

    /// The corpus and its data when they are held in memory.
    pub fn in_memory(&self) -> Option<(&Arc<Corpus>, &Arc<SiteData>)> {
        match &self.inner.source {
            Source::Memory { corpus, data } => Some((corpus, data)),
            Source::Remote { .. } => None,
        }
    }

    fn cache(&self) -> MutexGuard<'_, Cache> {
        // A panic while the lock was held (there is no code that can) leaves plain data behind.
        self.inner
            .cache
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The site's info, if loaded.
    pub fn cached_info(&self) -> Option<Arc<SiteInfo>> {
        match &self.inner.source {
            Source::Memory { data, .. } => Some(Arc::new(data.info.clone())),
            Source::Remote { .. } => self.cache().info.clone(),
        }
    }

    /// The site's info (`data/site.json`), fetched once per visit: it names the data version.
    ///
    /// Boxed, as is [`Library::fetch_text`]: every loader awaits them, and a boxed future is
    /// compiled once instead of into each caller's state machine (wasm bytes).
    pub fn info(&self) -> Load<'_, Arc<SiteInfo>> {
        Box::pin(self.load_info())
    }

    async fn load_info(&self) -> Result<Arc<SiteInfo>, LoadError> {
        if let Some(info) = self.cached_info() {
            return Ok(info);
        }
        let info = checked_info(&self.fetch_text(SITE_INFO).await?)?;
        let info = Arc::new(info);
        let mut cache = self.cache();
        // A redeployment seen meanwhile keeps its newer info.
        Ok(cache.info.get_or_insert(info).clone())
    }

    /// After `error`, met fetching a file of data version `stale` (a listing page, a shard, a
    /// search piece, an article file): whether the site was redeployed since, so that the
    /// caller should ask again once under the new version ([`Library::info`] names it). Only a
    /// 404 counts, and only when the site's info, fetched afresh (past the HTTP cache, not past
    /// the service worker, which fetches it from the network first), names another version; the
    /// cached data of the old version is then dropped. `Ok(false)` otherwise, including when
    /// the info cannot be fetched (offline): the caller's error stands. An `Err` when the new
    /// deployment's data is of a format this reader does not read (the reader must reload).
    pub fn redeployed<'a>(&'a self, stale: &'a str, error: &'a LoadError) -> Load<'a, bool> {
        Box::pin(async move {
            if !matches!(error, LoadError::NotFound { .. }) || self.in_memory().is_some() {
                return Ok(false);
            }
            if self
                .cache()
                .info
                .as_ref()
                .is_some_and(|i| i.version != stale)
            {
                // Another load saw the redeployment first.
                return Ok(true);
            }
            let Ok(text) = self.fetch_fresh(SITE_INFO).await else {
                return Ok(false);
            };
            let info = checked_info(&text)?;
            if info.version == stale {
                return Ok(false);
            }
            let mut cache = self.cache();
            if cache.info.as_ref().is_none_or(|i| i.version == stale) {
                *cache = Cache {
                    info: Some(Arc::new(info)),
                    ..Cache::default()
                };
            }
            Ok(true)
        })
    }

    /// The text of the data file that `path_of` names under the current data version, with the
    /// info that named it and its path. A 404 after a redeployment (see
    /// [`Library::redeployed`]) is asked again once, under the new version.
    pub fn fetch_current<'a>(
        &'a self,
        path_of: &'a dyn Fn(&SiteInfo) -> String,
    ) -> Load<'a, (Arc<SiteInfo>, String, String)> {
        Box::pin(async move {
            let mut info = self.info().await?;
            let mut retried = false;
            loop {
                let path = path_of(&info);
                match self.fetch_text(&path).await {
                    Ok(text) => return Ok((info, path, text)),
                    Err(error) if !retried && self.redeployed(&info.version, &error).await? => {
                        info = self.info().await?;
                        retried = true;
                    }
                    Err(error) => return Err(error),
                }
            }
        })
    }

    /// Runs `keep` on the cache if its data version is still `version` (what arrived under an
    /// older version is not mixed into a newer one's).
    fn keep(&self, version: &str, keep: impl FnOnce(&mut Cache)) {
        let mut cache = self.cache();
        if cache.info.as_ref().is_some_and(|i| i.version == version) {
            keep(&mut cache);
        }
    }

    /// Page `page` of every article (`topic_key` `None`) or of one topic's, if loaded.
    pub fn cached_listing(&self, topic_key: Option<&str>, page: usize) -> Option<Arc<Listing>> {
        match &self.inner.source {
            Source::Memory { data, .. } => data.listing(topic_key, page).map(Arc::new),
            Source::Remote { .. } => self
                .cache()
                .listings
                .get(&(topic_key.map(str::to_owned), page))
                .cloned(),
        }
    }

    /// Page `page` of every article (`topic_key` `None`) or of one topic's (its
    /// [`crate::site_data::TopicInfo::key`]). `NotFound` past the end or for an unknown topic.
    pub async fn listing(
        &self,
        topic_key: Option<&str>,
        page: usize,
    ) -> Result<Arc<Listing>, LoadError> {
        if let Some(listing) = self.cached_listing(topic_key, page) {
            return Ok(listing);
        }
        let path_of = |info: &SiteInfo| listing_path(&info.version, topic_key, page);
        let (info, path, text) = self.fetch_current(&path_of).await?;
        let listing: Arc<Listing> = Arc::new(decode_json(&path, &text)?);
        self.keep(&info.version, |cache| {
            cache
                .listings
                .insert((topic_key.map(str::to_owned), page), listing.clone());
        });
        Ok(listing)
    }

    /// Where the article `slug` is, if its slug shard is loaded (`Some(None)`: loaded, and the
    /// site has no such article).
    pub fn cached_located(&self, slug: &str) -> Option<Option<Arc<Located>>> {
        match &self.inner.source {
            Source::Memory { data, .. } => Some(data.locate(slug).map(Arc::new)),
            Source::Remote { .. } => {
                if let Some(known) = self.cache().known.get(slug) {
                    return Some(Some(known.clone()));
                }
                let info = self.cache().info.clone()?;
                let shard = self
                    .cache()
                    .shards
                    .get(&shard_of(slug, info.slug_shards))?
                    .clone();
                Some(shard.get(slug).cloned().map(Arc::new))
            }
        }
    }

    /// Takes where an article is from the page rendered ahead of time for it (its
    /// [`PAGE_DATA`](crate::site_data::PAGE_DATA) block), so that opening an article link
    /// needs no slug shard. `located` names a content-hashed file, so it stays true for as
    /// long as that file is on the site, whatever the data version.
    pub fn know(&self, located: Located) {
        if let Source::Remote { .. } = self.inner.source {
            let slug = located.entry.slug.clone();
            self.cache().known.insert(slug, Arc::new(located));
        }
    }

    /// Where the article `slug` is, from its slug shard; `NotFound` (with the article's page
    /// path) for a slug the site does not have.
    pub async fn locate(&self, slug: &str) -> Result<Arc<Located>, LoadError> {
        let unknown = || LoadError::NotFound {
            path: format!("article/{slug}"),
        };
        if let Some(found) = self.cached_located(slug) {
            return found.ok_or_else(unknown);
        }
        let path_of = |info: &SiteInfo| shard_path(&info.version, shard_of(slug, info.slug_shards));
        let (info, path, text) = self.fetch_current(&path_of).await?;
        let located: Arc<Shard> = Arc::new(decode_json(&path, &text)?);
        let found = located.get(slug).cloned().map(Arc::new);
        self.keep(&info.version, |cache| {
            cache
                .shards
                .insert(shard_of(slug, info.slug_shards), located);
        });
        found.ok_or_else(unknown)
    }

    /// The article `slug`, if loaded (`Some(None)`: the site has no such article).
    pub fn cached_story(&self, slug: &str) -> Option<Option<Story>> {
        match &self.inner.source {
            Source::Memory { corpus, data } => Some(
                corpus
                    .article(slug)
                    .zip(data.locate(slug))
                    .map(|(article, located)| Story {
                        article: article.clone(),
                        located: Arc::new(located),
                    }),
            ),
            Source::Remote { .. } => {
                if let Some(story) = self.cache().stories.get(slug) {
                    return Some(Some(story.clone()));
                }
                // Known to be missing once its shard is here; otherwise not loaded yet.
                match self.cached_located(slug)? {
                    None => Some(None),
                    Some(_) => None,
                }
            }
        }
    }

    /// The article `slug`: its shard entry, then its file, parsed here. `NotFound` for a slug
    /// the site does not have. An article file gone after a redeployment (the article changed,
    /// so its file's name did) is looked up once more in the new version's shard.
    pub async fn story(&self, slug: &str) -> Result<Story, LoadError> {
        match self.cached_story(slug) {
            Some(Some(story)) => return Ok(story),
            Some(None) => {
                return Err(LoadError::NotFound {
                    path: format!("article/{slug}"),
                })
            }
            None => {}
        }
        let mut retried = false;
        loop {
            let located = self.locate(slug).await?;
            // The version that named `located` (a shard gone after a redeployment moves it).
            let info = self.info().await?;
            let path = located.entry.file.clone();
            let text = match self.fetch_text(&path).await {
                Ok(text) => text,
                Err(error) if !retried && self.redeployed(&info.version, &error).await? => {
                    retried = true;
                    continue;
                }
                Err(error) => return Err(error),
            };
            let story = read_story(&path, text.as_bytes(), located)?;
            self.keep(&info.version, |cache| {
                cache.stories.insert(slug.to_owned(), story.clone());
            });
            return Ok(story);
        }
    }

    /// Loads what the page at `route` shows first, so that it renders at once (`ui::start`
    /// awaits this before mounting the app over the page rendered ahead of time).
    pub async fn load_route(&self, route: &Route) -> Result<(), LoadError> {
        self.info().await?;
        match route {
            Route::Home => self.listing(None, 0).await.map(drop),
            Route::Article { slug } | Route::Brief { article: slug, .. } => {
                self.story(slug).await.map(drop)
            }
            Route::Data | Route::Highlights | Route::NotFound => Ok(()),
        }
    }

    /// The data files (relative to the base path) the page at `route` needs first, as
    /// [`Library::load_route`] fetches them: the site's info, and the front page's first
    /// listing page or an article's file (its page carries where it is: see
    /// [`Library::page_data`]). Pages rendered ahead of time name them as preloads, so they
    /// download alongside the wasm. Empty if the info is not loaded.
    pub fn needed_for(&self, route: &Route) -> Vec<String> {
        let Some(info) = self.cached_info() else {
            return Vec::new();
        };
        let mut paths = vec![SITE_INFO.to_owned()];
        match route {
            Route::Home => paths.push(listing_path(&info.version, None, 0)),
            Route::Article { slug } | Route::Brief { article: slug, .. } => {
                if let Some(Some(located)) = self.cached_located(slug) {
                    paths.push(located.entry.file.clone());
                }
            }
            Route::Data | Route::Highlights | Route::NotFound => {}
        }
        paths
    }

    /// What the page at `route` carries for the app besides its HTML: for an article or
    /// brief, where the article is ([`Located`], JSON), which [`Library::know`] takes back.
    /// The page then names no data version, so an article's page files stay byte for byte
    /// the same when other articles change. `None` for the other pages.
    pub fn page_data(&self, route: &Route) -> Option<String> {
        let (Route::Article { slug } | Route::Brief { article: slug, .. }) = route else {
            return None;
        };
        let located = self.cached_located(slug)??;
        serde_json::to_string(&*located).ok()
    }

    /// The text of the data file at `path` (relative to the base path, e.g. `data/site.json`).
    /// In memory there are no files to fetch: callers read the memory directly.
    pub fn fetch_text<'a>(&'a self, path: &'a str) -> Load<'a, String> {
        self.fetch(path, false)
    }

    /// The same, past the browser's HTTP cache (`cache: "no-store"`).
    fn fetch_fresh<'a>(&'a self, path: &'a str) -> Load<'a, String> {
        self.fetch(path, true)
    }

    fn fetch<'a>(&'a self, path: &'a str, fresh: bool) -> Load<'a, String> {
        Box::pin(async move {
            match &self.inner.source {
                Source::Memory { .. } => Err(LoadError::NotFound {
                    path: path.to_owned(),
                }),
                Source::Remote { base } => fetch_text(&format!("{base}/{path}"), path, fresh).await,
            }
        })
    }
}

/// An article file fetched from `path`, parsed as the build parsed it and given the build's
/// slugs (see [`Located::apply`]). A file that does not parse is `Malformed`, its message
/// saying where: `LINE:COL: error: MSG`.
pub fn read_story(path: &str, bytes: &[u8], located: Arc<Located>) -> Result<Story, LoadError> {
    let mut article = crate::article::parse(bytes).map_err(|e| LoadError::Malformed {
        path: path.to_owned(),
        message: e.to_string(),
    })?;
    located.apply(&mut article);
    Ok(Story {
        article: Arc::new(article),
        located,
    })
}

/// `text`, the site's info, decoded and of the data format this reader reads.
fn checked_info(text: &str) -> Result<SiteInfo, LoadError> {
    let info: SiteInfo = decode_json(SITE_INFO, text)?;
    if info.format != DATA_FORMAT {
        return Err(LoadError::Malformed {
            path: SITE_INFO.to_owned(),
            message: format!(
                "data format {}, but this reader reads format {DATA_FORMAT}: reload the page",
                info.format
            ),
        });
    }
    Ok(info)
}

/// `text`, the data file at `path`, decoded; `Malformed` with serde's line and column if not.
pub fn decode_json<T: serde::de::DeserializeOwned>(path: &str, text: &str) -> Result<T, LoadError> {
    serde_json::from_str(text).map_err(|e| LoadError::Malformed {
        path: path.to_owned(),
        message: e.to_string(),
    })
}

#[cfg(target_arch = "wasm32")]
async fn fetch_text(url: &str, path: &str, fresh: bool) -> Result<String, LoadError> {
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;
    let network = |e: wasm_bindgen::JsValue| LoadError::Network {
        path: path.to_owned(),
        message: e
            .dyn_ref::<js_sys::Error>()
            .map(|e| String::from(e.message()))
            .unwrap_or_else(|| "the request failed".to_owned()),
    };
    let window = web_sys::window().ok_or_else(|| network(wasm_bindgen::JsValue::NULL))?;
    let request = if fresh {
        let init = web_sys::RequestInit::new();
        init.set_cache(web_sys::RequestCache::NoStore);
        window.fetch_with_str_and_init(url, &init)
    } else {
        window.fetch_with_str(url)
    };
    let response: web_sys::Response = JsFuture::from(request)
        .await
        .map_err(network)?
        .unchecked_into();
    if response.status() == 404 {
        return Err(LoadError::NotFound {
            path: path.to_owned(),
        });
    }
    if !response.ok() {
        return Err(LoadError::Network {
            path: path.to_owned(),
            message: format!("the server answered {}", response.status()),
        });
    }
    let text = JsFuture::from(response.text().map_err(network)?)
        .await
        .map_err(network)?;
    Ok(text.as_string().unwrap_or_default())
}

#[cfg(not(target_arch = "wasm32"))]
async fn fetch_text(_url: &str, path: &str, _fresh: bool) -> Result<String, LoadError> {
    Err(LoadError::Network {
        path: path.to_owned(),
        message: "the host has no network client; use Library::memory".to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::future::Future;

    const SEED: &[u8] = include_bytes!("../articles/000_508f32e089381fac.txt");

    /// The value of a future that is ready at its first poll, as every memory load is.
    fn now<T>(future: impl Future<Output = T>) -> T {
        let mut context = std::task::Context::from_waker(std::task::Waker::noop());
        match std::pin::pin!(future).poll(&mut context) {
            std::task::Poll::Ready(value) => value,
            std::task::Poll::Pending => panic!("a memory load waited"),
        }
    }

    fn library() -> Library {
        Library::from_corpus(Arc::new(Corpus::from_files([("seed.txt", SEED)])))
    }

    #[test]
    fn memory_has_everything_at_once() {
        let library = library();
        let slug = crate::article::parse(SEED).unwrap().slug;
        let story = library.cached_story(&slug).unwrap().unwrap();
        assert_eq!(story.located.entry.slug, slug);
        assert_eq!(now(library.story(&slug)).unwrap(), story);
        assert_eq!(library.cached_listing(None, 0).unwrap().total, 1);
        assert_eq!(library.cached_story("no-such-story"), Some(None));
        assert_eq!(
            now(library.story("no-such-story")),
            Err(LoadError::NotFound {
                path: "article/no-such-story".into()
            })
        );
        assert!(matches!(
            now(library.listing(None, 1)),
            Err(LoadError::NotFound { .. })
        ));
        now(library.load_route(&Route::Article { slug })).unwrap();
    }

    #[test]
    fn a_page_tells_a_remote_library_where_its_article_is() {
        let memory = library();
        let slug = crate::article::parse(SEED).unwrap().slug;
        let route = Route::Article { slug: slug.clone() };
        let json = memory.page_data(&route).expect("an article page has data");
        let remote = Library::remote("/reader");
        assert_eq!(remote.cached_located(&slug), None, "nothing loaded yet");
        remote.know(serde_json::from_str(&json).unwrap());
        assert_eq!(
            remote.cached_located(&slug),
            memory.cached_located(&slug),
            "located without its slug shard"
        );
        assert_eq!(remote.cached_located("another-story"), None);
        assert_eq!(memory.page_data(&Route::Home), None);
    }

    #[test]
    fn an_article_file_that_does_not_parse_says_where() {
        let library = library();
        let slug = crate::article::parse(SEED).unwrap().slug;
        let located = library.cached_located(&slug).unwrap().unwrap();
        let error = read_story(
            "data/articles/x.txt",
            b"Lede\nRead next\n7:60\nT\nS",
            located.clone(),
        )
        .unwrap_err();
        let LoadError::Malformed { path, message } = &error else {
            panic!("{error:?}")
        };
        assert_eq!(path, "data/articles/x.txt");
        assert!(
            message.starts_with("3:1: error: bad clock time \"7:60\""),
            "{message}"
        );
        // A good file gets the build's slugs, whatever the browser would have made of it.
        let story = read_story("f", b"A lede of another name.", located).unwrap();
        assert_eq!(story.article.slug, slug);
    }

    #[test]
    fn a_data_file_that_does_not_decode_says_where() {
        let error =
            decode_json::<SiteInfo>("data/site.json", "{\"format\": 1,\n  oops}").unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("data/site.json: key must be a string at line 2"),
            "{error}"
        );
    }
}
