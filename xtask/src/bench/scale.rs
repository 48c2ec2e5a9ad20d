//! Part 6: the archive at scale. Sites built from 10,000 (and, with `BENCH_SCALE`, 100,000)
//! generated articles, each against the one-article site of parts 2-5 and issue 10's budgets:
//! the wasm the same bytes, the site build's extra time, and in the browser (`bench/scale.mjs`)
//! home, start-up, an article link's first load, search for a word in one story, memory.

use std::{
    fs,
    path::{Path, PathBuf},
    process::Stdio,
};

use anyhow::{bail, Context as _, Result};
use sysinfo::Disks;

use super::{
    browser::{build_site, timed_node_part, write_config, Seed, Served, SiteBuild},
    runner::{Figure, Outcome},
};
use crate::{root, tools};

/// The sizes part 6 measures unless `BENCH_SCALE` names others (`BENCH_SCALE=10000,100000`):
/// the 100,000-article site takes several minutes to build and gigabytes of disk.
const DEFAULT_SIZES: &[usize] = &[10_000];

/// Issue 10: at most this much more site build time per 10,000 articles than the one-article
/// site's, once the app is compiled.
const EXTRA_SECONDS_PER_10K: f64 = 60.0;

/// Disk a site of this many articles needs per article (corpus, data files, pages, the build's
/// cache), when no smaller site measured it first; about twice what a 10,000-article site took.
const DEFAULT_BYTES_PER_ARTICLE: u64 = 120_000;

/// The sizes to measure, from `BENCH_SCALE` (a list of article counts) or [`DEFAULT_SIZES`].
fn sizes() -> Vec<usize> {
    let listed: Vec<usize> = std::env::var("BENCH_SCALE")
        .unwrap_or_default()
        .split([',', ' '])
        .filter_map(|n| n.trim().replace('_', "").parse().ok())
        .filter(|&n| n > 0)
        .collect();
    if listed.is_empty() {
        DEFAULT_SIZES.to_vec()
    } else {
        listed
    }
}

/// `10000` as `10,000`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Part 6: every size in turn, against the one-article site (`seed`, served by `baseline`).
/// What a size generated and built is removed once it is measured, so a 100,000-article
/// site does not stay on a shared disk.
pub fn scale(baseline: Option<(&mut Served, &Seed)>, out: &mut Outcome) -> Result<()> {
    let Some((baseline, seed)) = baseline else {
        bail!("the one-article site (parts 2-5) did not build; part 6 compares with it");
    };
    // What measured the old design: a second cargo target (the corpus was compiled into the
    // wasm) and the 10,000-article folders of before.
    for old in [
        "target/bench-10k-target",
        "target/bench-corpus",
        "target/bench-site-10k",
    ] {
        if root().join(old).exists() {
            let _ = fs::remove_dir_all(root().join(old));
            out.notes
                .push(format!("removed {old}, which only the old part 6 used"));
        }
    }
    let mut bytes_per_article = None;
    let mut failed = Vec::new();
    for n in sizes() {
        let before = out.figures.len();
        let result = one_size(n, baseline, seed, &mut bytes_per_article, out);
        let label = format!("{} articles", thousands(n));
        for f in &mut out.figures[before..] {
            f.label = format!("{label}: {}", f.label);
        }
        if let Err(e) = result {
            eprintln!("xtask: bench: part 6 at {label}: {e:#}");
            out.notes.push(format!("{label}: could not run: {e:#}"));
            failed.push(label);
        }
    }
    if !failed.is_empty() {
        bail!("part 6 could not run at {}", failed.join(", "));
    }
    Ok(())
}

/// Generates `n` articles, builds them cold and after changing one, measures in the browser,
/// then removes the corpus, the site and the build's cache.
fn one_size(
    n: usize,
    baseline: &mut Served,
    seed: &Seed,
    bytes_per_article: &mut Option<u64>,
    out: &mut Outcome,
) -> Result<()> {
    let label = format!("{} articles", thousands(n));
    println!("\n==> bench: part 6 at {label}");
    let corpus = root().join(format!("target/bench-corpus-{n}"));
    let site_root = root().join(format!("target/bench-site-{n}"));
    let dist = site_root.join("reader");
    let need = n as u64 * bytes_per_article.unwrap_or(DEFAULT_BYTES_PER_ARTICLE);
    if let Some(free) = free_space(&root()) {
        if free < need {
            out.notes.push(format!(
                "{label} skipped: {:.1} GB free on the disk, {:.1} GB needed",
                free as f64 / 1e9,
                need as f64 / 1e9
            ));
            println!("    skipped: not enough free disk ({free} bytes free, {need} needed)");
            return Ok(());
        }
    }
    let result = measure(n, &corpus, &site_root, baseline, seed, out);
    if let Some(size) = folder_size(&site_root) {
        *bytes_per_article = Some((size + folder_size(&corpus).unwrap_or(0)) * 2 / n as u64);
        out.notes.push(format!(
            "{label}: the site took {:.2} GB on disk; removed after measuring, with its corpus and build cache",
            size as f64 / 1e9
        ));
    }
    let _ = fs::remove_dir_all(&site_root);
    let _ = fs::remove_dir_all(&corpus);
    let _ = fs::remove_dir_all(work_dir(&dist));
    result
}

