//! The site's URLs in one place: which pages there are, which page a path names, and the path
//! of each page. The app's router, the pages rendered ahead of time and the build's page files
//! are all derived from here, so a new page or a renamed segment is one change.
//!
//! Paths here are without the base path the site is served under (`/article/x`, not
//! `/reader/article/x`); `ui::href` adds it. Pure: no Leptos, testable on the host.

use crate::corpus::Corpus;
// Already in the wasm through leptos_router's `url`: no new bytes.
use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// The first segment of an article's path: `/article/{slug}`.
pub const ARTICLE: &str = "article";
/// The segment between an article's slug and a brief's: `/article/{slug}/brief/{brief}`.
pub const BRIEF: &str = "brief";
/// The "Your data" page: `/data`.
pub const DATA: &str = "data";
/// The "Your highlights" page: `/highlights`.
pub const HIGHLIGHTS: &str = "highlights";
/// The path [`Route::NotFound`] is rendered for (the build's `404.html`).
pub const NOT_FOUND: &str = "404";
/// The router's name for an article's slug (`use_params_map().get(SLUG_PARAM)`).
pub const SLUG_PARAM: &str = "slug";
/// The router's name for a brief's slug.
pub const BRIEF_PARAM: &str = "brief";

/// A page of the site.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Route {
    /// The front page, `/` (its search query lives in `?q=`, not in the route).
    Home,
    /// An article's reading view, `/article/{slug}`.
    Article { slug: String },
    /// The brief for one related entry of an article, `/article/{article}/brief/{brief}`.
    Brief { article: String, brief: String },
    /// "Your data", `/data`.
    Data,
    /// "Your highlights", `/highlights`.
    Highlights,
    /// Any path that names no page.
    NotFound,
}

impl Route {
    /// The page `path` names. A query or fragment is ignored, one trailing slash is allowed,
    /// and slugs are percent-decoded (as the router decodes its parameters). Whether the
    /// article or brief exists is the corpus's question, not the path's.
    pub fn parse(path: &str) -> Route {
        let path = path.split(['?', '#']).next().unwrap_or_default();
        let path = path.strip_prefix('/').unwrap_or(path);
        let path = path.strip_suffix('/').unwrap_or(path);
        if path.is_empty() {
            return Route::Home;
        }
        let segments: Vec<&str> = path.split('/').collect();
        if segments.iter().any(|s| s.is_empty()) {
            return Route::NotFound;
        }
        match segments.as_slice() {
            [DATA] => Route::Data,
            [HIGHLIGHTS] => Route::Highlights,
            [ARTICLE, slug] => Route::Article { slug: decode(slug) },
            [ARTICLE, article, BRIEF, brief] => Route::Brief {
                article: decode(article),
                brief: decode(brief),
            },
            _ => Route::NotFound,
        }
    }

    /// The path of this page, without the base path: `/`, `/article/x`, `/data`; `/404` for
    /// [`Route::NotFound`]. Slugs are percent-encoded, so [`Route::parse`] gives this route
    /// back (a corpus's slugs are URL-safe already and come out as they are).
    pub fn path(&self) -> String {
        match self {
            Route::Home => "/".to_owned(),
            Route::Article { slug } => format!("/{ARTICLE}/{}", encode(slug)),
            Route::Brief { article, brief } => {
                format!("/{ARTICLE}/{}/{BRIEF}/{}", encode(article), encode(brief))
            }
            Route::Data => format!("/{DATA}"),
            Route::Highlights => format!("/{HIGHLIGHTS}"),
            Route::NotFound => format!("/{NOT_FOUND}"),
        }
    }
}

/// Every page of the site with `corpus`: the front page, "Your data", "Your highlights", and each article
/// followed by the briefs of its related entries. [`Route::NotFound`] is not a page.
pub fn pages(corpus: &Corpus) -> Vec<Route> {
    let mut pages = vec![Route::Home, Route::Data, Route::Highlights];
    for article in corpus.articles() {
        pages.push(Route::Article {
            slug: article.slug.clone(),
        });
        pages.extend(article.related.iter().map(|entry| Route::Brief {
            article: article.slug.clone(),
            brief: entry.slug.clone(),
        }));
    }
    pages
}

