//! The browser test runners: wasm-bindgen-test in headless Chromium, and the end-to-end tests
//! (Playwright in Chromium, Selenium in Firefox) against the release build served by nginx.

use crate::{firefox, root, server::Nginx, step, tools};
use anyhow::Context;
use std::{
    fs,
    path::{Path, PathBuf},
    process::Command,
};

/// The end-to-end tests in Chromium and Firefox against the site in `site_root/reader` (and the
/// archive site in `site_root/archive`, under `/archive/`, for `archive.test.mjs`),
/// served by nginx under `/reader/`.
pub fn end_to_end(site_root: &Path) -> anyhow::Result<()> {
    let server = chromium_end_to_end(site_root, "tests/e2e/")?;
    firefox::test(
        &format!("{}/reader/", server.origin()),
        &format!("{}{}", server.origin(), crate::archive::PATH),
    )
}

/// The Playwright tests at `tests` (a folder or one file) in Chromium (passed to them as
/// `CHROMIUM`), against the site in `site_root/reader` served by nginx under `/reader/`;
/// returns the server, still running.
pub fn chromium_end_to_end(site_root: &Path, tests: &str) -> anyhow::Result<Nginx> {
    let chromium = tools::CHROMIUM.path()?;
    let server = Nginx::start(site_root)?;
    step(
        &format!(
            "end-to-end tests (Playwright + {}, release build under /reader/)",
            chromium.display()
        ),
        tools::command("node")
            .args(["--test", "--test-concurrency=1", tests])
            .env("CHROMIUM", chromium)
            .env("BASE_URL", format!("{}/reader/", server.origin()))
            .env(
                "ARCHIVE_URL",
                format!("{}{}", server.origin(), crate::archive::PATH),
            )
            .env("ARCHIVE_ARTICLES", crate::archive::files().articles)
            .env("ARCHIVE_PROBLEMS", crate::archive::files().problems)
            .env("SITE_DIR", site_root.join("reader"))
            .env("SITE_URL", crate::E2E_SITE_URL)
            .env("SCREENSHOT_DIR", root().join("target/screenshots")),
    )?;
    Ok(server)
}

/// `cargo test` for the browser: wasm-bindgen-test's runner driving headless Chromium through
/// ChromeDriver, both found by [`tools::CHROMIUM`] and [`tools::CHROMEDRIVER`].
pub fn browser_tests() -> anyhow::Result<Command> {
    let mut cargo = tools::command("cargo");
    cargo
        .args(["test", "--target", "wasm32-unknown-unknown"])
        .env("CHROMEDRIVER", tools::CHROMEDRIVER.path()?)
        .env("WASM_BINDGEN_TEST_TIMEOUT", "120")
        .env("WASM_BINDGEN_TEST_WEBDRIVER_JSON", webdriver_json()?);
    Ok(cargo)
}

/// `tests/webdriver.json` (Chromium's flags) with the browser found on this machine as its
/// binary, written to `target/webdriver.json` for the test runner.
fn webdriver_json() -> anyhow::Result<PathBuf> {
    let chromium = tools::CHROMIUM.path()?;
    let template = root().join("tests/webdriver.json");
    let caps = fs::read_to_string(&template)
        .map_err(|e| e.to_string())
        .and_then(|text| with_binary(&text, &chromium))
        .map_err(|e| anyhow::anyhow!("{}: {e}", template.display()))?;
    let path = root().join("target/webdriver.json");
    fs::create_dir_all(root().join("target"))
        .and_then(|()| fs::write(&path, caps))
        .with_context(|| format!("write {}", path.display()))?;
    Ok(path)
}

/// The WebDriver capabilities `template` with `chromium` as Chromium's binary.
fn with_binary(template: &str, chromium: &Path) -> Result<String, String> {
    let mut caps: serde_json::Value = serde_json::from_str(template).map_err(|e| e.to_string())?;
    caps["goog:chromeOptions"]["binary"] = chromium.to_string_lossy().into();
    Ok(caps.to_string())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_webdriver_capabilities_name_the_browser_found_and_keep_the_flags() {
        let template = fs::read_to_string(root().join("tests/webdriver.json")).unwrap();
        let caps = with_binary(&template, Path::new("/opt/my chromium/chrome")).unwrap();
        let caps: serde_json::Value = serde_json::from_str(&caps).unwrap();
        let options = &caps["goog:chromeOptions"];
        assert_eq!(options["binary"], "/opt/my chromium/chrome");
        assert!(options["args"]
            .as_array()
            .unwrap()
            .contains(&"--headless=new".into()));
        assert!(with_binary("not json", Path::new("/x")).is_err());
    }
}
