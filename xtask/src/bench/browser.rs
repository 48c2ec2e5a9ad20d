//! The release site that parts 2-5 and 9 (and 6, for comparison) measure, its servers, and
//! the node scripts in `bench/` that measure it in a browser.

use std::{
    env, fs,
    io::{BufRead, BufReader, Write as _},
    path::{Path, PathBuf},
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use anyhow::{anyhow, bail, Context as _, Result};
use walkdir::WalkDir;

use super::{
    machine::{wait_for_builds, wait_for_quiet, CpuClock},
    runner::{Figure, Outcome},
};
use crate::{root, tools};

/// The seed article: the static page `bench/static/seed.html` is its hand-written twin.
const SEED: &str = "articles/000_508f32e089381fac.txt";

/// `target/bench/`, created: the scripts' configurations, their results and the build logs.
fn bench_dir() -> Result<PathBuf> {
    let dir = root().join("target/bench");
    fs::create_dir_all(&dir).with_context(|| format!("create {}", dir.display()))?;
    Ok(dir)
}

/// The binary at `exe`, the running xtask: if cargo has rebuilt it meanwhile, Linux names the
/// replaced file `PATH (deleted)`, and the new one is at `PATH`. (Not `target/debug/xtask`:
/// `CARGO_TARGET_DIR` or a release build put it elsewhere.)
fn rebuilt(exe: &Path) -> PathBuf {
    let text = exe.to_string_lossy();
    match text.strip_suffix(" (deleted)") {
        Some(path) if !exe.exists() => PathBuf::from(path),
        _ => exe.to_owned(),
    }
}

/// The seed article's slug and last paragraph (what "text in the DOM" waits for), and how the
/// site was built (part 6 compares its own builds with it).
pub struct Seed {
    pub slug: String,
    last_paragraph: String,
    pub dist: PathBuf,
    pub build: SiteBuild,
}

/// Builds the normal release site under `site_root/reader/` and puts the static seed page at
/// `site_root/static/`.
pub fn prepare_site(site_root: &Path) -> Result<Seed> {
    println!("\n==> bench: the release site (parts 2-5 and 9)");
    let _ = fs::remove_dir_all(site_root);
    let dist = site_root.join("reader");
    let build = build_site(&dist, None, true)?;
    println!("    the built files on disk (part 2 measures what an article link actually loads):");
    report_sizes(&dist);
    let statics = site_root.join("static");
    fs::create_dir_all(&statics).with_context(|| format!("create {}", statics.display()))?;
    for entry in WalkDir::new(root().join("bench/static"))
        .min_depth(1)
        .max_depth(1)
    {
        let entry = entry?;
        fs::copy(entry.path(), statics.join(entry.file_name()))
            .with_context(|| format!("copy {}", entry.path().display()))?;
    }
    let seed = fs::read(root().join(SEED)).with_context(|| format!("read {SEED}"))?;
    let article = broadsheet::article::parse(&seed).map_err(|e| anyhow!("{SEED}:{e}"))?;
    Ok(Seed {
        last_paragraph: article.paragraphs.last().cloned().unwrap_or_default(),
        slug: article.slug,
        dist,
        build,
    })
}

/// The scripts' configuration for the normal site served at `origin`, and with `plain` the
/// same site served uncompressed there (part 4, whose `origin` compresses).
pub fn site_config(origin: &str, plain: Option<&str>, seed: &Seed) -> Result<PathBuf> {
    let runs = super::number_from_env("BENCH_RUNS", 21);
    write_config("config.json", &config_json(origin, plain, seed, runs))
}

/// [`site_config`]'s JSON: the site's base, the seed article's link and its static twin at
/// `origin` (and as `plainArticleUrl`, `plainStaticUrl` at `plain`), the text part 3 waits for,
/// and the number of runs.
fn config_json(origin: &str, plain: Option<&str>, seed: &Seed, runs: u32) -> serde_json::Value {
    let article = |origin: &str| format!("{origin}/reader/article/{}", seed.slug);
    let statics = |origin: &str| format!("{origin}/static/seed.html");
    let mut config = serde_json::json!({
        "base": format!("{origin}/reader/"),
        "articleUrl": article(origin),
        "staticUrl": statics(origin),
        "lastParagraph": seed.last_paragraph,
        "runs": runs,
    });
    if let Some(plain) = plain {
        config["plainArticleUrl"] = article(plain).into();
        config["plainStaticUrl"] = statics(plain).into();
    }
    config
}

/// Writes `target/bench/NAME` and returns its path.
pub fn write_config(name: &str, config: &serde_json::Value) -> Result<PathBuf> {
    let dir = bench_dir()?;
    let path = dir.join(name);
    fs::write(&path, serde_json::to_string_pretty(config)?)
        .with_context(|| format!("write {}", path.display()))?;
    Ok(path)
}

/// A site folder served by nginx, started again if it went away meanwhile (the machine is
/// shared: another session's clean-up may stop it while the benchmark waits for quiet).
pub struct Served {
    site_root: PathBuf,
    /// Compress responses (for Lighthouse, whose simulated mobile network makes transfer
    /// size count as a CDN's compression would).
    gzip: bool,
    server: Option<crate::server::Nginx>,
}

impl Served {
    pub fn new(site_root: &Path, gzip: bool) -> Self {
        Served {
            site_root: site_root.to_owned(),
            gzip,
            server: None,
        }
    }

    /// The origin of a server that answers now.
    pub fn origin(&mut self) -> Result<String> {
        if let Some(server) = &self.server {
            if server.listening() {
                return Ok(server.origin());
            }
            println!(
                "    the nginx serving {} is gone; starting it again",
                self.site_root.display()
            );
        }
        self.server = None;
        let server = crate::server::Nginx::start_with(&self.site_root, self.gzip)?;
        let origin = server.origin();
        self.server = Some(server);
        Ok(origin)
    }
}

/// How a `cargo xtask build` went: its time in all, the time of the site step alone (after
/// Trunk's release build of the app, which does not depend on the articles), and the site
/// step's split as it printed it (`parse: … (1.23 s)`, `data:`, `prerender:`, `finish:`).
#[derive(Clone, Debug)]
pub struct SiteBuild {
    pub took: Duration,
    pub site: Duration,
    pub laps: Vec<String>,
}

impl SiteBuild {
    /// The split in one line: `parse 1.2 s, data 3.4 s, …`.
    pub fn split(&self) -> String {
        self.laps
            .iter()
            .filter_map(|lap| {
                let (name, _) = lap.split_once(':')?;
                let secs = lap.rsplit_once('(')?.1.strip_suffix(')')?;
                Some(format!("{name} {secs}"))
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// `cargo xtask build` for `/reader/` into `dist`, as a child process whose output goes to a log,
/// with another article folder if given; `fresh` removes `dist` first (a cold build: no page
/// of a last build to reuse). With `BENCH_BUILD_LOCK=FILE` the build runs under `flock FILE`,
/// the lock a shared machine's builds take turns with.
pub fn build_site(dist: &Path, articles: Option<&Path>, fresh: bool) -> Result<SiteBuild> {
    wait_for_builds("a release build");
    if fresh {
        let _ = fs::remove_dir_all(dist);
    }
    let exe = rebuilt(&env::current_exe().context("where is this xtask")?);
    let mut cmd = match env::var_os("BENCH_BUILD_LOCK") {
        Some(lock) => {
            let mut cmd = Command::new("flock");
            cmd.arg(lock).arg(exe);
            cmd
        }
        None => Command::new(exe),
    };
    cmd.args(["build", "--public-url", "/reader/", "--dist"])
        .arg(dist)
        .arg("--articles")
        .arg(articles.map_or_else(|| root().join("articles"), Path::to_path_buf))
        .current_dir(root());
    // The whole output goes to a log (a large corpus can make it long); the xtask's own step
    // lines are shown, and the end of the log if the build fails.
    let name = dist
        .parent()
        .and_then(Path::file_name)
        .map_or_else(|| "site".into(), |n| n.to_string_lossy().into_owned());
    let log_path = bench_dir()?.join(format!("{name}-build.log"));
    let mut log =
        fs::File::create(&log_path).with_context(|| format!("create {}", log_path.display()))?;
    let log_err = log.try_clone()?;
    println!(
        "==> release build into {} (output in {})",
        dist.display(),
        log_path.display()
    );
    let mut started = Instant::now();
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(log_err)
        .spawn()
        .context("could not start the xtask build")?;
    let mut tail: Vec<String> = Vec::new();
    let mut lines = 0_usize;
    let mut laps = Vec::new();
    let mut site_started = None;
    let stdout = child.stdout.take().context("the build's output")?;
    for line in BufReader::new(stdout).lines().map_while(Result::ok) {
        // The build's first line comes once it has the lock: the wait is not its time.
        if lines == 0 {
            started = Instant::now();
        }
        lines += 1;
        writeln!(log, "{line}").ok();
        let trimmed = line.trim_start();
        // xtask's site.rs prints this line when Trunk is done and the site step begins.
        if trimmed.starts_with("==> the site of") {
            site_started = Some(Instant::now());
        }
        if ["parse:", "data:", "prerender:", "finish:"]
            .iter()
            .any(|p| trimmed.starts_with(p))
        {
            laps.push(trimmed.to_owned());
        }
        let step = trimmed.starts_with("==>")
            || trimmed.starts_with("xtask:")
            || ["done:", "parse:", "data:", "prerender:", "finish:"]
                .iter()
                .any(|p| trimmed.starts_with(p));
        if step {
            println!("    {trimmed}");
        }
        tail.push(line);
        if tail.len() > 30 {
            tail.remove(0);
        }
    }
    let status = child.wait().context("the xtask build")?;
    let took = started.elapsed();
    println!("    ({:.0}s, {lines} lines of output)", took.as_secs_f64());
    if status.success() {
        Ok(SiteBuild {
            took,
            site: site_started.map_or(took, |t| t.elapsed()),
            laps,
        })
    } else {
        for line in &tail {
            println!("    | {line}");
        }
        bail!(
            "the release build into {} failed ({status}); see {} (its errors are there)",
            dist.display(),
            log_path.display()
        )
    }
}

/// Runs `bench/SCRIPT.mjs --config CONFIG` and takes the figures it wrote.
pub fn node_part(script: &str, config: &Path, out: &mut Outcome) -> Result<()> {
    let result = root().join(format!("target/bench/{script}.json"));
    let _ = fs::remove_file(&result);
    let status = tools::command("node")
        .env("CHROMIUM", tools::CHROMIUM.path()?)
        .arg(format!("bench/{script}.mjs"))
        .arg("--config")
        .arg(config)
        .arg("--out")
        .arg(&result)
        .status()
        .context("could not start node")?;
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
        bail!("bench/{script}.mjs: {why}")
    }
}

/// Runs a timed node script once the machine is quiet, and notes how busy the CPUs were
/// before and during the timing (the benchmark's own browser included).
pub fn timed_node_part(
    name: &str,
    script: &str,
    config: impl FnOnce() -> Result<PathBuf>,
    out: &mut Outcome,
) -> Result<()> {
    let quiet = wait_for_quiet(name);
    // Written after the wait, with servers that answer now.
    let config = config()?;
    let clock = CpuClock::start();
    let result = node_part(script, &config, out);
    let during = clock
        .map(|mut c| {
            format!(
                "{:.0}% during it (this benchmark included)",
                c.busy() * 100.0
            )
        })
        .unwrap_or_default();
    out.notes.push(format!("{quiet}, {during}"));
    result
}

/// Prints raw and brotli-compressed sizes of what an article link loads first.
pub fn report_sizes(dist: &Path) {
    let mut total_raw = 0;
    let mut total_br = 0;
    let mut files: Vec<PathBuf> = fs::read_dir(dist)
        .map(|d| {
            d.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file())
                .collect()
        })
        .unwrap_or_default();
    files.retain(|p| {
        let name = p.file_name().unwrap().to_string_lossy();
        name == "index.html"
            || name.ends_with(".wasm")
            || name.ends_with(".js")
            || name.ends_with(".css")
    });
    files.sort();
    for file in &files {
        let raw = fs::metadata(file).map(|m| m.len()).unwrap_or(0);
        let brotli = tools::BROTLI.resolve(None).unwrap_or("brotli".into());
        let out = Command::new(brotli)
            .arg("-c")
            .arg("-q")
            .arg("11")
            .arg(file)
            .output();
        let br = out.map(|o| o.stdout.len() as u64).unwrap_or(0);
        println!(
            "    {:<48} {:>9} B raw {:>9} B brotli",
            file.file_name().unwrap().to_string_lossy(),
            raw,
            br
        );
        total_raw += raw;
        total_br += br;
    }
    println!(
        "first-load transfer (html+js+wasm+css): {total_raw} B raw, {total_br} B brotli ({:.1} KB)",
        total_br as f64 / 1024.0
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_configuration_names_the_uncompressed_server_only_when_given() {
        let seed = Seed {
            slug: "the-envoy".into(),
            last_paragraph: "The end.".into(),
            dist: PathBuf::new(),
            build: SiteBuild {
                took: Duration::ZERO,
                site: Duration::ZERO,
                laps: Vec::new(),
            },
        };
        let gzip = "http://127.0.0.1:1";
        let config = config_json(gzip, None, &seed, 21);
        assert_eq!(config["base"], "http://127.0.0.1:1/reader/");
        assert_eq!(
            config["articleUrl"],
            "http://127.0.0.1:1/reader/article/the-envoy"
        );
        assert_eq!(config["staticUrl"], "http://127.0.0.1:1/static/seed.html");
        assert_eq!(config["lastParagraph"], "The end.");
        assert_eq!(config["runs"], 21);
        assert!(config.get("plainArticleUrl").is_none());
        assert!(config.get("plainStaticUrl").is_none());

        let config = config_json(gzip, Some("http://127.0.0.1:2"), &seed, 3);
        assert_eq!(
            config["articleUrl"],
            "http://127.0.0.1:1/reader/article/the-envoy"
        );
        assert_eq!(
            config["plainArticleUrl"],
            "http://127.0.0.1:2/reader/article/the-envoy"
        );
        assert_eq!(
            config["plainStaticUrl"],
            "http://127.0.0.1:2/static/seed.html"
        );
        assert_eq!(config["runs"], 3);
    }

    #[test]
    fn a_replaced_xtask_is_run_from_where_cargo_put_the_new_one() {
        let exe = env::current_exe().unwrap();
        assert_eq!(rebuilt(&exe), exe);
        let deleted = PathBuf::from(format!("{} (deleted)", exe.display()));
        assert_eq!(rebuilt(&deleted), exe);
    }
}
