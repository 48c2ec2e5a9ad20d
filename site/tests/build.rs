//! The site build as `cargo xtask build` runs it after Trunk, on a small Trunk output made
//! here: malformed articles are reported with their place and left out, the data files hang
//! together, the headers cover them, and a rebuild redoes only what changed.

mod support;

use broadsheet::{
    article::synthetic,
    site_data::{Listing, Located, SiteInfo, SITE_INFO},
};
use broadsheet_site::{build, Built, Options};
use std::{
    collections::BTreeMap,
    fs,
    path::{Path, PathBuf},
};
use support::{temp, trunk_output};

/// Three generated articles, and `bad.txt`, whose header is never closed.
fn articles(dir: &Path) -> Vec<Vec<u8>> {
    let good = synthetic::articles(3);
    for (i, bytes) in good.iter().enumerate() {
        fs::write(dir.join(format!("{i}.txt")), bytes).unwrap();
    }
    fs::write(
        dir.join("bad.txt"),
        "---\ntitle: Never closed\n\nA paragraph.\n",
    )
    .unwrap();
    good
}

struct Site {
    root: PathBuf,
    options: Options,
}

impl Site {
    fn new(name: &str) -> Site {
        let root = temp(name);
        let trunk = root.join("trunk");
        let articles_dir = root.join("articles");
        fs::create_dir_all(&articles_dir).unwrap();
        trunk_output(&trunk);
        articles(&articles_dir);
        Site {
            options: Options {
                trunk,
                dist: root.join("dist"),
                public_url: "/news/".into(),
                articles: articles_dir,
                cache: Some(root.join("cache.json")),
                keep_going: true,
                site_url: None,
            },
            root,
        }
    }

    fn build(&self) -> Built {
        build(&self.options).unwrap()
    }

    fn read(&self, path: &str) -> String {
        fs::read_to_string(self.options.dist.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
    }
}

impl Drop for Site {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.root);
    }
}

#[test]
fn a_malformed_article_is_reported_where_it_goes_wrong_and_the_others_are_built() {
    let site = Site::new("malformed");
    let built = site.build();
    assert_eq!(built.articles, 3);
    let bad = site.options.articles.join("bad.txt");
    assert_eq!(built.problems.len(), 1, "{:?}", built.problems);
    let problem = &built.problems[0];
    let place = format!("{}:", bad.display());
    assert!(problem.starts_with(&place), "{problem}");
    // FILE:LINE:COL: error: MESSAGE, with a line and column from 1.
    let rest = &problem[place.len()..];
    let fields: Vec<&str> = rest.splitn(3, ':').collect();
    assert!(fields[0].parse::<usize>().unwrap() >= 1, "{problem}");
    assert!(fields[1].parse::<usize>().unwrap() >= 1, "{problem}");
    assert!(fields[2].starts_with(" error: "), "{problem}");

    // Without --keep-going the same build fails, saying how many were left out, and the site
    // is there all the same.
    let mut strict = Site::new("strict");
    strict.options.keep_going = false;
    let error = build(&strict.options).unwrap_err().to_string();
    assert!(error.contains("1 of 4 article files left out"), "{error}");
    assert!(strict.options.dist.join("index.html").is_file());
}

