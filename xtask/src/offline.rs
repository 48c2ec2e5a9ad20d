//! Makes the built site work offline: writes the service worker's precache list and version.
//!
//! Trunk copies `assets/sw.js` into the site as it is. After the page files and the
//! Content-Security-Policy are written, [`write_precache`] lists every file of the site (paths
//! relative to the service worker's scope, so the site works under any sub-path), hashes all
//! their contents into a version, and prepends `const VERSION = "…"; const PRECACHE = [...];` to
//! `sw.js`. A new deployment therefore has a new version, which the service worker installs
//! next to the old one and the page offers to switch to. It also checks that every icon the web
//! app manifest names exists in the site.

use sha2::{Digest, Sha256};
use std::{
    collections::BTreeMap,
    fs,
    path::{Path, PathBuf},
};

/// The first line of a `sw.js` that already carries a precache list.
const HEADER: &str =
    "// Written by `cargo xtask build`: this build's version and every file to precache.";

/// What [`write_precache`] wrote into `sw.js`.
#[derive(Debug)]
pub struct Precache {
    /// Hex digest (16 characters) of every file's path and contents, `sw.js` included.
    pub version: String,
    /// Paths relative to the site root, sorted.
    pub files: Vec<String>,
}

/// Prepends the version and precache list to `dist/sw.js` and checks the manifest's icons.
pub fn write_precache(dist: &Path) -> Result<Precache, Box<dyn std::error::Error>> {
    let sw_path = dist.join("sw.js");
    let worker = fs::read_to_string(&sw_path).map_err(|e| {
        format!(
            "{}: {e} (index.html must copy assets/sw.js with data-trunk rel=\"copy-file\")",
            sw_path.display()
        )
    })?;
    if worker.starts_with(HEADER) {
        return Err(format!("{} already has a precache list", sw_path.display()).into());
    }
    let mut contents = BTreeMap::new();
    collect(dist, dist, &mut contents)?;
    contents.remove("sw.js");
    check_manifest_icons(dist, &contents)?;

    let mut hasher = Sha256::new();
    for (path, bytes) in &contents {
        hasher.update((path.len() as u64).to_le_bytes());
        hasher.update(path.as_bytes());
        hasher.update((bytes.len() as u64).to_le_bytes());
        hasher.update(bytes);
    }
    hasher.update(worker.as_bytes());
    let version: String = hasher.finalize()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();

    let files = precache_list(&contents);
    let list = serde_json::to_string_pretty(&files)?;
    fs::write(
        &sw_path,
        format!("{HEADER}\nconst VERSION = \"{version}\";\nconst PRECACHE = {list};\n\n{worker}"),
    )?;
    let precache = Precache { version, files };
    let bytes: usize = precache.files.iter().map(|f| contents[f].len()).sum();
    println!(
        "    service worker version {}: {} files to precache ({:.0} KB)",
        precache.version,
        precache.files.len(),
        bytes as f64 / 1024.0
    );
    Ok(precache)
}

/// At most this many HTML pages are precached. The bundled corpus is inside the wasm, so the
/// reader can show any article offline from any page file; the limit only keeps a generated
/// 10,000-article site from fetching tens of thousands of pages into every visitor's cache.
/// Offline, a page beyond it is answered with `404.html` (the same app shell), whose router
/// still shows the right page.
pub const MAX_PAGES: usize = 1000;

/// Every file to precache: all of them, except that where `page.html` and `page/index.html`
/// are the same bytes (the same page for two kinds of static server) only `page/index.html` is
/// stored (the service worker answers a navigation to `page` from either), and only the first
/// [`MAX_PAGES`] HTML pages, shallowest first (home, 404 and data before articles, articles
/// before their briefs).
fn precache_list(contents: &BTreeMap<String, Vec<u8>>) -> Vec<String> {
    let (mut pages, mut files): (Vec<&String>, Vec<&String>) = contents
        .iter()
        .filter(|(path, bytes)| {
            let twin = path
                .strip_suffix(".html")
                .filter(|stem| !stem.ends_with("/index") && *stem != "index")
                .map(|stem| format!("{stem}/index.html"));
            twin.is_none_or(|twin| contents.get(&twin) != Some(*bytes))
        })
        .map(|(path, _)| path)
        .partition(|path| path.ends_with(".html"));
    pages.sort_by_key(|path| (path.matches('/').count(), path.as_str()));
    if pages.len() > MAX_PAGES {
        println!(
            "    precaching the first {MAX_PAGES} of {} pages; offline, the others open from the shell",
            pages.len()
        );
        pages.truncate(MAX_PAGES);
    }
    files.extend(pages);
    let mut list: Vec<String> = files.into_iter().cloned().collect();
    list.sort();
    list
}

fn collect(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) -> std::io::Result<()> {
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect(root, &path, out)?;
        } else {
            let relative = path
                .strip_prefix(root)
                .expect("under the root")
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            out.insert(relative, fs::read(&path)?);
        }
    }
    Ok(())
}

