//! The page files: every URL of the site rendered ahead of time into Trunk's shell.

use crate::csp::{insert_at_first, Place};
use anyhow::{ensure, Context as _};
use broadsheet::routes::{self, Route};
use broadsheet::{corpus::Corpus, ui::prerender};
use lol_html::{element, end_tag, html_content::ContentType, rewrite_str, RewriteStrSettings};
use std::{cell::Cell, fs, path::Path, rc::Rc};

/// Every page gets a file of its own, rendered ahead of time by the app's own components, so
/// its text shows before the wasm loads, without JavaScript too, and deep links and reloads
/// work on any static host (`page/index.html` for servers that look for folders, `page.html`
/// for those that add `.html`). Unknown URLs get `404.html`, the not-found page.
pub fn write_page_files(dist: &Path, public_url: &str, articles: &Path) -> anyhow::Result<()> {
    let shell = inline_boot_script(dist, &fs::read_to_string(dist.join("index.html"))?)?;
    let shell = inline_head_scripts(&shell)?;
    let files = article_files(articles)?;
    let corpus = std::sync::Arc::new(Corpus::from_files(
        files
            .iter()
            .map(|(name, bytes)| (name.as_str(), bytes.as_slice())),
    ));
    for failure in corpus.failures() {
        eprintln!("    skipped {}: {}", failure.file, failure.error);
    }
    // The front page is the site's index.html, written last.
    let pages: Vec<Route> = routes::pages(&corpus)
        .into_iter()
        .filter(|route| *route != Route::Home)
        .collect();
    let library = broadsheet::library::Library::from_corpus(corpus.clone());
    let page_html = |route: &Route| -> anyhow::Result<String> {
        let page = prerender::render(&library, public_url, route)
            .with_context(|| format!("no page for {route:?}"))?;
        fill_shell(&shell, &page)
    };
    for route in &pages {
        let html = page_html(route)?;
        // A corpus's slugs are URL-safe, so a page's path is also its file's.
        let path = route.path();
        let page = path.trim_start_matches('/');
        let dir = dist.join(page);
        fs::create_dir_all(&dir)?;
        fs::write(dir.join("index.html"), &html)?;
        fs::write(dist.join(format!("{page}.html")), &html)?;
    }
    fs::write(dist.join("index.html"), page_html(&Route::Home)?)?;
    fs::write(dist.join("404.html"), page_html(&Route::NotFound)?)?;
    println!(
        "    rendered {} pages ahead of time, plus the front page and 404.html",
        pages.len()
    );
    Ok(())
}

/// The theme boot script runs before first paint, so it blocks the parser: inline it to save
/// a round trip (the CSP step hashes it like any inline script).
fn inline_boot_script(dist: &Path, shell: &str) -> anyhow::Result<String> {
    Ok(rewrite_str(
        shell,
        RewriteStrSettings::new().append_element_content_handler(element!(
            r#"script[src="boot.js"]"#,
            |el| {
                let script = fs::read_to_string(dist.join("boot.js"))?;
                el.remove_attribute("src");
                el.set_inner_content(script.trim(), ContentType::Html);
                Ok(())
            }
        )),
    )?)
}

/// `assets/trusted-types.js`, compiled in: the build does not depend on where it runs.
const TRUSTED_TYPES_JS: &str = include_str!("../../assets/trusted-types.js");
/// `assets/framed.js`, compiled in.
const FRAMED_JS: &str = include_str!("../../assets/framed.js");

/// Scripts that must run before any other and before the first paint, inline before the first
/// script of the page: the page's Trusted Types policy (`assets/trusted-types.js`, see
/// `crate::csp`) and the framing check (`assets/framed.js`, see `src/ui/framed.rs`). Trunk does
/// not copy these files: a plain `trunk build` has no policy that asks for Trusted Types, and
/// its pages have no content to hide before the app starts.
fn inline_head_scripts(shell: &str) -> anyhow::Result<String> {
    let mut scripts = String::new();
    for source in [TRUSTED_TYPES_JS, FRAMED_JS] {
        // Without comments: they are in every page.
        let lines: Vec<&str> = source
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty() && !line.starts_with("//"))
            .collect();
        scripts.push_str(&format!("<script>{}</script>\n", lines.join("\n")));
    }
    insert_at_first(shell, "script", Place::Before, &scripts)?.context("index.html has no <script>")
}

