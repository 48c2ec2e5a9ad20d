//! The page files: every URL of the site rendered ahead of time into Trunk's shell.

use crate::{
    csp::{self, insert_at_first, Place},
    feeds::{self, SiteUrl},
    output::Output,
    progress,
    source::Source,
};
use anyhow::{ensure, Context as _};
use broadsheet::routes::{self, Route};
use broadsheet::{
    library::Library,
    site_data::{SiteData, PAGE_DATA},
    ui::prerender,
};
use lol_html::{element, end_tag, html_content::ContentType, rewrite_str, RewriteStrSettings};
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use std::{cell::Cell, collections::BTreeMap, fs, path::Path, rc::Rc, sync::Arc};

/// Bumped when the page files' making changes in a way the program's identity does not show.
const CACHE_FORMAT: &str = "3";

/// Every page gets a file of its own, rendered ahead of time by the app's own components, so
/// its text shows before the wasm loads, without JavaScript too, and deep links and reloads
/// work on any static host (`page/index.html` for servers that look for folders, `page.html`
/// for those that add `.html`). Unknown URLs get `404.html`, the not-found page; the front page
/// is `index.html`. Each page carries its Content-Security-Policy and the preloads of the data
/// it needs first. Pages are rendered on every core; a page whose inputs are those of the last
/// build (see [`Cache`]) is not rendered again. Returns (pages rendered, pages reused).
#[allow(clippy::too_many_arguments)]
pub fn write_all(
    shell: &str,
    out: &Output,
    public_url: &str,
    site_url: Option<&SiteUrl>,
    source: &Source,
    data: &Arc<SiteData>,
    cache: &mut Cache,
) -> anyhow::Result<(usize, usize)> {
    let cache_ref: &Cache = cache;
    let corpus = &source.corpus;
    // The build's own data (its article files named by their hashes), which the pages'
    // preloads name.
    let library = Library::memory(Arc::clone(corpus), Arc::clone(data));
    let mut routes: Vec<Route> = routes::pages(corpus);
    routes.push(Route::NotFound);
    let keys: Vec<Option<String>> = routes
        .iter()
        .map(|route| page_key(route, source, data))
        .collect();
    let bar = progress::bar(routes.len(), "render");
    let reused = std::sync::atomic::AtomicUsize::new(0);
    let new_keys: Vec<(String, String)> = routes
        .par_iter()
        .zip(&keys)
        .map(|(route, key)| -> anyhow::Result<Vec<(String, String)>> {
            let files = page_files(route);
            let unchanged = key
                .as_ref()
                .is_some_and(|key| files.iter().all(|file| cache_ref.holds(out, file, key)));
            if unchanged {
                // The last build's files, as they are: not even read.
                for file in &files {
                    out.keep(file);
                }
                reused.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            } else {
                let page = prerender::render(&library, public_url, route)
                    .with_context(|| format!("no page for {}", route.path()))?;
                let links = site_url.map(|site| feeds::head_links(site, route));
                let html = csp::add_policy(&fill_shell(
                    shell,
                    &page.title,
                    &page.body,
                    links.as_deref().unwrap_or_default(),
                    &page.preloads,
                    page.data.as_deref(),
                )?)
                .with_context(|| route.path())?;
                for file in &files {
                    out.write(file, html.as_bytes())?;
                }
            }
            bar.inc(1);
            Ok(key
                .iter()
                .flat_map(|key| files.iter().map(move |f| (f.clone(), key.clone())))
                .collect())
        })
        .collect::<anyhow::Result<Vec<_>>>()?
        .into_iter()
        .flatten()
        .collect();
    bar.finish_and_clear();
    cache.pages = new_keys.into_iter().collect();
    let reused = reused.into_inner();
    Ok((routes.len() - reused, reused))
}