fn measure(
    n: usize,
    corpus: &Path,
    site_root: &Path,
    baseline: &mut Served,
    seed: &Seed,
    out: &mut Outcome,
) -> Result<()> {
    let planted = generate(corpus, n, out)?;
    let dist = site_root.join("reader");
    let _ = fs::remove_dir_all(site_root);
    let cold = build_site(&dist, Some(corpus), true)?;
    out.figures
        .push(build_figure("Site build, cold", &cold, &seed.build, n));

    // One article changed: the middle one gets a sentence more in its first paragraph.
    let changed = change_one_article(corpus, n)?;
    let again = build_site(&dist, Some(corpus), false)?;
    let mut figure = build_figure(
        &format!("Site build after changing one article ({changed})"),
        &again,
        &seed.build,
        n,
    );
    // The one-article site's cold build is the base here too: the budget is the extra time.
    figure
        .label
        .push_str(", against the 1-article site's cold build");
    out.figures.push(figure);

    out.figures.push(same_wasm(&seed.dist, &dist)?);

    let mut served = Served::new(site_root, false);
    let config = || {
        write_config(
            "scale-config.json",
            &serde_json::json!({
                "base": format!("{}/reader/", served.origin()?),
                "baselineBase": format!("{}/reader/", baseline.origin()?),
                "articlePath": format!("article/{}", seed.slug),
                "word": planted.0,
                "wordSlug": planted.1,
                "articles": n,
                "loads": super::number_from_env("BENCH_SCALE_LOADS", 5),
            }),
        )
    };
    timed_node_part(
        &format!("timing the {}-article site", thousands(n)),
        "scale",
        config,
        out,
    )
}

/// Runs `bench/generate-corpus.mjs` for `n` articles (with the repository's articles copied in)
/// and returns the planted word and the slug of the one story that has it.
fn generate(corpus: &Path, n: usize, out: &mut Outcome) -> Result<(String, String)> {
    let mut cmd = tools::command("node");
    cmd.arg("bench/generate-corpus.mjs")
        .arg(corpus)
        .arg(n.to_string());
    for entry in fs::read_dir(root().join("articles")).context("read articles/")? {
        let path = entry?.path();
        if path.extension().is_some_and(|x| x == "txt") {
            cmd.arg(path);
        }
    }
    let generated = cmd
        .stderr(Stdio::inherit())
        .output()
        .context("could not start node")?;
    let said = String::from_utf8_lossy(&generated.stdout).trim().to_owned();
    println!("    {}", said.replace('\n', "\n    "));
    if !generated.status.success() {
        bail!("generating the corpus failed ({})", generated.status);
    }
    out.notes.push(said.replace('\n', "; "));
    planted(&said).context("the generator did not say which word it planted")
}

/// `planted: WORD in SLUG` from the generator's output.
fn planted(said: &str) -> Option<(String, String)> {
    let line = said.lines().find_map(|l| l.strip_prefix("planted: "))?;
    let (word, slug) = line.split_once(" in ")?;
    Some((word.to_owned(), slug.to_owned()))
}

/// Adds a sentence to the first paragraph of the middle generated article; returns its file
/// name. (The generator writes it back as it was on the next run.)
fn change_one_article(corpus: &Path, n: usize) -> Result<String> {
    let width = (n - 1).to_string().len().max(5);
    let name = format!("gen_{:0width$}.txt", n / 2);
    let path = corpus.join(&name);
    let text = fs::read_to_string(&path).with_context(|| format!("read {}", path.display()))?;
    let changed = change_first_paragraph(&text)
        .with_context(|| format!("{}: no first paragraph after the header", path.display()))?;
    fs::write(&path, changed).with_context(|| format!("write {}", path.display()))?;
    Ok(name)
}

/// `text` with a sentence added to the first line after the header's closing `---`.
fn change_first_paragraph(text: &str) -> Option<String> {
    let header_end = text.match_indices("\n---\n").next()?.0 + "\n---\n".len();
    let line_end = header_end + text[header_end..].find('\n')?;
    Some(format!(
        "{} Updated by the benchmark.{}",
        &text[..line_end],
        &text[line_end..]
    ))
}

