//! Progress bars on stderr for the long steps of a large build. indicatif draws nothing when
//! stderr is not a terminal (CI logs, the Trunk hook), where each step's summary line is all.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A bar for `len` items of the step `what`, pinned to the bottom of the terminal; hidden for
/// fewer than [`MIN_ITEMS`] (a small build is over before it would draw).
pub fn bar(len: usize, what: &str) -> ProgressBar {
    if len < MIN_ITEMS {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(len as u64), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("    {prefix:>8} [{bar:40}] {pos}/{len} ({eta} left)")
            .expect("a valid template")
            .progress_chars("=> "),
    );
    bar.set_prefix(what.to_owned());
    bar
}

/// Below this many items a step takes well under a second.
pub const MIN_ITEMS: usize = 200;
