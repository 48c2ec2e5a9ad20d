//! Part 1: parse throughput, natively (`articles bench`) and in the browser (1,000 generated
//! articles parsed by the release wasm in headless Chromium).

use std::process::Command;

use anyhow::{Context as _, Result};

use super::{
    machine::wait_for_builds,
    runner::{printed, Figure, Outcome},
};
use crate::tools;

/// Native parse throughput budget, MB/s (PRODUCT.md, "Budgets").
const PARSE_BUDGET_MB_S: f64 = 300.0;

/// Part 1: `articles bench` (release build), its MB/s against the budget.
pub fn parse_throughput(out: &mut Outcome) -> Result<()> {
    wait_for_builds("the native parse benchmark");
    let text = printed(&mut articles_command("bench"), "articles bench")?;
    let line = text.lines().last().unwrap_or_default();
    let mb_s = line
        .split(" MB/s")
        .next()
        .and_then(|s| s.rsplit(' ').next())
        .and_then(|s| s.parse::<f64>().ok())
        .with_context(|| format!("no MB/s figure in {line:?}"))?;
    out.figures.push(Figure::new(
        "Native parse throughput",
        format!(
            "{mb_s:.0} MB/s ({})",
            line.split(": ").next().unwrap_or(line)
        ),
        Some(&format!("≥ {PARSE_BUDGET_MB_S:.0} MB/s")),
        Some(mb_s >= PARSE_BUDGET_MB_S),
        Some(format!("{:.0} MB/s", PARSE_BUDGET_MB_S - mb_s)),
    ));
    browser_parse(out)
}

/// `articles COMMAND` from a release build (of the bundled articles alone: the corpus a
/// benchmark generates is never compiled into the tool).
pub fn articles_command(command: &str) -> Command {
    let mut cargo = tools::command("cargo");
    cargo
        .args(["run", "--release", "--quiet", "--bin", "articles", "--"])
        .arg(command);
    cargo
}

/// Part 1, in the browser: `tests/browser_parse_bench.rs` (release wasm, headless Chromium)
/// parses 1,000 generated articles and prints its timing.
fn browser_parse(out: &mut Outcome) -> Result<()> {
    wait_for_builds("the browser parse benchmark");
    let text = printed(
        crate::e2e::browser_tests()?.args([
            "--release",
            "--test",
            "browser_parse_bench",
            "--",
            "--nocapture",
        ]),
        "the browser parse benchmark",
    )?;
    let line = text
        .lines()
        .find_map(|l| l.split("browser parse: ").nth(1))
        .context("the browser parse benchmark printed no figure")?;
    out.figures.push(Figure::new(
        "Parse 1,000 generated articles in headless Chromium (release wasm)",
        line.to_owned(),
        None,
        None,
        None,
    ));
    Ok(())
}
