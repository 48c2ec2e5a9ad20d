//! A real static server for the tests and benchmarks: nginx, configured like the README's
//! snippet, on a free loopback port.

use crate::{root, site::nginx_config};
use std::{
    fs,
    net::TcpListener,
    path::{Path, PathBuf},
    process::{Child, Command},
    thread,
    time::{Duration, Instant},
};

/// nginx serving `site_root` on a free loopback port, `404.html` for unknown paths under
/// `/reader/`, with the headers a host should send ([`nginx_config`]); gzip for text and wasm if asked (Debian's nginx-light has gzip but no brotli).
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
        // The same headers as the README's nginx snippet and the build's `_headers`, so that
        // the end-to-end tests run under them.
        let nginx = nginx_config("/reader/");
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
{map}
    server {{
        listen 127.0.0.1:{port};
        root {site};
{location}
    }}
}}
"#,
            map = indent(&nginx.http, 4),
            location = indent(&nginx.location, 8),
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

fn indent(text: &str, by: usize) -> String {
    text.lines()
        .map(|line| format!("{:by$}{line}", ""))
        .collect::<Vec<_>>()
        .join("\n")
}
