//! The site's feeds and sitemap, for a build given the site's absolute address (`--site-url`):
//! `feed.xml` (Atom 1.0, written by atom_syndication) and `feed.json` (JSON Feed 1.1) of the
//! [`NEWEST`] newest articles, `sitemap.xml` of every article and brief page (an index of
//! `sitemap-N.xml` files past [`SITEMAP_LIMIT`] addresses), and the `<link>`s every page carries
//! to its canonical address and to the feeds.
//!
//! Times are the articles' `published:`. An article without one (listed last, as on the front
//! page) is dated by its file's modification time, which Atom requires of every entry; give it a
//! `published:` for a date that does not move when the file is copied.

use crate::{output::Output, source::Source};
use anyhow::{bail, Context as _};
use atom_syndication as atom;
use broadsheet::{
    article::Article,
    routes::{self, Route},
};
use chrono::{DateTime, FixedOffset, SecondsFormat, Utc};
use quick_xml::{events::BytesText, Writer};
use serde::Serialize;
use std::{io::Cursor, time::SystemTime};

/// The Atom feed, relative to the site.
pub const ATOM: &str = "feed.xml";
/// The JSON Feed.
pub const JSON: &str = "feed.json";
/// The sitemap (or, for a large site, the sitemap index).
pub const SITEMAP: &str = "sitemap.xml";
/// How many articles the feeds carry, newest first.
pub const NEWEST: usize = 50;
/// Addresses in one sitemap file (the protocol's limit).
pub const SITEMAP_LIMIT: usize = 50_000;
/// The site's name in its feeds, as in its pages' titles.
pub const SITE_NAME: &str = "Broadsheet";

/// Whether the build writes the file at `path` (relative to the site) for the feeds: no page
/// and no app file, so not precached for offline reading.
pub fn is_feed_file(path: &str) -> bool {
    path == ATOM
        || path == JSON
        || (path.starts_with("sitemap") && path.ends_with(".xml") && !path.contains('/'))
}

/// The site's absolute address: `http` or `https`, no query or fragment, its path ending in
/// `/` (`https://news.example.org/reader/`). Its path is the site's public URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SiteUrl(url::Url);

