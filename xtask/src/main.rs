//! `cargo xtask`: installs Broadsheet's pinned tools, then serves, builds, tests or benchmarks.

mod archive;
mod bench;
mod e2e;
mod firefox;
mod icons;
mod server;
mod site;
mod size;
mod tools;

use anyhow::{anyhow, bail, Context as _, Result};
use std::{
    env,
    path::{Path, PathBuf},
    process::{Command, ExitCode},
    time::Instant,
};

const USAGE: &str = "usage: cargo xtask <command>

  serve                              install what is missing, then trunk serve on 127.0.0.1:8080
  test                               install what is missing, then run every check and test
  build [--articles A] [--public-url P] [--site-url U] [--dist D] [--keep-going]
                                     the release site of the articles in A for a static host
                                     (default articles/, / and dist/); a malformed article is
                                     reported and left out, and fails the build unless
                                     --keep-going; --site-url https://example.org/news/ (the
                                     site's address; its path is the public URL) adds the
                                     feeds, the sitemap and canonical links
  e2e [--repeat N] [--only NAME]     the end-to-end tests again (Chromium and Firefox), N times,
                                     against the release build the last `test` made; --only runs
                                     just tests/e2e/NAME.test.mjs (Chromium)
  bench                              run the benchmarks and print their figures (BENCH_PARTS=4,6
                                     runs only those; see xtask/src/bench/mod.rs)
  size [--record]                    the release wasm's size by crate and function against
                                     bench/wasm-size.json (the figure `test` gates at 2%);
                                     --record writes the new figures there
  icons                              redraw the app icons into assets/icons/";

/// What `cargo xtask` was asked to do.
#[derive(Debug, PartialEq)]
enum Task {
    Serve,
    Test,
    Build(site::Build),
    E2e { repeat: u32, only: Option<String> },
    Bench,
    Size { record: bool },
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
    let mut public_url_given = false;
    let mut task = match command.as_str() {
        "serve" => Task::Serve,
        "test" => Task::Test,
        "bench" => Task::Bench,
        "icons" => Task::Icons,
        "size" => Task::Size { record: false },
        "build" => Task::Build(site::Build {
            articles: root().join("articles"),
            public_url: "/".to_owned(),
            site_url: None,
            dist: root().join("dist"),
            keep_going: false,
        }),
        "e2e" => Task::E2e {
            repeat: 1,
            only: None,
        },
        other => return Err(format!("unknown command {other:?}").into()),
    };
    while let Some(arg) = parser.next()? {
        match (&mut task, arg) {
            (Task::Build(build), Long("public-url")) => {
                build.public_url = parser.value()?.string()?;
                public_url_given = true;
            }
            (Task::Build(build), Long("site-url")) => {
                build.site_url = Some(parser.value()?.string()?)
            }
            (Task::Build(build), Long("dist")) => build.dist = parser.value()?.into(),
            (Task::Build(build), Long("articles")) => build.articles = parser.value()?.into(),
            (Task::Build(build), Long("keep-going")) => build.keep_going = true,
            (Task::E2e { repeat, .. }, Long("repeat")) => *repeat = parser.value()?.parse()?,
            (Task::Size { record }, Long("record")) => *record = true,
            (Task::E2e { only, .. }, Long("only")) => *only = Some(parser.value()?.string()?),
            (_, arg) => return Err(arg.unexpected()),
        }
    }
    if let Task::Build(build) = &mut task {
        if let Some(site_url) = &build.site_url {
            let site = broadsheet_site::feeds::SiteUrl::parse(site_url)
                .map_err(|e| lexopt::Error::from(e.to_string()))?;
            let public_url = broadsheet_site::normalise_public_url(&build.public_url);
            if public_url_given && public_url != site.path() {
                return Err(format!(
                    "--public-url {public_url} and --site-url {site_url} name different paths \
                     (the site's address alone is enough)"
                )
                .into());
            }
            build.public_url = site.path().to_owned();
        }
    }
    Ok(task)
}

