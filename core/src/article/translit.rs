//! Non-ASCII characters to ASCII for slugs and search: `deunicode` on the host (the site build
//! and the command-line tool). The browser has no table at all: the program must not depend
//! on the corpus, and the full tables would add about 140 KB to the download. It does not need
//! one either: the build ships every slug (`site_data::Located::apply` gives an article parsed
//! in the browser the build's slugs), and the search index ships the folding of every
//! character its text contains (`search::Meta::fold`).

/// The ASCII form of `c`, or `None` where it has none.
#[cfg(not(target_arch = "wasm32"))]
pub fn ascii_of(c: char) -> Option<&'static str> {
    deunicode::deunicode_char(c)
}

/// In the browser no non-ASCII character has a known ASCII form (see the module comment).
/// Callers ask only about non-ASCII characters: ASCII ones need no transliteration.
#[cfg(target_arch = "wasm32")]
pub fn ascii_of(_c: char) -> Option<&'static str> {
    None
}