#[test]
fn the_data_files_hang_together_and_the_pages_preload_nothing_missing() {
    let site = Site::new("data");
    let built = site.build();
    let info: SiteInfo = serde_json::from_str(&site.read(SITE_INFO)).unwrap();
    assert_eq!(info.version, built.version);
    assert_eq!(info.articles, 3);
    let version_dir = site.options.dist.join(format!("data/{}", info.version));
    assert!(version_dir.is_dir());
    let listing: Listing =
        serde_json::from_str(&site.read(&format!("data/{}/list/all/0.json", info.version)))
            .unwrap();
    assert_eq!(listing.total, 3);
    for entry in &listing.entries {
        // Each listed article's file holds the bytes of one of the articles, named by its hash.
        let bytes = fs::read(site.options.dist.join(&entry.file)).unwrap();
        let hash = broadsheet_site::source::content_hash(&bytes);
        assert!(
            entry.file.ends_with(&format!(".{hash}.txt")),
            "{}",
            entry.file
        );
        let shard = broadsheet::site_data::shard_of(&entry.slug, info.slug_shards);
        let shard: BTreeMap<String, Located> =
            serde_json::from_str(&site.read(&format!("data/{}/slugs/{shard}.json", info.version)))
                .unwrap();
        assert_eq!(&shard[&entry.slug].entry, entry);
        // And its page was rendered.
        assert!(site
            .read(&format!("article/{}/index.html", entry.slug))
            .contains("<div id=\"prerendered\">"));
    }
    for topic in &info.topics {
        let page: Listing = serde_json::from_str(&site.read(&format!(
            "data/{}/list/topic/{}/0.json",
            info.version, topic.key
        )))
        .unwrap();
        assert_eq!(page.total, topic.articles);
    }
    // The malformed file has no data file: only the three articles are there.
    let files = fs::read_dir(site.options.dist.join("data/articles"))
        .unwrap()
        .count();
    assert_eq!(files, 3);
    // Every page preloads data files that exist: the article pages their article file, the
    // front page its first listing page, all of them site.json. An article's page carries
    // where the article is, as its slug shard says.
    let mut preloaded = 0;
    for page in walk(&site.options.dist)
        .into_iter()
        .filter(|p| p.ends_with(".html"))
    {
        let html = site.read(&page);
        let head = &html[..html.find("</head>").unwrap()];
        let hrefs: Vec<&str> = head
            .split("<link rel=\"preload\" as=\"fetch\" crossorigin=\"anonymous\" href=\"")
            .skip(1)
            .map(|rest| &rest[..rest.find('"').unwrap()])
            .collect();
        for href in &hrefs {
            assert!(
                site.options.dist.join(href).is_file(),
                "{page} preloads {href}"
            );
        }
        if page.starts_with("article/") {
            assert!(
                hrefs.iter().any(|h| h.starts_with("data/articles/")),
                "{page}"
            );
            assert!(
                !head.contains(&info.version),
                "{page} names the data version"
            );
            let block = head
                .split("<script type=\"application/json\" id=\"page-data\">")
                .nth(1)
                .and_then(|rest| rest.split("</script>").next())
                .unwrap_or_else(|| panic!("{page} has no page data"));
            let located: Located = serde_json::from_str(block).unwrap();
            let slug = &located.entry.slug;
            assert!(page.starts_with(&format!("article/{slug}")), "{page}");
            let shard = broadsheet::site_data::shard_of(slug, info.slug_shards);
            let shard: BTreeMap<String, Located> = serde_json::from_str(
                &site.read(&format!("data/{}/slugs/{shard}.json", info.version)),
            )
            .unwrap();
            assert_eq!(shard[slug], located);
        }
        preloaded += hrefs.len();
    }
    assert!(preloaded > 0);
    // Every page has its policy; of the data, the precache list holds the site's info, the
    // first listing pages and the newest articles only (site/src/offline.rs).
    assert!(site.read("index.html").contains("Content-Security-Policy"));
    let worker = site.read("sw.js");
    assert!(worker.contains("\"index.html\"") && worker.contains("\"data/site.json\""));
    assert!(
        worker.matches("\"data/articles/").count() <= broadsheet_site::offline::NEWEST_ARTICLES
    );
}

#[test]
fn headers_keep_data_files_forever_and_site_json_fresh() {
    let site = Site::new("headers");
    let built = site.build();
    let headers = site.read("_headers");
    let rule = |path: &str| -> String {
        let at = headers
            .find(&format!("\n{path}\n"))
            .unwrap_or_else(|| panic!("no rule for {path} in\n{headers}"));
        headers[at..].lines().nth(2).unwrap().trim().to_owned()
    };
    let forever = "Cache-Control: public, max-age=31536000, immutable";
    assert_eq!(rule("/news/data/articles/*"), forever);
    assert_eq!(rule(&format!("/news/data/{}/*", built.version)), forever);
    assert_eq!(rule("/news/data/site.json"), "Cache-Control: no-cache");
    assert!(!headers.contains("\n/news/data/*\n"), "{headers}");
}

