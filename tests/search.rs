//! Host tests of search: the index files the site build writes, and the query engine the
//! browser runs over the pieces it fetched: what a query finds, in what order, what it
//! downloads, and what is marked.

use broadsheet::{
    corpus::Corpus,
    search::{index_files, meta_path, DocTarget, Hit, Meta, Searcher},
    site_data::{article_path, SiteData},
};

const SEED: &[u8] = include_bytes!("../articles/000_508f32e089381fac.txt");
const OTHER: &str = "---\ntitle: Election night in Zürich\nslug: election-night\npublished: 2025-05-01T20:00:00Z\ntopic: Politics\nsummary: Votes are counted late.\n---\nPolls closed at eight in Zürich.\nTurnout was high.\n";
const VERSION: &str = "0123456789abcdef";

/// The index files of `corpus`, as the site build writes them.
fn files_of(corpus: &Corpus) -> Vec<(String, String)> {
    let data = SiteData::new(corpus, |a| article_path(&a.slug, "00ff"), VERSION);
    index_files(corpus, &data)
}

fn seed_corpus() -> Corpus {
    Corpus::from_files([("000.txt", SEED), ("001.txt", OTHER.as_bytes())])
}

/// A searcher with every file of the seed corpus's index.
fn index() -> (Corpus, Searcher) {
    let corpus = seed_corpus();
    let searcher = Searcher::with_files(VERSION, &files_of(&corpus)).unwrap();
    (corpus, searcher)
}

fn synthetic(n: usize) -> Corpus {
    let files: Vec<(String, Vec<u8>)> = broadsheet::article::synthetic::articles(n)
        .into_iter()
        .enumerate()
        .map(|(i, bytes)| (format!("{i}.txt"), bytes))
        .collect();
    Corpus::from_files(files.iter().map(|(f, b)| (f.as_str(), b.as_slice())))
}

fn titles(index: &Searcher, query: &str) -> Vec<String> {
    index
        .search(query)
        .unwrap()
        .iter()
        .map(|h| index.doc(h.doc).unwrap().title.clone())
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
        ("Zür", &["Election night in Zürich"]),
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
fn scores_weigh_fields_and_exact_words_and_ties_keep_document_order() {
    let (_, index) = index();
    // "election" is in the second article's title (8) and nowhere else in it: exact doubles.
    let hits = index.search("election").unwrap();
    let election = hits
        .iter()
        .find(|h| index.doc(h.doc).unwrap().title == "Election night in Zürich")
        .unwrap();
    assert_eq!(election.score, 16);
    assert_eq!(
        index.search("electio").unwrap()[0].score,
        8,
        "a prefix scores single"
    );
    // Two terms: the sum; title "Election", body "polls".
    assert_eq!(index.search("election polls").unwrap()[0].score, 16 + 2);
    // Every hit is in order: best first, then by document number.
    for query in ["russia", "the", "a", "s"] {
        let hits = index.search(query).unwrap();
        assert!(
            hits.windows(2)
                .all(|w| (w[1].score, w[0].doc) < (w[0].score, w[1].doc)
                    || w[0].score > w[1].score),
            "{query}: {hits:?}"
        );
    }
}

#[test]
fn brief_hits_point_at_their_article() {
    let (corpus, index) = index();
    let hit = index.search("volgograd").unwrap()[0];
    let seed = corpus
        .articles()
        .iter()
        .find(|a| a.related.len() == 5)
        .unwrap();
    match &index.doc(hit.doc).unwrap().target {
        DocTarget::Brief { article, brief } => {
            assert_eq!(article, &seed.slug);
            assert!(seed.related.iter().any(|r| &r.slug == brief));
        }
        other => panic!("expected a brief, got {other:?}"),
    }
}

#[test]
fn a_read_next_entry_that_is_a_site_article_is_not_indexed_again_as_a_brief() {
    let lead = "---\ntitle: Harbour reopens\npublished: 2025-05-02T08:00:00Z\n---\nThe harbour reopened on Monday.\n\nRead next\n09:00\nCouncil\nThe council met in private.\n09:30\nQuayside\nA quiet night on the quay.\n";
    let other = "---\ntitle: Council meets\npublished: 2025-05-01T08:00:00Z\nsummary: The council met in private.\n---\nThe council met.\n";
    let corpus = Corpus::from_files([("a.txt", lead.as_bytes()), ("b.txt", other.as_bytes())]);
    let index = Searcher::with_files(VERSION, &files_of(&corpus)).unwrap();
    // Two articles and one brief (the Quayside entry); the Council entry is the second article.
    assert_eq!(index.len(), 3);
    let targets: Vec<DocTarget> = (0..3)
        .map(|d| index.doc(d).unwrap().target.clone())
        .collect();
    assert_eq!(
        targets,
        [
            DocTarget::Article {
                slug: "harbour-reopens".into()
            },
            DocTarget::Brief {
                article: "harbour-reopens".into(),
                brief: corpus.articles()[0].related[1].slug.clone()
            },
            DocTarget::Article {
                slug: "council-meets".into()
            },
        ]
    );
    assert_eq!(titles(&index, "quiet"), ["Quayside"]);
}

#[test]
fn highlight_marks_word_prefixes_and_keeps_the_text() {
    let (_, index) = index();
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
            "in Zürich.",
            "ZÜR",
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
        let runs = index.highlight(text, query);
        let got: Vec<(&str, bool)> = runs.iter().map(|(s, h)| (s.as_str(), *h)).collect();
        assert_eq!(got, *expected, "{text:?} / {query:?}");
        assert_eq!(
            runs.iter().map(|(s, _)| s.as_str()).collect::<String>(),
            *text
        );
    }
}

