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
//! header, with `frame-ancestors 'none'` (see `crate::site::headers_file`).

use base64::Engine as _;
use sha2::{Digest, Sha256};
use std::{
    fmt, fs,
    path::{Path, PathBuf},
};

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

/// Why a page cannot carry the strict policy.
#[derive(Debug, PartialEq, Eq)]
pub struct CspError {
    /// The page's path (or a description for in-memory input).
    pub page: String,
    /// What is wrong and where.
    pub reason: String,
}

impl fmt::Display for CspError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.page, self.reason)
    }
}

impl std::error::Error for CspError {}

/// Adds the policy to every `.html` file under `dist`; returns how many pages it wrote.
pub fn apply(dist: &Path) -> Result<usize, Box<dyn std::error::Error>> {
    let mut pages = Vec::new();
    html_files(dist, &mut pages)?;
    pages.sort();
    for page in &pages {
        let html = fs::read_to_string(page)?;
        let name = page
            .strip_prefix(dist)
            .unwrap_or(page)
            .display()
            .to_string();
        let with_policy = add_policy(&html).map_err(|reason| CspError { page: name, reason })?;
        fs::write(page, with_policy)?;
    }
    println!("    Content-Security-Policy added to {} pages", pages.len());
    Ok(pages.len())
}

fn html_files(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            html_files(&path, out)?;
        } else if path.extension().is_some_and(|x| x == "html") {
            out.push(path);
        }
    }
    Ok(())
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

/// `html` with the policy `<meta>` right after `<meta charset>`, or why it cannot have one.
pub fn add_policy(html: &str) -> Result<String, String> {
    let mut hashes = Vec::new();
    let mut charset_end = None;
    for element in scan(html)? {
        let at = line_of(html, element.start);
        for (name, value) in &element.attrs {
            let value = value.as_deref().unwrap_or("");
            if name == "style" {
                return Err(format!(
                    "line {at}: inline style attribute on <{}> (use a class)",
                    element.name
                ));
            }
            if name.starts_with("on") {
                return Err(format!(
                    "line {at}: inline event handler {name}= on <{}>",
                    element.name
                ));
            }
            if value
                .trim_start()
                .get(..11)
                .is_some_and(|v| v.eq_ignore_ascii_case("javascript:"))
            {
                return Err(format!("line {at}: javascript: URL in {name}="));
            }
        }
        match element.name.as_str() {
            "meta" if element.attr("charset").is_some() && charset_end.is_none() => {
                charset_end = Some(element.end);
            }
            "meta"
                if element
                    .attr("http-equiv")
                    .is_some_and(|v| v.eq_ignore_ascii_case("content-security-policy")) =>
            {
                return Err(format!("line {at}: the page already has a policy <meta>"));
            }
            "style" => {
                return Err(format!(
                    "line {at}: inline <style> element (use a stylesheet)"
                ))
            }
            "script" if element.attr("src").is_none() => {
                let kind = element
                    .attr("type")
                    .unwrap_or("")
                    .trim()
                    .to_ascii_lowercase();
                match kind.as_str() {
                    "" | "module" | "text/javascript" | "application/javascript" | "importmap" => {
                        hashes.push(hash_source(element.text.unwrap_or("")));
                    }
                    // Data blocks are never run, so the policy does not apply to them.
                    "application/json" | "application/ld+json" => {}
                    other => {
                        return Err(format!(
                            "line {at}: inline <script type=\"{other}\"> that a hash may not cover"
                        ))
                    }
                }
            }
            _ => {}
        }
    }
    let Some(insert_at) = charset_end else {
        return Err("no <meta charset> to put the policy after".to_owned());
    };
    hashes.sort();
    hashes.dedup();
    let meta = format!(
        "\n    <meta http-equiv=\"Content-Security-Policy\" content=\"{}\">",
        policy(&hashes)
    );
    let mut out = String::with_capacity(html.len() + meta.len());
    out.push_str(&html[..insert_at]);
    out.push_str(&meta);
    out.push_str(&html[insert_at..]);
    Ok(out)
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

/// A start tag, with the text of `<script>` and `<style>` elements.
#[derive(Debug)]
pub(crate) struct Element<'a> {
    /// Lower-case tag name.
    pub(crate) name: String,
    /// Lower-case attribute names with their unescaped-as-written values.
    attrs: Vec<(String, Option<String>)>,
    /// Byte offset of `<`.
    pub(crate) start: usize,
    /// Byte offset just past the start tag's `>`.
    end: usize,
    /// Raw text between the start tag and its end tag, for raw-text elements.
    pub(crate) text: Option<&'a str>,
}

