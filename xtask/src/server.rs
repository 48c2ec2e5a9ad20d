//! A real static server for the tests and benchmarks: nginx (found by [`tools::NGINX`]),
//! configured like the README's snippet, on a free loopback port.

use crate::{root, tools};
use anyhow::Context;
use broadsheet_site::headers::nginx_config;
use std::{
    fs,
    net::TcpListener,
    path::{Path, PathBuf},
    process::{Child, Command},
    thread,
    time::{Duration, Instant},
};

/// nginx serving `site_root` on a free loopback port, `404.html` for unknown paths under
/// `/reader/` (and under `/archive/`, the end-to-end tests' archive site), with the headers a
/// host should send ([`nginx_config`]); gzip for text and wasm if asked (Debian's nginx-light
/// has gzip but no brotli).
/// One process (no master, so stopping it leaves no worker behind) in a run folder of its own,
/// keyed by port, so that servers of other runs on the machine never share a pid file.
/// Stopped, and its run folder removed, on drop.
pub struct Nginx {
    child: Child,
    port: u16,
    run_dir: PathBuf,
}

/// What a file's extension says it is: the types the built site serves (nginx's own default,
/// `text/plain`, for anything else). Written here rather than included from the system's
/// `mime.types`, whose place depends on how nginx was installed; the same as Debian's.
const MIME_TYPES: &str = "types {
        text/html html;
        text/css css;
        application/javascript js;
        application/wasm wasm;
        application/json json;
        application/manifest+json webmanifest;
        image/svg+xml svg;
        image/png png;
        image/x-icon ico;
        font/woff woff;
        font/woff2 woff2;
        text/plain txt;
        text/xml xml;
    }";

/// How many ports to try before giving up.
const ATTEMPTS: u32 = 5;

impl Nginx {
    pub fn start(site_root: &Path) -> anyhow::Result<Self> {
        Self::start_with(site_root, false)
    }

    /// Starts nginx on a port the system reports free. That port is free only at the moment
    /// it was asked for: another process may take it before nginx binds it. nginx cannot be
    /// handed a socket this process holds (only its own binary upgrade passes sockets on), so
    /// the race is detected instead: nginx writes its pid file only after it has bound every
    /// port, and exits when a bind fails. Until the pid file is there and the port answers,
    /// the server is not ready (the port answering alone could be the other process); if
    /// nginx exits saying the address is in use, it is started again on a new port.
    pub fn start_with(site_root: &Path, gzip: bool) -> anyhow::Result<Self> {
        let nginx = tools::NGINX.path()?;
        for _ in 0..ATTEMPTS {
            if let Some(server) = Self::try_start(&nginx, site_root, gzip)? {
                return Ok(server);
            }
        }
        anyhow::bail!("nginx found no free port in {ATTEMPTS} attempts")
    }

    /// Starts nginx on a fresh port; `None` if another process took that port first.
    fn try_start(nginx: &Path, site_root: &Path, gzip: bool) -> anyhow::Result<Option<Self>> {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free loopback port");
        let run_dir = root().join(format!("target/nginx/{port}"));
        fs::create_dir_all(&run_dir).with_context(|| format!("create {}", run_dir.display()))?;
        // The same headers as the README's nginx snippet and the build's `_headers`, so that
        // the end-to-end tests run under them.
        let headers = nginx_config("/reader/");
        // The end-to-end tests' archive site (xtask/src/archive.rs) has a location of its own.
        let archive = nginx_config(crate::archive::PATH);
        let conf = format!(
            r#"{user}
daemon off;
master_process off;
pid {run}/nginx.pid;
error_log {run}/error.log;
events {{ worker_connections 256; }}
http {{
    {MIME_TYPES}
    access_log off;
{gzip}
    client_body_temp_path {run}/body;
    proxy_temp_path {run}/proxy;
    fastcgi_temp_path {run}/fastcgi;
    uwsgi_temp_path {run}/uwsgi;
    scgi_temp_path {run}/scgi;
{map}
    server {{
        listen 127.0.0.1:{port};
        root {site};
{location}
    }}
}}
"#,
            map = indent(&headers.http, 4),
            location = indent(&format!("{}{}", headers.location, archive.location), 8),
            user = if tools::is_root() { "user root;" } else { "" },
            run = run_dir.display(),
            site = site_root.display(),
            gzip = if gzip {
                "    gzip on;\n    gzip_comp_level 6;\n    gzip_min_length 256;\n    gzip_types text/css application/javascript text/javascript application/wasm application/json application/manifest+json image/svg+xml;"
            } else {
                ""
            },
        );
        let conf_path = run_dir.join("nginx.conf");
        fs::write(&conf_path, conf).with_context(|| format!("write {}", conf_path.display()))?;
        println!(
            "==> start {}{} on 127.0.0.1:{port} serving {}",
            nginx.display(),
            if gzip { " with gzip" } else { "" },
            site_root.display()
        );
        // setpriv (util-linux, on every Debian): nginx gets SIGTERM when xtask ends, also when a
        // failed step exits the process without running this server's destructor.
        let child = Command::new("setpriv")
            .args(["--pdeathsig", "TERM"])
            .arg(nginx)
            .arg("-c")
            .arg(&conf_path)
            .arg("-p")
            .arg(&run_dir)
            .spawn()
            .with_context(|| format!("start {} through setpriv", nginx.display()))?;
        let mut server = Nginx {
            child,
            port,
            run_dir,
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            // The run folder goes with the server: say what its log says.
            let log = || fs::read_to_string(server.run_dir.join("error.log")).unwrap_or_default();
            if let Ok(Some(status)) = server.child.try_wait() {
                let log = log();
                if log.contains("Address already in use") {
                    println!("    port {port} was taken before nginx bound it; trying another");
                    return Ok(None);
                }
                anyhow::bail!("nginx stopped ({status}):\n{log}");
            }
            if server.run_dir.join("nginx.pid").exists() && server.listening() {
                return Ok(Some(server));
            }
            if Instant::now() > deadline {
                anyhow::bail!("nginx did not start in 10 s:\n{}", log());
            }
            thread::sleep(Duration::from_millis(50));
        }
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

fn indent(text: &str, by: usize) -> String {
    text.lines()
        .map(|line| format!("{:by$}{line}", ""))
        .collect::<Vec<_>>()
        .join("\n")
}
