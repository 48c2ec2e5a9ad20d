//! Every pinned tool in one place, and the installers that fetch them from the registries.
//!
//! Tools go into a cache outside the clone (`$BROADSHEET_CACHE`, else
//! `$XDG_CACHE_HOME/broadsheet`, else `~/.cache/broadsheet`), one folder per tool and
//! version, so a fresh clone on the same machine reuses them.

use crate::{root, Step};
use std::{
    env,
    ffi::{OsStr, OsString},
    fs,
    path::{Path, PathBuf},
    process::Command,
};

/// Trunk, the wasm bundler (0.22 needs a newer rustc than the pinned 1.95).
pub const TRUNK: &str = "0.21.14";
/// geckodriver, the WebDriver server for Firefox ESR (the newest release on crates.io; it
/// builds with rustc 1.95).
pub const GECKODRIVER: &str = "0.37.1";
/// The Rust toolchain of the release wasm (everything else builds with `rust-toolchain.toml`'s
/// stable): nightly, because only nightly builds the standard library itself (`-Zbuild-std`)
/// with panics that abort at once and carry no message or source location. That takes about 7%
/// off the brotli-compressed wasm (BENCHMARKS.md, 2026-11-30, issue 13). Pinned to a day whose
/// `rust-src` exists; a newer one changes the wasm's bytes, which the size gate then reports.
pub const RELEASE_TOOLCHAIN: &str = "nightly-2026-05-19";
/// The flags of the release wasm's build with [`RELEASE_TOOLCHAIN`]: panics abort without
/// formatting a message (no `core::fmt` machinery for them, no panic strings), and carry no
/// file, line or column.
pub const RELEASE_WASM_RUSTFLAGS: &str =
    "-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none";

/// Sets the environment of the release build of the wasm (`trunk build --release`): the pinned
/// nightly, the standard library built with the crate, and [`RELEASE_WASM_RUSTFLAGS`].
pub fn release_wasm_build(cmd: &mut Command) -> &mut Command {
    cmd.env("RUSTUP_TOOLCHAIN", RELEASE_TOOLCHAIN)
        // `-Zbuild-std=std,panic_abort` as configuration (cargo's list from the environment is
        // separated by spaces); only the wasm build reads it, as Trunk passes `--target`.
        .env("CARGO_UNSTABLE_BUILD_STD", "std panic_abort")
        .env(
            "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS",
            RELEASE_WASM_RUSTFLAGS,
        )
}

/// A program the tests take from the system rather than from a pinned registry: found through
/// its environment variable, else on PATH, so that any machine with the program installed
/// anywhere can run the tests. Debian's archive keeps one current version per release, so on
/// Debian these follow Debian stable (Firefox ESR from its security updates).
#[derive(Debug)]
pub struct SystemTool {
    /// What it is, for messages ("Chromium").
    pub what: &'static str,
    /// The environment variable that names it, which wins over PATH (`CHROMIUM`).
    pub var: &'static str,
    /// The names to look for on PATH, best first.
    pub names: &'static [&'static str],
    /// The package that brings it: Debian/Ubuntu (apt-get), Fedora (dnf), macOS (Homebrew,
    /// `--cask` for the apps).
    pub apt: &'static str,
    pub dnf: &'static str,
    pub brew: &'static str,
}

/// The browser for the end-to-end and wasm-bindgen tests.
pub const CHROMIUM: SystemTool = SystemTool {
    what: "Chromium",
    var: "CHROMIUM",
    names: &[
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ],
    apt: "chromium",
    dnf: "chromium",
    brew: "--cask chromium",
};
/// Chromium's WebDriver server, for the wasm-bindgen tests (it must match the browser).
pub const CHROMEDRIVER: SystemTool = SystemTool {
    what: "ChromeDriver",
    var: "CHROMEDRIVER",
    names: &["chromedriver"],
    apt: "chromium-driver",
    dnf: "chromedriver",
    brew: "--cask chromedriver",
};
/// The second browser engine (`tests/firefox/`).
pub const FIREFOX: SystemTool = SystemTool {
    what: "Firefox",
    var: "FIREFOX",
    names: &["firefox-esr", "firefox"],
    apt: "firefox-esr",
    dnf: "firefox",
    brew: "--cask firefox@esr",
};
/// Firefox's WebDriver server; when neither `GECKODRIVER` nor PATH has one, the pinned
/// [`GECKODRIVER`] version is built into the tool cache.
pub const GECKODRIVER_TOOL: SystemTool = SystemTool {
    what: "geckodriver",
    var: "GECKODRIVER",
    names: &["geckodriver"],
    apt: "",
    dnf: "",
    brew: "geckodriver",
};
/// The static server the end-to-end tests and benchmarks run against.
pub const NGINX: SystemTool = SystemTool {
    what: "nginx",
    var: "NGINX",
    names: &["nginx"],
    apt: "nginx-light",
    dnf: "nginx",
    brew: "nginx",
};
/// For the size figures (`cargo xtask build`).
pub const BROTLI: SystemTool = SystemTool {
    what: "brotli",
    var: "BROTLI",
    names: &["brotli"],
    apt: "brotli",
    dnf: "brotli",
    brew: "brotli",
};
/// What the browser tests need from the system (geckodriver has its own fallback).
pub const SYSTEM_TOOLS: &[&SystemTool] = &[&CHROMIUM, &CHROMEDRIVER, &FIREFOX, &NGINX, &BROTLI];

