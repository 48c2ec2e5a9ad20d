//! The site folder as the build leaves it: a file is written only when its bytes change (so its
//! modification time, and a CDN's copy, stay as they were), and files the build did not produce
//! this time (a deleted article's page, the previous build's data) are removed at the end.

use anyhow::Context as _;
use std::{
    collections::BTreeSet,
    fs,
    path::{Path, PathBuf},
    sync::{
        atomic::{AtomicUsize, Ordering},
        Mutex,
    },
};
use walkdir::WalkDir;

/// The site folder being built; shared by the threads that write into it.
pub struct Output {
    root: PathBuf,
    /// Every path (relative, `/`-separated) this build produced.
    produced: Mutex<BTreeSet<String>>,
    written: AtomicUsize,
    unchanged: AtomicUsize,
}

impl Output {
    pub fn new(root: &Path) -> anyhow::Result<Self> {
        fs::create_dir_all(root).with_context(|| format!("create {}", root.display()))?;
        Ok(Output {
            root: root.to_path_buf(),
            produced: Mutex::new(BTreeSet::new()),
            written: AtomicUsize::new(0),
            unchanged: AtomicUsize::new(0),
        })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Writes `bytes` to `path` (relative to the root) unless the file already holds them.
    /// Returns whether it wrote.
    pub fn write(&self, path: &str, bytes: &[u8]) -> anyhow::Result<bool> {
        let full = self.root.join(path);
        self.produced(path);
        let same = fs::metadata(&full).is_ok_and(|m| m.len() == bytes.len() as u64)
            && fs::read(&full).is_ok_and(|old| old == bytes);
        self.write_unless(same, &full, bytes)
    }

    /// Writes a file whose name is a hash of its bytes (`data/articles/SLUG.HASH.txt`): when it
    /// exists, it holds them already, so it is not even read. It is not counted as produced
    /// until [`Output::produced`] says so (the caller may yet leave it out).
    pub fn write_named_by_content(&self, path: &str, bytes: &[u8]) -> anyhow::Result<bool> {
        let full = self.root.join(path);
        self.write_unless(full.is_file(), &full, bytes)
    }

    /// Counts the file as unchanged when `same`, else writes it (making its folder); returns
    /// whether it wrote.
    fn write_unless(&self, same: bool, full: &Path, bytes: &[u8]) -> anyhow::Result<bool> {
        if same {
            self.unchanged.fetch_add(1, Ordering::Relaxed);
            return Ok(false);
        }
        if let Some(dir) = full.parent() {
            fs::create_dir_all(dir).with_context(|| format!("create {}", dir.display()))?;
        }
        fs::write(full, bytes).with_context(|| format!("write {}", full.display()))?;
        self.written.fetch_add(1, Ordering::Relaxed);
        Ok(true)
    }

    /// Keeps the file at `path` as the last build wrote it (the caller knows its bytes are this
    /// build's): counted as unchanged, not read.
    pub fn keep(&self, path: &str) {
        self.produced(path);
        self.unchanged.fetch_add(1, Ordering::Relaxed);
    }

    /// Marks `path` as this build's without writing it (a file left as the last build wrote it).
    pub fn produced(&self, path: &str) {
        self.produced
            .lock()
            .expect("no thread panics holding it")
            .insert(path.to_owned());
    }

    /// Whether this build produced `path`.
    pub fn has(&self, path: &str) -> bool {
        self.produced
            .lock()
            .expect("no thread panics holding it")
            .contains(path)
    }

    /// (files written, files left as they were) so far.
    pub fn counts(&self) -> (usize, usize) {
        (
            self.written.load(Ordering::Relaxed),
            self.unchanged.load(Ordering::Relaxed),
        )
    }

    /// Removes every file under the root this build did not produce, and the folders left
    /// empty; returns how many files it removed.
    pub fn prune(&self) -> anyhow::Result<usize> {
        let produced = self.produced.lock().expect("no thread panics holding it");
        let mut removed = 0;
        let mut dirs = Vec::new();
        for entry in WalkDir::new(&self.root).min_depth(1) {
            let entry = entry?;
            if entry.file_type().is_dir() {
                dirs.push(entry.into_path());
                continue;
            }
            if !produced.contains(&relative(&self.root, entry.path())) {
                fs::remove_file(entry.path())
                    .with_context(|| format!("remove {}", entry.path().display()))?;
                removed += 1;
            }
        }
        // Deepest first, so a folder's emptied subfolders are gone when it is tried.
        dirs.sort_by_key(|d| std::cmp::Reverse(d.components().count()));
        for dir in dirs {
            // Fails, as it should, while the folder still holds something.
            let _ = fs::remove_dir(&dir);
        }
        Ok(removed)
    }
}

/// `path`'s `/`-separated path relative to `root`.
pub fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unchanged_files_are_not_rewritten_and_stale_ones_are_removed() {
        let root = std::env::temp_dir().join(format!("broadsheet-output-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        let first = Output::new(&root).unwrap();
        assert!(first.write("a/b.txt", b"one").unwrap());
        assert!(first.write("gone/c.txt", b"two").unwrap());
        assert!(first.write_named_by_content("d.1234.txt", b"x").unwrap());
        first.produced("d.1234.txt");
        assert!(first.write_named_by_content("left-out.txt", b"y").unwrap());
        assert_eq!(first.prune().unwrap(), 1, "left-out.txt was never produced");

        let second = Output::new(&root).unwrap();
        assert!(!second.write("a/b.txt", b"one").unwrap());
        // Same length, other bytes: written.
        assert!(second.write("a/e.txt", b"new").unwrap());
        assert!(!second.write_named_by_content("d.1234.txt", b"x").unwrap());
        second.produced("d.1234.txt");
        assert_eq!(second.counts(), (1, 2));
        assert_eq!(second.prune().unwrap(), 1);
        assert!(!root.join("gone").exists(), "the emptied folder is removed");
        assert_eq!(fs::read(root.join("a/b.txt")).unwrap(), b"one");
        assert!(root.join("d.1234.txt").is_file());
        fs::remove_dir_all(&root).unwrap();
    }
}
