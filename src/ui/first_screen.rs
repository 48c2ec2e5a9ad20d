//! The takeover of a long prerendered page in short tasks: what reaches into the reader's window
//! is drawn in the takeover's task, the rest in the tasks that follow, below the window, so the
//! page answers a tap sooner (one long task became several short ones).

use leptos::prelude::*;
use std::sync::{Arc, Mutex};

/// After the app takes over a prerendered front page or article, how many of its blocks (the
/// front page's stories, the article's paragraphs) the app's first render draws: the ones that
/// reach into the reader's window (all above its bottom edge, where the reader may have
/// scrolled to) and one more. The page draws the rest in the tasks that follow, below the
/// window, and says when it is done. Taken once: a page drawn later (Back from an article)
/// draws itself at once, as before.
#[derive(Clone, Debug)]
pub struct FirstScreen(Arc<Mutex<Drawing>>);

/// Where the page of a [`FirstScreen`] is.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Drawing {
    /// No page has taken it (yet): this many blocks first.
    Untaken(usize),
    /// A page draws the rest of itself.
    Rest,
    /// The whole page is drawn (or it is gone).
    Done,
}

/// The blocks counted, in the order they are drawn: a front page's stories, else an article's
/// paragraphs.
const BLOCKS: [&str; 2] = [".story-list > li", ".article-body > p[id]"];

impl FirstScreen {
    /// The blocks of the prerendered page `root` that start above the bottom of the window, and
    /// one more; `None` if it has none. Measured once the page is drawn, so its layout is
    /// already done.
    pub fn measure(root: &web_sys::Element) -> Option<Self> {
        use wasm_bindgen::JsCast;
        let items = BLOCKS
            .iter()
            .filter_map(|selector| root.query_selector_all(selector).ok())
            .find(|items| items.length() > 0)?;
        let bottom = window().inner_height().ok()?.as_f64()?;
        let in_view = (0..items.length())
            .filter_map(|i| items.item(i)?.dyn_into::<web_sys::Element>().ok())
            .take_while(|item| item.get_bounding_client_rect().top() < bottom)
            .count();
        Some(Self::new(in_view + 1))
    }

    pub fn new(blocks: usize) -> Self {
        FirstScreen(Arc::new(Mutex::new(Drawing::Untaken(blocks))))
    }

    fn set(&self, to: Drawing) -> Drawing {
        match self.0.lock() {
            Ok(mut state) => std::mem::replace(&mut *state, to),
            Err(_) => Drawing::Done,
        }
    }

    /// The count, the first time it is asked for; the page is then being drawn until
    /// [`FirstScreen::done`].
    pub fn take(&self) -> Option<usize> {
        match self.set(Drawing::Rest) {
            Drawing::Untaken(blocks) => Some(blocks),
            other => {
                self.set(other);
                None
            }
        }
    }

    /// The page is drawn whole.
    pub fn done(&self) {
        self.set(Drawing::Done);
    }

    /// The page's first render draws this many of `total` blocks; `None` when that is all of
    /// them (then it is done at once), or the page is not the takeover's.
    pub fn split(total: usize) -> Option<(Self, usize)> {
        let first_screen = use_context::<FirstScreen>()?;
        match first_screen.take() {
            Some(first) if first < total => Some((first_screen, first)),
            Some(_) => {
                first_screen.done();
                None
            }
            None => None,
        }
    }

    /// Runs `then` once the page is drawn, or no page took it: checked from the next task on,
    /// after the app's first render (whose route is drawn in the takeover's microtasks).
    /// `<html data-app="ready">` waits for this, so the whole first page is there when it says
    /// so.
    pub fn when_drawn(self, then: impl FnOnce() + 'static) {
        set_timeout(
            move || {
                let drawing = self.0.lock().map_or(Drawing::Done, |state| *state);
                if drawing == Drawing::Rest {
                    self.when_drawn(then);
                } else {
                    then();
                }
            },
            std::time::Duration::from_millis(4),
        );
    }
}

/// Runs `step` in each of the tasks that follow, one call per task, until it returns `false`
/// (there is nothing more to draw, or the page is gone), then says so to `first`.
pub fn in_later_tasks(first: FirstScreen, mut step: impl FnMut() -> bool + 'static) {
    set_timeout(
        move || {
            if step() {
                in_later_tasks(first, step);
            } else {
                first.done();
            }
        },
        std::time::Duration::ZERO,
    );
}
