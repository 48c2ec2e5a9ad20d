//! `cargo xtask bench`: runs every benchmark in order, prints each figure, and records the
//! day's figures in `BENCHMARKS.md`.
//!
//! The parts, each independent of the others' success:
//! 1. native parse throughput (`articles bench`), and 1,000 articles parsed in the browser;
//! 2. first-load transfer of an article link, brotli-compressed, against issue 13's 150 KB
//!    (aim 110 KB) (`bench/size.mjs`);
//! 3. article text in the DOM, the app against the hand-written static page
//!    `bench/static/seed.html`, and layout shift (`bench/dom-time.mjs`);
//! 4. Lighthouse on the article page (`bench/lighthouse.mjs`): served with gzip, the scores and
//!    time to interactive; then the article page and the static page served uncompressed, the
//!    app's largest contentful paint against the static page's (issue 13: at most 1.2x);
//! 5. long tasks and storage writes while typing a comment and toggling reactions
//!    (`bench/typing.mjs`);
//! 6. the archive at scale: sites of 10,000 generated articles (and 100,000 with
//!    `BENCH_SCALE=10000,100000`) against the one-article site and issue 10's budgets: the wasm,
//!    the site build, home, an article link's first load, search, memory
//!    (`bench/generate-corpus.mjs`, `bench/scale.mjs`);
//! 7. fuzzing the parser for `BENCH_FUZZ_SECONDS` (default 60) with cargo-fuzz;
//! 8. the release wasm's size by crate and function against `bench/wasm-size.json`
//!    (`xtask/src/size.rs`; the same report as `cargo xtask size`);
//! 9. the time until the article page answers a click on a reaction tapped as soon as the
//!    prerendered page shows it, cold load, from navigation start (`bench/reaction.mjs`; run
//!    after part 5, with the other parts on the release site).
//!
//! Benchmarks print figures and compare them with the budgets; a missed budget is reported,
//! never an error. The command exits non-zero only when a part could not run.
//! `BENCH_PARTS=4,6` runs only those parts (and leaves `BENCHMARKS.md` alone); `BENCH_RUNS`,
//! `BENCH_SCALE`, `BENCH_SCALE_LOADS`, `BENCH_FUZZ_SECONDS`, `BENCH_WAIT_SECONDS` and
//! `BENCH_QUIET_SECONDS` tune the rest, and `BENCH_BUILD_LOCK=FILE` makes each site build wait
//! for `flock FILE` (a shared machine's build lock).
//!
//! The files: `runner` runs a part and records what came of it, `machine` waits for a quiet
//! machine and describes it, `parse` (part 1), `browser` (the site and scripts of parts 2-5
//! and 9), `scale` (part 6) and `fuzz` (part 7) measure, and `report` writes `BENCHMARKS.md`.

mod browser;
mod fuzz;
mod machine;
mod parse;
mod report;
mod runner;
mod scale;

use std::{env, time::Instant};

use anyhow::{anyhow, bail, Result};

use crate::{root, size, tools};
use browser::{node_part, prepare_site, site_config, timed_node_part, Served};
use runner::{part, skipped};