impl SiteUrl {
    pub fn parse(text: &str) -> anyhow::Result<SiteUrl> {
        let mut url = url::Url::parse(text)
            .with_context(|| format!("--site-url {text:?} is not an absolute URL"))?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            bail!(
                "--site-url {text:?}: expected an http or https address, \
                 such as https://news.example.org/"
            );
        }
        if url.query().is_some() || url.fragment().is_some() || !url.username().is_empty() {
            bail!("--site-url {text:?}: expected no query, fragment or user name");
        }
        let path = crate::normalise_public_url(url.path());
        url.set_path(&path);
        Ok(SiteUrl(url))
    }

    /// The path the site is served under (`/reader/`).
    pub fn path(&self) -> &str {
        self.0.path()
    }

    /// The absolute address of `route`'s page.
    pub fn page(&self, route: &Route) -> String {
        self.file(route.path().trim_start_matches('/'))
    }

    /// The absolute address of a file of the site (`feed.xml`).
    pub fn file(&self, path: &str) -> String {
        format!("{}{path}", self.0.as_str())
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

/// The `<link>`s of a page's head: its canonical address (not for the not-found page, which
/// is served at any address) and the feeds.
pub fn head_links(site: &SiteUrl, route: &Route) -> String {
    let mut links = String::new();
    if *route != Route::NotFound {
        links.push_str(&format!(
            "<link rel=\"canonical\" href=\"{}\">\n",
            escape_attribute(&site.page(route))
        ));
    }
    for (kind, file, name) in [
        ("application/atom+xml", ATOM, "Atom"),
        ("application/feed+json", JSON, "JSON Feed"),
    ] {
        links.push_str(&format!(
            "<link rel=\"alternate\" type=\"{kind}\" title=\"{SITE_NAME} ({name})\" href=\"{}\">\n",
            escape_attribute(&site.file(file))
        ));
    }
    links
}

fn escape_attribute(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// What [`write`] wrote.
#[derive(Debug, Default)]
pub struct Feeds {
    /// Entries in each feed.
    pub entries: usize,
    /// Of them, dated by their file's modification time.
    pub undated: usize,
    /// Addresses in the sitemap.
    pub pages: usize,
}

/// Writes the feeds and the sitemap of `source` for the site at `site` into `out`.
pub fn write(out: &Output, site: &SiteUrl, source: &Source) -> anyhow::Result<Feeds> {
    let articles = source.corpus.articles();
    let newest: Vec<Dated> = articles
        .iter()
        .take(NEWEST)
        .map(|article| Dated::of(article, source))
        .collect();
    out.write(ATOM, atom_feed(site, &newest)?.as_bytes())?;
    out.write(JSON, json_feed(site, &newest)?.as_bytes())?;
    let pages = sitemap_pages(site, source);
    for (path, xml) in sitemap_files(site, &pages)? {
        out.write(&path, xml.as_bytes())?;
    }
    Ok(Feeds {
        entries: newest.len(),
        undated: newest.iter().filter(|d| d.undated).count(),
        pages: pages.len(),
    })
}

/// An article with the times its feed entry gives.
struct Dated<'a> {
    article: &'a Article,
    published: Option<DateTime<FixedOffset>>,
    updated: DateTime<FixedOffset>,
    /// Dated by its file's modification time.
    undated: bool,
}

impl<'a> Dated<'a> {
    fn of(article: &'a Article, source: &Source) -> Dated<'a> {
        let published = article.published.as_ref().map(|p| {
            // As written, with its offset; the parser's instant if chrono reads it otherwise
            // (`t` or a space for `T`).
            DateTime::parse_from_rfc3339(&p.text).unwrap_or_else(|_| {
                DateTime::<Utc>::from_timestamp(p.unix_seconds, 0)
                    .unwrap_or_default()
                    .fixed_offset()
            })
        });
        let updated = published.unwrap_or_else(|| modified(source, &article.slug));
        Dated {
            article,
            published,
            updated,
            undated: published.is_none(),
        }
    }
}

/// When the file of the article `slug` was last changed, to the second, in UTC.
fn modified(source: &Source, slug: &str) -> DateTime<FixedOffset> {
    let time = source
        .modified
        .get(slug)
        .copied()
        .unwrap_or(SystemTime::UNIX_EPOCH);
    let utc: DateTime<Utc> = time.into();
    DateTime::<Utc>::from_timestamp(utc.timestamp(), 0)
        .unwrap_or_default()
        .fixed_offset()
}

/// The article's text as HTML: one `<p>` a paragraph, every character of the text escaped.
fn content_html(article: &Article) -> String {
    article
        .paragraphs
        .iter()
        .map(|p| format!("<p>{}</p>", escape_text(p)))
        .collect::<Vec<_>>()
        .join("\n")
}

fn escape_text(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The summary a feed gives: the article's, or else its lede (as the front page shows).
fn summary(article: &Article) -> &str {
    article
        .summary
        .as_deref()
        .or(article.paragraphs.first().map(String::as_str))
        .unwrap_or_default()
}

fn article_route(article: &Article) -> Route {
    Route::Article {
        slug: article.slug.clone(),
    }
}

/// The Atom feed: the site's address as its id, a `self` and an `alternate` link, the site as
/// the author of entries without one, and an entry per article: its address as id and link,
/// its title, times, author, topic as category, summary and text (HTML, escaped).
fn atom_feed(site: &SiteUrl, newest: &[Dated]) -> anyhow::Result<String> {
    let link = |href: String, rel: &str, kind: &str| atom::Link {
        href,
        rel: rel.to_owned(),
        mime_type: Some(kind.to_owned()),
        ..Default::default()
    };
    let entries = newest
        .iter()
        .map(|dated| {
            let article = dated.article;
            let url = site.page(&article_route(article));
            atom::Entry {
                title: atom::Text::plain(article.title.clone()),
                id: url.clone(),
                updated: dated.updated,
                published: dated.published,
                authors: article
                    .author
                    .iter()
                    .map(|name| atom::Person {
                        name: name.clone(),
                        ..Default::default()
                    })
                    .collect(),
                categories: article
                    .topic
                    .iter()
                    .map(|topic| atom::Category {
                        term: topic.clone(),
                        ..Default::default()
                    })
                    .collect(),
                links: vec![link(url, "alternate", "text/html")],
                summary: Some(atom::Text::plain(summary(article))),
                content: Some(atom::Content {
                    value: Some(content_html(article)),
                    content_type: Some("html".to_owned()),
                    lang: Some(article.lang.clone()),
                    ..Default::default()
                }),
                ..Default::default()
            }
        })
        .collect();
    let feed = atom::Feed {
        title: atom::Text::plain(SITE_NAME),
        id: site.as_str().to_owned(),
        updated: newest.iter().map(|d| d.updated).max().unwrap_or_default(),
        authors: vec![atom::Person {
            name: SITE_NAME.to_owned(),
            ..Default::default()
        }],
        links: vec![
            link(site.file(ATOM), "self", "application/atom+xml"),
            link(site.as_str().to_owned(), "alternate", "text/html"),
        ],
        entries,
        ..Default::default()
    };
    let bytes = feed
        .write_with_config(
            Vec::new(),
            atom::WriteConfig {
                write_document_declaration: true,
                indent_size: Some(2),
            },
        )
        .context("write the Atom feed")?;
    Ok(String::from_utf8(bytes)? + "\n")
}

/// JSON Feed 1.1 (<https://www.jsonfeed.org/version/1.1/>).
#[derive(Serialize)]
struct JsonFeed<'a> {
    version: &'static str,
    title: &'static str,
    home_page_url: &'a str,
    feed_url: String,
    authors: Vec<JsonAuthor<'a>>,
    items: Vec<JsonItem<'a>>,
}

#[derive(Serialize)]
struct JsonAuthor<'a> {
    name: &'a str,
}

#[derive(Serialize)]
struct JsonItem<'a> {
    id: String,
    url: String,
    title: &'a str,
    content_html: String,
    content_text: String,
    summary: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    date_published: Option<String>,
    date_modified: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    authors: Vec<JsonAuthor<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tags: Vec<&'a str>,
    language: &'a str,
}

