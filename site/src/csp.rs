//! Puts a strict Content-Security-Policy `<meta>` into every built HTML page, hashing each inline script.
//!
//! The policy allows scripts, styles, fonts, images, fetches, the manifest and the service worker
//! from the site's own origin only; Trunk's inline `<script type="module">` loader is allowed by its
//! SHA-256 hash and WebAssembly by `'wasm-unsafe-eval'`. Nothing is allowed inline by keyword.
//! The build fails on anything the policy would block that a hash cannot allow: inline `style=`
//! attributes, `<style>` elements, `on…=` event-handler attributes, `javascript:` URLs and inline
//! scripts of a type the browser runs but a hash does not cover.
//!
//! DOM sinks that turn strings into script or HTML (`innerHTML`, `script.text`, …) take Trusted
//! Types only (`require-trusted-types-for 'script'`). The app never needs raw HTML, but Leptos
//! builds the static parts of its views from `<template>` elements filled by `innerHTML`, with
//! markup compiled into the app; those strings pass through the one policy the page may create,
//! `default` (`assets/trusted-types.js`, inlined into every page), which refuses markup that could
//! run script, and any script text or script URL.
//!
//! A `<meta>` policy cannot forbid framing; [`HEADER_POLICY`] is what a host should send as a
//! header, with `frame-ancestors 'none'` (see `crate::headers::headers_file`).

use anyhow::Context as _;
use base64::Engine as _;
use lol_html::{element, html_content::ContentType, rewrite_str, text, RewriteStrSettings};
use sha2::{Digest, Sha256};
use std::{cell::RefCell, fs, path::Path};
use walkdir::WalkDir;

/// Everything after `script-src` is built per page; these directives are the same everywhere.
const FIXED_DIRECTIVES: &str = "style-src 'self'; img-src 'self' data:; font-src 'self'; \
    connect-src 'self'; manifest-src 'self'; worker-src 'self'; base-uri 'self'; \
    form-action 'self'; object-src 'none'; require-trusted-types-for 'script'; \
    trusted-types default";

/// The policy a host should send as a header with every response: the same directives as the
/// `<meta>` except `script-src` (whose hashes change with the inline scripts, so that a host's
/// configuration written once stays right; the `<meta>` policy restricts scripts, and a page
/// obeys both), plus `frame-ancestors 'none'`, which only a header can carry.
pub const HEADER_POLICY: &str = "style-src 'self'; img-src 'self' data:; font-src 'self'; \
    connect-src 'self'; manifest-src 'self'; worker-src 'self'; base-uri 'self'; \
    form-action 'self'; object-src 'none'; require-trusted-types-for 'script'; \
    trusted-types default; frame-ancestors 'none'";

/// Adds the policy to every `.html` file under `dist`; returns how many pages it wrote.
pub fn apply(dist: &Path) -> anyhow::Result<usize> {
    let mut pages = Vec::new();
    for entry in WalkDir::new(dist).follow_links(true) {
        let entry = entry?;
        if entry.file_type().is_file() && entry.path().extension().is_some_and(|x| x == "html") {
            pages.push(entry.into_path());
        }
    }
    pages.sort();
    for page in &pages {
        let html = fs::read_to_string(page).with_context(|| page.display().to_string())?;
        let name = page.strip_prefix(dist).unwrap_or(page).display();
        let with_policy = add_policy(&html).with_context(|| name.to_string())?;
        fs::write(page, with_policy).with_context(|| page.display().to_string())?;
    }
    println!("    Content-Security-Policy added to {} pages", pages.len());
    Ok(pages.len())
}

/// The policy for a page whose inline scripts have these `sha256-…` sources.
pub fn policy(script_hashes: &[String]) -> String {
    let mut script_src = String::from("'self'");
    for hash in script_hashes {
        script_src.push_str(&format!(" '{hash}'"));
    }
    script_src.push_str(" 'wasm-unsafe-eval'");
    format!("default-src 'self'; script-src {script_src}; {FIXED_DIRECTIVES}")
}

