//! `BENCHMARKS.md`: the day's figures as a dated section, newest first, below the explanations.

use std::{fs, path::Path};

use anyhow::{Context as _, Result};
use jiff::{tz::TimeZone, Timestamp};

use super::runner::Part;

/// The line in `BENCHMARKS.md` after which the dated sections go, newest first.
pub const MARKER: &str = "<!-- cargo xtask bench writes the dated sections below, newest first -->";

/// Today's date in UTC, `YYYY-MM-DD` (as `date -u +%F`).
pub fn today() -> String {
    day_of(Timestamp::now())
}

/// The UTC date of `moment`, `YYYY-MM-DD`.
fn day_of(moment: Timestamp) -> String {
    TimeZone::UTC.to_datetime(moment).date().to_string()
}

/// Writes today's section into `BENCHMARKS.md` (replacing one of the same date), newest first
/// after [`MARKER`]; the explanations above the marker are left as they are.
pub fn record(file: &Path, date: &str, context: &str, parts: &[Part]) -> Result<()> {
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
    fs::write(file, format!("{}\n", text.trim_end()))
        .with_context(|| format!("write {}", file.display()))
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
            let met = f.verdict("yes", "**no**");
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
    use crate::bench::runner::{Figure, Outcome};
    use std::env;

    #[test]
    fn the_date_is_the_utc_calendar_day() {
        let at = |s: &str| s.parse::<Timestamp>().unwrap();
        assert_eq!(day_of(at("2000-02-29T23:59:59Z")), "2000-02-29");
        assert_eq!(day_of(at("2000-03-01T00:00:00Z")), "2000-03-01");
        // Late evening in New York is already tomorrow in UTC.
        assert_eq!(day_of(at("2026-12-31T21:30:00-05:00")), "2027-01-01");
        assert_eq!(day_of(at("1999-12-31T23:00:00-01:00")), "2000-01-01");
        let today = today();
        assert_eq!(today.len(), 10, "{today}");
        today.parse::<jiff::civil::Date>().unwrap();
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

    #[test]
    fn missed_budgets_failures_and_notes_get_rows() {
        let parts = [Part {
            name: "7. fuzzing",
            outcome: Outcome {
                figures: vec![Figure {
                    label: "first load".into(),
                    value: "120 KB".into(),
                    budget: Some("≤ 100 KB".into()),
                    met: Some(false),
                    by: Some("20 KB".into()),
                }],
                notes: vec!["not fuzzed: no nightly".into(), "error: hidden".into()],
                error: Some("cargo fuzz exited\nwith more".into()),
            },
        }];
        let s = render_section("2000-01-01", "2 cores", &parts);
        assert!(s.starts_with("## 2000-01-01\n\nMeasured on 2 cores.\n"));
        assert!(s.contains("| 7. fuzzing | first load | 120 KB | ≤ 100 KB | **no** by 20 KB |\n"));
        assert!(s.contains("| 7. fuzzing | could not run | cargo fuzz exited | | |\n"));
        assert!(s.contains("\nNotes:\n- 7. fuzzing: not fuzzed: no nightly\n"));
        assert!(!s.contains("hidden"));
    }
}
