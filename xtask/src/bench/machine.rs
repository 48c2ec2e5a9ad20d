//! Whether the machine is quiet enough to time anything, and what it is, for the record.
//!
//! The machine is shared: another build or test run makes browser timings noise. Processes and
//! CPU load come from `sysinfo`, on any system it supports.

use std::{
    ffi::OsStr,
    path::Path,
    process::Command,
    thread,
    time::{Duration, Instant},
};

use sysinfo::{CpuRefreshKind, ProcessRefreshKind, ProcessesToUpdate, System, UpdateKind};

use crate::root;

/// How long to wait for the machine: `VAR` seconds if set, else `default`.
struct Patience {
    limit: u64,
    deadline: Instant,
}

impl Patience {
    fn from_env(var: &str, default: u64) -> Self {
        let limit = super::number_from_env(var, default);
        Patience {
            limit,
            deadline: Instant::now() + Duration::from_secs(limit),
        }
    }

    fn is_over(&self) -> bool {
        Instant::now() > self.deadline
    }
}

/// Whether a process's command line is a build that competes for the CPUs: `trunk build`,
/// `cargo build`, or a compiler (`rustc`, also as the argument of a wrapper like clippy's).
fn is_build(cmd: &[&OsStr]) -> bool {
    let line = cmd
        .iter()
        .map(|a| a.to_string_lossy())
        .collect::<Vec<_>>()
        .join(" ");
    line.contains("trunk build")
        || line.contains("cargo build")
        || cmd
            .iter()
            .filter_map(|a| Path::new(a).file_name())
            .any(|name| name == "rustc" || name == "rustc.exe")
}

/// The builds running on this machine now, each as the start of its command line.
fn builds_running(system: &mut System) -> Vec<String> {
    system.refresh_processes_specifics(
        ProcessesToUpdate::All,
        true,
        ProcessRefreshKind::nothing().with_cmd(UpdateKind::Always),
    );
    system
        .processes()
        .values()
        .filter(|p| is_build(&p.cmd().iter().map(|a| a.as_os_str()).collect::<Vec<_>>()))
        .map(|p| {
            let line: Vec<_> = p.cmd().iter().map(|a| a.to_string_lossy()).collect();
            line.join(" ").chars().take(120).collect()
        })
        .collect()
}

/// Waits (up to `BENCH_WAIT_SECONDS`, default 30 minutes) while another build runs on this
/// machine: two release builds at once starve each other, and timings taken meanwhile are noise.
pub fn wait_for_builds(before: &str) {
    let Ok(mut system) = System::new() else {
        return;
    };
    let patience = Patience::from_env("BENCH_WAIT_SECONDS", 1800);
    let mut said = false;
    loop {
        let busy = builds_running(&mut system);
        let Some(first) = busy.first() else {
            if said {
                println!("    the other build finished; going on");
            }
            return;
        };
        if patience.is_over() {
            println!(
                "    still busy after {}s; going on anyway (timings may be noisy)",
                patience.limit
            );
            return;
        }
        if !said {
            println!("    waiting for another build to finish before {before}: {first}");
            said = true;
        }
        thread::sleep(Duration::from_secs(5));
    }
}

/// How busy all the CPUs were between two moments.
pub struct CpuClock(System);

impl CpuClock {
    /// Starts the clock now; `None` where the system cannot say.
    pub fn start() -> Option<Self> {
        let mut system = System::new().ok()?;
        system.refresh_cpu_specifics(CpuRefreshKind::nothing().with_usage());
        Some(CpuClock(system))
    }

    /// The fraction of all CPU time spent busy since the clock started (or was last read).
    pub fn busy(&mut self) -> f64 {
        self.0
            .refresh_cpu_specifics(CpuRefreshKind::nothing().with_usage());
        f64::from(self.0.global_cpu_usage()) / 100.0
    }
}

/// Waits for other builds, then (up to `BENCH_QUIET_SECONDS`, default 5 minutes) until the
/// CPUs are mostly idle, so that browser timings are not taken while tests or builds of other
/// work share the two cores. Returns how busy the CPUs were when timing started, for the notes.
pub fn wait_for_quiet(before: &str) -> String {
    wait_for_builds(before);
    let Some(mut clock) = CpuClock::start() else {
        return "CPU use unknown".to_owned();
    };
    let patience = Patience::from_env("BENCH_QUIET_SECONDS", 300);
    let mut said = false;
    loop {
        thread::sleep(Duration::from_secs(2));
        let busy = clock.busy();
        let text = format!("CPUs {:.0}% busy just before timing", busy * 100.0);
        if busy < 0.25 {
            return text;
        }
        if patience.is_over() {
            println!(
                "    the machine is still busy after {}s; timing anyway",
                patience.limit
            );
            return format!("{text} (noisy)");
        }
        if !said {
            println!(
                "    waiting for the machine to be quiet before {before} ({:.0}% busy)",
                busy * 100.0
            );
            said = true;
        }
        thread::sleep(Duration::from_secs(3));
        // The next window starts now, not at the last reading.
        clock.busy();
    }
}

/// The machine the figures come from: cores, Chromium, commit.
pub fn context() -> String {
    let cores = thread::available_parallelism().map_or(0, |n| n.get());
    let chromium = crate::tools::CHROMIUM
        .path()
        .ok()
        .and_then(|path| Command::new(path).arg("--version").output().ok())
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_else(|| "Chromium (version unknown)".to_owned());
    let git = |args: &[&str]| {
        Command::new("git")
            .args(args)
            .current_dir(root())
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
            .unwrap_or_default()
    };
    let commit = git(&["rev-parse", "--short", "HEAD"]);
    // Changes that do not reach the build (tests, this file's figures) do not count.
    let dirty = !git(&[
        "status",
        "--porcelain",
        "--untracked-files=no",
        "--",
        ".",
        ":(exclude)BENCHMARKS.md",
        ":(exclude)tests",
    ])
    .is_empty();
    format!(
        "{cores} cores, {chromium}, commit {commit}{}",
        if dirty {
            " plus uncommitted changes to the app or tools"
        } else {
            ""
        }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build(line: &str) -> bool {
        is_build(&line.split(' ').map(OsStr::new).collect::<Vec<_>>())
    }

    #[test]
    fn builds_are_told_from_other_commands() {
        assert!(build(
            "/root/.rustup/toolchains/1.90/bin/rustc --crate-name x"
        ));
        assert!(build("cargo build --release"));
        assert!(build(
            "/cache/clippy-driver /root/.rustup/toolchains/1.90/bin/rustc -"
        ));
        assert!(build("/cache/trunk-0.21/bin/trunk build --release"));
        assert!(!build("cargo run --quiet --package xtask -- bench"));
        assert!(!build("cargo test --workspace"));
        assert!(!build("vim src/rustc.rs"));
        assert!(!build("rust-analyzer"));
    }
}