impl SystemTool {
    /// Where it is on this machine: the program `$VAR` names (a path, or a name looked up on
    /// PATH), else the first of [`SystemTool::names`] on PATH (and the `sbin` beside each PATH
    /// folder: Debian keeps nginx in /usr/sbin, which a normal user's PATH lacks), else
    /// `fallback`. The error is the message to print.
    pub fn resolve(&self, fallback: Option<PathBuf>) -> Result<PathBuf, String> {
        let search = search_path(env::var_os("PATH").unwrap_or_default());
        let cwd = env::current_dir().unwrap_or_default();
        self.resolve_with(
            |var| env::var_os(var),
            |name| which::which_in(name, Some(&search), &cwd).ok(),
            fallback,
        )
    }

    /// [`SystemTool::resolve`] with the environment (`var`) and the PATH search (`find`, which
    /// also checks that a path given as is names a program) passed in.
    pub fn resolve_with(
        &self,
        var: impl Fn(&str) -> Option<OsString>,
        find: impl Fn(&OsStr) -> Option<PathBuf>,
        fallback: Option<PathBuf>,
    ) -> Result<PathBuf, String> {
        if let Some(value) = var(self.var).filter(|v| !v.is_empty()) {
            return find(&value).ok_or_else(|| {
                format!(
                    "{var} is set to {value:?}, which is not a program: point {var} at {what}, \
                     or unset it to look for {names} on PATH.",
                    var = self.var,
                    what = self.what,
                    names = self.names.join(" / "),
                )
            });
        }
        self.names
            .iter()
            .find_map(|name| find(OsStr::new(name)))
            .or(fallback)
            .ok_or_else(|| self.missing())
    }

    /// Says what is missing, the variable that would name it, and how to install it.
    pub fn missing(&self) -> String {
        let mut message = format!(
            "{what} was not found: looked for {names} on PATH. Set {var} to its path, or \
             install it:",
            what = self.what,
            names = self.names.join(" / "),
            var = self.var,
        );
        for (system, command) in self.install_commands() {
            message.push_str(&format!("\n    {system:<14} {command}"));
        }
        message
    }

    /// The install command per system, for those that package it.
    pub fn install_commands(&self) -> Vec<(&'static str, String)> {
        [
            ("Debian/Ubuntu:", "sudo apt-get install", self.apt),
            ("Fedora:", "sudo dnf install", self.dnf),
            ("macOS:", "brew install", self.brew),
        ]
        .into_iter()
        .filter(|(_, _, package)| !package.is_empty())
        .map(|(system, installer, package)| (system, format!("{installer} {package}")))
        .collect()
    }

    /// [`SystemTool::resolve`] without a fallback, the message as the error.
    pub fn path(&self) -> anyhow::Result<PathBuf> {
        self.resolve(None).map_err(anyhow::Error::msg)
    }
}

/// PATH's folders, each followed by the `sbin` beside it when it is a `bin`.
fn search_path(path: OsString) -> OsString {
    let mut folders = Vec::new();
    for folder in env::split_paths(&path) {
        let sbin =
            (folder.file_name() == Some(OsStr::new("bin"))).then(|| folder.with_file_name("sbin"));
        folders.push(folder);
        folders.extend(sbin);
    }
    env::join_paths(folders).unwrap_or(path)
}

