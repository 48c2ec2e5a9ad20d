//! The release site: Trunk's build plus a page file for every URL, and a real static server.

use crate::{root, step, tools};
use broadsheet::{corpus::Corpus, ui::prerender};
use std::{
    fs,
    net::TcpListener,
    path::{Path, PathBuf},
    process::{Child, Command},
    thread,
    time::{Duration, Instant},
};

/// `trunk build --release`, then one HTML file per article and brief, and `404.html`; then the
/// Content-Security-Policy in every page, and last the service worker's precache list (it hashes
/// the final files).
pub fn build(public_url: &str, dist: &Path) {
    let public_url = normalise_public_url(public_url);
    step(
        &format!("release build for {public_url} into {}", dist.display()),
        tools::command("trunk")
            .args(["build", "--release", "--public-url", &public_url, "--dist"])
            .arg(dist)
            .env_remove("NO_COLOR"),
    );
    // Trunk.toml's `pattern_preload = ""`: the first paint does not share the network with the
    // wasm download.
    let shell = fs::read_to_string(dist.join("index.html")).unwrap_or_default();
    assert!(
        !shell.contains("preload"),
        "Trunk preloads the app in {} (see pattern_preload in Trunk.toml)",
        dist.join("index.html").display()
    );
    // Trunk.toml's hook: a plain `trunk build` works on a static host through 404.html.
    assert_eq!(
        fs::read(dist.join("404.html")).ok(),
        fs::read(dist.join("index.html")).ok(),
        "Trunk's post-build hook should copy index.html to 404.html (see Trunk.toml)"
    );
    write_page_files(dist, &public_url)
        .unwrap_or_else(|e| panic!("write page files into {}: {e}", dist.display()));
    crate::csp::apply(dist).unwrap_or_else(|e| panic!("Content-Security-Policy: {e}"));
    crate::offline::write_precache(dist).unwrap_or_else(|e| panic!("service worker: {e}"));
}

/// `/reader` and `reader/` both mean `/reader/`.
fn normalise_public_url(url: &str) -> String {
    let trimmed = url.trim_matches('/');
    if trimmed.is_empty() {
        "/".to_owned()
    } else {
        format!("/{trimmed}/")
    }
}

/// Every page gets a file of its own, rendered ahead of time by the app's own components, so
/// its text shows before the wasm loads, without JavaScript too, and deep links and reloads
/// work on any static host (`page/index.html` for servers that look for folders, `page.html`
/// for those that add `.html`). Unknown URLs get `404.html`, the not-found page.
fn write_page_files(dist: &Path, public_url: &str) -> std::io::Result<()> {
    let shell = inline_boot_script(dist, &fs::read_to_string(dist.join("index.html"))?)?;
    // The articles Trunk's build just bundled ($BROADSHEET_ARTICLES or articles/), which may
    // not be the ones compiled into this xtask.
    let files = article_files(&articles_dir())?;
    let installed = Corpus::install(Corpus::from_files(
        files
            .iter()
            .map(|(name, bytes)| (name.as_str(), bytes.as_slice())),
    ));
    if !installed {
        return Err(std::io::Error::other(
            "the corpus was already in use before the build",
        ));
    }
    let corpus = Corpus::bundled();
    for failure in corpus.failures() {
        eprintln!("    skipped {}: {}", failure.file, failure.error);
    }
    let mut pages = vec!["data".to_owned()];
    for article in corpus.articles() {
        pages.push(format!("article/{}", article.slug));
        for entry in &article.related {
            pages.push(format!("article/{}/brief/{}", article.slug, entry.slug));
        }
    }
    let page_html = |path: Option<&str>| -> std::io::Result<String> {
        let page = prerender::render(public_url, path)
            .ok_or_else(|| std::io::Error::other(format!("no page for {path:?}")))?;
        fill_shell(&shell, &page)
    };
    for page in &pages {
        let html = page_html(Some(&format!("/{page}")))?;
        let dir = dist.join(page);
        fs::create_dir_all(&dir)?;
        fs::write(dir.join("index.html"), &html)?;
        fs::write(dist.join(format!("{page}.html")), &html)?;
    }
    fs::write(dist.join("index.html"), page_html(Some("/"))?)?;
    fs::write(dist.join("404.html"), page_html(None)?)?;
    println!(
        "    rendered {} pages ahead of time, plus the front page and 404.html",
        pages.len()
    );
    Ok(())
}

/// The theme boot script runs before first paint, so it blocks the parser: inline it to save
/// a round trip (the CSP step hashes it like any inline script).
fn inline_boot_script(dist: &Path, shell: &str) -> std::io::Result<String> {
    const TAG: &str = "<script src=\"boot.js\"></script>";
    if !shell.contains(TAG) {
        return Ok(shell.to_owned());
    }
    let script = fs::read_to_string(dist.join("boot.js"))?;
    Ok(shell.replace(TAG, &format!("<script>{}</script>", script.trim())))
}

/// Puts a rendered page into Trunk's shell: its title, and its body inside
/// `<div id="prerendered">`, which the app replaces when it starts.
fn fill_shell(shell: &str, page: &prerender::Prerendered) -> std::io::Result<String> {
    let missing = |what: &str| std::io::Error::other(format!("index.html has no {what}"));
    let title_start = shell.find("<title>").ok_or_else(|| missing("<title>"))?;
    let title_end = shell[title_start..]
        .find("</title>")
        .map(|i| title_start + i + "</title>".len())
        .ok_or_else(|| missing("</title>"))?;
    let body = shell.rfind("</body>").ok_or_else(|| missing("</body>"))?;
    Ok(format!(
        "{}<title>{}</title>{}<div id=\"prerendered\">{}</div>{}",
        &shell[..title_start],
        escape_text(&page.title),
        &shell[title_end..body],
        page.body,
        &shell[body..]
    ))
}