#[test]
fn the_fold_table_has_every_non_ascii_letter_of_the_text_as_the_host_folds_it() {
    let corpus = seed_corpus();
    let files = files_of(&corpus);
    let meta: Meta = serde_json::from_str(&files[0].1).unwrap();
    assert_eq!(files[0].0, meta_path(VERSION));
    assert_eq!(meta.fold.get(&'ü').map(String::as_str), Some("u"));
    let text = corpus.articles().iter().flat_map(|a| {
        a.paragraphs
            .iter()
            .chain(&a.summary)
            .chain(std::iter::once(&a.title))
    });
    for c in text
        .flat_map(|p| p.chars())
        .filter(|c| !c.is_ascii() && c.is_alphanumeric())
    {
        let expected: String = broadsheet::article::ascii_of(c)
            .unwrap_or("")
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_lowercase())
            .collect();
        assert_eq!(meta.fold.get(&c), Some(&expected), "{c:?}");
    }
    assert!(
        meta.fold.keys().all(|c| !c.is_ascii()),
        "ASCII folds without the table"
    );
}

/// Fetches what `query` needs from `files` into `searcher` as the browser does, returning the
/// bytes fetched (chunks, then the doc shards of the first `shown` hits) and the hits.
fn fetch_and_search(
    searcher: &mut Searcher,
    files: &[(String, String)],
    query: &str,
    shown: usize,
) -> (usize, Vec<Hit>) {
    let file = |path: &str| {
        &files
            .iter()
            .find(|(p, _)| p == path)
            .unwrap_or_else(|| panic!("{path} is not a file of the index"))
            .1
    };
    let mut bytes = 0;
    assert!(
        query.trim().is_empty()
            || searcher.chunks_needed(query).is_empty()
            || searcher.search(query).is_none(),
        "a search with chunks missing waits for them"
    );
    for path in searcher.chunks_needed(query) {
        bytes += file(&path).len();
        searcher.add_chunk(&path, file(&path)).unwrap();
    }
    assert!(searcher.chunks_needed(query).is_empty());
    let hits = searcher.search(query).expect("every chunk is here");
    let top = &hits[..hits.len().min(shown)];
    for path in searcher.docs_needed(top) {
        bytes += file(&path).len();
        searcher.add_docs(&path, file(&path)).unwrap();
    }
    assert!(top.iter().all(|h| searcher.doc(h.doc).is_some()));
    (bytes, hits)
}

#[test]
fn fetching_only_the_pieces_a_query_needs_gives_the_same_results_as_the_whole_index() {
    let corpus = synthetic(1000);
    let files = files_of(&corpus);
    let whole = Searcher::with_files(VERSION, &files).unwrap();
    let mut piecewise = Searcher::new(VERSION, &files[0].1).unwrap();
    let chunks = files.iter().filter(|(p, _)| p.contains("/words/")).count();
    assert!(chunks > 10, "{chunks} chunks: the test needs several");
    let mut asked = Vec::new();
    for query in [
        "generated article 17",
        "sanc",
        "zürich",
        "SÃO",
        "the minister",
        "m",
        "nothing",
        "",
        "the",
    ] {
        asked.extend(piecewise.chunks_needed(query));
        let (_, hits) = fetch_and_search(&mut piecewise, &files, query, 20);
        assert_eq!(Some(hits), whole.search(query), "{query}");
    }
    let distinct: std::collections::BTreeSet<&String> = asked.iter().collect();
    assert_eq!(distinct.len(), asked.len(), "a chunk once fetched is kept");
    assert!(
        asked.len() < chunks / 2,
        "{} of {chunks} chunks",
        asked.len()
    );
}