fn rfc3339(time: &DateTime<FixedOffset>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn json_feed(site: &SiteUrl, newest: &[Dated]) -> anyhow::Result<String> {
    let feed = JsonFeed {
        version: "https://jsonfeed.org/version/1.1",
        title: SITE_NAME,
        home_page_url: site.as_str(),
        feed_url: site.file(JSON),
        authors: vec![JsonAuthor { name: SITE_NAME }],
        items: newest
            .iter()
            .map(|dated| {
                let article = dated.article;
                let url = site.page(&article_route(article));
                JsonItem {
                    id: url.clone(),
                    url,
                    title: &article.title,
                    content_html: content_html(article),
                    content_text: article.paragraphs.join("\n\n"),
                    summary: summary(article),
                    date_published: dated.published.as_ref().map(rfc3339),
                    date_modified: rfc3339(&dated.updated),
                    authors: article
                        .author
                        .iter()
                        .map(|name| JsonAuthor { name })
                        .collect(),
                    tags: article.topic.iter().map(String::as_str).collect(),
                    language: &article.lang,
                }
            })
            .collect(),
    };
    Ok(serde_json::to_string_pretty(&feed)? + "\n")
}

/// Every page a search engine should know, with when it last changed: the front page (the
/// newest article's time), and each article and its briefs (the article's time). The reader's
/// own pages ("Your data", "Your highlights") and the not-found page hold nothing to find.
fn sitemap_pages(site: &SiteUrl, source: &Source) -> Vec<(String, DateTime<FixedOffset>)> {
    let articles = source.corpus.articles();
    let dated: Vec<DateTime<FixedOffset>> = articles
        .iter()
        .map(|a| Dated::of(a, source).updated)
        .collect();
    let mut pages = vec![(
        site.page(&Route::Home),
        dated.iter().max().copied().unwrap_or_default(),
    )];
    let mut at = 0;
    for route in routes::pages(&source.corpus) {
        let slug = match &route {
            Route::Article { slug } | Route::Brief { article: slug, .. } => slug,
            _ => continue,
        };
        // routes::pages lists the corpus's articles in order, each followed by its briefs.
        while articles[at].slug != *slug {
            at += 1;
        }
        pages.push((site.page(&route), dated[at]));
    }
    pages
}

/// `sitemap.xml`, or, past [`SITEMAP_LIMIT`] addresses, `sitemap.xml` as an index of
/// `sitemap-1.xml`, `sitemap-2.xml`, …: (path, XML).
fn sitemap_files(
    site: &SiteUrl,
    pages: &[(String, DateTime<FixedOffset>)],
) -> anyhow::Result<Vec<(String, String)>> {
    if pages.len() <= SITEMAP_LIMIT {
        return Ok(vec![(SITEMAP.to_owned(), urlset(pages)?)]);
    }
    let mut files = Vec::new();
    let mut index = Vec::new();
    for (n, chunk) in pages.chunks(SITEMAP_LIMIT).enumerate() {
        let path = format!("sitemap-{}.xml", n + 1);
        let newest = chunk.iter().map(|(_, t)| *t).max().unwrap_or_default();
        index.push((site.file(&path), newest));
        files.push((path, urlset(chunk)?));
    }
    files.push((
        SITEMAP.to_owned(),
        sitemap_xml("sitemapindex", "sitemap", &index)?,
    ));
    Ok(files)
}

fn urlset(pages: &[(String, DateTime<FixedOffset>)]) -> anyhow::Result<String> {
    sitemap_xml("urlset", "url", pages)
}

/// `<ROOT xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">` with an `<ITEM>` holding
/// `<loc>` and `<lastmod>` for each address.
fn sitemap_xml(
    root: &str,
    item: &str,
    entries: &[(String, DateTime<FixedOffset>)],
) -> anyhow::Result<String> {
    let mut writer = Writer::new_with_indent(Cursor::new(Vec::new()), b' ', 2);
    writer.write_event(quick_xml::events::Event::Decl(
        quick_xml::events::BytesDecl::new("1.0", Some("UTF-8"), None),
    ))?;
    writer
        .create_element(root)
        .with_attribute(("xmlns", "http://www.sitemaps.org/schemas/sitemap/0.9"))
        .write_inner_content(|w| {
            for (loc, lastmod) in entries {
                w.create_element(item).write_inner_content(|w| {
                    w.create_element("loc")
                        .write_text_content(BytesText::new(loc))?;
                    w.create_element("lastmod")
                        .write_text_content(BytesText::new(&rfc3339(lastmod)))?;
                    Ok(())
                })?;
            }
            Ok(())
        })?;
    Ok(String::from_utf8(writer.into_inner().into_inner())? + "\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn site_urls_are_absolute_http_addresses_ending_in_a_slash() {
        for (given, meant) in [
            ("https://news.example.org", "https://news.example.org/"),
            (
                "https://news.example.org/reader",
                "https://news.example.org/reader/",
            ),
            ("http://localhost:8080/a/b/", "http://localhost:8080/a/b/"),
        ] {
            assert_eq!(SiteUrl::parse(given).unwrap().as_str(), meant, "{given}");
        }
        let site = SiteUrl::parse("https://news.example.org/reader").unwrap();
        assert_eq!(site.path(), "/reader/");
        assert_eq!(
            site.page(&Route::Article { slug: "a-b".into() }),
            "https://news.example.org/reader/article/a-b"
        );
        assert_eq!(site.page(&Route::Home), "https://news.example.org/reader/");
        for bad in [
            "/reader/",
            "news.example.org",
            "ftp://news.example.org/",
            "https://news.example.org/?a=1",
            "https://news.example.org/#top",
            "https://me@news.example.org/",
        ] {
            assert!(SiteUrl::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn feed_files_are_told_apart_from_the_app() {
        for path in ["feed.xml", "feed.json", "sitemap.xml", "sitemap-2.xml"] {
            assert!(is_feed_file(path), "{path}");
        }
        for path in ["index.html", "data/sitemap.xml", "manifest.webmanifest"] {
            assert!(!is_feed_file(path), "{path}");
        }
    }

    #[test]
    fn pages_link_their_canonical_address_and_the_feeds() {
        let site = SiteUrl::parse("https://news.example.org/r/").unwrap();
        let links = head_links(&site, &Route::Article { slug: "x".into() });
        assert_eq!(
            links,
            "<link rel=\"canonical\" href=\"https://news.example.org/r/article/x\">\n\
             <link rel=\"alternate\" type=\"application/atom+xml\" title=\"Broadsheet (Atom)\" href=\"https://news.example.org/r/feed.xml\">\n\
             <link rel=\"alternate\" type=\"application/feed+json\" title=\"Broadsheet (JSON Feed)\" href=\"https://news.example.org/r/feed.json\">\n"
        );
        assert!(!head_links(&site, &Route::NotFound).contains("canonical"));
    }

    #[test]
    fn a_large_sitemap_becomes_an_index_of_sitemaps() {
        let site = SiteUrl::parse("https://news.example.org/").unwrap();
        let time = DateTime::parse_from_rfc3339("2025-04-03T08:15:00+02:00").unwrap();
        let pages: Vec<_> = (0..SITEMAP_LIMIT + 1)
            .map(|n| (format!("https://news.example.org/article/{n}"), time))
            .collect();
        let files = sitemap_files(&site, &pages).unwrap();
        let paths: Vec<&str> = files.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(paths, ["sitemap-1.xml", "sitemap-2.xml", "sitemap.xml"]);
        assert_eq!(files[0].1.matches("<url>").count(), SITEMAP_LIMIT);
        assert_eq!(files[1].1.matches("<url>").count(), 1);
        let index = &files[2].1;
        assert!(
            index.contains("<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">")
        );
        assert!(index.contains("<loc>https://news.example.org/sitemap-2.xml</loc>"));
        assert!(index.contains("<lastmod>2025-04-03T08:15:00+02:00</lastmod>"));
    }
}
