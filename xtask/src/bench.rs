//! `cargo xtask bench`: runs every benchmark in order, prints each figure, and records the
//! day's figures in `BENCHMARKS.md`.
//!
//! The parts, each independent of the others' success:
//! 1. native parse throughput (`articles bench`), and 1,000 articles parsed in the browser;
//! 2. first-load transfer of an article link, brotli-compressed (`bench/size.mjs`);
//! 3. article text in the DOM, the app against the hand-written static page
//!    `bench/static/seed.html`, and layout shift (`bench/dom-time.mjs`);
//! 4. Lighthouse on the article page (`bench/lighthouse.mjs`);
//! 5. long tasks and storage writes while typing a comment and toggling reactions
//!    (`bench/typing.mjs`);
//! 6. a generated 10,000-article site: home render, memory, search per keystroke
//!    (`bench/generate-corpus.mjs`, `bench/scale.mjs`);
//! 7. fuzzing the parser for `BENCH_FUZZ_SECONDS` (default 60) with cargo-fuzz.
//!
//! Benchmarks print figures and compare them with the budgets; a missed budget is reported,
//! never an error. The command exits non-zero only when a part could not run.
//! `BENCH_PARTS=4,6` runs only those parts (and leaves `BENCHMARKS.md` alone); `BENCH_RUNS`,
//! `BENCH_FUZZ_SECONDS`, `BENCH_WAIT_SECONDS` and `BENCH_QUIET_SECONDS` tune the rest.

