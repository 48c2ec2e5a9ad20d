//! The article format: a pure parser from the article files to [`Article`]s.
//!
//! No I/O and no browser: the same code runs in the command-line check and in the app.

mod model;
mod parse;
mod reading_time;
mod slug;
pub mod synthetic;
mod translit;

pub use model::{direction, Article, ParseError, ParseErrorKind, Published, RelatedStory};
pub use parse::{parse, parse_str};
#[doc(hidden)]
pub use parse::{parse_with_stats, ParseStats};
pub use reading_time::reading_minutes;
pub use slug::{fnv1a32, is_valid_slug, slugify};
pub use translit::ascii_of;
