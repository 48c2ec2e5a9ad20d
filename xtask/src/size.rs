//! The size of the release wasm: the gate `cargo xtask test` applies to it, and the report of
//! its largest contributors, by crate and by function, that `cargo xtask size` and
//! `cargo xtask bench` print against the run recorded in `bench/wasm-size.json`.
//!
//! The release wasm's bytes are deterministic for a commit (the same on every machine that
//! builds from the same checkout with the pinned tools), so the gate compares exact byte counts:
//! more than [`TOLERANCE_PERCENT`] away from the recorded figure, either way, fails, so that the recorded
//! figure follows every change on purpose and cannot drift. Timing stays in the benchmarks.
//!
//! The contributors come from the wasm as wasm-bindgen writes it (`target/wasm-bindgen/`, before
//! wasm-opt), which still has the function names section: each function's code is counted for
//! the first crate named in its (demangled) name, a generic function for the crate of the type
//! it was made for (`core::ptr::drop_in_place<tachys::…>` counts for tachys). wasm-opt then
//! shrinks every part by about the same ratio; the shares are what matter.

use std::{collections::BTreeMap, fs, path::Path, process::Command};

use anyhow::{bail, Context as _, Result};
use serde_json::{json, Value};

use crate::{root, tools};

/// How far, in percent, the release wasm may move from the recorded figure before the gate fails.
pub const TOLERANCE_PERCENT: u64 = 2;
/// Where the last recorded run is, relative to the repository root.
pub const RECORD: &str = "bench/wasm-size.json";
/// How many crates and functions the report lists.
const TOP: usize = 20;

/// A function's name (without the symbol hash) and its code bytes.
pub type Function = (String, u64);

/// One run: the release wasm's bytes and its contributors.
#[derive(Debug, Default, PartialEq)]
pub struct Sizes {
    /// The release wasm as served (after wasm-opt).
    pub wasm: u64,
    /// The same, brotli quality 11.
    pub brotli: u64,
    /// Code bytes (before wasm-opt) by crate, and the data segments as `(data)`.
    pub crates: BTreeMap<String, u64>,
    /// The largest functions (before wasm-opt), by name without the symbol hash.
    pub functions: Vec<Function>,
}

/// The release wasm in a built site folder (`DIST/*.wasm`).
pub fn wasm_in(dist: &Path) -> Result<std::path::PathBuf> {
    let mut found = fs::read_dir(dist)
        .with_context(|| format!("read {}", dist.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "wasm"));
    match (found.next(), found.next()) {
        (Some(wasm), None) => Ok(wasm),
        (None, _) => bail!("no .wasm in {}: build the site first", dist.display()),
        (Some(_), Some(_)) => bail!("more than one .wasm in {}", dist.display()),
    }
}

/// Measures the release wasm of the site in `dist`, with the contributors from Trunk's last
/// wasm-bindgen output (the same build).
pub fn measure(dist: &Path) -> Result<Sizes> {
    let wasm = wasm_in(dist)?;
    let bytes = fs::read(&wasm).with_context(|| format!("read {}", wasm.display()))?;
    let named = root().join("target/wasm-bindgen/release/broadsheet_bg.wasm");
    let named = fs::read(&named).with_context(|| format!("read {}", named.display()))?;
    let (crates, functions) = contributors(&named)?;
    Ok(Sizes {
        wasm: bytes.len() as u64,
        brotli: brotli(&wasm)?,
        crates,
        functions,
    })
}

/// `brotli -q 11` of a file, in bytes, as part 2 of the benchmarks compresses it.
fn brotli(file: &Path) -> Result<u64> {
    let tool = tools::BROTLI
        .resolve(None)
        .unwrap_or_else(|_| "brotli".into());
    let out = Command::new(tool)
        .args(["-c", "-q", "11"])
        .arg(file)
        .output()
        .context("run brotli")?;
    if !out.status.success() {
        bail!("brotli failed on {}", file.display());
    }
    Ok(out.stdout.len() as u64)
}

