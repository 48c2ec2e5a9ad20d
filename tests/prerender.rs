//! Host tests of the pages rendered ahead of time: the same components, real markup.

use broadsheet::{
    corpus::Corpus,
    library::Library,
    routes::Route,
    ui::prerender::{render, Prerendered},
};
use std::sync::Arc;

/// The articles of `articles/`, read now, as the build reads them.
fn corpus() -> Arc<Corpus> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/articles");
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .map(|p| (p.display().to_string(), std::fs::read(&p).unwrap()))
        .collect();
    files.sort();
    let corpus = Corpus::from_files(files.iter().map(|(f, b)| (f.as_str(), b.as_slice())));
    assert!(corpus.failures().is_empty(), "{:?}", corpus.failures());
    Arc::new(corpus)
}

fn library() -> Library {
    Library::from_corpus(corpus())
}

/// The page at `path` (without the base) of the site of `articles/` under `base`.
fn rendered(base: &str, path: &str) -> Option<Prerendered> {
    render(&library(), base, &Route::parse(path))
}

fn seed() -> Arc<broadsheet::Article> {
    corpus()
        .articles()
        .iter()
        .find(|a| a.related.len() == 5)
        .cloned()
        .expect("the seed is in articles/")
}

#[test]
fn an_article_page_carries_its_text_under_the_base_path() {
    let article = seed();
    let page = rendered("/reader/", &format!("/article/{}", article.slug)).unwrap();
    assert_eq!(page.title, format!("{} · Broadsheet", article.title));
    assert_eq!(page.body.matches("<p id=\"p").count(), 8, "{}", page.body);
    assert!(page.body.contains("<h1"));
    assert!(page.body.contains("Read next"));
    assert!(page
        .body
        .contains("Ukraine—a move he described as “a first step"));
    assert!(
        page.body.contains("href=\"/reader/article/"),
        "links carry the base path"
    );
    assert!(page.body.contains("href=\"/reader/data\""));
    assert!(
        !page.body.contains("style="),
        "no inline styles under the CSP"
    );
}

#[test]
fn briefs_home_data_and_not_found_render() {
    let article = seed();
    let brief = &article.related[2];
    let page = rendered(
        "/",
        &format!("/article/{}/brief/{}", article.slug, brief.slug),
    )
    .unwrap();
    assert!(page.body.contains("Stalingrad"));
    assert!(page
        .body
        .contains("full story is not published on this site"));
    let home = rendered("/", "/").unwrap();
    assert_eq!(home.title, "Broadsheet");
    assert!(home.body.contains(&article.title));
    assert!(rendered("/", "/data").unwrap().body.contains("Your data"));
    assert!(render(&library(), "/", &Route::NotFound)
        .unwrap()
        .body
        .contains("Page not found"));
    assert!(rendered("/", "/no/such/page")
        .unwrap()
        .body
        .contains("Page not found"));
    assert!(rendered("/", "/article/nope").is_none());
}

#[test]
fn every_page_of_the_corpus_renders_with_links_under_its_own_base() {
    let corpus = corpus();
    let library = Library::from_corpus(corpus.clone());
    let pages = broadsheet::routes::pages(&corpus);
    for route in &pages {
        let page =
            render(&library, "/reader/", route).unwrap_or_else(|| panic!("no page for {route:?}"));
        assert!(page.body.contains("href=\"/reader/data\""), "{route:?}");
    }
    // The base is the render's own, not left behind by the one before.
    let page = render(&library, "/", &Route::Data).unwrap();
    assert!(page.body.contains("href=\"/data\""));
    assert!(!page.body.contains("/reader/"), "{}", page.body);
}

#[test]
fn markup_in_article_text_is_escaped_in_the_whole_page() {
    // The hostile fixture has a <script> in its title, byline, body and related stories; the
    // whole page (title, home's list, Read next) must carry them as text. tests/hostile.rs checks
    // each field of the article view; this checks the page files the build writes.
    let hostile = include_bytes!("fixtures/hostile.txt");
    assert!(String::from_utf8_lossy(hostile).contains("<script"));
    let corpus = Arc::new(Corpus::from_files([("hostile.txt", &hostile[..])]));
    let article = corpus
        .articles()
        .first()
        .cloned()
        .expect("the fixture parses");
    let library = Library::from_corpus(corpus);
    for route in [
        Route::Home,
        Route::Article {
            slug: article.slug.clone(),
        },
    ] {
        let page = render(&library, "/", &route).expect("a page");
        assert!(!page.body.contains("<script"), "{route:?}: {}", page.body);
        assert!(
            page.body.contains("&lt;script&gt;"),
            "{route:?}: {}",
            page.body
        );
    }
}

