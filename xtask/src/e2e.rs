//! The browser test runners: wasm-bindgen-test in headless Chromium, and the end-to-end tests
//! (Playwright in Chromium, Selenium in Firefox) against the release build served by nginx.

use crate::{firefox, root, server::Nginx, step, tools};
use std::{path::Path, process::Command};

/// The end-to-end tests in Chromium and Firefox against the site in `site_root/reader`,
/// served by nginx under `/reader/`.
pub fn end_to_end(site_root: &Path) -> anyhow::Result<()> {
    let server = chromium_end_to_end(site_root, "tests/e2e/")?;
    firefox::test(&format!("{}/reader/", server.origin()))
}

/// The Playwright tests at `tests` (a folder or one file) in Chromium, against the site in
/// `site_root/reader` served by nginx under `/reader/`; returns the server, still running.
pub fn chromium_end_to_end(site_root: &Path, tests: &str) -> anyhow::Result<Nginx> {
    let server = Nginx::start(site_root);
    step(
        "end-to-end tests (Playwright + Chromium, release build under /reader/)",
        tools::command("node")
            .args(["--test", "--test-concurrency=1", tests])
            .env("BASE_URL", format!("{}/reader/", server.origin()))
            .env("SITE_DIR", site_root.join("reader"))
            .env("SCREENSHOT_DIR", root().join("target/screenshots")),
    )?;
    Ok(server)
}

/// `cargo test` for the browser: wasm-bindgen-test's runner driving headless Chromium.
pub fn browser_tests() -> Command {
    let mut cargo = tools::command("cargo");
    cargo
        .args(["test", "--target", "wasm32-unknown-unknown"])
        .env("CHROMEDRIVER", "/usr/bin/chromedriver")
        .env("WASM_BINDGEN_TEST_TIMEOUT", "120")
        .env(
            "WASM_BINDGEN_TEST_WEBDRIVER_JSON",
            root().join("tests/webdriver.json"),
        );
    cargo
}

/// `--test NAME` for every `tests/web*.rs`: the files gated to run in the browser.
pub fn browser_test_targets() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(root().join("tests"))
        .expect("tests/ exists")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.starts_with("web") && n.ends_with(".rs"))
        .map(|n| n.trim_end_matches(".rs").to_owned())
        .collect();
    names.sort();
    names
        .into_iter()
        .flat_map(|n| ["--test".to_owned(), n])
        .collect()
}