#[test]
fn a_rebuild_rewrites_only_what_changed_and_renders_only_the_changed_articles_pages() {
    let site = Site::new("incremental");
    let first = site.build();
    assert!(first.rendered > 3 && first.reused == 0, "{first:?}");

    let same = site.build();
    assert_eq!(same.version, first.version);
    assert_eq!(
        same.rendered, 4,
        "only home, Your data, Your highlights and 404: {same:?}"
    );
    assert_eq!(same.removed, 0);
    // sw.js is copied afresh and gets its list again: the one file written.
    assert_eq!(same.written, 1, "{same:?}");

    // One article changes: a new version, its file and pages are new, the other articles'
    // pages are the last build's, not even rewritten.
    let pages_before: BTreeMap<String, Vec<u8>> = walk(&site.options.dist)
        .into_iter()
        .filter(|p| p.starts_with("article/"))
        .map(|p| {
            let bytes = fs::read(site.options.dist.join(&p)).unwrap();
            (p, bytes)
        })
        .collect();
    let path = site.options.articles.join("0.txt");
    let text = fs::read_to_string(&path).unwrap();
    let body = text[3..].find("---\n").unwrap() + 3 + 4;
    let text = format!(
        "{}A paragraph added later.\n{}",
        &text[..body],
        &text[body..]
    );
    fs::write(&path, text).unwrap();
    let changed = site.build();
    assert_ne!(changed.version, first.version);
    assert!(changed.reused > 0, "{changed:?}");
    assert!(changed.rendered < first.rendered, "{changed:?}");
    let changed_slug = pages_before
        .keys()
        .map(|p| p.split('/').nth(1).unwrap().trim_end_matches(".html"))
        .find(|slug| text_of(&site, slug).contains("A paragraph added later."))
        .expect("the changed article's page")
        .to_owned();
    let mut same_pages = 0;
    for (page, bytes) in &pages_before {
        let now = fs::read(site.options.dist.join(page)).unwrap();
        if page.split('/').nth(1).unwrap().trim_end_matches(".html") == changed_slug {
            assert!(now != *bytes, "{page} did not change");
        } else {
            assert!(now == *bytes, "{page} changed with another article");
            same_pages += 1;
        }
    }
    assert!(same_pages >= 4, "{same_pages}");
    // The old copy of the article and the old version's folder are gone.
    assert!(changed.removed >= 2, "{changed:?}");
    assert!(!site
        .options
        .dist
        .join(format!("data/{}", first.version))
        .exists());
    let files = fs::read_dir(site.options.dist.join("data/articles"))
        .unwrap()
        .count();
    assert_eq!(files, 3);

    // What the rebuild left is what a build from scratch makes, byte for byte.
    let fresh = Options {
        trunk: site.options.trunk.clone(),
        dist: site.root.join("fresh"),
        public_url: site.options.public_url.clone(),
        articles: site.options.articles.clone(),
        cache: None,
        keep_going: true,
        site_url: None,
    };
    let scratch = build(&fresh).unwrap();
    assert_eq!(scratch.reused, 0);
    let files = |dist: &Path| -> BTreeMap<String, Vec<u8>> {
        walk(dist)
            .into_iter()
            .map(|path| {
                let bytes = fs::read(dist.join(&path)).unwrap();
                (path, bytes)
            })
            .collect()
    };
    let (rebuilt, scratch) = (files(&site.options.dist), files(&fresh.dist));
    assert_eq!(
        rebuilt.keys().collect::<Vec<_>>(),
        scratch.keys().collect::<Vec<_>>()
    );
    for (path, bytes) in &rebuilt {
        assert!(
            bytes == &scratch[path],
            "{path} differs from a build from scratch"
        );
    }
}

/// Every file under `dir`, relative.
/// The text of the article page of `slug` in `site`.
fn text_of(site: &Site, slug: &str) -> String {
    site.read(&format!("article/{slug}/index.html"))
}

fn walk(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        if entry.file_type().unwrap().is_dir() {
            out.extend(
                walk(&entry.path())
                    .into_iter()
                    .map(|p| format!("{name}/{p}")),
            );
        } else {
            out.push(name);
        }
    }
    out
}

#[test]
fn the_data_command_of_the_trunk_hook_writes_site_json_and_the_articles() {
    let root = temp("hook");
    let articles_dir = root.join("articles");
    fs::create_dir_all(&articles_dir).unwrap();
    let good = articles(&articles_dir);
    let staging = root.join("staging");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_broadsheet-site"))
        .arg("data")
        .arg("--articles")
        .arg(&articles_dir)
        .arg(&staging)
        .output()
        .unwrap();
    // One malformed file does not stop the development server: it is reported, and that is all.
    assert!(status.status.success(), "{status:?}");
    let stderr = String::from_utf8_lossy(&status.stderr);
    assert!(stderr.contains("bad.txt:"), "{stderr}");
    let info: SiteInfo =
        serde_json::from_str(&fs::read_to_string(staging.join(SITE_INFO)).unwrap()).unwrap();
    assert_eq!(info.articles, 3);
    let hash = broadsheet_site::source::content_hash(&good[0]);
    let found: Vec<_> = fs::read_dir(staging.join("data/articles"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(&format!(".{hash}.txt")))
        .collect();
    assert_eq!(found.len(), 1);
    let name = &found[0];
    assert_eq!(
        fs::read(staging.join("data/articles").join(name)).unwrap(),
        good[0]
    );
    assert!(staging
        .join(format!("data/{}/list/all/0.json", info.version))
        .is_file());
    fs::remove_dir_all(&root).unwrap();
}