fn escape_text(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The folder of article files the build bundles: `articles/`, or `$BROADSHEET_ARTICLES`
/// (which build.rs honours too).
pub fn articles_dir() -> PathBuf {
    std::env::var_os("BROADSHEET_ARTICLES").map_or_else(|| root().join("articles"), PathBuf::from)
}

fn article_files(dir: &Path) -> std::io::Result<Vec<(String, Vec<u8>)>> {
    let mut files = Vec::new();
    for entry in fs::read_dir(dir)? {
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

/// nginx serving `site_root` on a free loopback port, `404.html` for unknown paths under
/// `/reader/`; gzip for text and wasm if asked (Debian's nginx-light has gzip but no brotli).
/// One process (no master, so stopping it leaves no worker behind) in a run folder of its own,
/// keyed by port, so that servers of other runs on the machine never share a pid file.
/// Stopped, and its run folder removed, on drop.
pub struct Nginx {
    child: Child,
    port: u16,
    run_dir: PathBuf,
}

impl Nginx {
    pub fn start(site_root: &Path) -> Self {
        Self::start_with(site_root, false)
    }

    pub fn start_with(site_root: &Path, gzip: bool) -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free loopback port");
        let run_dir = root().join(format!("target/nginx/{port}"));
        fs::create_dir_all(&run_dir).expect("create nginx run folder");
        let is_root = Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|o| o.stdout.starts_with(b"0\n"));
        let conf = format!(
            r#"{user}
daemon off;
master_process off;
pid {run}/nginx.pid;
error_log {run}/error.log;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    types {{ application/manifest+json webmanifest; }}
    access_log off;
{gzip}
    client_body_temp_path {run}/body;
    proxy_temp_path {run}/proxy;
    fastcgi_temp_path {run}/fastcgi;
    uwsgi_temp_path {run}/uwsgi;
    scgi_temp_path {run}/scgi;
    server {{
        listen 127.0.0.1:{port};
        root {site};
        location /reader/ {{
            try_files $uri $uri/index.html $uri.html =404;
            error_page 404 /reader/404.html;
        }}
    }}
}}
"#,
            user = if is_root { "user root;" } else { "" },
            run = run_dir.display(),
            site = site_root.display(),
            gzip = if gzip {
                "    gzip on;\n    gzip_comp_level 6;\n    gzip_min_length 256;\n    gzip_types text/css application/javascript text/javascript application/wasm application/json application/manifest+json image/svg+xml;"
            } else {
                ""
            },
        );
        let conf_path = run_dir.join("nginx.conf");
        fs::write(&conf_path, conf).expect("write nginx.conf");
        println!(
            "==> start nginx{} on 127.0.0.1:{port} serving {}",
            if gzip { " with gzip" } else { "" },
            site_root.display()
        );
        // setpriv (util-linux, on every Debian): nginx gets SIGTERM when xtask ends, also when a
        // failed step exits the process without running this server's destructor.
        let child = Command::new("setpriv")
            .args(["--pdeathsig", "TERM", "/usr/sbin/nginx", "-c"])
            .arg(&conf_path)
            .arg("-p")
            .arg(&run_dir)
            .spawn()
            .expect("start nginx (apt-get install nginx-light)");
        let server = Nginx {
            child,
            port,
            run_dir,
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        while !server.listening() {
            assert!(
                Instant::now() < deadline,
                "nginx did not start: see {}/error.log",
                server.run_dir.display()
            );
            thread::sleep(Duration::from_millis(50));
        }
        server
    }

    pub fn origin(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Whether it accepts connections now.
    pub fn listening(&self) -> bool {
        std::net::TcpStream::connect_timeout(
            &std::net::SocketAddr::from(([127, 0, 0, 1], self.port)),
            Duration::from_secs(2),
        )
        .is_ok()
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = fs::remove_dir_all(&self.run_dir);
    }
}

/// Prints raw and brotli-compressed sizes of what an article link loads first.
pub fn report_sizes(dist: &Path) {
    let mut total_raw = 0;
    let mut total_br = 0;
    let mut files: Vec<PathBuf> = fs::read_dir(dist)
        .map(|d| {
            d.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file())
                .collect()
        })
        .unwrap_or_default();
    files.retain(|p| {
        let name = p.file_name().unwrap().to_string_lossy();
        name == "index.html"
            || name.ends_with(".wasm")
            || name.ends_with(".js")
            || name.ends_with(".css")
    });
    files.sort();
    for file in &files {
        let raw = fs::metadata(file).map(|m| m.len()).unwrap_or(0);
        let out = Command::new("brotli")
            .arg("-c")
            .arg("-q")
            .arg("11")
            .arg(file)
            .output();
        let br = out.map(|o| o.stdout.len() as u64).unwrap_or(0);
        println!(
            "    {:<48} {:>9} B raw {:>9} B brotli",
            file.file_name().unwrap().to_string_lossy(),
            raw,
            br
        );
        total_raw += raw;
        total_br += br;
    }
    println!(
        "first-load transfer (html+js+wasm+css): {total_raw} B raw, {total_br} B brotli ({:.1} KB)",
        total_br as f64 / 1024.0
    );
}
