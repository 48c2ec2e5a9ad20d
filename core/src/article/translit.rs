//! Non-ASCII characters to ASCII for slugs and search: `deunicode` on the host; in the browser
//! a table, made from `deunicode` at build time, of just the characters the bundled articles
//! contain (the full tables would add about 140 KB to the download).

#[cfg(not(fuzzing))]
mod bundled {
    include!(concat!(env!("OUT_DIR"), "/translit.rs"));
}

/// The fuzz target compiles these sources without build.rs, and runs on the host (deunicode).
#[cfg(fuzzing)]
mod bundled {
    pub static TABLE: &[(char, Option<&str>)] = &[];
}

/// The ASCII form of `c`, or `None` where it has none.
#[cfg(not(target_arch = "wasm32"))]
pub fn ascii_of(c: char) -> Option<&'static str> {
    deunicode::deunicode_char(c)
}

/// The ASCII form of `c`, or `None` where it has none (or it occurs in no bundled article).
#[cfg(target_arch = "wasm32")]
pub fn ascii_of(c: char) -> Option<&'static str> {
    bundled_table()
        .binary_search_by_key(&c, |(k, _)| *k)
        .ok()
        .and_then(|i| bundled_table()[i].1)
}

/// The browser's table, for tests that hold it to `deunicode`.
#[doc(hidden)]
pub fn bundled_table() -> &'static [(char, Option<&'static str>)] {
    bundled::TABLE
}
