//! Highlights and notes in an article: selecting text in the body offers "Highlight" (and the
//! `h` key), the highlighted words are shown as `<mark>`, and the list under the article holds
//! each one's "Note", kept as it is typed, and its removal with undo.
//!
//! A highlight is stored as an anchor (see the core's `anchor.rs`) and placed again in the
//! article's text on every render, so it survives a reload, a change of font or width, and a
//! new deployment that moved or edited its words; one whose words are gone is listed and said
//! to be so, never dropped.

use super::reader_data::{use_item, ItemData};
use crate::anchor::{Anchor, Found};
use crate::store::{ItemId, MAX_NOTE_CHARS};
use leptos::prelude::*;

/// The id of a highlight's first `<mark>`, the fragment that links to it (`#hl-ID`).
pub fn mark_id(id: &str) -> String {
    format!("hl-{id}")
}

/// A highlight placed in the article as published now.
#[derive(Clone, Debug, PartialEq)]
pub struct Placed {
    pub id: String,
    pub paragraph: usize,
    pub start: usize,
    pub end: usize,
}

/// The article's highlights, placed: what the paragraphs and the list read.
#[derive(Clone, Copy)]
pub struct ArticleHighlights {
    pub item: ItemData,
    /// Every visible highlight found in the text, in the order made.
    pub placed: Memo<Vec<Placed>>,
    /// The ids of highlights whose words are no longer in the article.
    pub gone: Memo<Vec<String>>,
    paragraphs: StoredValue<Vec<String>>,
    title: StoredValue<String>,
    /// The article page's own path (fragment links resolve against `<base href>`).
    page: StoredValue<String>,
}

impl ArticleHighlights {
    /// The highlights of the article `item_id`, whose body is `paragraphs`.
    pub fn new(item_id: ItemId, title: String, paragraphs: Vec<String>, page: String) -> Self {
        let item = use_item(item_id);
        let paragraphs = StoredValue::new(paragraphs);
        // The highlights' places alone, so that typing a note does not place them again.
        let anchors = Memo::new(move |_| {
            item.state.with(|s| {
                s.visible_highlights()
                    .map(|h| (h.id.clone(), h.anchor.clone()))
                    .collect::<Vec<_>>()
            })
        });
        let found = Memo::new(move |_| {
            anchors.with(|anchors| {
                paragraphs.with_value(|texts| {
                    let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
                    anchors
                        .iter()
                        .map(|(id, anchor)| {
                            let at = match anchor.find(&texts) {
                                Ok(Found::Here) => Some(anchor.clone()),
                                Ok(Found::Moved(a) | Found::Changed(a)) => Some(a),
                                Err(_) => None,
                            };
                            (id.clone(), at)
                        })
                        .collect::<Vec<_>>()
                })
            })
        });
        let placed = Memo::new(move |_| {
            found.with(|all| {
                all.iter()
                    .filter_map(|(id, at)| {
                        at.as_ref().map(|a| Placed {
                            id: id.clone(),
                            paragraph: a.paragraph,
                            start: a.start,
                            end: a.end,
                        })
                    })
                    .collect()
            })
        });
        let gone = Memo::new(move |_| {
            found.with(|all| {
                all.iter()
                    .filter(|(_, at)| at.is_none())
                    .map(|(id, _)| id.clone())
                    .collect()
            })
        });
        ArticleHighlights {
            item,
            placed,
            gone,
            paragraphs,
            title: StoredValue::new(title),
            page: StoredValue::new(page),
        }
    }

    /// Highlights the characters `start..end` of each paragraph given; returns the new ids.
    pub fn highlight(self, ranges: &[(usize, usize, usize)]) -> Vec<String> {
        let mut made = Vec::new();
        let data = self.item.data;
        self.item.update(|s| {
            for &(paragraph, start, end) in ranges {
                let anchor = self.paragraphs.with_value(|texts| {
                    let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
                    Anchor::new(&texts, paragraph, start, end)
                });
                if let Some(anchor) = anchor {
                    let id = super::comments::comment_id();
                    let title = self.title.get_value();
                    s.add_highlight(id.clone(), anchor, &title, data.stamp());
                    made.push(id);
                }
            }
        });
        made
    }

    /// The text of paragraph `index` as runs, each marked by the highlight it belongs to.
    fn runs(self, index: usize) -> Vec<(String, Option<(String, bool)>)> {
        let paragraph = || {
            self.paragraphs
                .with_value(|p| p.get(index).cloned())
                .unwrap_or_default()
        };
        self.placed.with(|placed| {
            let here: Vec<&Placed> = placed.iter().filter(|p| p.paragraph == index).collect();
            // Most paragraphs have no highlight: their text is one run.
            if here.is_empty() {
                return vec![(paragraph(), None)];
            }
            let text: Vec<char> = paragraph().chars().collect();
            let ranges: Vec<(usize, usize)> = here.iter().map(|p| (p.start, p.end)).collect();
            let mut first_run = std::collections::BTreeSet::new();
            crate::store::runs(text.len(), &ranges)
                .into_iter()
                .map(|(start, end, owner)| {
                    let words: String = text[start..end].iter().collect();
                    let mark = owner.map(|n| (here[n].id.clone(), first_run.insert(n)));
                    (words, mark)
                })
                .collect()
        })
    }
}