// npm packages (binaryen for wasm-opt, playwright-core, @axe-core/playwright,
// selenium-webdriver, the font) are pinned in package.json and package-lock.json.

pub fn cache_dir() -> PathBuf {
    if let Some(dir) = env::var_os("BROADSHEET_CACHE") {
        return PathBuf::from(dir);
    }
    let base = env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env::var_os("HOME").unwrap_or_default()).join(".cache"));
    base.join("broadsheet")
}

/// Folders to put in front of PATH for every tool this project runs.
pub fn tool_paths() -> Vec<PathBuf> {
    vec![
        cache_dir().join(format!("trunk-{TRUNK}/bin")),
        cache_dir().join(format!("wasm-bindgen-cli-{}/bin", wasm_bindgen_version())),
        cache_dir().join(format!("geckodriver-{GECKODRIVER}/bin")),
        root().join("node_modules/.bin"),
    ]
}

/// PATH with the project's tools first.
pub fn path_env() -> std::ffi::OsString {
    let mut paths = tool_paths();
    paths.extend(env::split_paths(&env::var_os("PATH").unwrap_or_default()));
    env::join_paths(paths).expect("PATH entries are valid")
}

/// The `wasm-bindgen` version in Cargo.lock; the CLI must match it exactly.
pub fn wasm_bindgen_version() -> String {
    let lock = fs::read_to_string(root().join("Cargo.lock")).unwrap_or_default();
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == "name = \"wasm-bindgen\"" {
            if let Some(v) = lines.next().and_then(|l| l.strip_prefix("version = \"")) {
                return v.trim_end_matches('"').to_owned();
            }
        }
    }
    // Before the first lock: the version pinned with `=` in Cargo.toml.
    "0.2.130".to_owned()
}

/// Installs whatever is missing. Each step says what it does; a failure says how to fix it.
pub fn install_all(need_browser: bool) -> anyhow::Result<()> {
    rust_target()?;
    release_toolchain()?;
    cargo_tool("trunk", TRUNK, true, &["trunk"])?;
    cargo_tool(
        "wasm-bindgen-cli",
        &wasm_bindgen_version(),
        false,
        &["wasm-bindgen", "wasm-bindgen-test-runner"],
    )?;
    npm_packages()?;
    if need_browser {
        system_tools()?;
        match GECKODRIVER_TOOL.resolve(None) {
            Ok(_) => {}
            Err(message) if env::var_os(GECKODRIVER_TOOL.var).is_some() => {
                anyhow::bail!(message)
            }
            Err(_) => cargo_tool("geckodriver", GECKODRIVER, true, &["geckodriver"])?,
        }
    }
    Ok(())
}

fn rust_target() -> anyhow::Result<()> {
    let installed = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .current_dir(root())
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).contains("wasm32-unknown-unknown"))
        .unwrap_or(false);
    if !installed {
        Step::new("install the wasm32-unknown-unknown Rust target").run(
            Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]),
            "rustup target add wasm32-unknown-unknown",
        )?;
    }
    Ok(())
}

/// [`RELEASE_TOOLCHAIN`] with its `rust-src` (the standard library's source, which
/// `-Zbuild-std` compiles), unless already there.
fn release_toolchain() -> anyhow::Result<()> {
    let installed = Command::new("rustup")
        .args([
            "component",
            "list",
            "--installed",
            "--toolchain",
            RELEASE_TOOLCHAIN,
        ])
        .output()
        .map(|o| o.status.success() && String::from_utf8_lossy(&o.stdout).contains("rust-src"))
        .unwrap_or(false);
    if !installed {
        let args = [
            "toolchain",
            "install",
            RELEASE_TOOLCHAIN,
            "--profile",
            "minimal",
            "--component",
            "rust-src",
        ];
        Step::new(&format!(
            "install {RELEASE_TOOLCHAIN} with rust-src (the release wasm's toolchain)"
        ))
        .run(
            Command::new("rustup").args(args),
            &format!("rustup {}", args.join(" ")),
        )?;
    }
    Ok(())
}