#[test]
fn a_word_in_one_story_costs_a_few_kilobytes_at_10000_articles() {
    let corpus = synthetic(10_000);
    let files = files_of(&corpus);
    let mut searcher = Searcher::new(VERSION, &files[0].1).unwrap();
    let meta = files[0].1.len();
    // "4710" is in the title of generated article 4710 only (numbers above 59 occur in titles
    // only).
    let (bytes, hits) = fetch_and_search(&mut searcher, &files, "4710", 20);
    assert_eq!(hits.len(), 1);
    assert_eq!(
        searcher.doc(hits[0].doc).unwrap().title,
        "Generated article 4710"
    );
    let total = meta + bytes;
    eprintln!(
        "10,000 articles: {} docs, {} files; a one-story word fetches {total} bytes (meta {meta}, chunks and docs {bytes})",
        searcher.len(),
        files.len()
    );
    assert!(total <= 150_000, "{total} bytes");
    // A one-letter query costs one chunk, not every chunk of words starting with "a".
    assert_eq!(searcher.chunks_needed("a").len(), 1);
}

#[test]
fn a_prefix_starting_thousands_of_words_needs_at_most_four_chunks_and_an_exact_word_is_found() {
    let files: Vec<(String, String)> = (0..6000)
        .map(|i| {
            (
                format!("{i}.txt"),
                format!("---\ntitle: Story {i}\n---\nUnique{i} words.\n"),
            )
        })
        .collect();
    let corpus = Corpus::from_files(files.iter().map(|(f, t)| (f.as_str(), t.as_bytes())));
    let files = files_of(&corpus);
    let meta: Meta = serde_json::from_str(&files[0].1).unwrap();
    let unique_chunks = meta.chunks.iter().filter(|w| w.starts_with("uniq")).count();
    assert!(unique_chunks > 4, "{unique_chunks} chunks start with uniq");
    let mut searcher = Searcher::new(VERSION, &files[0].1).unwrap();
    assert_eq!(searcher.chunks_needed("uniq").len(), 4);
    assert_eq!(searcher.chunks_needed("un").len(), 1);
    let (_, partial) = fetch_and_search(&mut searcher, &files, "uniq", 20);
    assert!(partial.len() < 6000, "{} results", partial.len());
    for word in ["unique5999", "Unique0", "unique3000"] {
        // One chunk, or none where "uniq" fetched it already.
        assert!(searcher.chunks_needed(word).len() <= 1, "{word}");
        let (_, hits) = fetch_and_search(&mut searcher, &files, word, 20);
        let title = &searcher.doc(hits[0].doc).unwrap().title;
        assert_eq!(format!("unique{}", &title[6..]), word.to_lowercase());
    }
}

#[test]
fn bad_pieces_are_refused_saying_which_file_and_what() {
    let corpus = seed_corpus();
    let files = files_of(&corpus);
    let mut searcher = Searcher::new(VERSION, &files[0].1).unwrap();
    let chunk = &files.iter().find(|(p, _)| p.contains("/words/")).unwrap().0;
    let error = searcher.add_chunk(chunk, "[[\"a\",[999999]]]").unwrap_err();
    assert_eq!(error.path, *chunk);
    assert!(error.message.contains("past the end"), "{error}");
    let error = searcher.add_chunk(chunk, "{").unwrap_err();
    assert!(
        error.to_string().starts_with(&format!("{chunk}: ")),
        "{error}"
    );
    let error = searcher
        .add_chunk(chunk, "[[\"b\",[]],[\"a\",[]]]")
        .unwrap_err();
    assert!(error.message.contains("not sorted"), "{error}");
    let error = searcher
        .add_docs(&format!("data/{VERSION}/search/docs/0.json"), "[]")
        .unwrap_err();
    assert!(error.message.contains("expected 7"), "{error}");
    let error = searcher
        .add_chunk("data/other/search/words/0.json", "[]")
        .unwrap_err();
    assert!(error.message.contains("not a word chunk"), "{error}");
    let newer = files[0].1.replace("\"format\":1", "\"format\":2");
    let error = Searcher::new(VERSION, &newer).unwrap_err();
    assert_eq!(error.path, meta_path(VERSION));
    assert!(error.message.contains("index format 2"), "{error}");
}

