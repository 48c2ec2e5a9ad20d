//! The feeds and the sitemap of a site built with its address (`--site-url`), from the bundled
//! articles and the hostile fixture: checked against their specifications' structure (Atom's
//! namespace and required elements, JSON Feed 1.1's fields, the sitemap protocol), with
//! absolute addresses and RFC 3339 times, and markup in an article kept as text.

mod support;

use broadsheet::routes::{self, Route};
use broadsheet_site::{build, feeds::SiteUrl, Options};
use quick_xml::{
    events::Event,
    name::{Namespace, ResolveResult},
    NsReader,
};
use std::{fs, path::Path};
use support::{temp, trunk_output};

const SITE: &str = "https://news.example.org/news/";
const ATOM_NS: &[u8] = b"http://www.w3.org/2005/Atom";
const SITEMAP_NS: &[u8] = b"http://www.sitemaps.org/schemas/sitemap/0.9";
const HOSTILE_TITLE: &str = "<script>window.__pwned = 1</script>Hostile \"headline\" & <b>bold</b>";

/// A site built from `articles/` and `tests/fixtures/hostile.txt`, with or without its address.
struct Built {
    root: std::path::PathBuf,
    dist: std::path::PathBuf,
    corpus: broadsheet::corpus::Corpus,
}

impl Built {
    fn new(name: &str, site_url: Option<&str>) -> Built {
        let root = temp(name);
        let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let articles = root.join("articles");
        fs::create_dir_all(&articles).unwrap();
        let mut files = Vec::new();
        for entry in fs::read_dir(repo.join("articles")).unwrap() {
            files.push(entry.unwrap().path());
        }
        files.push(repo.join("tests/fixtures/hostile.txt"));
        let mut contents = Vec::new();
        for file in &files {
            let bytes = fs::read(file).unwrap();
            fs::write(articles.join(file.file_name().unwrap()), &bytes).unwrap();
            contents.push((file.display().to_string(), bytes));
        }
        trunk_output(&root.join("trunk"));
        let dist = root.join("dist");
        build(&Options {
            trunk: root.join("trunk"),
            dist: dist.clone(),
            public_url: "/news/".into(),
            articles,
            cache: None,
            keep_going: false,
            site_url: site_url.map(|url| SiteUrl::parse(url).unwrap()),
        })
        .unwrap();
        let corpus = broadsheet::corpus::Corpus::from_files(
            contents
                .iter()
                .map(|(name, bytes)| (name.as_str(), bytes.as_slice())),
        );
        Built { root, dist, corpus }
    }

    fn read(&self, path: &str) -> String {
        fs::read_to_string(self.dist.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
    }
}

impl Drop for Built {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.root);
    }
}

/// An absolute https address on the site.
fn assert_on_site(url: &str) {
    let parsed = url::Url::parse(url).unwrap_or_else(|e| panic!("{url}: {e}"));
    assert_eq!(parsed.scheme(), "https", "{url}");
    assert!(url.starts_with(SITE), "{url}");
}

fn assert_rfc3339(time: &str) {
    chrono::DateTime::parse_from_rfc3339(time).unwrap_or_else(|e| panic!("{time:?}: {e}"));
}

/// Every element of `xml` is in the namespace `ns`; returns the root element's local name.
fn root_in_namespace(xml: &str, ns: &[u8]) -> String {
    let mut reader = NsReader::from_str(xml);
    let mut root = None;
    loop {
        match reader.read_resolved_event().unwrap() {
            (resolved, Event::Start(e) | Event::Empty(e)) => {
                let name = String::from_utf8(e.local_name().as_ref().to_vec()).unwrap();
                assert_eq!(
                    resolved,
                    ResolveResult::Bound(Namespace(ns)),
                    "<{name}> is outside the namespace"
                );
                root.get_or_insert(name);
            }
            (_, Event::Eof) => break,
            _ => {}
        }
    }
    root.expect("a root element")
}

