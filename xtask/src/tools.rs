//! Every pinned tool in one place, and the installers that fetch them from the registries.
//!
//! Tools go into a cache outside the clone (`$BROADSHEET_CACHE`, else
//! `$XDG_CACHE_HOME/broadsheet`, else `~/.cache/broadsheet`), one folder per tool and
//! version, so a fresh clone on the same machine reuses them.

use crate::{root, Step};
use std::{
    env, fs,
    path::{Path, PathBuf},
    process::Command,
};

/// Trunk, the wasm bundler (0.22 needs a newer rustc than the pinned 1.95).
pub const TRUNK: &str = "0.21.14";
/// geckodriver, the WebDriver server for Firefox ESR (the newest release on crates.io; it
/// builds with rustc 1.95).
pub const GECKODRIVER: &str = "0.37.1";
/// Debian packages: the browsers and Chromium's driver for tests, a static server, brotli for
/// figures. Debian's archive keeps one current version per release, so these follow Debian
/// stable (Firefox ESR from its security updates).
pub const APT_PACKAGES: &[(&str, &str)] = &[
    ("chromium", "/usr/bin/chromium"),
    ("chromium-driver", "/usr/bin/chromedriver"),
    ("firefox-esr", crate::firefox::FIREFOX),
    ("nginx-light", "/usr/sbin/nginx"),
    ("brotli", "/usr/bin/brotli"),
];
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
    cargo_tool("trunk", TRUNK, true, &["trunk"])?;
    cargo_tool(
        "wasm-bindgen-cli",
        &wasm_bindgen_version(),
        false,
        &["wasm-bindgen", "wasm-bindgen-test-runner"],
    )?;
    npm_packages()?;
    if need_browser {
        apt_packages()?;
        cargo_tool("geckodriver", GECKODRIVER, true, &["geckodriver"])?;
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

fn apt_packages() -> anyhow::Result<()> {
    let missing: Vec<&str> = APT_PACKAGES
        .iter()
        .filter(|(_, bin)| !Path::new(bin).exists())
        .map(|(pkg, _)| *pkg)
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let list = missing.join(" ");
    let hint = format!("apt-get update && apt-get install -y {list}  (as root)");
    Step::new("refresh Debian's package lists")
        .run(Command::new("apt-get").arg("update"), &hint)?;
    Step::new(&format!("install Debian packages: {list}")).run(
        Command::new("apt-get")
            .args(["install", "-y", "--no-install-recommends"])
            .args(&missing)
            .env("DEBIAN_FRONTEND", "noninteractive"),
        &hint,
    )
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