/// A build's time against the one-article site's, with the budget on the extra time of the
/// site step (Trunk's build of the app is the same for both and left out).
fn build_figure(what: &str, build: &SiteBuild, base: &SiteBuild, n: usize) -> Figure {
    let extra = build.site.as_secs_f64() - base.site.as_secs_f64();
    let per_10k = extra / (n as f64 / 10_000.0);
    Figure::new(
        what,
        format!(
            "{:.0} s in all, site step {:.1} s ({}); 1-article site's site step {:.1} s: {:+.1} s, {:.1} s per 10,000 articles",
            build.took.as_secs_f64(),
            build.site.as_secs_f64(),
            build.split(),
            base.site.as_secs_f64(),
            extra,
            per_10k
        ),
        Some(&format!(
            "≤ {EXTRA_SECONDS_PER_10K:.0} s extra per 10,000 articles"
        )),
        Some(per_10k <= EXTRA_SECONDS_PER_10K),
        Some(format!(
            "{:.1} s per 10,000 articles",
            per_10k - EXTRA_SECONDS_PER_10K
        )),
    )
}

/// Whether the `.wasm` files of two sites have the same bytes (the program must not depend
/// on the corpus).
fn same_wasm(one: &Path, other: &Path) -> Result<Figure> {
    let (a, b) = (wasm_of(one)?, wasm_of(other)?);
    let same = a.1 == b.1;
    Ok(Figure::new(
        "wasm against the 1-article site's (SHA-256 of the bytes)",
        if same {
            format!("identical: {} ({} bytes, {})", a.1, a.2, a.0)
        } else {
            format!("{} ({} bytes) against {} ({} bytes)", b.1, b.2, a.1, a.2)
        },
        Some("identical"),
        Some(same),
        Some(format!("{} bytes", b.2 as i64 - a.2 as i64)),
    ))
}

/// The one `.wasm` file at the top of `dist`: its name, hash and size.
fn wasm_of(dist: &Path) -> Result<(String, String, usize)> {
    let mut found = Vec::new();
    for entry in fs::read_dir(dist).with_context(|| format!("read {}", dist.display()))? {
        let path = entry?.path();
        if path.extension().is_some_and(|x| x == "wasm") {
            found.push(path);
        }
    }
    let [path] = found.as_slice() else {
        bail!(
            "{}: {} .wasm files, expected one",
            dist.display(),
            found.len()
        );
    };
    let bytes = fs::read(path).with_context(|| format!("read {}", path.display()))?;
    Ok((
        path.file_name().unwrap().to_string_lossy().into_owned(),
        broadsheet_site::source::content_hash(&bytes),
        bytes.len(),
    ))
}

/// The bytes free on the disk that holds `path`.
fn free_space(path: &Path) -> Option<u64> {
    let disks = Disks::new_with_refreshed_list().ok()?;
    disks
        .iter()
        .filter(|d| path.starts_with(d.mount_point()))
        .max_by_key(|d| d.mount_point().as_os_str().len())
        .map(|d| d.available_space())
}

/// The bytes of the files under `dir`.
fn folder_size(dir: &Path) -> Option<u64> {
    if !dir.exists() {
        return None;
    }
    Some(
        walkdir::WalkDir::new(dir)
            .into_iter()
            .filter_map(Result::ok)
            .filter_map(|e| e.metadata().ok())
            .filter(|m| m.is_file())
            .map(|m| m.len())
            .sum(),
    )
}

/// Where `cargo xtask build` keeps Trunk's output and the page cache for `dist` (as
/// xtask/src/site.rs names it), to remove with the site.
fn work_dir(dist: &Path) -> PathBuf {
    let absolute = std::path::absolute(dist).unwrap_or_else(|_| dist.to_path_buf());
    let key = broadsheet_site::source::content_hash(absolute.to_string_lossy().as_bytes());
    root().join("target/site-build").join(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_written_with_thousands_separators() {
        assert_eq!(thousands(1), "1");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(10_000), "10,000");
        assert_eq!(thousands(100_000), "100,000");
        assert_eq!(thousands(1_000_000), "1,000,000");
    }

    #[test]
    fn the_planted_word_is_read_from_the_generators_last_line() {
        let said = "generated corpus: 3 articles\nplanted: quillwort in generated-00001";
        assert_eq!(
            planted(said),
            Some(("quillwort".into(), "generated-00001".into()))
        );
        assert_eq!(planted("generated corpus: 3 articles"), None);
    }

    #[test]
    fn one_article_changes_in_its_first_paragraph_only() {
        let text = "---\ntitle: T\n---\nFirst paragraph.\nSecond.\n";
        assert_eq!(
            change_first_paragraph(text).unwrap(),
            "---\ntitle: T\n---\nFirst paragraph. Updated by the benchmark.\nSecond.\n"
        );
        assert_eq!(change_first_paragraph("no header"), None);
    }

    #[test]
    fn the_split_is_read_from_the_site_steps_lines() {
        let build = SiteBuild {
            took: std::time::Duration::from_secs(9),
            site: std::time::Duration::from_secs(5),
            laps: vec![
                "parse: 10 articles in 10 files (0.12 s)".into(),
                "prerender: 20 pages rendered, 0 unchanged since the last build (1.50 s)".into(),
            ],
        };
        assert_eq!(build.split(), "parse 0.12 s, prerender 1.50 s");
    }
}
