//! Running a part and recording what came of it: its figures, its notes, and why it failed if
//! it did, so that one part's failure never stops the next.

use std::{
    process::{Command, Stdio},
    time::Instant,
};

use anyhow::{bail, Context as _, Result};

/// One measured figure, with its budget when it has one.
#[derive(Clone, Debug)]
pub struct Figure {
    pub label: String,
    pub value: String,
    pub budget: Option<String>,
    /// Whether the budget is met; `None` for a figure without a budget.
    pub met: Option<bool>,
    /// By how much a missed budget is missed.
    pub by: Option<String>,
}

impl Figure {
    /// A figure, printed at once.
    pub fn new(
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
        let verdict = match figure.verdict("met", "MISSED") {
            v if v.is_empty() => v,
            v => format!("  [{v}]"),
        };
        let budget = figure
            .budget
            .as_deref()
            .map(|b| format!("  (budget {b})"))
            .unwrap_or_default();
        println!("{}: {}{budget}{verdict}", figure.label, figure.value);
        figure
    }

    /// Whether the budget is met, in the words given for met and missed (with " by …" when
    /// known); empty for a figure without a budget.
    pub fn verdict(&self, met: &str, missed: &str) -> String {
        match self.met {
            Some(true) => met.to_owned(),
            Some(false) => {
                let by = self.by.as_deref().map(|b| format!(" by {b}"));
                format!("{missed}{}", by.unwrap_or_default())
            }
            None => String::new(),
        }
    }
}

/// What one part produced: its figures and notes, and why it failed if it did.
#[derive(Debug, Default)]
pub struct Outcome {
    pub figures: Vec<Figure>,
    pub notes: Vec<String>,
    pub error: Option<String>,
}

/// A part's name and outcome.
pub struct Part {
    pub name: &'static str,
    pub outcome: Outcome,
}

/// Runs `f` as part `name`: an error is reported and recorded, and the next part goes on.
pub fn part(name: &'static str, f: impl FnOnce(&mut Outcome) -> Result<()>) -> Part {
    println!("\n==> bench: {name}");
    let started = Instant::now();
    let mut outcome = Outcome::default();
    if let Err(e) = f(&mut outcome) {
        eprintln!("xtask: bench: {name} FAILED: {e:#}");
        outcome.error = Some(format!("{e:#}"));
    }
    println!("    ({name}: {:.0}s)", started.elapsed().as_secs_f64());
    Part { name, outcome }
}

/// A part that could not run because something it needs failed first.
pub fn skipped(name: &'static str, why: &str) -> Part {
    eprintln!("xtask: bench: {name} not run: {why}");
    Part {
        name,
        outcome: Outcome {
            error: Some(format!("not run: {why}")),
            ..Outcome::default()
        },
    }
}

/// The names of the parts that could not run.
pub fn failed(parts: &[Part]) -> Vec<&'static str> {
    parts
        .iter()
        .filter(|p| p.outcome.error.is_some())
        .map(|p| p.name)
        .collect()
}

/// Runs `cmd` (a child's errors go to ours), echoes and returns what it printed; an error names
/// `what` when it could not start or failed.
pub fn printed(cmd: &mut Command, what: &str) -> Result<String> {
    let output = cmd
        .stderr(Stdio::inherit())
        .output()
        .with_context(|| format!("could not start {what}"))?;
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    print!("{text}");
    if !output.status.success() {
        bail!("{what} exited with {}", output.status);
    }
    Ok(text)
}

/// Every figure and every failure, once more, after all parts ran.
pub fn print_summary(parts: &[Part]) {
    println!("\n==> bench: summary");
    for p in parts {
        for f in &p.outcome.figures {
            let verdict = f.verdict("met", "MISSED");
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_part_is_recorded_and_the_next_part_runs() {
        let parts = [
            part("1. fails", |out| {
                out.notes.push("before the failure".into());
                Err(anyhow::anyhow!("no MB/s figure")).context("articles bench")
            }),
            part("2. runs", |out| {
                out.figures
                    .push(Figure::new("x", "1 ms".into(), None, None, None));
                Ok(())
            }),
            skipped("3. skipped", "the release site did not build"),
        ];
        assert_eq!(
            parts[0].outcome.error.as_deref(),
            Some("articles bench: no MB/s figure")
        );
        assert_eq!(parts[0].outcome.notes, ["before the failure"]);
        assert_eq!(parts[1].outcome.error, None);
        assert_eq!(parts[1].outcome.figures.len(), 1);
        assert_eq!(failed(&parts), ["1. fails", "3. skipped"]);
    }

    #[test]
    fn printed_says_which_command_failed() {
        let e = printed(&mut Command::new("false"), "the false command").unwrap_err();
        assert!(
            e.to_string().contains("the false command exited with"),
            "{e}"
        );
        let e = printed(&mut Command::new("/nonexistent/tool"), "a missing tool").unwrap_err();
        assert_eq!(e.to_string(), "could not start a missing tool");
    }
}
