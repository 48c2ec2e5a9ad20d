//! `broadsheet-site data [--articles DIR] OUT`: writes the site's data files of the articles in
//! DIR (default `articles`) into OUT. Trunk.toml's post-build hook runs it into Trunk's staging
//! folder, so a plain `trunk serve` or `trunk build` gives a working reader. The whole site
//! (pages rendered ahead of time, CSP, precache list) is `cargo xtask build`.

use std::{path::PathBuf, process::ExitCode};

const USAGE: &str = "usage: broadsheet-site data [--articles DIR] OUT";

fn main() -> ExitCode {
    let (articles, out) = match parse_args(std::env::args_os().skip(1)) {
        Ok(args) => args,
        Err(e) => {
            eprintln!("broadsheet-site: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match broadsheet_site::data_only(&articles, &out) {
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("broadsheet-site: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// (articles folder, output folder).
fn parse_args(
    args: impl IntoIterator<Item = std::ffi::OsString>,
) -> Result<(PathBuf, PathBuf), lexopt::Error> {
    use lexopt::prelude::*;
    let mut parser = lexopt::Parser::from_args(args);
    match parser.next()? {
        Some(Value(command)) if command == "data" => {}
        Some(Value(command)) => return Err(format!("unknown command {command:?}").into()),
        Some(other) => return Err(other.unexpected()),
        None => return Err("no command given".into()),
    }
    let mut articles = PathBuf::from("articles");
    let mut out = None;
    while let Some(arg) = parser.next()? {
        match arg {
            Long("articles") => articles = parser.value()?.into(),
            Value(dir) if out.is_none() => out = Some(PathBuf::from(dir)),
            other => return Err(other.unexpected()),
        }
    }
    Ok((articles, out.ok_or("no output folder given")?))
}