#[test]
fn the_atom_feed_has_what_atom_requires_with_absolute_addresses() {
    let site = Built::new("feeds-atom", Some(SITE));
    let xml = site.read("feed.xml");
    assert!(xml.starts_with("<?xml version=\"1.0\""), "{xml}");
    assert_eq!(root_in_namespace(&xml, ATOM_NS), "feed");
    // Markup in an article never reaches the XML as markup.
    assert!(!xml.contains("<script") && !xml.contains("<b>"), "{xml}");

    let feed = atom_syndication::Feed::read_from(xml.as_bytes()).unwrap();
    assert_eq!(feed.id, SITE);
    assert_eq!(feed.title.value, "Broadsheet");
    assert!(
        !feed.authors.is_empty(),
        "entries without an author take the feed's"
    );
    let self_link = feed.links.iter().find(|l| l.rel == "self").unwrap();
    assert_eq!(self_link.href, format!("{SITE}feed.xml"));
    assert_eq!(feed.entries.len(), site.corpus.articles().len());
    assert!(xml.contains(&format!("<updated>{}</updated>", feed.updated.to_rfc3339())));
    for (entry, article) in feed.entries.iter().zip(site.corpus.articles()) {
        let url = format!("{SITE}article/{}", article.slug);
        assert_eq!(entry.id, url);
        assert_on_site(&entry.id);
        assert_eq!(entry.title.value, article.title);
        let link = entry.links.iter().find(|l| l.rel == "alternate").unwrap();
        assert_eq!(link.href, url);
        assert!(entry.updated <= feed.updated);
        let content = entry.content.as_ref().unwrap();
        assert_eq!(content.content_type.as_deref(), Some("html"));
        assert!(entry.summary.is_some());
    }
    // Each time element as written is RFC 3339.
    for tag in ["updated", "published"] {
        for time in xml.split(&format!("<{tag}>")).skip(1) {
            assert_rfc3339(time.split('<').next().unwrap());
        }
    }

    let hostile = feed
        .entries
        .iter()
        .find(|e| e.id.ends_with("/article/hostile-content"))
        .unwrap();
    assert_eq!(hostile.title.value, HOSTILE_TITLE);
    assert_eq!(
        hostile.authors[0].name,
        "<a href=\"javascript:window.__pwned = 1\">Mallory</a>"
    );
    assert_eq!(
        hostile.categories[0].term,
        "<img src=x onerror=\"window.__pwned = 1\">Topic"
    );
    assert_eq!(
        hostile.published.unwrap().to_rfc3339(),
        "2025-01-02T03:04:05+00:00"
    );
    // The content is HTML whose text is the article's: its markup escaped once more.
    let html = hostile.content.as_ref().unwrap().value.as_deref().unwrap();
    assert!(html.starts_with(
        "<p>&lt;script&gt;window.__pwned = 1&lt;/script&gt;The lede has a script tag.</p>"
    ));
    assert!(!html.contains("<script") && !html.contains("<img") && !html.contains("<style"));
    // Another reader of Atom sees the same.
    let parsed = feed_rs::parser::parse(xml.as_bytes()).unwrap();
    let entry = parsed
        .entries
        .iter()
        .find(|e| e.id.ends_with("/article/hostile-content"))
        .unwrap();
    assert_eq!(entry.title.as_ref().unwrap().content, HOSTILE_TITLE);
}

#[test]
fn the_json_feed_has_what_json_feed_1_1_requires() {
    let site = Built::new("feeds-json", Some(SITE));
    let feed: serde_json::Value = serde_json::from_str(&site.read("feed.json")).unwrap();
    assert_eq!(feed["version"], "https://jsonfeed.org/version/1.1");
    assert_eq!(feed["title"], "Broadsheet");
    assert_eq!(feed["home_page_url"], SITE);
    assert_eq!(feed["feed_url"], format!("{SITE}feed.json"));
    let items = feed["items"].as_array().unwrap();
    assert_eq!(items.len(), site.corpus.articles().len());
    for (item, article) in items.iter().zip(site.corpus.articles()) {
        let url = format!("{SITE}article/{}", article.slug);
        assert_eq!(item["id"], url);
        assert_eq!(item["url"], url);
        assert_on_site(item["url"].as_str().unwrap());
        assert_eq!(item["title"], article.title);
        assert_eq!(
            item["content_text"],
            article.paragraphs.join("\n\n"),
            "the text as it is"
        );
        assert!(item["content_html"].as_str().unwrap().starts_with("<p>"));
        assert_rfc3339(item["date_modified"].as_str().unwrap());
        match &article.published {
            Some(_) => assert_rfc3339(item["date_published"].as_str().unwrap()),
            None => assert!(item.get("date_published").is_none()),
        }
        assert_eq!(item["language"], article.lang);
    }
    let hostile = items
        .iter()
        .find(|i| i["id"] == format!("{SITE}article/hostile-content"))
        .unwrap();
    assert_eq!(hostile["title"], HOSTILE_TITLE);
    assert_eq!(
        hostile["tags"][0],
        "<img src=x onerror=\"window.__pwned = 1\">Topic"
    );
    assert!(hostile["content_text"]
        .as_str()
        .unwrap()
        .starts_with("<script>window.__pwned = 1</script>The lede has a script tag."));
    let html = hostile["content_html"].as_str().unwrap();
    assert!(html.starts_with("<p>&lt;script&gt;window.__pwned = 1&lt;/script&gt;The lede"));
    assert!(!html.contains("<script") && !html.contains("<img") && !html.contains("<style"));
}