impl Element<'_> {
    pub(crate) fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_deref().unwrap_or(""))
    }
}

/// Every start tag in `html`, skipping comments, doctypes and end tags. Enough of the HTML
/// tokeniser for pages this build writes: quoted and unquoted attributes, raw-text elements.
pub(crate) fn scan(html: &str) -> Result<Vec<Element<'_>>, String> {
    let bytes = html.as_bytes();
    let mut elements = Vec::new();
    let mut i = 0;
    while let Some(offset) = html[i..].find('<') {
        let start = i + offset;
        let rest = &html[start..];
        if rest.starts_with("<!--") {
            let close = rest
                .find("-->")
                .ok_or_else(|| format!("line {}: unclosed comment", line_of(html, start)))?;
            i = start + close + 3;
            continue;
        }
        if rest.starts_with("<!") || rest.starts_with("</") || rest.starts_with("<?") {
            i = start + rest.find('>').map_or(rest.len(), |e| e + 1);
            continue;
        }
        if !bytes
            .get(start + 1)
            .is_some_and(|b| b.is_ascii_alphabetic())
        {
            i = start + 1;
            continue;
        }
        let (mut element, end) = start_tag(html, start)?;
        i = end;
        if element.name == "script" || element.name == "style" {
            let close = format!("</{}", element.name);
            let text_end = find_ascii_ci(&html[end..], &close)
                .map(|p| end + p)
                .ok_or_else(|| {
                    format!(
                        "line {}: <{}> without its end tag",
                        line_of(html, start),
                        element.name
                    )
                })?;
            element.text = Some(&html[end..text_end]);
            i = text_end;
        }
        elements.push(element);
    }
    Ok(elements)
}

/// Parses the start tag at `start`; returns it and the offset just past its `>`.
fn start_tag(html: &str, start: usize) -> Result<(Element<'_>, usize), String> {
    let bytes = html.as_bytes();
    let unclosed = || format!("line {}: unclosed tag", line_of(html, start));
    let mut i = start + 1;
    while i < bytes.len() && !is_space(bytes[i]) && bytes[i] != b'>' && bytes[i] != b'/' {
        i += 1;
    }
    let name = html[start + 1..i].to_ascii_lowercase();
    let mut attrs = Vec::new();
    loop {
        while i < bytes.len() && (is_space(bytes[i]) || bytes[i] == b'/') {
            i += 1;
        }
        match bytes.get(i) {
            None => return Err(unclosed()),
            Some(b'>') => break,
            Some(_) => {}
        }
        let name_start = i;
        while i < bytes.len() && !is_space(bytes[i]) && !matches!(bytes[i], b'>' | b'=' | b'/') {
            i += 1;
        }
        let attr_name = html[name_start..i].to_ascii_lowercase();
        while i < bytes.len() && is_space(bytes[i]) {
            i += 1;
        }
        let mut value = None;
        if bytes.get(i) == Some(&b'=') {
            i += 1;
            while i < bytes.len() && is_space(bytes[i]) {
                i += 1;
            }
            match bytes.get(i) {
                Some(&q @ (b'"' | b'\'')) => {
                    let close = html[i + 1..].find(q as char).ok_or_else(unclosed)?;
                    value = Some(html[i + 1..i + 1 + close].to_owned());
                    i += close + 2;
                }
                Some(_) => {
                    let value_start = i;
                    while i < bytes.len() && !is_space(bytes[i]) && bytes[i] != b'>' {
                        i += 1;
                    }
                    value = Some(html[value_start..i].to_owned());
                }
                None => return Err(unclosed()),
            }
        }
        attrs.push((attr_name, value));
    }
    let end = i + 1;
    let element = Element {
        name,
        attrs,
        start,
        end,
        text: None,
    };
    Ok((element, end))
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c')
}

fn find_ascii_ci(haystack: &str, needle: &str) -> Option<usize> {
    haystack
        .as_bytes()
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
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
            let err = add_policy(&page(body)).unwrap_err();
            assert!(err.contains(why), "{body}: {err}");
        }
        assert!(add_policy("<html><head></head></html>")
            .unwrap_err()
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
