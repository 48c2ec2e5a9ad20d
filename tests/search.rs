//! Host tests of the search index: what a query finds, in what order, and what is marked.

use broadsheet::{
    corpus::Corpus,
    search::{highlight, DocTarget, SearchIndex},
};

const SEED: &[u8] = include_bytes!("../articles/000_508f32e089381fac.txt");
const OTHER: &str = "---\ntitle: Election night in Zürich\nslug: election-night\npublished: 2025-05-01T20:00:00Z\ntopic: Politics\nsummary: Votes are counted late.\n---\nPolls closed at eight in Zürich.\nTurnout was high.\n";

fn index() -> (Corpus, SearchIndex) {
    let corpus = Corpus::from_files([("000.txt", SEED), ("001.txt", OTHER.as_bytes())]);
    let index = SearchIndex::build(&corpus);
    (corpus, index)
}

fn titles(index: &SearchIndex, query: &str) -> Vec<String> {
    index
        .search(query)
        .iter()
        .map(|h| index.doc(h.doc).title.clone())
        .collect()
}

#[test]
fn indexes_articles_and_briefs() {
    let (_, index) = index();
    // Two articles and the seed's five briefs.
    assert_eq!(index.len(), 7);
}

#[test]
fn queries_find_the_right_documents() {
    let (_, index) = index();
    let cases: &[(&str, &[&str])] = &[
        ("Stalingrad", &["Russia history"]),
        ("stalin", &["Russia history"]),
        ("choe hyon", &["Military tests"]),
        ("zurich", &["Election night in Zürich"]),
        ("ZÜRICH turnout", &["Election night in Zürich"]),
        ("politics", &["Election night in Zürich"]),
        ("moratorium", &["Russia’s special envoy for foreign investment and economic cooperation, Kirill Dmitriev, announced…"]),
        ("nothing-like-this", &[]),
        ("", &[]),
        ("   ", &[]),
    ];
    for (query, expected) in cases {
        assert_eq!(titles(&index, query), *expected, "query {query:?}");
    }
}

#[test]
fn title_matches_rank_above_body_matches() {
    let (_, index) = index();
    let hits = titles(&index, "russia");
    assert_eq!(
        hits[0], "Russia history",
        "a brief titled Russia… ranks first: {hits:?}"
    );
    assert!(hits.len() >= 3);
}

#[test]
fn brief_hits_point_at_their_article() {
    let (corpus, index) = index();
    let hit = index.search("volgograd")[0];
    let seed = corpus
        .articles()
        .iter()
        .find(|a| a.related.len() == 5)
        .unwrap();
    match &index.doc(hit.doc).target {
        DocTarget::Brief { article, brief } => {
            assert_eq!(article, &seed.slug);
            assert!(seed.related.iter().any(|r| &r.slug == brief));
        }
        other => panic!("expected a brief, got {other:?}"),
    }
}

#[test]
fn highlight_marks_word_prefixes_and_keeps_the_text() {
    type Runs = &'static [(&'static str, bool)];
    let cases: &[(&str, &str, Runs)] = &[
        (
            "Election night",
            "elec",
            &[("Election", true), (" night", false)],
        ),
        (
            "in Zürich.",
            "zur",
            &[("in ", false), ("Zürich", true), (".", false)],
        ),
        (
            "<b>x</b>",
            "b",
            &[
                ("<", false),
                ("b", true),
                (">x</", false),
                ("b", true),
                (">", false),
            ],
        ),
        ("no match", "zzz", &[("no match", false)]),
    ];
    for (text, query, expected) in cases {
        let runs = highlight(text, query);
        let got: Vec<(&str, bool)> = runs.iter().map(|(s, h)| (s.as_str(), *h)).collect();
        assert_eq!(got, *expected, "{text:?} / {query:?}");
        assert_eq!(
            runs.iter().map(|(s, _)| s.as_str()).collect::<String>(),
            *text
        );
    }
}

#[test]
fn the_browsers_transliteration_table_matches_deunicode_for_every_bundled_character() {
    let table = broadsheet::article::bundled_table();
    assert!(
        !table.is_empty(),
        "the seed has typographic quotes and dashes"
    );
    assert!(
        table.windows(2).all(|w| w[0].0 < w[1].0),
        "sorted for binary search"
    );
    for (c, ascii) in table {
        assert_eq!(*ascii, broadsheet::article::ascii_of(*c), "{c:?}");
    }
    let corpus = Corpus::bundled();
    for article in corpus.articles() {
        for c in article
            .paragraphs
            .iter()
            .flat_map(|p| p.chars())
            .filter(|c| !c.is_ascii())
        {
            assert!(
                table.iter().any(|(k, _)| *k == c),
                "{c:?} is missing from the table"
            );
        }
    }
}

#[test]
fn building_a_slice_at_a_time_gives_the_same_index() {
    let (corpus, whole) = index();
    let mut builder = broadsheet::search::IndexBuilder::new();
    let mut slices = 0;
    while !builder.add_articles(&corpus, 1) {
        slices += 1;
    }
    assert_eq!(slices, corpus.articles().len() - 1);
    let sliced = builder.finish();
    for query in ["russia", "zur", "stalingrad", "a", "politics turnout"] {
        assert_eq!(sliced.search(query), whole.search(query), "{query}");
    }
}