/// `cargo install CRATE --version VERSION` into the cache, unless already there.
fn cargo_tool(krate: &str, version: &str, locked: bool, bins: &[&str]) -> anyhow::Result<()> {
    let prefix = cache_dir().join(format!("{krate}-{version}"));
    if bins.iter().all(|b| prefix.join("bin").join(b).exists()) {
        return Ok(());
    }
    let mut cmd = Command::new("cargo");
    cmd.args(["install", krate, "--version", version, "--root"])
        .arg(&prefix)
        .current_dir(cache_dir_created());
    if locked {
        cmd.arg("--locked");
    }
    // The project's rust-toolchain.toml does not apply here; any cargo builds these tools.
    cmd.env_remove("RUSTUP_TOOLCHAIN");
    let hint = format!(
        "cargo install {krate} --version {version}{} --root {}",
        if locked { " --locked" } else { "" },
        prefix.display()
    );
    Step::new(&format!(
        "install {krate} {version} from crates.io (a few minutes, once)"
    ))
    .run(&mut cmd, &hint)
}

fn cache_dir_created() -> PathBuf {
    let dir = cache_dir();
    fs::create_dir_all(&dir).expect("create the tool cache");
    dir
}

/// `npm ci` into a cache folder keyed by the lock file's hash; `node_modules` links to it.
fn npm_packages() -> anyhow::Result<()> {
    let lock =
        fs::read(root().join("package-lock.json")).expect("package-lock.json is in the repo");
    let manifest = fs::read(root().join("package.json")).expect("package.json is in the repo");
    let key = fnv1a(&[lock.as_slice(), manifest.as_slice()].concat());
    let dir = cache_dir_created().join(format!("npm-{key:016x}"));
    let modules = dir.join("node_modules");
    if !dir.join(".complete").exists() {
        fs::create_dir_all(&dir).expect("create the npm cache folder");
        fs::write(dir.join("package.json"), &manifest).unwrap();
        fs::write(dir.join("package-lock.json"), &lock).unwrap();
        Step::new("install npm packages from package-lock.json (binaryen, playwright-core, axe-core, lighthouse, selenium-webdriver, font)")
            .run(
                Command::new("npm")
                    .args(["ci", "--ignore-scripts", "--no-audit", "--no-fund"])
                    .current_dir(&dir),
                &format!("cd {} && npm ci --ignore-scripts", dir.display()),
            )?;
        fs::write(dir.join(".complete"), "").unwrap();
    }
    let link = root().join("node_modules");
    if fs::read_link(&link).ok().as_deref() != Some(modules.as_path()) {
        let _ = fs::remove_file(&link);
        let _ = fs::remove_dir_all(&link);
        symlink(&modules, &link);
    }
    Ok(())
}

#[cfg(unix)]
fn symlink(target: &Path, link: &Path) {
    std::os::unix::fs::symlink(target, link).expect("link node_modules to the npm cache");
}

#[cfg(not(unix))]
fn symlink(target: &Path, link: &Path) {
    panic!(
        "link {} to {} by hand on this platform",
        link.display(),
        target.display()
    );
}

/// Checks that every [`SYSTEM_TOOLS`] program is there. What is missing is installed with
/// apt-get when that is possible without asking (root on a system with apt-get, and no
/// environment variable naming the program elsewhere); otherwise the run stops with what to
/// install, for Debian/Ubuntu, Fedora and macOS.
fn system_tools() -> anyhow::Result<()> {
    let missing: Vec<(&SystemTool, String)> = SYSTEM_TOOLS
        .iter()
        .filter_map(|tool| Some((*tool, tool.resolve(None).err()?)))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let can_apt = is_root() && which::which("apt-get").is_ok();
    if !can_apt
        || missing
            .iter()
            .any(|(tool, _)| env::var_os(tool.var).is_some())
    {
        let messages: Vec<&str> = missing.iter().map(|(_, m)| m.as_str()).collect();
        anyhow::bail!(messages.join("\n"));
    }
    let list = missing
        .iter()
        .map(|(tool, _)| tool.apt)
        .collect::<Vec<_>>()
        .join(" ");
    let hint = format!("apt-get update && apt-get install -y {list}  (as root)");
    Step::new("refresh Debian's package lists")
        .run(Command::new("apt-get").arg("update"), &hint)?;
    Step::new(&format!("install Debian packages: {list}")).run(
        Command::new("apt-get")
            .args(["install", "-y", "--no-install-recommends"])
            .args(list.split(' '))
            .env("DEBIAN_FRONTEND", "noninteractive"),
        &hint,
    )
}

/// Whether this process runs as root (`id -u` is 0).
pub fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"))
}