/// The text of one paragraph, with its highlights as `<mark>`s. The first mark of each
/// highlight carries its id, so `#hl-ID` links to it.
#[component]
pub fn ParagraphText(
    /// The article's highlights.
    highlights: ArticleHighlights,
    /// Which paragraph (from 0).
    index: usize,
) -> impl IntoView {
    move || {
        highlights
            .runs(index)
            .into_iter()
            .map(|(words, mark)| match mark {
                None => words.into_any(),
                Some((id, first)) => view! {
                    <mark class="reader-highlight" id=first.then(|| mark_id(&id)) data-highlight=id>
                        {words}
                    </mark>
                }
                .into_any(),
            })
            .collect_view()
    }
}

/// The "Highlight" button shown while text of the article body is selected, and the `h` key.
#[component]
pub fn SelectionTool(
    /// The article's highlights.
    highlights: ArticleHighlights,
    /// Tells the reader what happened.
    status: WriteSignal<String>,
) -> impl IntoView {
    let (selected, set_selected) = signal(Vec::<(usize, usize, usize)>::new());
    let highlight = move || {
        let ranges = selected.get_untracked();
        if ranges.is_empty() {
            return;
        }
        let made = highlights.highlight(&ranges);
        clear_selection();
        set_selected.set(Vec::new());
        status.set(match made.len() {
            0 => "Nothing to highlight there.".to_owned(),
            1 => "Highlighted. Add a note to it under the story.".to_owned(),
            n => format!("{n} passages highlighted. Add notes to them under the story."),
        });
    };
    #[cfg(target_arch = "wasm32")]
    {
        use wasm_bindgen::{closure::Closure, JsCast};
        let lengths: Vec<usize> = highlights
            .paragraphs
            .with_value(|p| p.iter().map(|t| t.chars().count()).collect());
        // `selectionchange` is fired at the document and does not bubble to the window.
        let change = Closure::<dyn Fn()>::new(move || {
            set_selected.set(selection::in_article(&lengths));
        });
        let _ = document()
            .add_event_listener_with_callback("selectionchange", change.as_ref().unchecked_ref());
        let change = StoredValue::new_local(Some(change));
        let keys = window_event_listener(leptos::ev::keydown, move |e| {
            let modified = e.ctrl_key() || e.meta_key() || e.alt_key() || e.default_prevented();
            if e.key() != "h" || modified || super::shortcuts::typing_in_field(e.target()) {
                return;
            }
            if !selected.get_untracked().is_empty() {
                e.prevent_default();
                highlight();
            }
        });
        on_cleanup(move || {
            if let Some(change) = change.try_update_value(Option::take).flatten() {
                let _ = document().remove_event_listener_with_callback(
                    "selectionchange",
                    change.as_ref().unchecked_ref(),
                );
            }
            keys.remove();
        });
    }
    view! {
        <div class="selection-tool" hidden=move || selected.with(Vec::is_empty)>
            // Pressing the button must not take the selection away before the click.
            <button
                type="button"
                class="primary"
                on:mousedown=|e| e.prevent_default()
                on:click=move |_| highlight()
            >
                "Highlight"
            </button>
        </div>
    }
}

fn clear_selection() {
    #[cfg(target_arch = "wasm32")]
    if let Ok(Some(selection)) = window().get_selection() {
        let _ = selection.remove_all_ranges();
    }
}

/// The reader's selection in the article body, as character ranges of its paragraphs.
#[cfg(target_arch = "wasm32")]
mod selection {
    use leptos::prelude::*;
    use wasm_bindgen::JsCast;