use crate::{root, site, tools};
use std::{
    env, fs,
    io::{BufRead, BufReader},
    panic::{catch_unwind, AssertUnwindSafe},
    path::{Path, PathBuf},
    process::{Command, Stdio},
    thread,
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

/// The seed article: the static page `bench/static/seed.html` is its hand-written twin.
const SEED: &str = "articles/000_508f32e089381fac.txt";
/// How many synthetic articles the scale benchmark generates.
const SCALE_ARTICLES: usize = 10_000;
/// cargo-fuzz, installed into the tool cache the first time the benchmark fuzzes.
const CARGO_FUZZ: &str = "0.13.2";
/// The line in `BENCHMARKS.md` after which the dated sections go, newest first.
const MARKER: &str = "<!-- cargo xtask bench writes the dated sections below, newest first -->";
/// Native parse throughput budget, MB/s (PRODUCT.md, "Budgets").
const PARSE_BUDGET_MB_S: f64 = 300.0;

/// One measured figure, with its budget when it has one.
#[derive(Clone, Debug)]
struct Figure {
    label: String,
    value: String,
    budget: Option<String>,
    /// Whether the budget is met; `None` for a figure without a budget.
    met: Option<bool>,
    /// By how much a missed budget is missed.
    by: Option<String>,
}

impl Figure {
    /// A figure, printed at once.
    fn new(
        label: &str,
        value: String,
        budget: Option<&str>,
        met: Option<bool>,
        by: Option<String>,
    ) -> Self {
        let figure = Figure {
            label: label.to_owned(),
            value,
            budget: budget.map(str::to_owned),
            met,
            by: by.filter(|_| met == Some(false)),
        };
        let verdict = match figure.met {
            Some(true) => "  [met]".to_owned(),
            Some(false) => format!("  [MISSED{}]", figure.missed_by()),
            None => String::new(),
        };
        let budget = figure
            .budget
            .as_deref()
            .map(|b| format!("  (budget {b})"))
            .unwrap_or_default();
        println!("{}: {}{budget}{verdict}", figure.label, figure.value);
        figure
    }

    /// `" by …"` when the budget is missed and it is known by how much.
    fn missed_by(&self) -> String {
        self.by
            .as_deref()
            .map(|b| format!(" by {b}"))
            .unwrap_or_default()
    }
}

/// What one part produced: its figures and notes, and why it failed if it did.
#[derive(Debug, Default)]
struct Outcome {
    figures: Vec<Figure>,
    notes: Vec<String>,
    error: Option<String>,
}

/// A part's name and outcome.
struct Part {
    name: &'static str,
    outcome: Outcome,
}

/// Runs `f` as part `name`: a panic or an error is reported and the next part goes on.
fn part(name: &'static str, f: impl FnOnce(&mut Outcome) -> Result<(), String>) -> Part {
    println!("\n==> bench: {name}");
    let started = Instant::now();
    let mut outcome = Outcome::default();
    let result = catch_unwind(AssertUnwindSafe(|| f(&mut outcome)));
    let error = match result {
        Ok(Ok(())) => None,
        Ok(Err(e)) => Some(e),
        Err(panic) => Some(
            panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_else(|| "panicked".to_owned()),
        ),
    };
    if let Some(e) = &error {
        eprintln!("xtask: bench: {name} FAILED: {e}");
    }
    println!("    ({name}: {:.0}s)", started.elapsed().as_secs_f64());
    outcome.error = error;
    Part { name, outcome }
}

/// A part that could not run because something it needs failed first.
fn skipped(name: &'static str, why: &str) -> Part {
    eprintln!("xtask: bench: {name} not run: {why}");
    Part {
        name,
        outcome: Outcome {
            error: Some(format!("not run: {why}")),
            ..Outcome::default()
        },
    }
}

/// `cargo xtask bench`: every part in order, then the summary and `BENCHMARKS.md`.
///
/// `cargo xtask bench --corpus-timing DIR` (which part 6 runs in a release build) instead times
/// what the browser does at start-up and on the first search, natively.
pub fn run() -> anyhow::Result<()> {
    let args: Vec<String> = env::args().skip(2).collect();
    if let [flag, dir] = args.as_slice() {
        if flag == "--corpus-timing" {
            corpus_timing(Path::new(dir));
            return Ok(());
        }
    }
    let started = Instant::now();
    let only = selection();
    let wanted = |n: u8| only.as_ref().is_none_or(|o| o.contains(&n));
    tools::install_all(true)?;
    let context = machine_context();
    let mut parts = Vec::new();
    if wanted(1) {
        parts.push(part("1. native parse throughput", parse_throughput));
    }

    let site_root = root().join("target/bench-site");
    let browser_parts: Vec<(&'static str, &str)> = [
        (2, "2. first-load size", "size"),
        (3, "3. article text in the DOM", "dom-time"),
        (4, "4. Lighthouse", "lighthouse"),
        (5, "5. typing and reactions", "typing"),
    ]
    .into_iter()
    .filter(|(n, _, _)| wanted(*n))
    .map(|(_, name, script)| (name, script))
    .collect();
    // Part 6 compares with the normal site too.
    let site = if browser_parts.is_empty() && !wanted(6) {
        Err("not selected".to_owned())
    } else {
        catch_unwind(AssertUnwindSafe(|| prepare_site(&site_root)))
            .unwrap_or_else(|_| Err("preparing the site panicked".to_owned()))
    };
    let mut served = Served::new(&site_root, false);
    let mut compressed = Served::new(&site_root, true);
    let baseline = match site {
        Ok(seed) => {
            for (name, script) in browser_parts {
                parts.push(part(name, |out| {
                    // Lighthouse simulates a mobile network, where compression matters.
                    let server = if script == "lighthouse" {
                        &mut compressed
                    } else {
                        &mut served
                    };
                    let mut config = || site_config(&server.origin(), &seed);
                    if script == "size" {
                        wait_for_builds(name);
                        node_part(script, &config()?, out)
                    } else {
                        timed_node_part(name, script, config, out)
                    }
                }));
            }
            Some(&mut served)
        }
        Err(e) => {
            if !browser_parts.is_empty() {
                eprintln!("xtask: bench: the release site for parts 2-5 is missing: {e}");
            }
            for (name, _) in browser_parts {
                parts.push(skipped(
                    name,
                    &format!("the release site did not build: {e}"),
                ));
            }
            None
        }
    };
    drop(compressed);
    if wanted(6) {
        parts.push(part("6. 10,000 articles", |out| scale(baseline, out)));
    }
    drop(served);
    if wanted(7) {
        parts.push(part("7. fuzzing the parser", fuzz));
    }

    print_summary(&parts);
    let date = today();
    if only.is_some() {
        println!("xtask: bench: only some parts ran (BENCH_PARTS); BENCHMARKS.md is left as it is");
    } else {
        match record(&root().join("BENCHMARKS.md"), &date, &context, &parts) {
            Ok(()) => println!("xtask: bench: figures recorded in BENCHMARKS.md under {date}"),
            Err(e) => eprintln!("xtask: bench: could not update BENCHMARKS.md: {e}"),
        }
    }
    let failed: Vec<&str> = parts
        .iter()
        .filter(|p| p.outcome.error.is_some())
        .map(|p| p.name)
        .collect();
    println!(
        "xtask: bench finished in {:.0}s",
        started.elapsed().as_secs_f64()
    );
    if !failed.is_empty() {
        anyhow::bail!("bench: parts that could not run: {}", failed.join(", "));
    }
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

/// Part 1: `articles bench` (release build), its MB/s against the budget.
fn parse_throughput(out: &mut Outcome) -> Result<(), String> {
    wait_for_builds("the native parse benchmark");
    let text = printed(&mut articles_command("bench"), "articles bench")?;
    let line = text.lines().last().unwrap_or_default();
    let mb_s = line
        .split(" MB/s")
        .next()
        .and_then(|s| s.rsplit(' ').next())
        .and_then(|s| s.parse::<f64>().ok())
        .ok_or_else(|| format!("no MB/s figure in {line:?}"))?;
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
fn articles_command(command: &str) -> Command {
    let mut cargo = tools::command("cargo");
    cargo
        .args(["run", "--release", "--quiet", "--bin", "articles", "--"])
        .arg(command)
        .env_remove("BROADSHEET_ARTICLES");
    cargo
}

/// Part 1, in the browser: `tests/browser_parse_bench.rs` (release wasm, headless Chromium)
/// parses 1,000 generated articles and prints its timing.
fn browser_parse(out: &mut Outcome) -> Result<(), String> {
    wait_for_builds("the browser parse benchmark");
    let text = printed(
        crate::e2e::browser_tests()
            .map_err(|e| format!("{e:#}"))?
            .args([
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
        .ok_or("the browser parse benchmark printed no figure")?;
    out.figures.push(Figure::new(
        "Parse 1,000 generated articles in headless Chromium (release wasm)",
        line.to_owned(),
        None,
        None,
        None,
    ));
    Ok(())
}

/// Runs `cmd` (a child's errors go to ours), echoes and returns what it printed; an error names
/// `what` when it could not start or failed.
fn printed(cmd: &mut Command, what: &str) -> Result<String, String> {
    let output = cmd
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("could not start {what}: {e}"))?;
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    print!("{text}");
    if !output.status.success() {
        return Err(format!("{what} exited with {}", output.status));
    }
    Ok(text)
}

/// The seed article's slug and last paragraph (what "text in the DOM" waits for).
struct Seed {
    slug: String,
    last_paragraph: String,
}

/// Builds the normal release site under `site_root/reader/` and puts the static seed page at
/// `site_root/static/`.
fn prepare_site(site_root: &Path) -> Result<Seed, String> {
    println!("\n==> bench: the release site (parts 2-5)");
    let _ = fs::remove_dir_all(site_root);
    let dist = site_root.join("reader");
    build_site(&dist, None, None)?;
    println!("    the built files on disk (part 2 measures what an article link actually loads):");
    site::report_sizes(&dist);
    let statics = site_root.join("static");
    fs::create_dir_all(&statics).map_err(|e| format!("create {}: {e}", statics.display()))?;
    for entry in
        fs::read_dir(root().join("bench/static")).map_err(|e| format!("bench/static: {e}"))?
    {
        let path = entry.map_err(|e| e.to_string())?.path();
        fs::copy(&path, statics.join(path.file_name().unwrap_or_default()))
            .map_err(|e| format!("copy {}: {e}", path.display()))?;
    }
    let seed = fs::read(root().join(SEED)).map_err(|e| format!("{SEED}: {e}"))?;
    let article = broadsheet::article::parse(&seed).map_err(|e| format!("{SEED}:{e}"))?;
    Ok(Seed {
        last_paragraph: article.paragraphs.last().cloned().unwrap_or_default(),
        slug: article.slug,
    })
}

/// The scripts' configuration for the normal site served at `origin`.
fn site_config(origin: &str, seed: &Seed) -> Result<PathBuf, String> {
    let config = serde_json::json!({
        "base": format!("{origin}/reader/"),
        "articleUrl": format!("{origin}/reader/article/{}", seed.slug),
        "staticUrl": format!("{origin}/static/seed.html"),
        "lastParagraph": seed.last_paragraph,
        "runs": env::var("BENCH_RUNS").ok().and_then(|r| r.parse::<u32>().ok()).unwrap_or(21),
    });
    write_config("config.json", &config)
}

/// Writes `target/bench/NAME` and returns its path.
fn write_config(name: &str, config: &serde_json::Value) -> Result<PathBuf, String> {
    let path = root().join("target/bench").join(name);
    fs::create_dir_all(path.parent().unwrap()).map_err(|e| e.to_string())?;
    fs::write(&path, serde_json::to_string_pretty(config).unwrap())
        .map_err(|e| format!("write {}: {e}", path.display()))?;
    Ok(path)
}

/// A site folder served by nginx, started again if it went away meanwhile (the machine is
/// shared: another session's clean-up may stop it while the benchmark waits for quiet).
struct Served {
    site_root: PathBuf,
    /// Compress responses (for Lighthouse, whose simulated mobile network makes transfer
    /// size count as a CDN's compression would).
    gzip: bool,
    server: Option<crate::server::Nginx>,
}

impl Served {
    fn new(site_root: &Path, gzip: bool) -> Self {
        Served {
            site_root: site_root.to_owned(),
            gzip,
            server: None,
        }
    }

    /// The origin of a server that answers now.
    fn origin(&mut self) -> String {
        if let Some(server) = &self.server {
            if server.listening() {
                return server.origin();
            }
            println!(
                "    the nginx serving {} is gone; starting it again",
                self.site_root.display()
            );
        }
        self.server = None;
        // A part's panic is caught and reported as that part's failure.
        let server = crate::server::Nginx::start_with(&self.site_root, self.gzip)
            .unwrap_or_else(|e| panic!("{e:#}"));
        let origin = server.origin();
        self.server = Some(server);
        origin
    }
}

/// `cargo xtask build` for `/reader/` into `dist`, as a child process (a failed build exits
/// the process that runs it), with another article folder and cargo target folder if given.
fn build_site(
    dist: &Path,
    articles: Option<&Path>,
    target_dir: Option<&Path>,
) -> Result<Duration, String> {
    wait_for_builds("a release build");
    let _ = fs::remove_dir_all(dist);
    // The running binary, unless a rebuild of the xtask has replaced it meanwhile.
    let exe = env::current_exe()
        .ok()
        .filter(|p| p.exists())
        .unwrap_or_else(|| root().join("target/debug/xtask"));
    let mut cmd = Command::new(exe);
    cmd.args(["build", "--public-url", "/reader/", "--dist"])
        .arg(dist)
        .current_dir(root());
    match articles {
        Some(dir) => cmd.env("BROADSHEET_ARTICLES", dir),
        None => cmd.env_remove("BROADSHEET_ARTICLES"),
    };
    if let Some(dir) = target_dir {
        cmd.env("CARGO_TARGET_DIR", dir);
    }
    // The whole output goes to a log (a large corpus can make it hundreds of megabytes); the
    // xtask's own step lines are shown, and the end of the log if the build fails.
    let name = dist
        .parent()
        .and_then(Path::file_name)
        .map_or_else(|| "site".into(), |n| n.to_string_lossy().into_owned());
    let log_path = root().join(format!("target/bench/{name}-build.log"));
    fs::create_dir_all(log_path.parent().unwrap()).map_err(|e| e.to_string())?;
    let log =
        fs::File::create(&log_path).map_err(|e| format!("create {}: {e}", log_path.display()))?;
    let log_err = log.try_clone().map_err(|e| e.to_string())?;
    println!(
        "==> release build into {} (output in {})",
        dist.display(),
        log_path.display()
    );
    let started = Instant::now();
    let status = cmd
        .stdout(log)
        .stderr(log_err)
        .status()
        .map_err(|e| format!("could not start the xtask build: {e}"))?;
    let mut tail: Vec<String> = Vec::new();
    let mut lines = 0_usize;
    if let Ok(file) = fs::File::open(&log_path) {
        for line in BufReader::new(file).lines().map_while(Result::ok) {
            lines += 1;
            let step = line.starts_with("==>")
                || line.starts_with("xtask:")
                || [
                    "done:",
                    "rendered ",
                    "wrote ",
                    "Content-Security-Policy",
                    "service worker",
                ]
                .iter()
                .any(|p| line.trim_start().starts_with(p));
            if step {
                println!("    {}", line.trim_start());
            }
            tail.push(line);
            if tail.len() > 30 {
                tail.remove(0);
            }
        }
    }
    println!(
        "    ({:.0}s, {lines} lines of output)",
        started.elapsed().as_secs_f64()
    );
    if status.success() {
        Ok(started.elapsed())
    } else {
        for line in &tail {
            println!("    | {line}");
        }
        Err(format!(
            "the release build into {} failed ({status}); see {}",
            dist.display(),
            log_path.display()
        ))
    }
}

/// Runs `bench/SCRIPT.mjs --config CONFIG` and takes the figures it wrote.
fn node_part(script: &str, config: &Path, out: &mut Outcome) -> Result<(), String> {
    let result = root().join(format!("target/bench/{script}.json"));
    let _ = fs::remove_file(&result);
    let status = tools::command("node")
        .arg(format!("bench/{script}.mjs"))
        .arg("--config")
        .arg(config)
        .arg("--out")
        .arg(&result)
        .status()
        .map_err(|e| format!("could not start node: {e}"))?;
    let json: serde_json::Value = fs::read_to_string(&result)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default();
    for f in json["figures"].as_array().into_iter().flatten() {
        out.figures.push(Figure {
            label: f["label"].as_str().unwrap_or_default().to_owned(),
            value: f["value"].as_str().unwrap_or_default().to_owned(),
            budget: f["budget"].as_str().map(str::to_owned),
            met: f["met"].as_bool(),
            by: f["by"].as_str().map(str::to_owned),
        });
    }
    for n in json["notes"].as_array().into_iter().flatten() {
        out.notes.push(n.as_str().unwrap_or_default().to_owned());
    }
    if status.success() {
        Ok(())
    } else {
        let why = out
            .notes
            .iter()
            .rev()
            .find(|n| n.starts_with("error: "))
            .map(|n| n.lines().next().unwrap_or(n).to_owned())
            .unwrap_or_else(|| format!("exited with {status}"));
        Err(format!("bench/{script}.mjs: {why}"))
    }
}

/// Part 6: generates the 10,000-article corpus, checks it, builds and serves a site with it
/// (in its own cargo target folder, so the normal build is not invalidated), and measures.
fn scale(baseline: Option<&mut Served>, out: &mut Outcome) -> Result<(), String> {
    let corpus = root().join("target/bench-corpus");
    let generated = tools::command("node")
        .arg("bench/generate-corpus.mjs")
        .arg(&corpus)
        .arg(SCALE_ARTICLES.to_string())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("could not start node: {e}"))?;
    let said = String::from_utf8_lossy(&generated.stdout).trim().to_owned();
    println!("{said}");
    if !generated.status.success() {
        return Err(format!(
            "generating the corpus failed ({})",
            generated.status
        ));
    }
    out.notes.push(said);
    wait_for_builds("checking the generated corpus");
    let checked = articles_command("check")
        .arg(&corpus)
        .stdout(Stdio::piped())
        .output()
        .map_err(|e| format!("could not start cargo: {e}"))?;
    let report = String::from_utf8_lossy(&checked.stdout);
    let tail: Vec<&str> = report.lines().rev().take(5).collect();
    for line in tail.iter().rev() {
        println!("    check: {line}");
    }
    if !checked.status.success() {
        return Err("the parser refuses some generated articles (see above)".to_owned());
    }
    let site_root = root().join("target/bench-site-10k");
    let took = build_site(
        &site_root.join("reader"),
        Some(&corpus),
        Some(&root().join("target/bench-10k-target")),
    )?;
    out.figures.push(Figure::new(
        "Release build of the site (cargo xtask build: trunk, page files, CSP, service worker)",
        format!("{:.0} s", took.as_secs_f64()),
        None,
        None,
        None,
    ));
    let mut served = Served::new(&site_root, false);
    let mut baseline = baseline;
    let config = || {
        let mut settings = serde_json::json!({
            "base": format!("{}/reader/", served.origin()),
            "query": "harbour council",
            "storyText": "(generated)",
        });
        if let Some(base) = baseline.as_mut() {
            settings["baselineBase"] = format!("{}/reader/", base.origin()).into();
        }
        write_config("scale-config.json", &settings)
    };
    let measured = timed_node_part("timing the 10,000-article site", "scale", config, out);
    drop(served);
    match native_corpus_timing(&corpus) {
        Ok(figure) => out.figures.push(figure),
        Err(e) => out.notes.push(format!("no native corpus timing: {e}")),
    }
    measured
}

/// Times, natively, what the app does with a corpus in the browser: parsing every file,
/// building the corpus (`Corpus::from_files`: parse, duplicate check, sort), building the
/// search index, and a search per prefix of the benchmark's query. Prints one `key=value` line.
fn corpus_timing(dir: &Path) {
    let mut files: Vec<(String, Vec<u8>)> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            let bytes = fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            (name, bytes)
        })
        .collect();
    files.sort();
    let ms = |t: Instant| t.elapsed().as_secs_f64() * 1e3;
    let t = Instant::now();
    let parsed = files
        .iter()
        .filter(|(_, b)| broadsheet::article::parse(b).is_ok())
        .count();
    let parse_ms = ms(t);
    let t = Instant::now();
    let corpus = broadsheet::corpus::Corpus::from_files(
        files.iter().map(|(n, b)| (n.as_str(), b.as_slice())),
    );
    let corpus_ms = ms(t);
    let t = Instant::now();
    let index = broadsheet::search::SearchIndex::build(&corpus);
    let index_ms = ms(t);
    let query = "harbour council";
    let mut slowest: f64 = 0.0;
    for end in 1..=query.len() {
        let t = Instant::now();
        std::hint::black_box(index.search(&query[..end]));
        slowest = slowest.max(ms(t));
    }
    println!(
        "corpus-timing files={} parsed={parsed} parse_ms={parse_ms:.0} corpus_ms={corpus_ms:.0} index_ms={index_ms:.0} docs={} search_max_ms={slowest:.1}",
        files.len(),
        index.len()
    );
}

/// Part 6's native figure: `corpus_timing` in a release build of the xtask.
fn native_corpus_timing(corpus: &Path) -> Result<Figure, String> {
    wait_for_builds("the native corpus timing");
    let text = printed(
        tools::command("cargo")
            .args([
                "run",
                "--release",
                "--quiet",
                "--package",
                "xtask",
                "--",
                "bench",
                "--corpus-timing",
            ])
            .arg(corpus)
            .env_remove("BROADSHEET_ARTICLES"),
        "the release xtask's corpus timing",
    )?;
    let line = text
        .lines()
        .find(|l| l.starts_with("corpus-timing "))
        .ok_or("no timing from the release xtask")?;
    let get = |key: &str| {
        line.split_whitespace()
            .find_map(|kv| kv.strip_prefix(key)?.strip_prefix('='))
            .unwrap_or("?")
            .to_owned()
    };
    Ok(Figure::new(
        "Native (release) for the same corpus: parse every file / Corpus::from_files / SearchIndex::build / slowest search per keystroke",
        format!(
            "{} ms / {} ms / {} ms / {} ms ({} documents)",
            get("parse_ms"),
            get("corpus_ms"),
            get("index_ms"),
            get("search_max_ms"),
            get("docs")
        ),
        None,
        None,
        None,
    ))
}

/// Part 7: `cargo +nightly fuzz run parse` for `BENCH_FUZZ_SECONDS` (default 60), installing
/// the pinned cargo-fuzz into the tool cache if needed; prints how to install it otherwise.
fn fuzz(out: &mut Outcome) -> Result<(), String> {
    let seconds: u64 = env::var("BENCH_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60);
    let prefix = tools::cache_dir().join(format!("cargo-fuzz-{CARGO_FUZZ}"));
    let install = format!(
        "rustup toolchain install nightly && cargo install cargo-fuzz --version {CARGO_FUZZ} --locked --root {}",
        prefix.display()
    );
    let nightly = Command::new("rustup")
        .args(["run", "nightly", "rustc", "--version"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !nightly {
        println!("    the nightly toolchain is missing; to fuzz: {install}");
        out.notes
            .push(format!("not fuzzed: no nightly toolchain ({install})"));
        return Ok(());
    }
    if !prefix.join("bin/cargo-fuzz").exists() {
        wait_for_builds("installing cargo-fuzz");
        println!("==> install cargo-fuzz {CARGO_FUZZ} from crates.io (a minute or two, once)");
        let status = Command::new("cargo")
            .args([
                "install",
                "cargo-fuzz",
                "--version",
                CARGO_FUZZ,
                "--locked",
                "--root",
            ])
            .arg(&prefix)
            .env_remove("RUSTUP_TOOLCHAIN")
            .current_dir(tools::cache_dir())
            .status();
        if !status.is_ok_and(|s| s.success()) {
            println!("    cargo-fuzz did not install; to fuzz by hand: {install}");
            out.notes.push(format!(
                "not fuzzed: cargo-fuzz did not install ({install})"
            ));
            return Ok(());
        }
    }
    let artifacts = root().join("fuzz/artifacts/parse");
    let before = count_files(&artifacts);
    wait_for_builds("building the fuzz target");
    let mut path = vec![prefix.join("bin")];
    path.extend(env::split_paths(&tools::path_env()));
    let mut child = Command::new("cargo")
        .args([
            "+nightly",
            "fuzz",
            "run",
            "parse",
            "--",
            &format!("-max_total_time={seconds}"),
        ])
        .env("PATH", env::join_paths(path).map_err(|e| e.to_string())?)
        .env_remove("RUSTUP_TOOLCHAIN")
        .env_remove("CARGO")
        .env_remove("CARGO_TARGET_DIR")
        .current_dir(root())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("could not start cargo +nightly fuzz: {e}"))?;
    // libFuzzer reports on stderr: show all but its many "new input" lines, keep the rest.
    let mut runs = None;
    let mut exec_s = None;
    let mut tail = Vec::new();
    if let Some(stderr) = child.stderr.take() {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let quiet =
                line.starts_with('#') && (line.contains("\tNEW ") || line.contains("\tREDUCE "));
            if !quiet {
                println!("    {line}");
            }
            if let Some(rest) = line.strip_prefix("Done ") {
                runs = rest.split(' ').next().and_then(|n| n.parse::<u64>().ok());
            }
            if line.contains("DONE") || line.contains("pulse") {
                exec_s = line
                    .split("exec/s: ")
                    .nth(1)
                    .and_then(|s| s.split_whitespace().next())
                    .map(str::to_owned);
            }
            tail.push(line);
            if tail.len() > 40 {
                tail.remove(0);
            }
        }
    }
    let status = child.wait().map_err(|e| e.to_string())?;
    let crashes = count_files(&artifacts).saturating_sub(before);
    let crashed = crashes > 0
        || tail
            .iter()
            .any(|l| l.contains("ERROR: libFuzzer") || l.contains("==ERROR"));
    if runs.is_none() && !crashed {
        let why = tail
            .iter()
            .find(|l| l.trim_start().starts_with("error"))
            .map(|l| format!(": {}", l.trim()))
            .unwrap_or_default();
        return Err(format!(
            "cargo +nightly fuzz exited with {status} without a result{why}"
        ));
    }
    out.figures.push(Figure::new(
        &format!("Fuzzing the parser ({seconds} s, cargo-fuzz {CARGO_FUZZ})"),
        format!(
            "{} runs{}, {} crash{}",
            runs.map_or_else(|| "?".to_owned(), |r| r.to_string()),
            exec_s.map(|e| format!(" ({e} exec/s)")).unwrap_or_default(),
            crashes.max(usize::from(crashed)),
            if crashes.max(usize::from(crashed)) == 1 {
                ""
            } else {
                "es"
            },
        ),
        Some("no crash"),
        Some(!crashed),
        None,
    ));
    if crashed {
        out.notes.push(format!(
            "the fuzzer found a crash: see {} and turn it into a regression test",
            artifacts.display()
        ));
    }
    Ok(())
}

fn count_files(dir: &Path) -> usize {
    fs::read_dir(dir).map_or(0, |d| d.filter_map(Result::ok).count())
}

/// Waits (up to `BENCH_WAIT_SECONDS`, default 30 minutes) while another build runs on this
/// machine: two release builds at once starve each other, and timings taken meanwhile are noise.
fn wait_for_builds(before: &str) {
    let limit = env::var("BENCH_WAIT_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1800);
    let deadline = Instant::now() + Duration::from_secs(limit);
    let mut said = false;
    loop {
        let busy: Vec<String> = Command::new("pgrep")
            .args(["-fa", "trunk build|cargo build|rustc"])
            .output()
            .map(|o| {
                String::from_utf8_lossy(&o.stdout)
                    .lines()
                    .filter(|l| !l.contains("pgrep"))
                    .map(|l| l.chars().take(120).collect())
                    .collect()
            })
            .unwrap_or_default();
        if busy.is_empty() {
            if said {
                println!("    the other build finished; going on");
            }
            return;
        }
        if Instant::now() > deadline {
            println!("    still busy after {limit}s; going on anyway (timings may be noisy)");
            return;
        }
        if !said {
            println!(
                "    waiting for another build to finish before {before}: {}",
                busy[0]
            );
            said = true;
        }
        thread::sleep(Duration::from_secs(5));
    }
}

/// Waits for other builds, then (up to `BENCH_QUIET_SECONDS`, default 5 minutes) until the
/// CPUs are mostly idle, so that browser timings are not taken while tests or builds of other
/// work share the two cores. Returns how busy the CPUs were when timing started, for the notes.
fn wait_for_quiet(before: &str) -> String {
    wait_for_builds(before);
    let limit = env::var("BENCH_QUIET_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(300);
    let deadline = Instant::now() + Duration::from_secs(limit);
    let mut said = false;
    loop {
        let Some(busy) = cpu_busy(Duration::from_secs(2)) else {
            return "CPU use unknown".to_owned();
        };
        let text = format!("CPUs {:.0}% busy just before timing", busy * 100.0);
        if busy < 0.25 {
            return text;
        }
        if Instant::now() > deadline {
            println!("    the machine is still busy after {limit}s; timing anyway");
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
    }
}

/// Idle and total CPU time so far, from /proc/stat, if known.
fn cpu_times() -> Option<(u64, u64)> {
    let stat = fs::read_to_string("/proc/stat").ok()?;
    let fields: Vec<u64> = stat
        .lines()
        .next()?
        .split_whitespace()
        .skip(1)
        .filter_map(|f| f.parse().ok())
        .collect();
    let idle = fields.get(3)? + fields.get(4).copied().unwrap_or(0);
    Some((idle, fields.iter().sum()))
}

/// The fraction of all CPU time spent busy since `since` (a [`cpu_times`] sample).
fn busy_since(since: (u64, u64)) -> Option<f64> {
    let (idle, total) = cpu_times()?;
    let total = total.saturating_sub(since.1).max(1);
    Some(1.0 - idle.saturating_sub(since.0) as f64 / total as f64)
}

/// The fraction of all CPU time spent busy over `window`, if known.
fn cpu_busy(window: Duration) -> Option<f64> {
    let start = cpu_times()?;
    thread::sleep(window);
    busy_since(start)
}

/// Runs a timed node script once the machine is quiet, and notes how busy the CPUs were
/// before and during the timing (the benchmark's own browser included).
fn timed_node_part(
    name: &str,
    script: &str,
    config: impl FnOnce() -> Result<PathBuf, String>,
    out: &mut Outcome,
) -> Result<(), String> {
    let quiet = wait_for_quiet(name);
    // Written after the wait, with servers that answer now.
    let config = config()?;
    let start = cpu_times();
    let result = node_part(script, &config, out);
    let during = start
        .and_then(busy_since)
        .map(|b| format!("{:.0}% during it (this benchmark included)", b * 100.0))
        .unwrap_or_default();
    out.notes.push(format!("{quiet}, {during}"));
    result
}

/// The machine the figures come from: cores, Chromium, commit.
fn machine_context() -> String {
    let cores = thread::available_parallelism().map_or(0, |n| n.get());
    let chromium = Command::new("/usr/bin/chromium")
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_else(|_| "Chromium (version unknown)".to_owned());
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

fn print_summary(parts: &[Part]) {
    println!("\n==> bench: summary");
    for p in parts {
        for f in &p.outcome.figures {
            let verdict = match f.met {
                Some(true) => "met".to_owned(),
                Some(false) => format!("MISSED{}", f.missed_by()),
                None => String::new(),
            };
            println!(
                "    {:<70} {} {}",
                f.label,
                f.value,
                f.budget
                    .as_deref()
                    .map(|b| format!("[{b}: {verdict}]"))
                    .unwrap_or_default()
            );
        }
        if let Some(e) = &p.outcome.error {
            println!("    {}: ERROR: {e}", p.name);
        }
    }
}

/// Today's date in UTC, `YYYY-MM-DD` (as `date -u +%F`).
fn today() -> String {
    let days = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() / 86_400) as i64;
    // Howard Hinnant's civil-from-days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// Writes today's section into `BENCHMARKS.md` (replacing one of the same date), newest first
/// after [`MARKER`]; the explanations above the marker are left as they are.
fn record(file: &Path, date: &str, context: &str, parts: &[Part]) -> Result<(), String> {
    let existing = fs::read_to_string(file).unwrap_or_else(|_| {
        format!("# Benchmarks\n\nFigures from `cargo xtask bench`.\n\n{MARKER}\n")
    });
    let (head, sections) = match existing.split_once(MARKER) {
        Some((head, rest)) => (head.to_owned(), rest.to_owned()),
        None => (format!("{}\n\n", existing.trim_end()), String::new()),
    };
    let heading = format!("## {date}");
    // Keep every other dated section.
    let mut kept = String::new();
    for chunk in split_sections(&sections) {
        if chunk.lines().next() != Some(heading.as_str()) {
            kept.push_str(chunk);
        }
    }
    let section = render_section(date, context, parts);
    let text = format!(
        "{head}{MARKER}\n\n{section}{}{}",
        if kept.trim().is_empty() { "" } else { "\n" },
        kept.trim_start()
    );
    fs::write(file, format!("{}\n", text.trim_end())).map_err(|e| e.to_string())
}

/// The `## ` sections of `text`, each with its heading.
fn split_sections(text: &str) -> Vec<&str> {
    let mut starts: Vec<usize> = text.match_indices("\n## ").map(|(i, _)| i + 1).collect();
    if text.starts_with("## ") {
        starts.insert(0, 0);
    }
    let mut out = Vec::new();
    for (n, &start) in starts.iter().enumerate() {
        let end = starts.get(n + 1).copied().unwrap_or(text.len());
        out.push(&text[start..end]);
    }
    out
}

fn render_section(date: &str, context: &str, parts: &[Part]) -> String {
    let cell = |s: &str| s.replace('|', "\\|").replace('\n', " ");
    let mut s = format!(
        "## {date}\n\nMeasured on {context}.\n\n| Part | Figure | Value | Budget | Met |\n|---|---|---|---|---|\n"
    );
    let mut notes = Vec::new();
    for p in parts {
        for f in &p.outcome.figures {
            let met = match f.met {
                Some(true) => "yes".to_owned(),
                Some(false) => format!("**no**{}", f.missed_by()),
                None => String::new(),
            };
            s.push_str(&format!(
                "| {} | {} | {} | {} | {met} |\n",
                cell(p.name),
                cell(&f.label),
                cell(&f.value),
                cell(f.budget.as_deref().unwrap_or("")),
            ));
        }
        if let Some(e) = &p.outcome.error {
            s.push_str(&format!(
                "| {} | could not run | {} | | |\n",
                cell(p.name),
                cell(e.lines().next().unwrap_or(e))
            ));
        }
        for n in &p.outcome.notes {
            if !n.starts_with("error: ") {
                notes.push(format!("- {}: {}", p.name, n.replace('\n', " ")));
            }
        }
    }
    if !notes.is_empty() {
        s.push_str(&format!("\nNotes:\n{}\n", notes.join("\n")));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn today_is_a_calendar_date() {
        let d = today();
        assert_eq!(d.len(), 10);
        assert!(d.starts_with("20"));
        assert_eq!(&d[4..5], "-");
    }

    #[test]
    fn a_section_of_the_same_date_is_replaced_and_others_kept() {
        let dir = env::temp_dir().join(format!("bench-record-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let file = dir.join("BENCHMARKS.md");
        fs::write(
            &file,
            format!("# B\n\nwhy\n\n{MARKER}\n\n## 2000-01-02\n\nold\n\n## 2000-01-01\n\nolder\n"),
        )
        .unwrap();
        let parts = vec![Part {
            name: "p",
            outcome: Outcome {
                figures: vec![Figure {
                    label: "x".into(),
                    value: "1 | 2".into(),
                    budget: Some("≤ 3".into()),
                    met: Some(true),
                    by: None,
                }],
                ..Outcome::default()
            },
        }];
        record(&file, "2000-01-02", "here", &parts).unwrap();
        record(&file, "2000-01-03", "here", &parts).unwrap();
        let text = fs::read_to_string(&file).unwrap();
        assert!(text.starts_with("# B\n\nwhy\n\n"));
        assert!(!text.contains("\nold\n"));
        assert!(text.contains("older"));
        assert!(text.contains("| p | x | 1 \\| 2 | ≤ 3 | yes |"));
        let order: Vec<usize> = ["## 2000-01-03", "## 2000-01-02", "## 2000-01-01"]
            .iter()
            .map(|h| text.find(h).unwrap())
            .collect();
        assert!(order.windows(2).all(|w| w[0] < w[1]));
        fs::remove_dir_all(&dir).unwrap();
    }
}
