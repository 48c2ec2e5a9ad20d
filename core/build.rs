//! Bundles every `articles/*.txt` into the binary, so adding an article needs no code change.

use std::{env, fs, path::PathBuf};

fn main() {
    // BROADSHEET_ARTICLES points elsewhere, e.g. at the generated 10,000-article benchmark corpus.
    println!("cargo:rerun-if-env-changed=BROADSHEET_ARTICLES");
    let dir = env::var_os("BROADSHEET_ARTICLES")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap()).join("../articles")
        });
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
    let out_dir = PathBuf::from(env::var("OUT_DIR").unwrap());
    fs::write(out_dir.join("articles.rs"), out).unwrap();
    fs::write(out_dir.join("translit.rs"), transliteration_table(&files)).unwrap();
}

/// The ASCII forms, from `deunicode`, of every non-ASCII character in the bundled articles:
/// the browser needs no more than these to parse them exactly as the host does.
fn transliteration_table(files: &[PathBuf]) -> String {
    let mut chars = std::collections::BTreeSet::new();
    for path in files {
        let bytes = fs::read(path).unwrap_or_default();
        chars.extend(
            String::from_utf8_lossy(&bytes)
                .chars()
                .filter(|c| !c.is_ascii()),
        );
    }
    let mut out = String::from(
        "/// (character, ASCII form) for each non-ASCII character of the bundled articles, sorted.\n\
         pub static TABLE: &[(char, Option<&str>)] = &[\n",
    );
    for c in chars {
        out.push_str(&format!(
            "    ({c:?}, {:?}),\n",
            deunicode::deunicode_char(c)
        ));
    }
    out.push_str("];\n");
    out
}
