//! The article page: headline, meta, body paragraphs with anchors, reactions, comments and
//! Read next; reading progress is remembered as paragraph plus offset.

use super::{
    comments::Comments,
    first_screen::{in_later_tasks, FirstScreen},
    highlights::{ArticleHighlights, HighlightList, ParagraphText, SelectionTool},
    listen::Listen,
    loading::with_story,
    reactions::Reactions,
    reader_data::use_reader_data,
    reading_time_label,
    related::ReadNext,
    settings::ReadingSettings,
    share::ShareButton,
};
use crate::library::Story;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// The article named by the `:slug` in the URL: at once when the library has it, else fetched.
#[component]
pub fn ArticlePage() -> impl IntoView {
    let params = use_params_map();
    let slug = Memo::new(move |_| {
        params
            .read()
            .get(crate::routes::SLUG_PARAM)
            .unwrap_or_default()
    });
    move || {
        with_story(slug.get(), |story| {
            view! { <ArticleView story=story/> }.into_any()
        })
    }
}

/// The reading view of one article.
#[component]
pub fn ArticleView(
    /// The article to show, with its "Read next" links as the build resolved them.
    story: Story,
) -> impl IntoView {
    let Story { article, located } = story;
    let [low, high] = article.reading_minutes;
    let item_id = crate::store::ItemId::article(&article.slug);
    let (copied, set_copied) = signal(String::new());
    // Fragment links are resolved against <base href>, so they carry the page's own path.
    let self_path = super::href(&super::article_path(&article.slug));
    // Right after the takeover of a long article, the paragraphs below the reader's window are
    // drawn in the next task, and what follows the article in the task after (see
    // `first_screen`); else all at once.
    let split = FirstScreen::split(article.paragraphs.len());
    let first = split.as_ref().map_or(usize::MAX, |(_, first)| *first);
    let stage = RwSignal::new(if split.is_some() { 0u8 } else { 2 });
    if let Some((first_screen, _)) = split {
        in_later_tasks(first_screen, move || {
            stage
                .try_update(|stage| {
                    *stage += 1;
                    *stage < 2
                })
                .unwrap_or(false)
        });
    }
    let rest_drawn = Memo::new(move |_| stage.get() >= 1);
    let drawn = Memo::new(move |_| stage.get() >= 2);
    progress::track(item_id.clone(), drawn);
    let highlights = ArticleHighlights::new(
        item_id.clone(),
        article.title.clone(),
        article.paragraphs.clone(),
        self_path.clone(),
    );
    let (highlight_status, set_highlight_status) = signal(String::new());
    let item = use_reader_data().item(item_id.clone());
    let start =
        Callback::new(move |()| item.with_untracked(|s| s.progress.map_or(0, |p| p.paragraph)));
    let paragraph = move |i: usize| {
        let n = i + 1;
        let id = format!("p{n}");
        let href = format!("{self_path}#{id}");
        let copy_link = move |ev: leptos::ev::MouseEvent| {
            ev.prevent_default();
            let id = format!("p{n}");
            progress::go_to_paragraph(&id, true);
            let url = format!("{}#{id}", super::share::page_url());
            leptos::task::spawn_local(async move {
                let message = if super::share::copy_text(&url).await {
                    format!("Link to paragraph {n} copied")
                } else {
                    format!("Link to paragraph {n}: {url}")
                };
                set_copied.set(message);
            });
        };
        view! {
            <p id=id class:lede=i == 0>
                <ParagraphText highlights=highlights index=i/>
                " "
                <a
                    class="para-link"
                    href=href
                    aria-label=format!("Copy link to paragraph {n}")
                    on:click=copy_link
                >
                    "¶"
                </a>
            </p>
        }
    };
    let count = article.paragraphs.len();
    let first_paragraphs = (0..count.min(first)).map(paragraph.clone()).collect_view();
    let rest = move || {
        rest_drawn.get().then(|| {
            (count.min(first)..count)
                .map(paragraph.clone())
                .collect_view()
                .into_any()
        })
    };
    let after_article = {
        let article = article.clone();
        move || {
            drawn.get().then(|| {
                view! {
                    <SelectionTool highlights=highlights status=set_highlight_status/>
                    <HighlightList
                        highlights=highlights
                        status=highlight_status
                        set_status=set_highlight_status
                    />
                    <Reactions item_id=item_id.clone()/>
                    <Comments item_id=item_id.clone()/>
                    <ReadNext article=article.clone() located=located.clone()/>
                }
                .into_any()
            })
        }
    };
    view! {
        <Title text=article.title.clone()/>
        <article class="article" lang=article.lang.clone() dir=crate::article::direction(&article.lang)>
            <header class="article-header">
                {article.topic.clone().map(|t| view! { <p class="kicker">{t}</p> })}
                <h1 tabindex="-1">{article.title.clone()}</h1>
                <p class="article-meta">
                    {article.author.clone().map(|a| view! { <span class="byline">"By " {a}</span> })}
                    {article.published.clone().map(|p| super::published_time(p, &article.lang))}
                    <span class="reading-time">{reading_time_label(low, high)}</span>
                </p>
                <PageTools title=article.title.clone()/>
                <Listen paragraphs=article.paragraphs.clone() lang=article.lang.clone() start=start/>
            </header>
            <div class="article-body">
                {first_paragraphs}
                {rest}
                <p class="visually-hidden" role="status">{copied}</p>
            </div>
        </article>
        {after_article}
    }
}