/// Every byte outside RFC 3986's unreserved characters (`A-Z a-z 0-9 - . _ ~`).
const RESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// `s` with every byte outside the unreserved characters percent-encoded.
fn encode(s: &str) -> String {
    utf8_percent_encode(s, RESERVED).to_string()
}

/// `s` percent-decoded; as it is when that is not UTF-8 (the browser's `decodeURIComponent`,
/// which the router uses, gives up too). A `%` without two hex digits after it stays.
fn decode(s: &str) -> String {
    match percent_decode_str(s).decode_utf8() {
        Ok(decoded) => decoded.into_owned(),
        Err(_) => s.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn article(slug: &str) -> Route {
        Route::Article {
            slug: slug.to_owned(),
        }
    }

    fn brief(article: &str, brief: &str) -> Route {
        Route::Brief {
            article: article.to_owned(),
            brief: brief.to_owned(),
        }
    }

    #[test]
    fn every_route_round_trips_through_its_path() {
        let routes = [
            Route::Home,
            article("kirill-dmitriev-talks"),
            brief("kirill-dmitriev-talks", "stalingrad"),
            Route::Data,
            Route::Highlights,
            Route::NotFound,
        ];
        for route in routes {
            assert_eq!(Route::parse(&route.path()), route, "{}", route.path());
        }
        assert_eq!(Route::Home.path(), "/");
        assert_eq!(article("x").path(), "/article/x");
        assert_eq!(brief("x", "y").path(), "/article/x/brief/y");
        assert_eq!(Route::Data.path(), "/data");
    }

    #[test]
    fn trailing_slashes_queries_and_fragments_name_the_same_page() {
        assert_eq!(Route::parse(""), Route::Home);
        assert_eq!(Route::parse("/?q=war"), Route::Home);
        assert_eq!(Route::parse("/data/"), Route::Data);
        assert_eq!(Route::parse("/article/x/"), article("x"));
        assert_eq!(Route::parse("/article/x#p3"), article("x"));
        assert_eq!(Route::parse("/article/x/brief/y/?v=1"), brief("x", "y"));
        assert_eq!(Route::parse("data"), Route::Data);
    }

    #[test]
    fn slugs_are_percent_decoded_and_encoded() {
        assert_eq!(Route::parse("/article/caf%C3%A9"), article("café"));
        assert_eq!(article("café").path(), "/article/caf%C3%A9");
        assert_eq!(
            Route::parse("/article/a%2Fb/brief/c%20d"),
            brief("a/b", "c d")
        );
        assert_eq!(brief("a/b", "c d").path(), "/article/a%2Fb/brief/c%20d");
        for slug in ["a b", "a/b", "100%", "?#", "ünïcödé", "-._~"] {
            assert_eq!(Route::parse(&article(slug).path()), article(slug), "{slug}");
        }
        // Not valid percent-encoding: kept as written.
        assert_eq!(Route::parse("/article/100%"), article("100%"));
        assert_eq!(Route::parse("/article/%FF"), article("%FF"));
        assert_eq!(Route::parse("/article/%+1"), article("%+1"));
    }

    #[test]
    fn paths_that_name_no_page_are_not_found() {
        for path in [
            "/404",
            "/nope",
            "/article",
            "/article/",
            "/article//x",
            "/article/x/brief",
            "/article/x/brief/y/z",
            "/article/x/comments/y",
            "/data/x",
            "/data//",
            "/Data",
        ] {
            assert_eq!(Route::parse(path), Route::NotFound, "{path}");
        }
    }

    #[test]
    fn the_pages_of_a_corpus_are_the_readers_own_and_every_article_and_brief() {
        let seed = include_bytes!("../../articles/000_508f32e089381fac.txt");
        let corpus = Corpus::from_files([("seed.txt", &seed[..])]);
        let pages = pages(&corpus);
        assert_eq!(pages[..3], [Route::Home, Route::Data, Route::Highlights]);
        let briefs: usize = corpus.articles().iter().map(|a| a.related.len()).sum();
        assert_eq!(pages.len(), 3 + corpus.articles().len() + briefs);
        for page in &pages {
            assert_eq!(&Route::parse(&page.path()), page);
            match page {
                Route::Article { slug } => assert!(corpus.article(slug).is_some()),
                Route::Brief { article, brief } => {
                    assert!(corpus.brief(article, brief).is_some())
                }
                _ => {}
            }
        }
        assert!(!pages.contains(&Route::NotFound));
    }
}
