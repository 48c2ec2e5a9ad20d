//! The second browser engine: runs the core end-to-end flows of `tests/firefox/` in Firefox
//! (ESR on Debian), driven through geckodriver by selenium-webdriver.

use crate::{step, tools};
use std::path::PathBuf;

/// geckodriver: `$GECKODRIVER`, else one on PATH, else the pinned one in the tool cache
/// (installed by `tools::install_all`).
pub fn geckodriver() -> anyhow::Result<PathBuf> {
    let pinned = tools::cache_dir().join(format!(
        "geckodriver-{}/bin/geckodriver",
        tools::GECKODRIVER
    ));
    tools::GECKODRIVER_TOOL
        .resolve(Some(pinned))
        .map_err(anyhow::Error::msg)
}

/// Runs `tests/firefox/` against the built site at `base_url` (e.g.
/// `http://127.0.0.1:PORT/reader/`) and the archive at `archive_url` (for `archive.test.mjs`);
/// each test starts its own headless browser with a fresh profile. The browser and its driver
/// are passed as `FIREFOX` and `GECKODRIVER`.
pub fn test(base_url: &str, archive_url: &str) -> anyhow::Result<()> {
    let firefox = tools::FIREFOX.path()?;
    step(
        &format!("end-to-end tests in Firefox ({})", firefox.display()),
        tools::command("node")
            .args(["--test", "--test-concurrency=1", "tests/firefox/"])
            .env("BASE_URL", base_url)
            .env("ARCHIVE_URL", archive_url)
            .env("GECKODRIVER", geckodriver()?)
            .env("FIREFOX", firefox),
    )
}