/// The files of a page, relative to the site: `index.html`, `404.html`, or
/// `PAGE/index.html` and `PAGE.html` (a corpus's slugs are URL-safe, so a page's path is also
/// its file's).
fn page_files(route: &Route) -> Vec<String> {
    match route {
        Route::Home => vec!["index.html".to_owned()],
        Route::NotFound => vec!["404.html".to_owned()],
        _ => {
            let path = route.path();
            let page = path.trim_start_matches('/');
            vec![format!("{page}/index.html"), format!("{page}.html")]
        }
    }
}

/// What an article or brief page is made of besides the shell and the code: its path, the
/// article's bytes (its data file is named by their hash) and where the build placed it (its
/// list entry and resolved "Read next" links, which the page also carries as its data). The
/// page names no data version and shows nothing else of the site, so it is the same bytes
/// while these are. `None` for the other pages (the front page lists the newest stories,
/// "Your data" and the not-found page are cheap): they are rendered every time. If an article
/// page comes to show more of the site (say, other stories of its topic), that must join its
/// key.
fn page_key(route: &Route, source: &Source, data: &SiteData) -> Option<String> {
    let slug = match route {
        Route::Article { slug } => slug,
        Route::Brief { article, .. } => article,
        _ => return None,
    };
    let located = data.locate(slug)?;
    let mut hasher = Sha256::new();
    for part in [
        route.path(),
        source.files.get(slug)?.clone(),
        serde_json::to_string(&located).ok()?,
    ] {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part.as_bytes());
    }
    Some(hex(&hasher.finalize()[..16]))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// What the last build rendered, kept outside the site (in the target folder): each page
/// file's inputs ([`page_key`]), and what they were rendered with (the shell, the public URL,
/// this program). A page whose key is unchanged is the last build's file, byte for byte,
/// instead of a new render.
#[derive(Default, serde::Serialize, serde::Deserialize)]
pub struct Cache {
    /// What every page depends on: see [`Cache::context`].
    context: String,
    /// Page file -> key.
    pages: BTreeMap<String, String>,
}

impl Cache {
    /// The cache in `file`, if it was written for this `context`; else an empty one.
    pub fn load(file: Option<&Path>, context: &str) -> Cache {
        let cache: Option<Cache> = file
            .and_then(|f| fs::read(f).ok())
            .and_then(|bytes| serde_json::from_slice(&bytes).ok());
        match cache {
            Some(cache) if cache.context == context => cache,
            _ => Cache {
                context: context.to_owned(),
                ..Cache::default()
            },
        }
    }

    /// What every page is made with: the shell, the public URL, the site's address and this
    /// program (its size and modification time: a rebuilt program renders afresh).
    pub fn context(shell: &str, public_url: &str, site_url: Option<&SiteUrl>) -> String {
        let program = std::env::current_exe()
            .and_then(fs::metadata)
            .map(|m| format!("{} {:?}", m.len(), m.modified().ok()))
            .unwrap_or_default();
        let mut hasher = Sha256::new();
        let site_url = site_url.map_or("", SiteUrl::as_str);
        for part in [shell, public_url, site_url, &program, CACHE_FORMAT] {
            hasher.update((part.len() as u64).to_le_bytes());
            hasher.update(part.as_bytes());
        }
        hex(&hasher.finalize()[..16])
    }

    pub fn save(&self, file: &Path) -> anyhow::Result<()> {
        if let Some(dir) = file.parent() {
            fs::create_dir_all(dir)?;
        }
        fs::write(file, serde_json::to_vec(self)?).with_context(|| file.display().to_string())
    }

    /// Whether the last build wrote the page file `file` with the key `key`, and it is still
    /// there.
    fn holds(&self, out: &Output, file: &str, key: &str) -> bool {
        self.pages.get(file).map(String::as_str) == Some(key) && out.root().join(file).is_file()
    }
}

/// Trunk's `index.html` from `trunk_dir`, made ready to take pages: the theme boot script and
/// the head scripts inline.
pub fn shell(trunk_dir: &Path) -> anyhow::Result<String> {
    let index = trunk_dir.join("index.html");
    let html = fs::read_to_string(&index).with_context(|| index.display().to_string())?;
    start_after_first_paint(&inline_head_scripts(&inline_boot_script(
        trunk_dir, &html,
    )?)?)
}