/// Code bytes by crate (plus the data segments as `(data)`), and the [`TOP`] largest
/// functions, of a wasm module that has a function names section.
pub fn contributors(wasm: &[u8]) -> Result<(BTreeMap<String, u64>, Vec<Function>)> {
    use wasmparser::{Name, Parser, Payload};
    let mut imported = 0u32;
    let mut bodies = Vec::new();
    let mut names = BTreeMap::new();
    let mut data = 0u64;
    for payload in Parser::new(0).parse_all(wasm) {
        match payload.context("read the wasm")? {
            Payload::ImportSection(section) => {
                for import in section.into_imports() {
                    if matches!(import?.ty, wasmparser::TypeRef::Func(_)) {
                        imported += 1;
                    }
                }
            }
            Payload::CodeSectionEntry(body) => bodies.push(body.range().len() as u64),
            Payload::DataSection(section) => {
                for segment in section {
                    data += segment?.data.len() as u64;
                }
            }
            Payload::CustomSection(custom) => {
                if let wasmparser::KnownCustom::Name(reader) = custom.as_known() {
                    for name in reader {
                        if let Name::Function(map) = name? {
                            for naming in map {
                                let naming = naming?;
                                names.insert(naming.index, naming.name.to_owned());
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
    if names.is_empty() {
        bail!("the wasm has no function names section");
    }
    let mut crates = BTreeMap::new();
    let mut functions = Vec::new();
    for (i, size) in bodies.into_iter().enumerate() {
        let name = names
            .get(&(imported + i as u32))
            .map(|n| readable(without_hash(n)))
            .unwrap_or_else(|| format!("function {}", imported as usize + i));
        *crates.entry(crate_of(&name)).or_default() += size;
        functions.push((name, size));
    }
    crates.insert("(data)".to_owned(), data);
    functions.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    functions.truncate(TOP);
    Ok((crates, functions))
}

/// A demangled Rust symbol without its trailing `::h0123456789abcdef`.
fn without_hash(name: &str) -> &str {
    match name.rsplit_once("::h") {
        Some((rest, hash)) if hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()) => {
            rest
        }
        _ => name,
    }
}

/// A demangled name without the crates' disambiguators (`tachys[c329779a8f1400ca]::` as
/// `tachys::`, in the v0 mangling of the nightly the release wasm is built with).
fn readable(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut rest = name;
    while let Some(open) = rest.find('[') {
        let (before, after) = rest.split_at(open);
        out.push_str(before);
        match after[1..].find(']') {
            Some(close)
                if close >= 8 && after[1..=close].bytes().all(|b| b.is_ascii_hexdigit()) =>
            {
                rest = &after[close + 2..];
            }
            _ => {
                out.push('[');
                rest = &after[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The crate a function's code counts for: the first crate other than the standard library's
/// that starts a path in its name (`core::ptr::drop_in_place<tachys::html::Element>` counts for
/// tachys); `std` when only the standard library's are named; `(glue)` for names that are not
/// Rust paths (wasm-bindgen's and the allocator's exports, tables).
pub fn crate_of(name: &str) -> String {
    let bytes = name.as_bytes();
    let mut first_std = None;
    let mut start = 0;
    while start < bytes.len() {
        let at_path_start = start == 0 || b"<&( [,*".contains(&bytes[start - 1]);
        let len = bytes[start..]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
            .count();
        if at_path_start && len > 0 && !bytes[start].is_ascii_digit() {
            let ident = &name[start..start + len];
            // A crate's disambiguator (`core[c5930c85a12de822]::`) comes before the `::`.
            let mut rest = &name[start + len..];
            if rest.starts_with('[') {
                rest = rest.split_once(']').map_or("", |(_, r)| r);
            }
            if rest.starts_with("::") {
                if !["core", "alloc", "std"].contains(&ident) {
                    return ident.to_owned();
                }
                first_std.get_or_insert("std");
            }
        }
        start += len.max(1);
    }
    first_std.unwrap_or("(glue)").to_owned()
}

/// The recorded run in [`RECORD`].
pub fn recorded() -> Result<Sizes> {
    let path = root().join(RECORD);
    let text = fs::read_to_string(&path).with_context(|| format!("read {}", path.display()))?;
    let value: Value =
        serde_json::from_str(&text).with_context(|| format!("{}: not JSON", path.display()))?;
    let number = |v: &Value, what: &str| {
        v.as_u64()
            .with_context(|| format!("{}: {what} is not a byte count", path.display()))
    };
    let mut sizes = Sizes {
        wasm: number(&value["wasm"], "wasm")?,
        brotli: number(&value["brotli"], "brotli")?,
        ..Sizes::default()
    };
    if let Some(crates) = value["crates"].as_object() {
        for (name, bytes) in crates {
            sizes
                .crates
                .insert(name.clone(), number(bytes, &format!("crates.{name}"))?);
        }
    }
    if let Some(functions) = value["functions"].as_array() {
        for f in functions {
            let name = f[0].as_str().unwrap_or_default().to_owned();
            sizes.functions.push((name, number(&f[1], "a function")?));
        }
    }
    Ok(sizes)
}

/// Writes `sizes` to [`RECORD`], the [`TOP`] crates and the functions.
pub fn record(sizes: &Sizes) -> Result<()> {
    let mut crates: Vec<_> = sizes.crates.iter().collect();
    crates.sort_by(|a, b| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0)));
    let crates: serde_json::Map<String, Value> = crates
        .into_iter()
        .take(TOP)
        .map(|(name, bytes)| (name.clone(), json!(bytes)))
        .collect();
    let value = json!({
        "about": "The release wasm (`cargo xtask size --record` writes this file; the gate in \
                  `cargo xtask test` compares with `wasm`). crates and functions: code bytes \
                  before wasm-opt, as xtask/src/size.rs counts them.",
        "wasm": sizes.wasm,
        "brotli": sizes.brotli,
        "crates": crates,
        "functions": sizes.functions.iter().map(|(n, b)| json!([n, b])).collect::<Vec<_>>(),
    });
    let path = root().join(RECORD);
    fs::write(&path, serde_json::to_string_pretty(&value)? + "\n")
        .with_context(|| format!("write {}", path.display()))
}

/// The gate: `wasm` bytes against the recorded figure; an error says how to record a change
/// made on purpose.
pub fn gate(wasm: u64, recorded: u64) -> Result<()> {
    if wasm.abs_diff(recorded) * 100 <= recorded * TOLERANCE_PERCENT {
        return Ok(());
    }
    let change = wasm as f64 / recorded as f64 - 1.0;
    let how = format!(
        "If this is on purpose, run `cargo xtask size --record` and commit {RECORD} with the \
         reason in BENCHMARKS.md (`cargo xtask size` shows which crates and functions changed)."
    );
    if change > 0.0 {
        bail!(
            "the release wasm is {wasm} bytes, {:+.1}% over the {recorded} recorded in {RECORD} \
             (at most +{TOLERANCE_PERCENT}%). {how}",
            change * 100.0,
        )
    }
    bail!(
        "the release wasm is {wasm} bytes, {:.1}% under the {recorded} recorded in {RECORD}: \
         record the smaller figure, so that the gate follows it. {how}",
        change * 100.0
    )
}

/// The report: the wasm against the recorded run, then the largest crates and functions with
/// their change.
pub fn report(now: &Sizes, before: Option<&Sizes>) -> Vec<String> {
    let mut lines = Vec::new();
    let delta = |now: u64, before: Option<u64>| match before {
        Some(b) if b != now => format!(" ({:+})", now as i64 - b as i64),
        Some(_) => " (same)".to_owned(),
        None => String::new(),
    };
    lines.push(format!(
        "release wasm: {} bytes{}, {:.1} KB brotli{}",
        now.wasm,
        delta(now.wasm, before.map(|b| b.wasm)),
        now.brotli as f64 / 1024.0,
        delta(now.brotli, before.map(|b| b.brotli)),
    ));
    let total: u64 = now.crates.values().sum();
    let mut crates: Vec<_> = now.crates.iter().collect();
    crates.sort_by(|a, b| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0)));
    lines.push(format!(
        "by crate (code and data before wasm-opt, {total} bytes):"
    ));
    for (name, bytes) in crates.iter().take(TOP) {
        let was = before.map(|b| b.crates.get(*name).copied().unwrap_or(0));
        lines.push(format!(
            "  {name:<24} {bytes:>9} {:>5.1}%{}",
            **bytes as f64 * 100.0 / total.max(1) as f64,
            delta(**bytes, was)
        ));
    }
    if let Some(before) = before {
        for (name, bytes) in &before.crates {
            if !now.crates.contains_key(name) {
                lines.push(format!("  {name:<24} {:>9}        (-{bytes}, gone)", 0));
            }
        }
    }
    lines.push("largest functions (before wasm-opt):".to_owned());
    for (name, bytes) in &now.functions {
        let was = before.and_then(|b| b.functions.iter().find(|f| &f.0 == name).map(|f| f.1));
        let name: String = name.chars().take(110).collect();
        lines.push(format!("  {bytes:>7}{}  {name}", delta(*bytes, was)));
    }
    lines
}

/// `cargo xtask size [--record]`: the release build of the app, its report against the recorded
/// run, and with `record` the new figures written.
pub fn run(record_it: bool) -> Result<()> {
    tools::install_all(false)?;
    let dist = root().join("target/size/reader");
    let _ = fs::remove_dir_all(&dist);
    crate::site::trunk_release("/reader/", &dist)?;
    let now = measure(&dist)?;
    let before = recorded().ok();
    for line in report(&now, before.as_ref()) {
        println!("{line}");
    }
    if record_it {
        record(&now)?;
        println!("xtask: size: recorded in {RECORD}");
    } else if let Some(before) = &before {
        gate(now.wasm, before.wasm)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_counts_for_the_first_crate_outside_the_standard_library() {
        for (name, krate) in [
            ("tachys::view::Render::build", "tachys"),
            (
                "<T as tachys::view::any_view::IntoAny>::into_any::rebuild",
                "tachys",
            ),
            (
                "core::ptr::drop_in_place<broadsheet::ui::App>",
                "broadsheet",
            ),
            (
                "<&mut serde_json::de::Deserializer<R> as serde_core::de::Deserializer>::deserialize_seq",
                "serde_json",
            ),
            (
                "core[c5930c85a12de822]::fmt::float::float_to_decimal_common_shortest::<f64>",
                "std",
            ),
            (
                "<dlmalloc[e24a27700634d609]::dlmalloc::Dlmalloc<dlmalloc[e24a27700634d609]::sys::System>>::malloc",
                "dlmalloc",
            ),
            ("alloc::vec::Vec<T>::push", "std"),
            ("__wbindgen_malloc", "(glue)"),
            ("elem[0]", "(glue)"),
        ] {
            assert_eq!(crate_of(name), krate, "{name}");
        }
    }

    #[test]
    fn the_symbol_hash_is_left_out() {
        assert_eq!(
            without_hash("broadsheet::main::heef3c603675ba877"),
            "broadsheet::main"
        );
        assert_eq!(without_hash("a::hello"), "a::hello");
    }

    #[test]
    fn disambiguators_are_left_out_and_other_brackets_kept() {
        assert_eq!(
            readable(
                "<either_of[5eee9adb9fff50b0]::EitherOf4<broadsheet[3bedefb9e5498bbc]::ui::Home>"
            ),
            "<either_of::EitherOf4<broadsheet::ui::Home>"
        );
        assert_eq!(readable("elem[0]"), "elem[0]");
        assert_eq!(readable("<[T]>::len"), "<[T]>::len");
    }

    #[test]
    fn the_gate_allows_two_percent_either_way_and_says_how_to_record() {
        assert!(gate(1_020_000, 1_000_000).is_ok());
        assert!(gate(980_000, 1_000_000).is_ok());
        let grown = gate(1_020_001, 1_000_000).unwrap_err().to_string();
        assert!(grown.contains("+2.0% over the 1000000"), "{grown}");
        assert!(grown.contains("cargo xtask size --record"), "{grown}");
        let shrunk = gate(900_000, 1_000_000).unwrap_err().to_string();
        assert!(shrunk.contains("-10.0% under"), "{shrunk}");
        assert!(shrunk.contains("record the smaller figure"), "{shrunk}");
    }

    #[test]
    fn contributors_are_read_from_the_names_section() {
        // (module (import "m" "f" (func)) (func $a::x ...) (func $b::y ...)) with a names
        // section, and one data segment of 3 bytes: written by hand, byte for byte.
        let mut wasm = b"\0asm\x01\0\0\0".to_vec();
        let section = |id: u8, body: &[u8]| {
            let mut s = vec![id, body.len() as u8];
            s.extend_from_slice(body);
            s
        };
        wasm.extend(section(1, &[1, 0x60, 0, 0])); // one type: () -> ()
        wasm.extend(section(2, &[1, 1, b'm', 1, b'f', 0, 0])); // import m.f
        wasm.extend(section(3, &[2, 0, 0])); // two functions
        wasm.extend(section(5, &[1, 0, 1])); // one memory
        wasm.extend(section(10, &[2, 2, 0, 0x0b, 5, 0, 0x01, 0x01, 0x01, 0x0b])); // bodies of 2 and 5 bytes
        wasm.extend(section(11, &[1, 0, 0x41, 0, 0x0b, 3, 1, 2, 3]));
        let mut names = vec![4, b'n', b'a', b'm', b'e', 1];
        let map = [
            &[2u8, 1, 23][..],
            b"a::x::h0123456789abcdef",
            &[2, 4],
            b"b::y",
        ]
        .concat();
        names.push(map.len() as u8);
        names.extend(map);
        wasm.extend(section(0, &names));
        let (crates, functions) = contributors(&wasm).unwrap();
        assert_eq!(crates["a"], 2);
        assert_eq!(crates["b"], 5);
        assert_eq!(crates["(data)"], 3);
        assert_eq!(
            functions,
            vec![("b::y".to_owned(), 5), ("a::x".to_owned(), 2)]
        );
    }
}