/// Articles whose words follow Zipf's law over a large vocabulary, as news text does (the
/// benchmark generator draws from 42 words): article `i` has the title "Story i" and a word
/// of its own, `uniqueI`, in its body, so a one-story word is a real rare word among many.
fn zipf_corpus(n: usize) -> Corpus {
    const VOCABULARY: usize = 200_000;
    let syllables = [
        "ka", "lo", "mi", "ne", "ru", "sa", "te", "vo", "bi", "da", "fe", "go", "hu", "ji",
    ];
    let word = |mut r: usize| {
        let mut w = String::new();
        loop {
            w.push_str(syllables[r % syllables.len()]);
            r /= syllables.len();
            if r == 0 {
                break w;
            }
        }
    };
    let mut cumulative = Vec::with_capacity(VOCABULARY);
    let mut total = 0.0;
    for rank in 1..=VOCABULARY {
        total += 1.0 / rank as f64;
        cumulative.push(total);
    }
    let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let files: Vec<(String, String)> = (0..n)
        .map(|i| {
            let mut text = format!(
                "---\ntitle: Story {i}\npublished: 2025-04-{:02}T08:15:00Z\ntopic: World\n---\n",
                1 + i % 28
            );
            for p in 0..6 {
                for w in 0..60 {
                    let u = (next() % 1_000_000_000) as f64 / 1e9 * total;
                    text.push_str(&word(cumulative.partition_point(|&c| c < u)));
                    text.push(if w == 59 { '.' } else { ' ' });
                }
                if p == 0 {
                    text.push_str(&format!(" Unique{i}."));
                }
                text.push('\n');
            }
            (format!("{i}.txt"), text)
        })
        .collect();
    Corpus::from_files(files.iter().map(|(f, t)| (f.as_str(), t.as_bytes())))
}

/// The figures for BENCHMARKS.md, at 10,000 and 100,000 articles of both generators: what a
/// one-story word fetches. Slow (minutes in a debug build): run it by hand,
/// `cargo test --release --test search -- --ignored --nocapture`; with
/// `BROADSHEET_SEARCH_DUMP=DIR` it writes the fetched files there (to compress them).
#[test]
#[ignore]
fn figures_for_a_one_story_word() {
    let dump = std::env::var_os("BROADSHEET_SEARCH_DUMP").map(std::path::PathBuf::from);
    for n in [10_000, 100_000] {
        for (name, corpus, query) in [
            // Numbers are in the titles of even articles only; no other number starts with
            // n - 2's digits.
            ("benchmark generator", synthetic(n), (n - 2).to_string()),
            (
                "Zipf vocabulary",
                zipf_corpus(n),
                format!("unique{}", n - 2),
            ),
        ] {
            let t = std::time::Instant::now();
            let files = files_of(&corpus);
            let build = t.elapsed();
            let chunks = files.iter().filter(|(p, _)| p.contains("/words/"));
            let (chunk_count, chunk_bytes) =
                chunks.fold((0, 0), |(n, b), (_, j)| (n + 1, b + j.len()));
            let mut searcher = Searcher::new(VERSION, &files[0].1).unwrap();
            let needed: Vec<String> = searcher.chunks_needed(&query);
            let (bytes, hits) = fetch_and_search(&mut searcher, &files, &query, 20);
            assert_eq!(hits.len(), 1, "{name} {n}");
            // Typed a letter at a time on a cold cache: every prefix's pieces.
            let mut typing = Searcher::new(VERSION, &files[0].1).unwrap();
            let typed: usize = (1..=query.len())
                .map(|end| fetch_and_search(&mut typing, &files, &query[..end], 20).0)
                .sum();
            let t = std::time::Instant::now();
            for end in 1..=query.len() {
                std::hint::black_box(typing.search(&query[..end]));
            }
            let keystrokes = t.elapsed();
            eprintln!(
                "{name}, {n} articles: {} docs, {chunk_count} chunks ({chunk_bytes} bytes), index built in {build:?}; \
                 a one-story word fetches meta {} + chunks and docs {bytes} = {} bytes ({} chunk(s)); \
                 typed a letter at a time: {typed} bytes; {} keystrokes searched (cached) in {keystrokes:?}",
                searcher.len(),
                files[0].1.len(),
                files[0].1.len() + bytes,
                needed.len(),
                query.len(),
            );
            if let Some(dir) = &dump {
                let dir = dir.join(format!("{}-{n}", name.split(' ').next().unwrap()));
                std::fs::create_dir_all(&dir).unwrap();
                let docs = searcher.docs_needed(&[]);
                assert!(docs.is_empty());
                let hit_shard = broadsheet::search::doc_shard_path(VERSION, hits[0].doc / 16);
                for path in std::iter::once(files[0].0.clone())
                    .chain(needed)
                    .chain([hit_shard])
                {
                    let json = &files.iter().find(|(p, _)| *p == path).unwrap().1;
                    std::fs::write(dir.join(path.replace('/', "_")), json).unwrap();
                }
            }
        }
    }
}