    /// `(paragraph, start, end)` for each paragraph the selection covers text of.
    /// `lengths` are the paragraphs' lengths in characters (their text, without the "¶" link).
    pub fn in_article(lengths: &[usize]) -> Vec<(usize, usize, usize)> {
        let Some(range) = window()
            .get_selection()
            .ok()
            .flatten()
            .filter(|s| !s.is_collapsed() && s.range_count() > 0)
            .and_then(|s| s.get_range_at(0).ok())
        else {
            return Vec::new();
        };
        let Ok(list) = document().query_selector_all(".article-body > p[id^='p']") else {
            return Vec::new();
        };
        (0..list.length())
            .filter_map(|i| list.item(i)?.dyn_into::<web_sys::Element>().ok())
            .enumerate()
            .filter(|(_, p)| range.intersects_node(p).unwrap_or(false))
            .filter_map(|(index, p)| {
                // The text ends before the paragraph's link ("¶").
                let len = *lengths.get(index)?;
                let start_node = range.start_container().ok()?;
                let end_node = range.end_container().ok()?;
                let start = if p.contains(Some(&start_node)) {
                    text_before(&p, &start_node, range.start_offset().ok()?)?
                } else {
                    0
                };
                let end = if p.contains(Some(&end_node)) {
                    text_before(&p, &end_node, range.end_offset().ok()?)?
                } else {
                    len
                };
                let (start, end) = (start.min(len), end.min(len));
                (start < end).then_some((index, start, end))
            })
            .collect()
    }

    /// How many characters of `p`'s text come before `offset` in `node`.
    fn text_before(p: &web_sys::Element, node: &web_sys::Node, offset: u32) -> Option<usize> {
        let range = document().create_range().ok()?;
        range.set_start(p, 0).ok()?;
        range.set_end(node, offset).ok()?;
        Some(String::from(range.to_string()).chars().count())
    }
}

/// The list of the article's highlights under it: each quote, its "Note", and removal with
/// undo. Nothing is shown while there are none.
#[component]
pub fn HighlightList(
    /// The article's highlights.
    highlights: ArticleHighlights,
    /// What happened, for the reader (shared with the selection tool).
    status: ReadSignal<String>,
    set_status: WriteSignal<String>,
) -> impl IntoView {
    let item = highlights.item;
    let (undo, set_undo) = signal(None::<String>);
    let listed = move || {
        item.state.with(|s| {
            s.visible_highlights()
                .map(|h| (h.id.clone(), h.anchor.quote.clone()))
                .collect::<Vec<_>>()
        })
    };
    let remove = Callback::new(move |id: String| {
        item.update(|s| s.set_highlight_deleted(&id, true, item.data.stamp()));
        set_undo.set(Some(id));
        set_status.set("Highlight removed".to_owned());
    });
    let restore = move |()| {
        if let Some(id) = undo.get_untracked() {
            item.update(|s| s.set_highlight_deleted(&id, false, item.data.stamp()));
            set_undo.set(None);
            set_status.set("Highlight restored".to_owned());
        }
    };
    view! {
        <section class="highlights" aria-labelledby="highlights-title" hidden=move || listed().is_empty() && undo.get().is_none()>
            <h2 id="highlights-title">"Your highlights in this story"</h2>
            <ol class="highlight-list">
                <For each=listed key=|(id, quote)| (id.clone(), quote.clone()) let:entry>
                    <HighlightEntry highlights=highlights id=entry.0 quote=entry.1 on_remove=remove/>
                </For>
            </ol>
        </section>
        <super::comments::StatusWithUndo
            class="form-status highlight-status"
            status=status.into()
            can_undo=Signal::derive(move || undo.get().is_some())
            on_undo=Callback::new(restore)
        />
    }
}

/// One highlight in the list under the article.
#[component]
fn HighlightEntry(
    highlights: ArticleHighlights,
    id: String,
    quote: String,
    on_remove: Callback<String>,
) -> impl IntoView {
    let item = highlights.item;
    let id = StoredValue::new(id);
    let gone = move || highlights.gone.with(|g| g.contains(&id.get_value()));
    let note = move || {
        item.state.with(|s| {
            s.highlights
                .iter()
                .find(|h| h.id == id.get_value())
                .map(|h| h.note.clone())
                .unwrap_or_default()
        })
    };
    let (saved, set_saved) = signal(String::new());
    let scheduled = StoredValue::new(false);
    let on_input = move |ev: leptos::ev::Event| {
        let text = event_target_value(&ev);
        item.update_in_memory(|s| s.set_note(&id.get_value(), &text, item.data.stamp()));
        set_saved.set(String::new());
        super::comments::save_soon(item.data, scheduled, move || {
            set_saved.set("Note saved".to_owned())
        });
    };
    let note_id = format!("note-{}", id.get_value());
    let show = move |ev: leptos::ev::MouseEvent| {
        ev.prevent_default();
        go_to_highlight(&id.get_value());
    };
    view! {
        <li class="highlight-entry">
            <blockquote class="highlight-quote" dir="auto">{quote}</blockquote>
            {move || gone().then(|| view! {
                <p class="note">"These words are no longer in the story as published now; your highlight and note are kept."</p>
            })}
            <label for=note_id.clone()>"Note"</label>
            <textarea
                id=note_id
                rows="2"
                dir="auto"
                maxlength=MAX_NOTE_CHARS
                prop:value=note
                on:input=on_input
            ></textarea>
            <p class="form-status" role="status">{saved}</p>
            <div class="comment-actions">
                <Show when=move || !gone()>
                    <a class="link-button" href=format!("{}#{}", highlights.page.get_value(), mark_id(&id.get_value())) on:click=show>
                        "Show in the story"
                    </a>
                </Show>
                <button type="button" class="link-button" on:click=move |_| on_remove.run(id.get_value())>
                    "Remove highlight"
                </button>
            </div>
        </li>
    }
}

