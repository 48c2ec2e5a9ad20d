//! `cargo xtask`: installs Broadsheet's pinned tools, then serves, builds, tests or benchmarks.

mod bench;
mod csp;
mod e2e;
mod firefox;
mod icons;
mod offline;
mod server;
mod site;
mod tools;

use std::{
    env,
    path::{Path, PathBuf},
    process::{exit, Command},
    time::Instant,
};

const USAGE: &str = "usage: cargo xtask <command>

  serve                              install what is missing, then trunk serve on 127.0.0.1:8080
  test                               install what is missing, then run every check and test
  build [--public-url P] [--dist D]  the release site for a static host (default / and dist/)
  e2e [--repeat N] [--only NAME]     the end-to-end tests again (Chromium and Firefox), N times,
                                     against the release build the last `test` made; --only runs
                                     just tests/e2e/NAME.test.mjs (Chromium)
  bench                              run the benchmarks and print their figures
  icons                              redraw the app icons into assets/icons/";

/// What `cargo xtask` was asked to do.
#[derive(Debug, PartialEq)]
enum Task {
    Serve,
    Test,
    Build { public_url: String, dist: PathBuf },
    E2e { repeat: u32, only: Option<String> },
    Bench,
    Icons,
}

/// Reads the command line; an unknown command, flag or stray value is an error.
fn parse_args(args: impl IntoIterator<Item = std::ffi::OsString>) -> Result<Task, lexopt::Error> {
    use lexopt::prelude::*;
    let mut parser = lexopt::Parser::from_args(args);
    let command = match parser.next()? {
        Some(Value(command)) => command.string()?,
        Some(other) => return Err(other.unexpected()),
        None => return Err("no command given".into()),
    };
    let mut task = match command.as_str() {
        "serve" => Task::Serve,
        "test" => Task::Test,
        "bench" => Task::Bench,
        "icons" => Task::Icons,
        "build" => Task::Build {
            public_url: "/".to_owned(),
            dist: root().join("dist"),
        },
        "e2e" => Task::E2e {
            repeat: 1,
            only: None,
        },
        other => return Err(format!("unknown command {other:?}").into()),
    };
    while let Some(arg) = parser.next()? {
        match (&mut task, arg) {
            (Task::Build { public_url, .. }, Long("public-url")) => {
                *public_url = parser.value()?.string()?;
            }
            (Task::Build { dist, .. }, Long("dist")) => dist.clone_from(&parser.value()?.into()),
            (Task::E2e { repeat, .. }, Long("repeat")) => *repeat = parser.value()?.parse()?,
            (Task::E2e { only, .. }, Long("only")) => *only = Some(parser.value()?.string()?),
            (_, arg) => return Err(arg.unexpected()),
        }
    }
    Ok(task)
}

fn main() {
    let task = parse_args(env::args_os().skip(1)).unwrap_or_else(|e| {
        eprintln!("xtask: {e}\n\n{USAGE}");
        exit(2);
    });
    match task {
        Task::Serve => serve(),
        Task::Test => test(),
        Task::Build { public_url, dist } => {
            tools::install_all(false);
            site::build(&public_url, &dist);
        }
        Task::E2e { repeat, only } => {
            let site_root = root().join("target/e2e-site");
            assert!(
                site_root.join("reader/index.html").exists(),
                "no release build in {}: run `cargo xtask test` first",
                site_root.display()
            );
            tools::install_all(true);
            for run in 1..=repeat {
                println!("xtask: end-to-end run {run} of {repeat}");
                match &only {
                    Some(name) => {
                        e2e::chromium_end_to_end(&site_root, &format!("tests/e2e/{name}.test.mjs"));
                    }
                    None => e2e::end_to_end(&site_root),
                }
            }
        }
        Task::Bench => bench(),
        Task::Icons => icons::write_all(&root().join("assets/icons"))
            .unwrap_or_else(|e| panic!("write assets/icons: {e}")),
    }
}

/// The repository root (the parent of this crate's folder).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the repo")
        .to_path_buf()
}

/// A named step: prints what it does, runs, and on failure says how to do it by hand.
pub struct Step {
    what: String,
}

impl Step {
    pub fn new(what: &str) -> Self {
        println!("==> {what}");
        Step {
            what: what.to_owned(),
        }
    }

    pub fn run(&self, cmd: &mut Command, hint: &str) {
        let started = Instant::now();
        let status = cmd.status();
        match status {
            Ok(s) if s.success() => {
                println!(
                    "    done: {} ({:.1}s)",
                    self.what,
                    started.elapsed().as_secs_f64()
                )
            }
            Ok(s) => self.fail(&format!("exited with {s}"), hint),
            Err(e) => self.fail(
                &format!("could not start {:?}: {e}", cmd.get_program()),
                hint,
            ),
        }
    }