fn main() -> ExitCode {
    let task = match parse_args(env::args_os().skip(1)) {
        Ok(task) => task,
        Err(e) => {
            eprintln!("xtask: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(task) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // `{:#}`: the whole chain, outermost first ("step: why it failed: the cause").
            eprintln!("xtask: FAILED: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Does what was asked; the one place errors come back to.
fn run(task: Task) -> Result<()> {
    match task {
        Task::Serve => serve(),
        Task::Test => test(),
        Task::Build(build) => {
            tools::install_all(false)?;
            site::build(&build)
        }
        Task::E2e { repeat, only } => e2e(repeat, only.as_deref()),
        Task::Bench => bench::run(),
        Task::Size { record } => size::run(record),
        Task::Icons => icons::write_all(&root().join("assets/icons")),
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

    /// Runs `cmd`; a failure names the step and, given a `hint`, how to do it by hand.
    pub fn run(&self, cmd: &mut Command, hint: &str) -> Result<()> {
        let started = Instant::now();
        let why = match cmd.status() {
            Ok(s) if s.success() => {
                println!(
                    "    done: {} ({:.1}s)",
                    self.what,
                    started.elapsed().as_secs_f64()
                );
                return Ok(());
            }
            Ok(s) => anyhow!("exited with {s}"),
            Err(e) => anyhow!(e).context(format!("could not start {:?}", cmd.get_program())),
        };
        Err(why.context(if hint.is_empty() {
            self.what.clone()
        } else {
            format!("{} (to do this step by hand: {hint})", self.what)
        }))
    }
}

/// Runs a project command with the pinned tools first on PATH.
pub fn step(what: &str, cmd: &mut Command) -> Result<()> {
    Step::new(what).run(cmd, "")
}

fn serve() -> Result<()> {
    tools::install_all(false)?;
    step(
        "trunk serve on http://127.0.0.1:8080/",
        tools::command("trunk")
            .args(["serve", "--address", "127.0.0.1", "--port", "8080"])
            .env_remove("NO_COLOR"),
    )
}

fn test() -> Result<()> {
    let started = Instant::now();
    warn_if_disk_is_low();
    tools::install_all(true)?;
    step(
        "cargo fmt --check",
        tools::command("cargo").args(["fmt", "--all", "--check"]),
    )?;
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
    )?;
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
    )?;
    step(
        "host tests (cargo test)",
        tools::command("cargo").args(["test", "--workspace", "--profile", "xtask"]),
    )?;
    step(
        "check the bundled articles",
        tools::command("cargo").args([
            "run",
            "--quiet",
            "--profile",
            "xtask",
            "--bin",
            "articles",
            "--",
            "check",
            "articles",
        ]),
    )?;
    step(
        "browser tests (wasm-bindgen-test in headless Chromium)",
        e2e::browser_tests()?.args(e2e::browser_test_targets()),
    )?;
    let site_root = root().join("target/e2e-site");
    let _ = std::fs::remove_dir_all(&site_root);
    site::build(&site::Build {
        articles: root().join("articles"),
        public_url: "/reader/".to_owned(),
        // An address the end-to-end tests check the pages' canonical and feed links against
        // (the server's port changes from run to run; the links need not reach it).
        site_url: Some(E2E_SITE_URL.to_owned()),
        dist: site_root.join("reader"),
        keep_going: false,
    })?;
    println!("==> the release wasm's size against {}", size::RECORD);
    let wasm = std::fs::metadata(size::wasm_in(&site_root.join("reader"))?)?.len();
    size::gate(wasm, size::recorded()?.wasm).context("the size gate")?;
    println!("    done: {wasm} bytes");
    build_archive(&site_root)?;
    e2e::end_to_end(&site_root)?;
    println!(
        "xtask: all checks passed in {:.0}s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The end-to-end site's address (`--site-url`), passed to the tests as `SITE_URL`.
pub const E2E_SITE_URL: &str = "https://broadsheet.test/reader/";

/// A full test run from a fresh clone writes about 10 GB under `target/`; with less free, the
/// linker dies of SIGBUS mid-build, which says nothing about the cause. Say it first.
fn warn_if_disk_is_low() {
    const NEEDED: u64 = 10 * 1024 * 1024 * 1024;
    let storage = sysinfo::DiskRefreshKind::nothing().with_storage();
    let Ok(disks) = sysinfo::Disks::new_with_refreshed_list_specifics(storage) else {
        return;
    };
    let repo = root().canonicalize().unwrap_or_else(|_| root());
    let free = free_space_at(
        &repo,
        disks.iter().map(|d| (d.mount_point(), d.available_space())),
    );
    if let Some(free) = free.filter(|bytes| *bytes < NEEDED) {
        eprintln!(
            "xtask: warning: only {:.1} GB free on the disk of {}; a run from a fresh clone \
             needs about 10 GB (build folders: target/, e.g. `cargo clean`)",
            free as f64 / 1024.0 / 1024.0 / 1024.0,
            root().display()
        );
    }
}

/// The free bytes of the disk that holds `path`, given each disk's mount point and free bytes:
/// the disk mounted deepest on the way to `path` (`/` holds everything, `/work` more closely).
fn free_space_at<'a>(path: &Path, disks: impl IntoIterator<Item = (&'a Path, u64)>) -> Option<u64> {
    disks
        .into_iter()
        .filter(|(mount, _)| path.starts_with(mount))
        .max_by_key(|(mount, _)| mount.components().count())
        .map(|(_, free)| free)
}

/// `cargo xtask e2e`: the end-to-end tests again, `repeat` times, against the last release
/// build `test` made; only `tests/e2e/ONLY.test.mjs` (in Chromium) if given.
fn e2e(repeat: u32, only: Option<&str>) -> Result<()> {
    let site_root = root().join("target/e2e-site");
    if !site_root.join("reader/index.html").exists() {
        bail!(
            "no release build in {}: run `cargo xtask test` first",
            site_root.display()
        );
    }
    tools::install_all(true)?;
    build_archive(&site_root)?;
    for run in 1..=repeat {
        println!("xtask: end-to-end run {run} of {repeat}");
        match only {
            Some(name) => {
                e2e::chromium_end_to_end(&site_root, &format!("tests/e2e/{name}.test.mjs"))?;
            }
            None => e2e::end_to_end(&site_root)?,
        }
    }
    Ok(())
}

/// The archive site of the end-to-end tests (see [`archive`]) into `site_root/archive`, from
/// the Trunk output of the reader built into `site_root/reader`.
fn build_archive(site_root: &Path) -> Result<()> {
    let reader_trunk = site::work_dir(&site_root.join("reader")).join("trunk");
    archive::build(site_root, &reader_trunk)
}

#[cfg(test)]
mod disk_tests {
    use super::free_space_at;
    use std::path::Path;

    #[test]
    fn the_disk_mounted_deepest_on_the_way_holds_the_path() {
        let disks = [
            (Path::new("/"), 1),
            (Path::new("/srv"), 2),
            (Path::new("/srv/other"), 3),
            (Path::new("/sr"), 4),
        ];
        assert_eq!(free_space_at(Path::new("/srv/repo"), disks), Some(2));
        assert_eq!(free_space_at(Path::new("/srv/other/repo"), disks), Some(3));
        // A mount point is a whole folder, not a string prefix: /sr does not hold /srv.
        assert_eq!(free_space_at(Path::new("/home/me"), disks), Some(1));
        assert_eq!(
            free_space_at(Path::new("/home/me"), disks[1..].to_vec()),
            None
        );
    }
}

#[cfg(test)]
mod args_tests {
    use super::{parse_args, root, site, Task};

    fn parse(line: &str) -> Result<Task, String> {
        parse_args(line.split_whitespace().map(Into::into)).map_err(|e| e.to_string())
    }

    #[test]
    fn commands_and_their_flags_are_read() {
        assert_eq!(parse("test"), Ok(Task::Test));
        assert_eq!(
            parse("build"),
            Ok(Task::Build(site::Build {
                articles: root().join("articles"),
                public_url: "/".into(),
                site_url: None,
                dist: root().join("dist"),
                keep_going: false,
            }))
        );
        assert_eq!(
            parse("build --public-url /news/ --dist out --articles archive --keep-going"),
            Ok(Task::Build(site::Build {
                articles: "archive".into(),
                public_url: "/news/".into(),
                site_url: None,
                dist: "out".into(),
                keep_going: true,
            }))
        );
        // The site's address gives the public URL, or agrees with it.
        for line in [
            "build --site-url https://example.org/news",
            "build --public-url /news/ --site-url https://example.org/news/",
            "build --site-url https://example.org/news/ --public-url news",
        ] {
            let Ok(Task::Build(build)) = parse(line) else {
                panic!("{line}: not read");
            };
            assert_eq!(build.public_url, "/news/", "{line}");
            assert!(build.site_url.is_some(), "{line}");
        }
        assert_eq!(
            parse("e2e --repeat 3 --only early"),
            Ok(Task::E2e {
                repeat: 3,
                only: Some("early".into())
            })
        );
        assert_eq!(parse("bench"), Ok(Task::Bench));
        assert_eq!(parse("size"), Ok(Task::Size { record: false }));
        assert_eq!(parse("size --record"), Ok(Task::Size { record: true }));
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
            "build --articles",
            "build --keep-going yes",
            "test --articles x",
            "bench --corpus-timing target/bench-corpus",
            "e2e --corpus-timing x",
            "size --record yes",
            "size --public-url /x/",
            "build --site-url /news/",
            "build --site-url https://example.org/news/ --public-url /other/",
            "build --site-url",
        ] {
            assert!(parse(line).is_err(), "{line:?} was accepted");
        }
        assert!(parse("build --publicurl /news/")
            .unwrap_err()
            .contains("--publicurl"));
    }
}