/// Scrolls the first mark of highlight `id` into view (respecting reduced motion).
pub fn go_to_highlight(id: &str) {
    if let Some(mark) = document().get_element_by_id(&mark_id(id)) {
        mark.scroll_into_view();
    }
}

/// "Your highlights": every highlight and note, by story, newest first, each linking back to
/// its place; "Export highlights as Markdown" gives them to a notes app.
#[component]
pub fn YourHighlights() -> impl IntoView {
    let data = super::reader_data::use_reader_data();
    let items = data.all_items();
    let (message, set_message) = signal(String::new());
    // (article slug, its highlights newest first), stories newest first.
    let stories = Memo::new(move |_| {
        items.with(|all| {
            let articles = all
                .iter()
                .filter_map(|(id, item)| Some((article_slug(id)?.to_owned(), item)));
            crate::store::by_story(articles)
                .into_iter()
                .map(|(slug, list)| (slug, list.into_iter().cloned().collect::<Vec<_>>()))
                .collect::<Vec<_>>()
        })
    });
    let export = move |_| {
        let origin = window().location().origin().unwrap_or_default();
        let absolute = |path: String| format!("{origin}{}", super::href(&path));
        let text = stories.with_untracked(|stories| {
            let listed: Vec<(String, Vec<crate::store::Listed<'_>>)> = stories
                .iter()
                .map(|(slug, list)| {
                    let page = super::article_path(slug);
                    let entries = list
                        .iter()
                        .map(|h| crate::store::Listed {
                            highlight: h,
                            link: absolute(format!("{page}#{}", mark_id(&h.id))),
                        })
                        .collect();
                    (absolute(page), entries)
                })
                .collect();
            crate::store::to_markdown(&listed)
        });
        let name = format!("broadsheet-highlights-{}.md", super::your_data::today());
        let count: usize = stories.with_untracked(|s| s.iter().map(|(_, l)| l.len()).sum());
        set_message.set(
            match super::your_data::download(&name, text, "text/markdown") {
                Ok(()) => format!(
                    "Exported {count} highlight{} to {name}.",
                    if count == 1 { "" } else { "s" }
                ),
                Err(why) => format!("The export failed: {why}."),
            },
        );
    };
    view! {
        <leptos_meta::Title text="Your highlights"/>
        <section class="your-highlights" aria-labelledby="your-highlights-title">
            <h1 id="your-highlights-title" tabindex="-1">"Your highlights"</h1>
            <p class="lede">
                "What you highlighted and noted, kept in this browser only. Select words in a story and choose Highlight (or press h)."
            </p>
            <Show
                when=move || stories.with(|s| !s.is_empty())
                fallback=|| view! { <p class="empty">"No highlights yet."</p> }
            >
                <button type="button" class="primary" on:click=export>"Export highlights as Markdown"</button>
                <p class="data-message" role="status">{message}</p>
                // Read only: the whole list is drawn again when it changes (another tab).
                {move || {
                    stories
                        .get()
                        .into_iter()
                        .map(|(slug, list)| view! { <StoryHighlights slug=slug highlights=list/> })
                        .collect_view()
                }}
            </Show>
        </section>
    }
}

/// One story's highlights on "Your highlights".
#[component]
fn StoryHighlights(slug: String, highlights: Vec<crate::store::Highlight>) -> impl IntoView {
    let page = super::href(&super::article_path(&slug));
    let title = highlights
        .first()
        .map(|h| h.title.clone())
        .unwrap_or_default();
    view! {
        <article class="story-highlights">
            <h2><a href=page.clone()>{title}</a></h2>
            <ol class="highlight-list">
                {highlights
                    .into_iter()
                    .map(|h| {
                        let link = format!("{page}#{}", mark_id(&h.id));
                        view! {
                            <li class="highlight-entry">
                                <blockquote class="highlight-quote" dir="auto">{h.anchor.quote}</blockquote>
                                {(!h.note.trim().is_empty()).then(|| view! { <p class="highlight-note">{h.note}</p> })}
                                <a href=link>"Go to this highlight"</a>
                            </li>
                        }
                    })
                    .collect_view()}
            </ol>
        </article>
    }
}

/// The slug of an article's item (`article/SLUG`); `None` for a brief.
fn article_slug(id: &ItemId) -> Option<&str> {
    id.as_str().strip_prefix("article/")
}