/// `html` with the policy `<meta>` right after the first `<meta charset>`, or why it cannot
/// have one. Two passes of the HTML tokeniser: the first checks every element and hashes the
/// inline scripts (which come after the charset), the second writes the `<meta>`.
pub fn add_policy(html: &str) -> anyhow::Result<String> {
    let mut hashes = inline_script_hashes(html)?;
    hashes.sort();
    hashes.dedup();
    let meta = format!(
        "\n    <meta http-equiv=\"Content-Security-Policy\" content=\"{}\">",
        policy(&hashes)
    );
    insert_at_first(html, "meta[charset]", Place::After, &meta)?
        .context("no <meta charset> to put the policy after")
}

/// The `sha256-…` of every inline script the page runs; an error for anything the policy would
/// block that a hash cannot allow, with its line.
fn inline_script_hashes(html: &str) -> anyhow::Result<Vec<String>> {
    // Each `<script>` in order: the text of those the policy hashes, `None` for the others.
    let scripts: RefCell<Vec<Option<String>>> = RefCell::new(Vec::new());
    let mut has_charset = false;
    let mut check = |el: &mut lol_html::html_content::Element| -> Result<(), String> {
        let at = line_of(html, el.source_location().bytes().start);
        let tag = el.tag_name();
        for attr in el.attributes() {
            let name = attr.name();
            if name == "style" {
                return Err(format!(
                    "line {at}: inline style attribute on <{tag}> (use a class)"
                ));
            }
            if name.starts_with("on") {
                return Err(format!(
                    "line {at}: inline event handler {name}= on <{tag}>"
                ));
            }
            if attr
                .value()
                .trim_start()
                .get(..11)
                .is_some_and(|v| v.eq_ignore_ascii_case("javascript:"))
            {
                return Err(format!("line {at}: javascript: URL in {name}="));
            }
        }
        match tag.as_str() {
            "meta" if el.has_attribute("charset") && !has_charset => has_charset = true,
            "meta"
                if el
                    .get_attribute("http-equiv")
                    .is_some_and(|v| v.eq_ignore_ascii_case("content-security-policy")) =>
            {
                return Err(format!("line {at}: the page already has a policy <meta>"));
            }
            "style" => {
                return Err(format!(
                    "line {at}: inline <style> element (use a stylesheet)"
                ))
            }
            "script" if el.has_attribute("src") => scripts.borrow_mut().push(None),
            "script" => {
                let kind = el.get_attribute("type").unwrap_or_default();
                match kind.trim().to_ascii_lowercase().as_str() {
                    "" | "module" | "text/javascript" | "application/javascript" | "importmap" => {
                        scripts.borrow_mut().push(Some(String::new()));
                    }
                    // Data blocks are never run, so the policy does not apply to them.
                    "application/json" | "application/ld+json" => scripts.borrow_mut().push(None),
                    other => {
                        return Err(format!(
                            "line {at}: inline <script type=\"{other}\"> that a hash may not cover"
                        ))
                    }
                }
            }
            _ => {}
        }
        Ok(())
    };
    rewrite_str(
        html,
        RewriteStrSettings::new()
            .append_element_content_handler(element!("*", |el| Ok(check(el)?)))
            .append_element_content_handler(text!("script", |chunk| {
                if let Some(Some(text)) = scripts.borrow_mut().last_mut() {
                    text.push_str(chunk.as_str());
                }
                Ok(())
            })),
    )?;
    Ok(scripts
        .into_inner()
        .iter()
        .flatten()
        .map(|text| hash_source(text))
        .collect())
}
/// Where [`insert_at_first`] puts its markup, relative to the element.
pub enum Place {
    Before,
    After,
}

