//! The browser half of the parse benchmark (`cargo xtask bench`, part 1): 1,000 generated
//! articles parsed by an optimised wasm build in headless Chromium. The benchmark runs it with
//! `--nocapture` and reads the figure it prints; `cargo xtask test` does not run it.
#![cfg(target_arch = "wasm32")]

use broadsheet::article::{parse, synthetic};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const ARTICLES: usize = 1_000;
const RUNS: usize = 7;

#[wasm_bindgen_test]
fn parse_1000_generated_articles() {
    let corpus = synthetic::articles(ARTICLES);
    let bytes: usize = corpus.iter().map(Vec::len).sum();
    let failures: Vec<String> = corpus
        .iter()
        .enumerate()
        .filter_map(|(i, a)| parse(a).err().map(|e| format!("article {i}: {e}")))
        .collect();
    assert_eq!(
        failures,
        Vec::<String>::new(),
        "every generated article parses"
    );

    let performance = web_sys::window().unwrap().performance().unwrap();
    let mut times: Vec<f64> = (0..RUNS)
        .map(|_| {
            let start = performance.now();
            for article in &corpus {
                std::hint::black_box(parse(std::hint::black_box(article)).is_ok());
            }
            performance.now() - start
        })
        .collect();
    times.sort_by(f64::total_cmp);
    console_log!(
        "browser parse: {ARTICLES} articles ({:.2} MB) in {:.1} ms median, {:.1} ms best of {RUNS} runs",
        bytes as f64 / 1e6,
        times[RUNS / 2],
        times[0]
    );
}