#[test]
fn controls_of_a_prerendered_page_are_disabled_with_a_note_until_the_app_takes_over() {
    let article = seed();
    let page = rendered("/", &format!("/article/{}", article.slug)).unwrap();
    let reactions = page
        .body
        .matches("<button type=\"button\" disabled aria-pressed=\"false\" class=\"reaction\">")
        .count();
    assert_eq!(reactions, 6, "every reaction is disabled: {}", page.body);
    assert!(page.body.contains("Reactions will be ready in a moment."));
    assert!(page.body.contains("posting will be ready in a moment"));
    // Listen has its place already (shown where the browser can speak), so nothing moves.
    let listen = page
        .body
        .split("aria-label=\"Listen to the story\"")
        .nth(1)
        .expect("the Listen controls");
    let listen = &listen[..listen.find("</div>").expect("the group's end")];
    assert!(
        listen.contains("<button type=\"button\" disabled>Listen</button>"),
        "{listen}"
    );
    // The comment box stays usable: what is typed is carried into the app.
    let textarea = page.body.split("<textarea").nth(1).expect("a comment box");
    let textarea = &textarea[..textarea.find('>').unwrap()];
    assert!(!textarea.contains("disabled"), "{textarea}");
    let home = rendered("/", "/").unwrap();
    let search = home.body.split("<input").nth(1).expect("a search box");
    assert!(!search[..search.find('>').unwrap()].contains("disabled"));
}

#[test]
fn early_words_join_the_saved_draft() {
    use broadsheet::ui::early::merge_draft;
    let saved = "A draft I started yesterday.";
    assert_eq!(
        merge_draft(saved, " And early words."),
        "A draft I started yesterday. And early words."
    );
    assert_eq!(
        merge_draft(saved, "New thought."),
        "A draft I started yesterday. New thought."
    );
    assert_eq!(merge_draft("", "Only this."), "Only this.");
    assert_eq!(merge_draft(saved, ""), saved);
    // Text that already holds the saved draft (typed after it was shown) is not doubled.
    assert_eq!(
        merge_draft(saved, "A draft I started yesterday. More."),
        "A draft I started yesterday. More."
    );
}

#[test]
fn each_page_names_the_data_it_loads_first_as_preloads() {
    let library = library();
    let info = library.cached_info().unwrap();
    let article = seed();
    let located = library
        .cached_located(&article.slug)
        .flatten()
        .expect("the seed is located");
    let article_page = rendered("/reader/", &format!("/article/{}", article.slug)).unwrap();
    // No slug shard: the page carries where its article is.
    assert_eq!(
        article_page.preloads,
        ["data/site.json", &located.entry.file]
    );
    let data: broadsheet::site_data::Located =
        serde_json::from_str(article_page.data.as_deref().expect("the page's data")).unwrap();
    assert_eq!(data, *located);
    assert!(located
        .entry
        .file
        .starts_with(&format!("data/articles/{}.", article.slug)));
    let brief = &article.related[0];
    let brief_page = rendered(
        "/",
        &format!("/article/{}/brief/{}", article.slug, brief.slug),
    )
    .unwrap();
    assert_eq!(brief_page.preloads, article_page.preloads);
    assert_eq!(brief_page.data, article_page.data);
    let home = rendered("/", "/").unwrap();
    assert_eq!(
        home.preloads,
        [
            "data/site.json".to_owned(),
            format!("data/{}/list/all/0.json", info.version)
        ]
    );
    assert_eq!(home.data, None);
    assert_eq!(rendered("/", "/data").unwrap().preloads, ["data/site.json"]);
}

#[test]
fn your_highlights_is_a_page_of_its_own_linked_from_every_page() {
    let page = rendered("/reader/", "/highlights").expect("a page");
    assert!(page.title.starts_with("Your highlights"), "{}", page.title);
    assert!(page.body.contains("No highlights yet."));
    let home = rendered("/reader/", "/").unwrap();
    assert!(home.body.contains("href=\"/reader/highlights\""));
}

#[test]
fn an_article_written_right_to_left_is_rendered_right_to_left_in_the_left_to_right_reader() {
    let arabic = include_bytes!("fixtures/e2e/rtl-arabic.txt");
    let corpus = Arc::new(Corpus::from_files([("rtl-arabic.txt", &arabic[..])]));
    let slug = corpus.articles()[0].slug.clone();
    let page =
        render(&Library::from_corpus(corpus), "/", &Route::Article { slug }).expect("a page");
    assert!(
        page.body
            .contains(r#"<article lang="ar" dir="rtl" class="article">"#),
        "{}",
        page.body
    );
    // The reader around it (the header, the reactions) has no direction of its own: the
    // document's, left to right.
    assert_eq!(page.body.matches("dir=\"rtl\"").count(), 1);
    let seed = rendered("/", &format!("/article/{}", seed().slug)).unwrap();
    assert!(seed.body.contains(r#"<article lang="en" dir="ltr""#));
}