/// The manifest parses, names the app, and every icon it lists is a file of the site.
fn check_manifest_icons(
    dist: &Path,
    contents: &BTreeMap<String, Vec<u8>>,
) -> Result<(), Box<dyn std::error::Error>> {
    let bytes = contents
        .get("manifest.webmanifest")
        .ok_or("manifest.webmanifest is missing from the site (copy it in index.html)")?;
    let manifest: serde_json::Value = serde_json::from_slice(bytes)
        .map_err(|e| format!("{}: {e}", dist.join("manifest.webmanifest").display()))?;
    let icons = manifest["icons"]
        .as_array()
        .filter(|icons| !icons.is_empty())
        .ok_or("manifest.webmanifest lists no icons")?;
    for icon in icons {
        let src = icon["src"].as_str().ok_or("a manifest icon without src")?;
        let path = src.trim_start_matches("./");
        if !contents.contains_key(path) {
            return Err(format!("manifest icon {src} is not in the site").into());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twin_page_files_are_stored_once_and_everything_else_always() {
        let mut contents = BTreeMap::new();
        for (path, bytes) in [
            ("index.html", "shell"),
            ("404.html", "shell"),
            ("data.html", "shell"),
            ("data/index.html", "shell"),
            ("article/a.html", "shell"),
            ("article/a/index.html", "shell"),
            ("article/b.html", "prerendered b"),
            ("article/b/index.html", "something else"),
            ("app-0123.wasm", "wasm"),
            ("icons/icon-192.png", "png"),
        ] {
            contents.insert(path.to_owned(), bytes.as_bytes().to_vec());
        }
        assert_eq!(
            precache_list(&contents),
            [
                "404.html",
                "app-0123.wasm",
                "article/a/index.html",
                "article/b.html",
                "article/b/index.html",
                "data/index.html",
                "icons/icon-192.png",
                "index.html",
            ]
        );
    }

    #[test]
    fn a_huge_site_precaches_its_assets_and_the_shallowest_pages() {
        let mut contents = BTreeMap::new();
        for path in ["index.html", "404.html", "app.wasm", "icons/i.png"] {
            contents.insert(path.to_owned(), path.as_bytes().to_vec());
        }
        for n in 0..MAX_PAGES {
            let page = format!("article/a{n:05}");
            contents.insert(format!("{page}/index.html"), page.as_bytes().to_vec());
            contents.insert(format!("{page}/brief/b/index.html"), b"brief".to_vec());
        }
        let list = precache_list(&contents);
        assert_eq!(
            list.iter().filter(|p| p.ends_with(".html")).count(),
            MAX_PAGES
        );
        for kept in [
            "index.html",
            "404.html",
            "app.wasm",
            "icons/i.png",
            "article/a00997/index.html",
        ] {
            assert!(list.iter().any(|p| p == kept), "{kept}");
        }
        assert!(!list.iter().any(|p| p.contains("/brief/")));
        assert!(!list.iter().any(|p| p == "article/a00998/index.html"));
    }

    #[test]
    fn writes_version_and_list_into_the_worker_and_refuses_to_do_it_twice() {
        let dist = std::env::temp_dir().join(format!("broadsheet-offline-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dist);
        fs::create_dir_all(dist.join("icons")).unwrap();
        fs::write(dist.join("index.html"), "<p>home</p>").unwrap();
        fs::write(dist.join("icons/i.png"), "png").unwrap();
        fs::write(
            dist.join("manifest.webmanifest"),
            r#"{"name":"Broadsheet","icons":[{"src":"icons/i.png"}]}"#,
        )
        .unwrap();
        fs::write(dist.join("sw.js"), "self.x = 1;\n").unwrap();
        let first = write_precache(&dist).unwrap();
        assert_eq!(
            first.files,
            ["icons/i.png", "index.html", "manifest.webmanifest"]
        );
        let worker = fs::read_to_string(dist.join("sw.js")).unwrap();
        assert!(worker.starts_with(HEADER));
        assert!(worker.contains(&format!("const VERSION = \"{}\";", first.version)));
        assert!(worker.contains("\"manifest.webmanifest\""));
        assert!(worker.ends_with("self.x = 1;\n"));
        assert!(write_precache(&dist).is_err());

        // Any change to any file is a new version.
        fs::write(dist.join("sw.js"), "self.x = 1;\n").unwrap();
        fs::write(dist.join("index.html"), "<p>home, changed</p>").unwrap();
        let second = write_precache(&dist).unwrap();
        assert_ne!(first.version, second.version);

        // A manifest icon that is not built is an error.
        fs::write(dist.join("sw.js"), "self.x = 1;\n").unwrap();
        fs::remove_file(dist.join("icons/i.png")).unwrap();
        assert!(write_precache(&dist)
            .unwrap_err()
            .to_string()
            .contains("icons/i.png"));
        fs::remove_dir_all(&dist).unwrap();
    }
}