#[test]
fn the_sitemap_lists_every_article_and_brief_page() {
    let site = Built::new("feeds-sitemap", Some(SITE));
    let xml = site.read("sitemap.xml");
    assert_eq!(root_in_namespace(&xml, SITEMAP_NS), "urlset");
    let mut reader = NsReader::from_str(&xml);
    let (mut locs, mut lastmods, mut inside) = (Vec::new(), Vec::new(), String::new());
    loop {
        match reader.read_event().unwrap() {
            Event::Start(e) => inside = String::from_utf8(e.name().as_ref().to_vec()).unwrap(),
            Event::Text(t) => {
                let text = t.decode().unwrap().into_owned();
                match inside.as_str() {
                    "loc" => locs.push(text),
                    "lastmod" => lastmods.push(text),
                    _ => {}
                }
            }
            Event::End(_) => inside.clear(),
            Event::Eof => break,
            _ => {}
        }
    }
    let mut want: Vec<String> = routes::pages(&site.corpus)
        .iter()
        .filter(|r| matches!(r, Route::Home | Route::Article { .. } | Route::Brief { .. }))
        .map(|r| format!("{SITE}{}", r.path().trim_start_matches('/')))
        .collect();
    assert!(
        want.iter().any(|u| u.contains("/brief/")),
        "the seed has briefs"
    );
    want.sort();
    let mut got = locs.clone();
    got.sort();
    assert_eq!(got, want);
    assert_eq!(lastmods.len(), locs.len());
    for lastmod in &lastmods {
        assert_rfc3339(lastmod);
    }
    locs.iter().for_each(|l| assert_on_site(l));
}

#[test]
fn pages_link_their_address_and_the_feeds_and_the_feeds_stay_out_of_the_offline_cache() {
    let site = Built::new("feeds-pages", Some(SITE));
    let page = site.read("article/hostile-content/index.html");
    assert!(page.contains(&format!(
        "<link rel=\"canonical\" href=\"{SITE}article/hostile-content\">"
    )));
    for (kind, file) in [
        ("application/atom+xml", "feed.xml"),
        ("application/feed+json", "feed.json"),
    ] {
        for path in [
            "index.html",
            "article/hostile-content.html",
            "404.html",
            "data.html",
        ] {
            let html = site.read(path);
            assert!(
                html.contains(&format!("<link rel=\"alternate\" type=\"{kind}\""))
                    && html.contains(&format!("href=\"{SITE}{file}\">")),
                "{path}"
            );
        }
    }
    assert!(site
        .read("index.html")
        .contains(&format!("<link rel=\"canonical\" href=\"{SITE}\">")));
    assert!(!site.read("404.html").contains("rel=\"canonical\""));
    let worker = site.read("sw.js");
    assert!(!worker.contains("feed.xml") && !worker.contains("sitemap.xml"));
    // Revalidated like every file not named by its content.
    let headers = site.read("_headers");
    for file in ["feed.xml", "feed.json", "sitemap.xml"] {
        assert!(
            headers.contains(&format!("/news/{file}\n  Cache-Control: no-cache\n")),
            "{file}"
        );
    }
}

#[test]
fn without_the_sites_address_there_are_no_feeds_and_no_canonical_links() {
    let site = Built::new("feeds-none", None);
    for file in ["feed.xml", "feed.json", "sitemap.xml"] {
        assert!(!site.dist.join(file).exists(), "{file}");
    }
    let page = site.read("article/hostile-content/index.html");
    assert!(!page.contains("rel=\"canonical\"") && !page.contains("rel=\"alternate\""));
}

#[test]
fn an_address_under_another_path_than_the_public_url_is_refused() {
    let root = temp("feeds-mismatch");
    trunk_output(&root.join("trunk"));
    let error = build(&Options {
        trunk: root.join("trunk"),
        dist: root.join("dist"),
        public_url: "/news/".into(),
        articles: Path::new(env!("CARGO_MANIFEST_DIR")).join("../articles"),
        cache: None,
        keep_going: false,
        site_url: Some(SiteUrl::parse("https://news.example.org/other/").unwrap()),
    })
    .unwrap_err();
    let _ = fs::remove_dir_all(&root);
    assert!(
        error
            .to_string()
            .contains("not under its public URL /news/"),
        "{error}"
    );
}