    fn fail(&self, why: &str, hint: &str) -> ! {
        eprintln!("xtask: FAILED: {}: {why}", self.what);
        if !hint.is_empty() {
            eprintln!("xtask: to do this step by hand: {hint}");
        }
        exit(1);
    }
}

/// Runs a project command with the pinned tools first on PATH.
pub fn step(what: &str, cmd: &mut Command) {
    Step::new(what).run(cmd, "");
}

fn serve() {
    tools::install_all(false);
    step(
        "trunk serve on http://127.0.0.1:8080/",
        tools::command("trunk")
            .args(["serve", "--address", "127.0.0.1", "--port", "8080"])
            .env_remove("NO_COLOR"),
    );
}

fn test() {
    let started = Instant::now();
    warn_if_disk_is_low();
    tools::install_all(true);
    step(
        "cargo fmt --check",
        tools::command("cargo").args(["fmt", "--all", "--check"]),
    );
    step(
        "cargo clippy --all-targets -- -D warnings",
        tools::command("cargo").args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]),
    );
    step(
        "clippy for the browser build",
        tools::command("cargo").args([
            "clippy",
            "--target",
            "wasm32-unknown-unknown",
            "--lib",
            "--bin",
            "broadsheet",
            "--",
            "-D",
            "warnings",
        ]),
    );
    step(
        "host tests (cargo test)",
        tools::command("cargo").args(["test", "--workspace"]),
    );
    step(
        "check the bundled articles",
        tools::command("cargo").args([
            "run", "--quiet", "--bin", "articles", "--", "check", "articles",
        ]),
    );
    step(
        "browser tests (wasm-bindgen-test in headless Chromium)",
        e2e::browser_tests().args(e2e::browser_test_targets()),
    );
    let site_root = root().join("target/e2e-site");
    let _ = std::fs::remove_dir_all(&site_root);
    site::build("/reader/", &site_root.join("reader"));
    e2e::end_to_end(&site_root);
    println!(
        "xtask: all checks passed in {:.0}s",
        started.elapsed().as_secs_f64()
    );
}

/// A full test run from a fresh clone writes about 10 GB under `target/`; with less free, the
/// linker dies of SIGBUS mid-build, which says nothing about the cause. Say it first.
fn warn_if_disk_is_low() {
    const NEEDED_KB: u64 = 10 * 1024 * 1024;
    let Ok(out) = Command::new("df").arg("-Pk").arg(root()).output() else {
        return;
    };
    let text = String::from_utf8_lossy(&out.stdout);
    let free_kb = text
        .lines()
        .nth(1)
        .and_then(|line| line.split_whitespace().nth(3))
        .and_then(|kb| kb.parse::<u64>().ok());
    if let Some(free_kb) = free_kb.filter(|kb| *kb < NEEDED_KB) {
        eprintln!(
            "xtask: warning: only {:.1} GB free on the disk of {}; a run from a fresh clone \
             needs about 10 GB (build folders: target/, e.g. `cargo clean`)",
            free_kb as f64 / 1024.0 / 1024.0,
            root().display()
        );
    }
}

/// `cargo xtask bench`: see bench.rs.
fn bench() {
    bench::run();
}

#[cfg(test)]
mod args_tests {
    use super::{parse_args, root, Task};

    fn parse(line: &str) -> Result<Task, String> {
        parse_args(line.split_whitespace().map(Into::into)).map_err(|e| e.to_string())
    }

    #[test]
    fn commands_and_their_flags_are_read() {
        assert_eq!(parse("test"), Ok(Task::Test));
        assert_eq!(
            parse("build"),
            Ok(Task::Build {
                public_url: "/".into(),
                dist: root().join("dist")
            })
        );
        assert_eq!(
            parse("build --public-url /news/ --dist out"),
            Ok(Task::Build {
                public_url: "/news/".into(),
                dist: "out".into()
            })
        );
        assert_eq!(
            parse("e2e --repeat 3 --only early"),
            Ok(Task::E2e {
                repeat: 3,
                only: Some("early".into())
            })
        );
    }

    #[test]
    fn unknown_commands_flags_and_values_are_refused() {
        for line in [
            "",
            "tset",
            "build --publicurl /news/",
            "test --public-url /news/",
            "e2e --repeat many",
            "serve extra",
            "build --dist",
        ] {
            assert!(parse(line).is_err(), "{line:?} was accepted");
        }
        assert!(parse("build --publicurl /news/")
            .unwrap_err()
            .contains("--publicurl"));
    }
}
