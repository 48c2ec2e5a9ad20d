//! Host tests of the pages rendered ahead of time: the same components, real markup.

use broadsheet::{corpus::Corpus, ui::prerender::render};

fn seed() -> &'static broadsheet::Article {
    Corpus::bundled()
        .articles()
        .iter()
        .find(|a| a.related.len() == 5)
        .expect("the seed is bundled")
}

#[test]
fn an_article_page_carries_its_text_under_the_base_path() {
    let article = seed();
    let page = render("/reader/", Some(&format!("/article/{}", article.slug))).unwrap();
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
    let page = render(
        "/",
        Some(&format!("/article/{}/brief/{}", article.slug, brief.slug)),
    )
    .unwrap();
    assert!(page.body.contains("Stalingrad"));
    assert!(page.body.contains("full story is not bundled"));
    let home = render("/", Some("/")).unwrap();
    assert_eq!(home.title, "Broadsheet");
    assert!(home.body.contains(&article.title));
    assert!(render("/", Some("/data"))
        .unwrap()
        .body
        .contains("Your data"));
    assert!(render("/", None).unwrap().body.contains("Page not found"));
    assert!(render("/", Some("/article/nope")).is_none());
}

#[test]
fn markup_in_article_text_is_escaped() {
    // Hostile content renders as text: checked here on the host renderer too.
    let page = render("/", Some(&format!("/article/{}", seed().slug))).unwrap();
    assert!(!page.body.contains("<script"));
}