/// `html` with `markup` put before or after the first element matching `selector`, or `None`
/// when no element matches (the caller says what that means).
pub fn insert_at_first(
    html: &str,
    selector: &str,
    place: Place,
    markup: &str,
) -> anyhow::Result<Option<String>> {
    let mut inserted = false;
    let out = rewrite_str(
        html,
        RewriteStrSettings::new().append_element_content_handler(element!(selector, |el| {
            if !inserted {
                match place {
                    Place::Before => el.before(markup, ContentType::Html),
                    Place::After => el.after(markup, ContentType::Html),
                }
                inserted = true;
            }
            Ok(())
        })),
    )?;
    Ok(inserted.then_some(out))
}

/// `sha256-…` of an inline script as the browser hashes it: its text after the HTML parser has
/// turned every CR LF and lone CR into LF.
pub fn hash_source(text: &str) -> String {
    let normalised = text.replace("\r\n", "\n").replace('\r', "\n");
    let digest = Sha256::digest(normalised.as_bytes());
    format!(
        "sha256-{}",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

fn line_of(html: &str, at: usize) -> usize {
    html[..at].bytes().filter(|&b| b == b'\n').count() + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    const TRUNK_PAGE: &str = "<!DOCTYPE html>\n<html lang=\"en\">\n  <head>\n    <meta charset=\"utf-8\">\n    <base href=\"/reader/\">\n    <link rel=\"stylesheet\" href=\"/reader/a.css\"/>\n    <script src=\"boot.js\"></script>\n<script type=\"module\">\nimport init from '/reader/x.js';\nawait init();\n</script>\n  </head>\n  <body></body>\n</html>\n";

    #[test]
    fn hashes_the_inline_loader_and_puts_the_policy_after_the_charset() {
        let out = add_policy(TRUNK_PAGE).unwrap();
        let expected = hash_source("\nimport init from '/reader/x.js';\nawait init();\n");
        assert!(out.contains(&format!(
            "script-src 'self' '{expected}' 'wasm-unsafe-eval'"
        )));
        let meta_at = out.find("Content-Security-Policy").unwrap();
        assert!(out.find("charset").unwrap() < meta_at);
        assert!(meta_at < out.find("<base").unwrap());
        assert!(!out.contains("unsafe-inline"));
        let meta_start = out.find("\n    <meta http-equiv").unwrap();
        let meta_end = meta_start + out[meta_start..].find('>').unwrap() + 1;
        assert_eq!(
            format!("{}{}", &out[..meta_start], &out[meta_end..]),
            TRUNK_PAGE
        );
    }

    #[test]
    fn the_hash_is_the_standard_sha256_in_base64() {
        // echo -n 'alert(1)' | openssl sha256 -binary | base64
        assert_eq!(
            hash_source("alert(1)"),
            "sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI="
        );
        assert_eq!(hash_source("a\r\nb"), hash_source("a\nb"));
    }

    #[test]
    fn refuses_what_a_hash_cannot_allow() {
        let page = |body: &str| {
            format!("<html><head><meta charset=utf-8></head><body>{body}</body></html>")
        };
        for (body, why) in [
            ("<p style=\"color:red\">x</p>", "inline style attribute"),
            ("<P STYLE='x'>x</P>", "inline style attribute"),
            ("<img src=x onerror=alert(1)>", "inline event handler"),
            ("<a href=\" javascript:alert(1)\">x</a>", "javascript: URL"),
            ("<style>p{}</style>", "inline <style>"),
            (
                "<script type=\"text/x-template\">x</script>",
                "may not cover",
            ),
            (
                "<meta http-equiv=\"content-security-policy\" content=\"x\">",
                "already has",
            ),
        ] {
            let err = add_policy(&page(body)).unwrap_err().to_string();
            assert!(err.contains(why), "{body}: {err}");
        }
        assert!(add_policy("<html><head></head></html>")
            .unwrap_err()
            .to_string()
            .contains("charset"));
    }

    #[test]
    fn ignores_markup_in_comments_scripts_and_data_blocks() {
        let html = "<meta charset=utf-8><!-- <p style=x> --><script>let s = '<p style=x>';</script>\
            <script type=\"application/json\">{\"a\":\"<b onclick=x>\"}</script><script src=a.js></script>";
        let out = add_policy(html).unwrap();
        assert_eq!(out.matches("'sha256-").count(), 1);
        assert!(out.contains(&hash_source("let s = '<p style=x>';")));
    }

    #[test]
    fn an_error_names_the_line() {
        let err = add_policy("<meta charset=utf-8>\n<p>\n<img src=x\n onload=y>")
            .unwrap_err()
            .to_string();
        assert_eq!(err, "line 3: inline event handler onload= on <img>");
    }

    /// What the HTML tokeniser gets right that a scanner of `<` and `>` needs special cases
    /// for: markup in comments and attribute values is not markup, tags are
    /// case-insensitive, `<![CDATA[` is a bogus comment up to the first `>` in HTML.
    #[test]
    fn tags_are_found_as_a_browser_finds_them() {
        let html = "<META CHARSET=utf-8><!-- <script>a()</script> <p style=x> -->\
            <a title=\"<script>b()</script>\" href=\"x\">x</a>\
            <![CDATA[ <p style=x> ]]>\
            <SCRIPT TYPE=\"MODULE\">c()</SCRIPT >";
        let out = add_policy(html).unwrap();
        assert_eq!(out.matches("'sha256-").count(), 1, "{out}");
        assert!(out.contains(&hash_source("c()")));
        assert!(out.starts_with("<META CHARSET=utf-8>\n    <meta http-equiv"));
    }

    /// What the hand-written scanner this replaced got wrong: a script ends only at `</script`
    /// followed by a space, `/` or `>` (not at `</scripts>` in a string, where the old scanner
    /// cut it and hashed the wrong text), and the text of `<title>` and `<textarea>` is text,
    /// not tags (the old scanner refused a `<style>` there).
    #[test]
    fn raw_text_ends_where_the_browser_ends_it() {
        let html = "<meta charset=utf-8><title>Why <style> is banned</title>\
            <script>let end = \"</scripts>\";</script>\
            <textarea><p style=x onclick=y></textarea>";
        let out = add_policy(html).unwrap();
        assert!(
            out.contains(&hash_source("let end = \"</scripts>\";")),
            "{out}"
        );
        assert_eq!(out.matches("'sha256-").count(), 1, "{out}");
    }

    #[test]
    fn a_page_without_inline_scripts_allows_only_its_own_origin() {
        let out = add_policy("<meta charset=utf-8><title>x</title>").unwrap();
        assert!(out.contains("script-src 'self' 'wasm-unsafe-eval';"));
        assert!(out.contains("object-src 'none'"));
    }

    fn directives(policy: &str) -> Vec<(&str, Vec<&str>)> {
        policy
            .split(';')
            .map(|d| {
                let mut words = d.split_whitespace();
                (words.next().unwrap_or(""), words.collect())
            })
            .collect()
    }

    #[test]
    fn string_sinks_take_trusted_types_from_the_default_policy_only() {
        let meta = policy(&["sha256-x".to_owned()]);
        let parsed = directives(&meta);
        assert!(parsed.contains(&("require-trusted-types-for", vec!["'script'"])));
        assert!(parsed.contains(&("trusted-types", vec!["default"])));
        let names: Vec<&str> = parsed.iter().map(|(n, _)| *n).collect();
        let mut unique = names.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), names.len(), "no directive twice: {meta}");
        // A <meta> policy may not carry frame-ancestors (browsers ignore it there).
        assert!(!names.contains(&"frame-ancestors"));
    }

    #[test]
    fn the_header_policy_is_the_meta_policy_without_scripts_and_with_frame_ancestors() {
        let meta = policy(&["sha256-x".to_owned()]);
        let mut expected: Vec<_> = directives(&meta)
            .into_iter()
            .filter(|(name, _)| !matches!(*name, "default-src" | "script-src"))
            .collect();
        expected.push(("frame-ancestors", vec!["'none'"]));
        assert_eq!(directives(HEADER_POLICY), expected);
        assert!(!HEADER_POLICY.contains("sha256-"));
    }
}
