//! Generated article files for benchmarks: deterministic, in the seed's format, some with a
//! header, typographic punctuation, CRLF line ends, a Read next block and a comment footer.
//! Never published: the native (`articles bench`) and browser parse benchmarks make them in
//! memory.

/// Generated article files, `count` of them.
pub fn articles(count: usize) -> Vec<Vec<u8>> {
    generate(|files, _| files < count)
}

/// Generated article files totalling at least `bytes` bytes.
pub fn corpus_of_size(bytes: usize) -> Vec<Vec<u8>> {
    generate(|_, total| total < bytes)
}

const WORDS: &[&str] = &[
    "the",
    "of",
    "and",
    "talks",
    "minister",
    "said",
    "on",
    "Thursday",
    "a",
    "in",
    "economic",
    "Moscow",
    "Washington",
    "progress",
    "“three",
    "steps",
    "forward”",
    "energy",
    "Russia’s",
    "agreement",
    "between",
    "officials",
    "de-escalation",
    "markets",
    "—",
    "rare",
    "earth",
    "metals",
    "flights",
    "restore",
    "embassy",
    "Ministry",
    "interest",
    "companies",
    "São",
    "Paulo",
    "Zürich",
    "government",
    "approval",
    "domestic",
    "enterprises",
    "sanctions",
];

/// A deterministic pseudo-random pick below `n` (xorshift64 from `seed`): the same sequence on
/// every platform, so generated corpora are the same everywhere.
pub fn picker(mut seed: u64) -> impl FnMut(usize) -> usize {
    move |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    }
}

/// Files until `more(files so far, bytes so far)` says stop.
fn generate(more: impl Fn(usize, usize) -> bool) -> Vec<Vec<u8>> {
    let mut next = picker(0x9E37_79B9_7F4A_7C15);
    let sentence = |out: &mut String, next: &mut dyn FnMut(usize) -> usize| {
        let words = 8 + next(20);
        for w in 0..words {
            let word = WORDS[next(WORDS.len())];
            if w == 0 {
                let mut cs = word.chars();
                if let Some(c) = cs.next() {
                    out.extend(c.to_uppercase());
                    out.push_str(cs.as_str());
                }
            } else {
                out.push(' ');
                out.push_str(word);
            }
        }
        out.push_str(". ");
    };
    let mut corpus = Vec::new();
    let mut total = 0;
    while more(corpus.len(), total) {
        let mut a = String::new();
        let i = corpus.len();
        if i % 2 == 0 {
            a.push_str(&format!(
                "---\ntitle: Generated article {i}\npublished: 2025-04-{:02}T08:15:00+02:00\ntopic: World\nauthor: Desk\n---\n",
                1 + i % 28
            ));
        }
        for _ in 0..6 + next(8) {
            for _ in 0..2 + next(5) {
                sentence(&mut a, &mut next);
            }
            a.pop();
            a.push_str(if i % 3 == 0 { "\r\n" } else { "\n" });
        }
        a.push_str("Read next\n");
        for e in 0..3 + next(4) {
            a.push_str(&format!("{:02}:{:02}\nTopic {e}\n", next(24), next(60)));
            sentence(&mut a, &mut next);
            a.push('\n');
        }
        a.push_str("What is your opinion on this topic?\nLeave the first comment");
        total += a.len();
        corpus.push(a.into_bytes());
    }
    corpus
}