/// Puts a rendered page into Trunk's shell: its title, and its body inside
/// `<div id="prerendered">` at the end of `<body>`, which the app replaces when it starts.
fn fill_shell(shell: &str, page: &prerender::Prerendered) -> anyhow::Result<String> {
    let mut titled = false;
    let body_filled = Rc::new(Cell::new(false));
    let out = rewrite_str(
        shell,
        RewriteStrSettings::new()
            .append_element_content_handler(element!("title", |el| {
                if !titled {
                    el.set_inner_content(&page.title, ContentType::Text);
                    titled = true;
                }
                Ok(())
            }))
            .append_element_content_handler(element!("body", |el| {
                let prerendered = format!("<div id=\"prerendered\">{}</div>", page.body);
                let body_filled = Rc::clone(&body_filled);
                el.on_end_tag(end_tag!(move |end| {
                    end.before(&prerendered, ContentType::Html);
                    body_filled.set(true);
                    Ok(())
                }))
            })),
    )?;
    ensure!(titled, "index.html has no <title>");
    ensure!(body_filled.get(), "index.html has no </body>");
    Ok(out)
}

fn article_files(dir: &Path) -> anyhow::Result<Vec<(String, Vec<u8>)>> {
    let mut files = Vec::new();
    for entry in fs::read_dir(dir).with_context(|| dir.display().to_string())? {
        let path = entry?.path();
        if path.extension().is_some_and(|x| x == "txt") {
            let name = path
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            files.push((name, fs::read(&path)?));
        }
    }
    files.sort();
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_fills_the_title_and_the_end_of_the_body() {
        // A string search found the `<title>` in the comment; the tokeniser does not.
        let shell = "<!DOCTYPE html>\n<html><head><!-- no <title> here -->\
            <title>Broadsheet</title></head>\n<body><p>x</p></body>\n</html>\n";
        let page = prerender::Prerendered {
            title: "A & B <i>".to_owned(),
            body: "<main><h1>A &amp; B</h1></main>".to_owned(),
            preloads: Vec::new(),
        };
        assert_eq!(
            fill_shell(shell, &page).unwrap(),
            "<!DOCTYPE html>\n<html><head><!-- no <title> here -->\
            <title>A &amp; B &lt;i&gt;</title></head>\n<body><p>x</p>\
            <div id=\"prerendered\"><main><h1>A &amp; B</h1></main></div></body>\n</html>\n"
        );
        let untitled = "<html><head></head><body></body></html>";
        assert!(fill_shell(untitled, &page)
            .unwrap_err()
            .to_string()
            .contains("<title>"));
    }

    #[test]
    fn head_scripts_go_before_the_first_script_and_boot_js_inline() {
        let dist = std::env::temp_dir().join(format!("broadsheet-site-{}", std::process::id()));
        fs::create_dir_all(&dist).unwrap();
        fs::write(dist.join("boot.js"), "\n  let theme = 1;\n").unwrap();
        let shell = "<head><!-- before <script src=\"a.js\"> -->\
            <script src=\"boot.js\"></script><script src=\"app.js\"></script></head>";
        let booted = inline_boot_script(&dist, shell).unwrap();
        fs::remove_dir_all(&dist).unwrap();
        assert_eq!(
            booted,
            "<head><!-- before <script src=\"a.js\"> -->\
            <script>let theme = 1;</script><script src=\"app.js\"></script></head>"
        );
        let out = inline_head_scripts(&booted).unwrap();
        let first = out.find("<script>").unwrap();
        assert!(out[..first].ends_with("-->"), "{out}");
        assert!(out[first..].contains("trustedTypes"), "{out}");
        assert!(out.ends_with(
            "</script>\n<script>let theme = 1;</script><script src=\"app.js\"></script></head>"
        ));
        assert!(inline_head_scripts("<head></head>")
            .unwrap_err()
            .to_string()
            .contains("no <script>"));
    }
}