/// `cargo xtask bench`: every part in order, then the summary and `BENCHMARKS.md`.
pub fn run() -> Result<()> {
    let started = Instant::now();
    let only = selection();
    let wanted = |n: u8| only.as_ref().is_none_or(|o| o.contains(&n));
    tools::install_all(true)?;
    let context = machine::context();
    let mut parts = Vec::new();
    if wanted(1) {
        parts.push(part("1. native parse throughput", parse::parse_throughput));
    }

    let site_root = root().join("target/bench-site");
    let browser_parts: Vec<(&'static str, &str)> = [
        (2, "2. first-load size", "size"),
        (3, "3. article text in the DOM", "dom-time"),
        (4, "4. Lighthouse", "lighthouse"),
        (5, "5. typing and reactions", "typing"),
        (9, "9. answering a reaction click", "reaction"),
    ]
    .into_iter()
    .filter(|(n, _, _)| wanted(*n))
    .map(|(_, name, script)| (name, script))
    .collect();
    // Part 6 compares with the normal (one-article) site.
    let site = if browser_parts.is_empty() && !wanted(6) && !wanted(8) {
        Err(anyhow!("not selected"))
    } else {
        prepare_site(&site_root)
    };
    let mut served = Served::new(&site_root, false);
    let mut compressed = Served::new(&site_root, true);
    let baseline = match site {
        Ok(seed) => {
            for (name, script) in browser_parts {
                parts.push(part(name, |out| {
                    // Lighthouse simulates a mobile network, where compression matters: it
                    // measures the gzip server, then the plain one against the static page.
                    let mut config = || {
                        if script == "lighthouse" {
                            let plain = served.origin()?;
                            site_config(&compressed.origin()?, Some(&plain), &seed)
                        } else {
                            site_config(&served.origin()?, None, &seed)
                        }
                    };
                    if script == "size" {
                        machine::wait_for_builds(name);
                        node_part(script, &config()?, out)
                    } else {
                        timed_node_part(name, script, config, out)
                    }
                }));
            }
            if wanted(8) {
                parts.push(part("8. wasm size", |out| {
                    size_part(&site_root.join("reader"), out)
                }));
            }
            Some(seed)
        }
        Err(e) => {
            if !browser_parts.is_empty() {
                eprintln!("xtask: bench: the release site for parts 2-5 and 9 is missing: {e:#}");
            }
            for (name, _) in browser_parts {
                parts.push(skipped(
                    name,
                    &format!("the release site did not build: {e:#}"),
                ));
            }
            None
        }
    };
    drop(compressed);
    if wanted(6) {
        parts.push(part("6. the archive at scale", |out| {
            scale::scale(baseline.as_ref().map(|seed| (&mut served, seed)), out)
        }));
    }
    drop(served);
    if wanted(7) {
        parts.push(part("7. fuzzing the parser", fuzz::fuzz));
    }

    runner::print_summary(&parts);
    let date = report::today();
    if only.is_some() {
        println!("xtask: bench: only some parts ran (BENCH_PARTS); BENCHMARKS.md is left as it is");
    } else {
        match report::record(&root().join("BENCHMARKS.md"), &date, &context, &parts) {
            Ok(()) => println!("xtask: bench: figures recorded in BENCHMARKS.md under {date}"),
            Err(e) => eprintln!("xtask: bench: could not update BENCHMARKS.md: {e:#}"),
        }
    }
    let failed = runner::failed(&parts);
    println!(
        "xtask: bench finished in {:.0}s",
        started.elapsed().as_secs_f64()
    );
    if !failed.is_empty() {
        bail!("bench: parts that could not run: {}", failed.join(", "));
    }
    Ok(())
}

/// Part 8: the size report of the release wasm the benchmarks built, against the recorded run.
fn size_part(dist: &std::path::Path, out: &mut runner::Outcome) -> Result<()> {
    let now = size::measure(dist)?;
    let before = size::recorded().ok();
    for line in size::report(&now, before.as_ref()) {
        println!("    {line}");
    }
    let was = before
        .as_ref()
        .map(|b| format!(" (recorded in {}: {} bytes)", size::RECORD, b.wasm))
        .unwrap_or_default();
    out.figures.push(runner::Figure::new(
        "Release wasm, raw / brotli q11",
        format!(
            "{} bytes / {:.1} KB{was}",
            now.wasm,
            now.brotli as f64 / 1024.0
        ),
        None,
        None,
        None,
    ));
    let total: u64 = now.crates.values().sum();
    let mut crates: Vec<_> = now.crates.iter().collect();
    crates.sort_by(|a, b| b.1.cmp(a.1));
    let largest: Vec<String> = crates
        .iter()
        .take(10)
        .map(|(name, bytes)| format!("{name} {:.1}%", **bytes as f64 * 100.0 / total as f64))
        .collect();
    out.figures.push(runner::Figure::new(
        "Largest crates in the wasm (code before wasm-opt)",
        largest.join(", "),
        None,
        None,
        None,
    ));
    Ok(())
}

/// The parts named in `BENCH_PARTS` (e.g. `4,6`), or `None` for all.
fn selection() -> Option<Vec<u8>> {
    let list = env::var("BENCH_PARTS").ok()?;
    Some(
        list.split([',', ' '])
            .filter_map(|n| n.trim().parse().ok())
            .collect(),
    )
}

/// The number in the environment variable `var`, or `default` if unset or not a number.
fn number_from_env<T: std::str::FromStr>(var: &str, default: T) -> T {
    env::var(var)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}
