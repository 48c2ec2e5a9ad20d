//! Bundles every `articles/*.txt` into the binary, so adding an article needs no code change.

use std::{env, fs, path::PathBuf};

fn main() {
    // BROADSHEET_ARTICLES points elsewhere, e.g. at the generated 10,000-article benchmark corpus.
    println!("cargo:rerun-if-env-changed=BROADSHEET_ARTICLES");
    let dir = env::var_os("BROADSHEET_ARTICLES")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap()).join("articles"));
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "txt"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    let mut out = String::from("/// Bundled article files: (file name, bytes), sorted by name.\npub static FILES: &[(&str, &[u8])] = &[\n");
    for path in &files {
        println!("cargo:rerun-if-changed={}", path.display());
        let name = path.file_name().unwrap().to_string_lossy();
        out.push_str(&format!(
            "    ({name:?}, include_bytes!({:?})),\n",
            path.display().to_string()
        ));
    }
    out.push_str("];\n");
    let dest = PathBuf::from(env::var("OUT_DIR").unwrap()).join("articles.rs");
    fs::write(dest, out).unwrap();
}