/// A small stable hash for cache keys (FNV-1a, 64 bit).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Runs a project command with the tools on PATH.
pub fn command(program: &str) -> Command {
    let mut cmd = Command::new(program);
    cmd.env("PATH", path_env()).current_dir(root());
    cmd
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A machine where exactly `programs` exist (absolute paths), PATH being /usr/bin.
    fn finder<'a>(programs: &'a [&'a str]) -> impl Fn(&OsStr) -> Option<PathBuf> + 'a {
        move |name| {
            let path = Path::new("/usr/bin").join(name);
            programs
                .iter()
                .map(Path::new)
                .find(|p| *p == path)
                .map(Path::to_path_buf)
        }
    }

    fn env<'a>(pairs: &'a [(&str, &str)]) -> impl Fn(&str) -> Option<OsString> + 'a {
        move |var| {
            pairs
                .iter()
                .find(|(k, _)| *k == var)
                .map(|(_, v)| OsString::from(v))
        }
    }

    #[test]
    fn the_variable_wins_over_path() {
        let found = CHROMIUM.resolve_with(
            env(&[("CHROMIUM", "/opt/chrome/my-chromium")]),
            finder(&["/opt/chrome/my-chromium", "/usr/bin/chromium"]),
            None,
        );
        assert_eq!(found, Ok(PathBuf::from("/opt/chrome/my-chromium")));
    }

    #[test]
    fn path_is_searched_in_the_order_of_the_names_then_the_fallback() {
        let found = CHROMIUM.resolve_with(
            env(&[]),
            finder(&["/usr/bin/google-chrome", "/usr/bin/chromium-browser"]),
            None,
        );
        assert_eq!(found, Ok(PathBuf::from("/usr/bin/chromium-browser")));
        let found =
            FIREFOX.resolve_with(env(&[("FIREFOX", "")]), finder(&["/usr/bin/firefox"]), None);
        assert_eq!(
            found,
            Ok(PathBuf::from("/usr/bin/firefox")),
            "empty is unset"
        );
        let pinned = PathBuf::from("/cache/geckodriver-0.37.1/bin/geckodriver");
        let found = GECKODRIVER_TOOL.resolve_with(
            env(&[]),
            finder(&["/usr/bin/geckodriver"]),
            Some(pinned.clone()),
        );
        assert_eq!(found, Ok(PathBuf::from("/usr/bin/geckodriver")));
        let found = GECKODRIVER_TOOL.resolve_with(env(&[]), finder(&[]), Some(pinned.clone()));
        assert_eq!(found, Ok(pinned));
    }

    #[test]
    fn a_variable_naming_no_program_is_an_error_even_if_path_has_one() {
        let err = CHROMIUM
            .resolve_with(
                env(&[("CHROMIUM", "/nowhere/chromium")]),
                finder(&["/usr/bin/chromium"]),
                None,
            )
            .unwrap_err();
        assert!(err.starts_with("CHROMIUM is set to \"/nowhere/chromium\", which is not a program"));
        assert!(err.contains("point CHROMIUM at Chromium"), "{err}");
    }

    #[test]
    fn a_missing_program_names_the_variable_and_the_install_commands() {
        let err = NGINX
            .resolve_with(env(&[]), finder(&["/usr/bin/chromium"]), None)
            .unwrap_err();
        assert_eq!(
            err,
            "nginx was not found: looked for nginx on PATH. Set NGINX to its path, or install it:
    Debian/Ubuntu: sudo apt-get install nginx-light
    Fedora:        sudo dnf install nginx
    macOS:         brew install nginx"
        );
        let err = CHROMIUM.missing();
        assert!(
            err.contains("chromium / chromium-browser / google-chrome"),
            "{err}"
        );
        assert!(err.contains("brew install --cask chromium"), "{err}");
        // geckodriver is no Debian or Fedora package: only Homebrew is named.
        assert_eq!(GECKODRIVER_TOOL.install_commands().len(), 1);
    }

    #[test]
    fn sbin_is_searched_beside_each_bin() {
        let path = env::join_paths(["/usr/local/bin", "/usr/bin", "/opt/tools"]).unwrap();
        let folders: Vec<PathBuf> = env::split_paths(&search_path(path)).collect();
        assert_eq!(
            folders,
            [
                "/usr/local/bin",
                "/usr/local/sbin",
                "/usr/bin",
                "/usr/sbin",
                "/opt/tools"
            ]
            .map(PathBuf::from)
        );
    }
}