/// The tools under the headline of an article or a brief: reading settings and sharing.
#[component]
pub fn PageTools(
    /// The page's title, for sharing.
    title: String,
) -> impl IntoView {
    view! {
        <div class="article-tools">
            <ReadingSettings/>
            <ShareButton title=title/>
        </div>
    }
}

/// Reading progress: saved while scrolling (throttled), restored on return.
mod progress {
    use super::use_reader_data;
    use crate::ui::reader_data::now;
    use leptos::prelude::*;

    /// Writes at most this often while scrolling; `pagehide` writes the rest.
    #[cfg(target_arch = "wasm32")]
    const SAVE_EVERY_MS: f64 = 1000.0;

    /// Scrolls to a paragraph by id and highlights it; `update_url` puts `#id` in the address.
    pub fn go_to_paragraph(id: &str, update_url: bool) {
        let Some(element) = document().get_element_by_id(id) else {
            return;
        };
        if let Ok(Some(old)) = document().query_selector(".article-body .highlight") {
            let _ = old.class_list().remove_1("highlight");
        }
        let _ = element.class_list().add_1("highlight");
        element.scroll_into_view();
        if update_url {
            // Absolute: a bare "#id" would resolve against <base href>, not this page.
            let url = format!("{}#{id}", crate::ui::share::page_url());
            let _ = window().history().and_then(|h| {
                h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url))
            });
        }
    }

    /// Restores the saved position (or the `#pN` in the URL) once the article is `drawn`
    /// whole, then tracks scrolling.
    pub fn track(item_id: crate::store::ItemId, drawn: Memo<bool>) {
        let data = use_reader_data();
        let item = data.item(item_id.clone());
        let saved = item.with_untracked(|s| s.progress);
        Effect::new(move |restored: Option<bool>| {
            if restored == Some(true) || !drawn.get() {
                return restored.unwrap_or(false);
            }
            let hash = window().location().hash().unwrap_or_default();
            if let Some(id) = hash.strip_prefix("#hl-") {
                crate::ui::highlights::go_to_highlight(id);
            } else if let Some(id) = hash.strip_prefix('#').filter(|h| h.starts_with('p')) {
                go_to_paragraph(id, false);
            } else if let Some(p) = saved {
                restore(p.paragraph, p.offset);
            }
            true
        });
        #[cfg(target_arch = "wasm32")]
        {
            let last_write = StoredValue::new(0.0f64);
            let handle = window_event_listener(leptos::ev::scroll, move |_| {
                // Until then, the last paragraph drawn is not the article's end.
                if !drawn.get_untracked() {
                    return;
                }
                let Some((paragraph, offset, at_end)) = position() else {
                    return;
                };
                let t = now();
                data.update_in_memory(&item_id, |s| {
                    s.progress = Some(crate::store::Progress {
                        paragraph,
                        offset,
                        at: data.stamp(),
                    });
                    s.read |= at_end;
                });
                if t - last_write.get_value() > SAVE_EVERY_MS {
                    last_write.set_value(t);
                    data.flush();
                }
            });
            on_cleanup(move || {
                handle.remove();
                data.flush();
            });
        }
        #[cfg(not(target_arch = "wasm32"))]
        let _ = (item_id, now);
    }

    fn paragraphs() -> Vec<web_sys::Element> {
        let Ok(list) = document().query_selector_all(".article-body > p[id]") else {
            return Vec::new();
        };
        (0..list.length())
            .filter_map(|i| list.item(i))
            .filter_map(|n| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(n).ok())
            .collect()
    }

    /// The first paragraph still on screen, how far it is scrolled past (0–1), and whether
    /// the end of the article is in view.
    #[cfg(target_arch = "wasm32")]
    fn position() -> Option<(usize, f64, bool)> {
        let paragraphs = paragraphs();
        let viewport = window().inner_height().ok()?.as_f64()?;
        let last = paragraphs.last()?.get_bounding_client_rect();
        let at_end = last.bottom() <= viewport;
        let (index, rect) = paragraphs
            .iter()
            .map(|p| p.get_bounding_client_rect())
            .enumerate()
            .find(|(_, r)| r.bottom() > 0.0)
            // Scrolled past the last paragraph (into comments or Read next): at its end.
            .unwrap_or((paragraphs.len() - 1, last.clone()));
        let offset = if rect.height() > 0.0 {
            (-rect.top() / rect.height()).clamp(0.0, 1.0)
        } else {
            0.0
        };
        Some((index, offset, at_end))
    }

    /// Puts the reader back where they were at once: not smoothly (the stylesheet's
    /// `scroll-behavior`), which would save every place passed on the way, and leave the
    /// reader's place a moving one until it ends.
    fn restore(paragraph: usize, offset: f64) {
        if let Some(p) = paragraphs().get(paragraph) {
            let rect = p.get_bounding_client_rect();
            let y = window().scroll_y().unwrap_or(0.0) + rect.top() + rect.height() * offset;
            let options = web_sys::ScrollToOptions::new();
            options.set_left(0.0);
            options.set_top(y);
            options.set_behavior(web_sys::ScrollBehavior::Instant);
            window().scroll_to_with_scroll_to_options(&options);
        }
    }
}
