//! The second browser engine: runs the core end-to-end flows of `tests/firefox/` in Debian's
//! Firefox ESR, driven through the pinned geckodriver by selenium-webdriver.

use crate::{step, tools};
use std::path::PathBuf;

/// Debian's Firefox ESR (installed from `tools::APT_PACKAGES`).
pub const FIREFOX: &str = "/usr/bin/firefox-esr";

/// The pinned geckodriver in the tool cache (installed by `tools::install_all`).
pub fn geckodriver() -> PathBuf {
    tools::cache_dir().join(format!(
        "geckodriver-{}/bin/geckodriver",
        tools::GECKODRIVER
    ))
}

/// Runs `tests/firefox/` against the built site at `base_url` (e.g.
/// `http://127.0.0.1:PORT/reader/`); each test starts its own headless browser with a fresh
/// profile.
pub fn test(base_url: &str) -> anyhow::Result<()> {
    step(
        "end-to-end tests in Firefox ESR (WebDriver)",
        tools::command("node")
            .args(["--test", "--test-concurrency=1", "tests/firefox/"])
            .env("BASE_URL", base_url)
            .env("GECKODRIVER", geckodriver())
            .env("FIREFOX", FIREFOX),
    )
}
