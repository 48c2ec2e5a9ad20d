//! The site's data files (`broadsheet_core::site_data`): `data/site.json`, the listing pages and
//! slug shards under `data/VERSION/`, and the search index.

use crate::{output::Output, source::Source};
use broadsheet::site_data::{SiteData, SITE_INFO};
use rayon::prelude::*;
use sha2::{Digest, Sha256};

/// A version folder no real build names: the data is made once under it, hashed, then moved.
const PLACEHOLDER: &str = "0000000000000000";

/// Derives the data of `source`, names its version by its contents, and writes it into `out`.
/// VERSION is the first 16 hex digits of a SHA-256 over the path (below the version folder)
/// and bytes of every file under it, so the same articles built by the same code give the
/// same version, and any change to a listing, a shard or the search index a new one.
pub fn write(source: &Source, out: &Output) -> anyhow::Result<SiteData> {
    let (data, files) = derive(source, PLACEHOLDER);
    let prefix = format!("data/{PLACEHOLDER}/");
    let mut hasher = Sha256::new();
    for (path, json) in &files {
        if let Some(below) = path.strip_prefix(&prefix) {
            hasher.update((below.len() as u64).to_le_bytes());
            hasher.update(below.as_bytes());
            hasher.update((json.len() as u64).to_le_bytes());
            hasher.update(json.as_bytes());
        }
    }
    let version: String = hasher.finalize()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    // The files below the version name no version (they link by article file), so only their
    // paths change; derive again if that ever stops being true.
    let (data, files) = if files
        .iter()
        .any(|(p, json)| p != SITE_INFO && json.contains(PLACEHOLDER))
    {
        derive(source, &version)
    } else {
        let mut data = data;
        data.info.version.clone_from(&version);
        let renamed = files
            .into_iter()
            .map(|(path, json)| match path.strip_prefix(&prefix) {
                Some(below) => (format!("data/{version}/{below}"), json),
                None => (path, json),
            })
            .map(|(path, json)| {
                if path == SITE_INFO {
                    (
                        path,
                        serde_json::to_string(&data.info).expect("site info serializes"),
                    )
                } else {
                    (path, json)
                }
            })
            .collect();
        (data, renamed)
    };
    files
        .par_iter()
        .try_for_each(|(path, json)| out.write(path, json.as_bytes()).map(|_| ()))?;
    Ok(data)
}

/// The data of `source` under `version`, and every data file but the articles': (path, JSON).
fn derive(source: &Source, version: &str) -> (SiteData, Vec<(String, String)>) {
    let data = SiteData::new(&source.corpus, |a| source.file_of(&a.slug), version);
    let mut files = data.files();
    files.extend(broadsheet::search::index_files(&source.corpus, &data));
    (data, files)
}