/// Trunk's loader imports the app's JS at once and starts the wasm's download as soon as the
/// document is parsed, so on a slow network the app's bytes share the bandwidth with the first
/// paint, and a browser (or Lighthouse's simulation) may count them as what the largest paint
/// waited for. The same loader, but started after the page's first frame: the JS is imported
/// then (`import()`), and the wasm fetched from there. In a hidden tab, which paints no frame,
/// it starts at once. Everything else is Trunk's: the `TrunkApplicationStarted` event and
/// `window.wasmBindings`.
fn start_after_first_paint(shell: &str) -> anyhow::Result<String> {
    const OPEN: &str = "<script type=\"module\">";
    let start = shell
        .find(OPEN)
        .context("index.html has no <script type=\"module\"> (Trunk's loader)")?;
    let end = start
        + shell[start..]
            .find("</script>")
            .context("Trunk's loader has no </script>")?;
    let loader = &shell[start + OPEN.len()..end];
    let quoted_after = |marker: &str| {
        let at = loader.find(marker)? + marker.len();
        let len = loader[at..].find('\'')?;
        Some(&loader[at..at + len])
    };
    let (Some(js), Some(wasm)) = (
        quoted_after("* as bindings from '"),
        quoted_after("module_or_path: '"),
    ) else {
        anyhow::bail!(
            "Trunk's loader is not the one the build knows (Trunk 0.21's \
             `import init, * as bindings from '…'` and `module_or_path: '…'`):\n{loader}"
        );
    };
    let ours = format!(
        "\nawait new Promise((go) => document.visibilityState === 'visible' ? \
         requestAnimationFrame(() => setTimeout(go)) : go());\n\
         const bindings = await import('{js}');\n\
         const wasm = await bindings.default({{ module_or_path: '{wasm}' }});\n\
         window.wasmBindings = bindings;\n\
         dispatchEvent(new CustomEvent(\"TrunkApplicationStarted\", {{detail: {{wasm}}}}));\n"
    );
    Ok(format!("{}{OPEN}{ours}{}", &shell[..start], &shell[end..]))
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

/// Puts a rendered page into Trunk's shell: its title, its `head_links` (the canonical and feed
/// links, [`feeds::head_links`]), a `<link rel="preload">` for each data
/// file it needs first (paths relative to the base, so they download alongside the wasm), its
/// data for the app (`data`, JSON) as `<script type="application/json" id="page-data">`, and
/// its body inside `<div id="prerendered">` at the end of `<body>`, which the app replaces when
/// it starts.
fn fill_shell(
    shell: &str,
    title: &str,
    body: &str,
    head_links: &str,
    preloads: &[String],
    data: Option<&str>,
) -> anyhow::Result<String> {
    let mut titled = false;
    let head_filled = Rc::new(Cell::new(false));
    let body_filled = Rc::new(Cell::new(false));
    let links: String = std::iter::once(head_links.to_owned())
        .chain(preloads.iter().map(|path| {
            format!(
                "<link rel=\"preload\" as=\"fetch\" crossorigin=\"anonymous\" href=\"{}\">\n",
                escape_attribute(path)
            )
        }))
        .chain(data.map(|json| {
            // Inside <script>, "</script" or "<!--" would end or bend the block: JSON may
            // spell `<` as \u003c instead.
            format!(
                "<script type=\"application/json\" id=\"{PAGE_DATA}\">{}</script>\n",
                json.replace('<', "\\u003c")
            )
        }))
        .collect();
    let out = rewrite_str(
        shell,
        RewriteStrSettings::new()
            .append_element_content_handler(element!("title", |el| {
                if !titled {
                    el.set_inner_content(title, ContentType::Text);
                    titled = true;
                }
                Ok(())
            }))
            .append_element_content_handler(element!("head", |el| {
                let links = links.clone();
                let head_filled = Rc::clone(&head_filled);
                el.on_end_tag(end_tag!(move |end| {
                    end.before(&links, ContentType::Html);
                    head_filled.set(true);
                    Ok(())
                }))
            }))
            .append_element_content_handler(element!("body", |el| {
                let prerendered = format!("<div id=\"prerendered\">{body}</div>");
                let body_filled = Rc::clone(&body_filled);
                el.on_end_tag(end_tag!(move |end| {
                    end.before(&prerendered, ContentType::Html);
                    body_filled.set(true);
                    Ok(())
                }))
            })),
    )?;
    ensure!(titled, "index.html has no <title>");
    ensure!(head_filled.get(), "index.html has no </head>");
    ensure!(body_filled.get(), "index.html has no </body>");
    Ok(out)
}

fn escape_attribute(value: &str) -> String {
    value
        .replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_app_is_imported_and_its_wasm_fetched_after_the_first_frame() {
        // Trunk 0.21.14's loader, as it writes it.
        let shell = "<head>\n<script>boot()</script>\n<script type=\"module\">\n\
            import init, * as bindings from '/reader/app-0123456789abcdef.js';\n\
            const wasm = await init({ module_or_path: '/reader/app-0123456789abcdef_bg.wasm' });\n\n\n\
            window.wasmBindings = bindings;\n\n\n\
            dispatchEvent(new CustomEvent(\"TrunkApplicationStarted\", {detail: {wasm}}));\n\n\
            </script>\n</head><body></body>";
        let out = start_after_first_paint(shell).unwrap();
        assert!(out.starts_with("<head>\n<script>boot()</script>\n<script type=\"module\">"));
        assert!(out.ends_with("</script>\n</head><body></body>"), "{out}");
        let loader = &out[out.find("type=\"module\">").unwrap()..];
        let wait = loader.find("requestAnimationFrame").unwrap();
        let import = loader
            .find("await import('/reader/app-0123456789abcdef.js')")
            .unwrap();
        let fetch = loader
            .find("module_or_path: '/reader/app-0123456789abcdef_bg.wasm'")
            .unwrap();
        assert!(wait < import && import < fetch, "{loader}");
        assert!(
            !loader.contains(" from '"),
            "no static import left: {loader}"
        );
        assert!(loader.contains("TrunkApplicationStarted"));
        assert!(loader.contains("window.wasmBindings = bindings"));
        // A loader the build does not know is an error, not a page that never starts.
        let changed = shell.replace("module_or_path", "module");
        let err = start_after_first_paint(&changed).unwrap_err().to_string();
        assert!(
            err.contains("Trunk's loader is not the one the build knows"),
            "{err}"
        );
        assert!(start_after_first_paint("<head></head>").is_err());
    }

    #[test]
    fn the_page_fills_the_title_the_preloads_and_the_end_of_the_body() {
        // A string search found the `<title>` in the comment; the tokeniser does not.
        let shell = "<!DOCTYPE html>\n<html><head><!-- no <title> here -->\
            <title>Broadsheet</title></head>\n<body><p>x</p></body>\n</html>\n";
        let preloads = ["data/site.json".to_owned(), "data/a\"b&c.txt".to_owned()];
        let body = "<main><h1>A &amp; B</h1></main>";
        assert_eq!(
            fill_shell(shell, "A & B <i>", body, "", &preloads, Some("{\"a\":\"</script>\"}")).unwrap(),
            "<!DOCTYPE html>\n<html><head><!-- no <title> here -->\
            <title>A &amp; B &lt;i&gt;</title>\
            <link rel=\"preload\" as=\"fetch\" crossorigin=\"anonymous\" href=\"data/site.json\">\n\
            <link rel=\"preload\" as=\"fetch\" crossorigin=\"anonymous\" href=\"data/a&quot;b&amp;c.txt\">\n\
            <script type=\"application/json\" id=\"page-data\">{\"a\":\"\\u003c/script>\"}</script>\n\
            </head>\n<body><p>x</p>\
            <div id=\"prerendered\"><main><h1>A &amp; B</h1></main></div></body>\n</html>\n"
        );
        let untitled = "<html><head></head><body></body></html>";
        assert!(fill_shell(untitled, "t", body, "", &[], None)
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
