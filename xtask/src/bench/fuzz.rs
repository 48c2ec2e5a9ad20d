//! Part 7: fuzzing the parser with cargo-fuzz for a while; a crash is a finding, not a failure.

use std::{
    env,
    io::{BufRead, BufReader},
    path::Path,
    process::{Command, Stdio},
};

use anyhow::{bail, Context as _, Result};
use walkdir::WalkDir;

use super::{
    machine::wait_for_builds,
    runner::{Figure, Outcome},
};
use crate::{root, tools};

/// cargo-fuzz, installed into the tool cache the first time the benchmark fuzzes.
const CARGO_FUZZ: &str = "0.13.2";

/// Part 7: `cargo +nightly fuzz run parse` for `BENCH_FUZZ_SECONDS` (default 60), installing
/// the pinned cargo-fuzz into the tool cache if needed; prints how to install it otherwise.
pub fn fuzz(out: &mut Outcome) -> Result<()> {
    let seconds = super::number_from_env("BENCH_FUZZ_SECONDS", 60);
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
        .env("PATH", env::join_paths(path)?)
        .env_remove("RUSTUP_TOOLCHAIN")
        .env_remove("CARGO")
        .env_remove("CARGO_TARGET_DIR")
        .current_dir(root())
        .stderr(Stdio::piped())
        .spawn()
        .context("could not start cargo +nightly fuzz")?;
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
    let status = child.wait().context("wait for cargo +nightly fuzz")?;
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
        bail!("cargo +nightly fuzz exited with {status} without a result{why}");
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

/// How many files `dir` holds (none if it does not exist yet).
fn count_files(dir: &Path) -> usize {
    WalkDir::new(dir)
        .min_depth(1)
        .max_depth(1)
        .into_iter()
        .filter_map(Result::ok)
        .count()
}
