//! The Leptos layer: the router (over [`crate::routes`]), shared layout, and the base path.

mod article_page;
mod brief_page;
mod comments;
pub mod early;
mod first_screen;
mod framed;
pub mod highlights;
mod home;
mod listen;
mod loading;
mod not_found;
pub mod prerender;
mod reactions;
pub mod reader_data;
mod related;
pub mod search;
mod settings;
mod share;
mod shortcuts;
mod storage_banner;
mod unavailable;
mod your_data;

pub use article_page::{ArticlePage, ArticleView};
pub use brief_page::{BriefPage, BriefView};
pub use highlights::YourHighlights;
pub use home::{Home, HomeView};
pub use loading::with_story;
pub use not_found::NotFound;
pub use your_data::YourData;

use crate::library::Library;
use crate::routes::{self, ARTICLE, BRIEF, BRIEF_PARAM, DATA, HIGHLIGHTS, SLUG_PARAM};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    path, ParamSegment, StaticSegment,
};

/// The path the site is served under, without a trailing slash: `""` at the domain root,
/// `"/reader"` under a sub-path. Provided as context at the root: the app reads it from the
/// document's `<base href>` (which the build writes), pages rendered ahead of time are given it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BasePath(String);

impl BasePath {
    /// The base as the build's `--public-url` spells it: `/reader/`, `/reader` or `/`.
    pub fn new(base: &str) -> Self {
        Self(base.trim_end_matches('/').to_owned())
    }

    /// The pathname of the document's `<base href>`; the domain root on the host.
    pub fn from_document() -> Self {
        #[cfg(target_arch = "wasm32")]
        {
            let uri = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.base_uri().ok().flatten());
            let path = uri
                .and_then(|u| web_sys::Url::new(&u).ok())
                .map(|u| u.pathname())
                .unwrap_or_default();
            Self::new(&path)
        }
        #[cfg(not(target_arch = "wasm32"))]
        Self::new("")
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The [`BasePath`] in context; outside the app's root (the notice for a framed page, a
/// browser test mounting one component), the document's.
pub fn base_path() -> String {
    use_context::<BasePath>()
        .unwrap_or_else(BasePath::from_document)
        .0
}

/// An in-app path (`/article/x`, `/?q=war`) as an href that respects the base path.
pub fn href(path: &str) -> String {
    format!("{}{}", base_path(), path)
}

/// The href of a page, under the base path.
pub fn route_href(route: &routes::Route) -> String {
    href(&route.path())
}

/// The URL path of an article page.
pub fn article_path(slug: &str) -> String {
    routes::Route::Article {
        slug: slug.to_owned(),
    }
    .path()
}

/// The URL path of the brief page for a related entry of an article.
pub fn brief_path(article_slug: &str, brief_slug: &str) -> String {
    routes::Route::Brief {
        article: article_slug.to_owned(),
        brief: brief_slug.to_owned(),
    }
    .path()
}

/// The site's articles, provided by [`App`] (and by prerendering).
pub fn use_library() -> Library {
    expect_context()
}

/// The whole app: layout and route table. The routes are [`routes::Route`]'s, spelled with
/// its segment and parameter names.
#[component]
pub fn App(
    /// The site's articles; by default fetched from the site the document is served from.
    #[prop(optional)]
    library: Option<Library>,
) -> impl IntoView {
    provide_meta_context();
    // Set up already when the app takes over a prerendered page (see `take_over`).
    if use_context::<AppState>().is_none() {
        provide_app_state(library);
    }
    let router_base = base_path();
    view! {
        <Title formatter=|title: String| {
            if title.is_empty() { "Broadsheet".to_owned() } else { format!("{title} · Broadsheet") }
        }/>
        <Router base=router_base>
            <RoutedChrome>
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=Home/>
                    <Route path=(StaticSegment(ARTICLE), ParamSegment(SLUG_PARAM)) view=ArticlePage/>
                    <Route
                        path=(StaticSegment(ARTICLE), ParamSegment(SLUG_PARAM), StaticSegment(BRIEF), ParamSegment(BRIEF_PARAM))
                        view=BriefPage
                    />
                    <Route path=(StaticSegment(DATA),) view=YourData/>
                    <Route path=(StaticSegment(HIGHLIGHTS),) view=YourHighlights/>
                </Routes>
            </RoutedChrome>
            <FocusOnNavigation/>
            <shortcuts::Shortcuts/>
        </Router>
    }
}

/// Marks that the app's shared state is in context (see [`provide_app_state`]).
#[derive(Clone, Copy, Debug)]
struct AppState;

/// Provides the app's shared state as context: the library (by default the site the document
/// is served from), the base path, the reader's data (opened from storage, kept in step with
/// other tabs, its settings applied to the page) and the search state.
fn provide_app_state(library: Option<Library>) {
    let base = BasePath::from_document();
    provide_context(library.unwrap_or_else(|| Library::remote(base.as_str())));
    provide_context(base);
    let data = reader_data::ReaderData::open();
    provide_context(data);
    reader_data::listen_for_changes(data);
    settings::apply_settings(data);
    provide_context(search::SearchState::new());
    provide_context(AppState);
}

/// [`Chrome`] inside the router, with the current path for the skip link.
#[component]
fn RoutedChrome(children: Children) -> impl IntoView {
    let location = leptos_router::hooks::use_location();
    view! { <Chrome path=location.pathname.into()>{children()}</Chrome> }
}

/// Everything around a page: skip link, header and navigation, storage alerts, footer.
/// Shared by the app and the pages rendered ahead of time.
#[component]
pub fn Chrome(
    /// The current URL path (base included), for the skip link's fragment.
    path: Signal<String>,
    children: Children,
) -> impl IntoView {
    view! {
        <SkipLink path=path/>
        <header class="site-header">
            <nav aria-label="Site">
                <a class="brand" href=route_href(&routes::Route::Home)>"Broadsheet"</a>
                <a href=route_href(&routes::Route::Highlights)>"Your highlights"</a>
                <a href=route_href(&routes::Route::Data)>"Your data"</a>
            </nav>
        </header>
        <storage_banner::StorageBanner/>
        <main id="main" tabindex="-1">{children()}</main>
        <footer class="site-footer">
            <p>"Broadsheet keeps everything you do on this device."</p>
        </footer>
    }
}

/// "3–4 min read", or "3 min read" when the range is one value.
pub fn reading_time_label(low: u32, high: u32) -> String {
    if low == high {
        format!("{low} min read")
    } else {
        format!("{low}–{high} min read")
    }
}

/// A `<time>` for a publication date, in the article's language: "3 April 2025, 08:15" for
/// English. Pages rendered on the host get the English text (see [`human_date`]).
pub fn published_time(published: crate::article::Published, lang: &str) -> impl IntoView {
    let label = human_date_in(&published.text, lang);
    view! { <time datetime=published.text>{label}</time> }
}

/// The fields of an RFC 3339 timestamp as written: year, month (1–12), day, hour, minute.
#[cfg(target_arch = "wasm32")]
fn written_fields(rfc3339: &str) -> Option<(u32, u32, u32, u32, u32)> {
    let part =
        |range: std::ops::Range<usize>| rfc3339.get(range).and_then(|s| s.parse::<u32>().ok());
    match (
        part(0..4),
        part(5..7),
        part(8..10),
        part(11..13),
        part(14..16),
    ) {
        (Some(y), Some(m @ 1..=12), Some(d), Some(h), Some(min)) => Some((y, m, d, h, min)),
        _ => None,
    }
}

/// "2025-04-03T08:15:00+02:00" → "3 April 2025, 08:15" (the time as written, in its own zone).
/// The English text the host renders, and the browser's fallback when `Intl` refuses a language.
pub fn human_date(rfc3339: &str) -> String {
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let part =
        |range: std::ops::Range<usize>| rfc3339.get(range).and_then(|s| s.parse::<usize>().ok());
    match (part(0..4), part(5..7), part(8..10), rfc3339.get(11..16)) {
        (Some(y), Some(m @ 1..=12), Some(d), Some(hm)) => {
            format!("{d} {} {y}, {hm}", MONTHS[m - 1])
        }
        _ => rfc3339.to_owned(),
    }
}

/// [`human_date`] in the language `lang` through the browser's `Intl.DateTimeFormat`: the wall
/// clock as written (the fields are placed in UTC and formatted in UTC, so any offset works),
/// "3. April 2025, 08:15" for `de`. English gives exactly [`human_date`]'s text, so a page
/// rendered ahead of time does not change at takeover. On the host: [`human_date`].
///
/// Bare English (`en`, or no language) is [`human_date`]'s text without asking `Intl`: the
/// first `Intl` object a page makes costs 30–70 ms (the browser sets up its locale data), which
/// was most of the app's start-up task on the front page. `en-GB` still goes through `Intl`
/// (the tests compare the two).
pub fn human_date_in(rfc3339: &str, lang: &str) -> String {
    if lang.is_empty() || lang.eq_ignore_ascii_case("en") {
        return human_date(rfc3339);
    }
    #[cfg(target_arch = "wasm32")]
    if let Some((y, m, d, h, min)) = written_fields(rfc3339) {
        let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(0.0));
        date.set_utc_full_year_with_month_date(y, m as i32 - 1, d as i32);
        date.set_utc_hours(h);
        date.set_utc_minutes(min);
        if let Some(text) = intl_date_time(&date, lang, "long", true) {
            return text;
        }
    }
    #[cfg(not(target_arch = "wasm32"))]
    let _ = lang;
    human_date(rfc3339)
}

/// "28 Nov 2026, 08:15" in the reader's local time and the page's language, from milliseconds
/// since the epoch.
pub fn human_time(ms: f64) -> String {
    #[cfg(target_arch = "wasm32")]
    {
        let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms));
        let lang = document()
            .document_element()
            .map(|html| html.get_attribute("lang").unwrap_or_default())
            .unwrap_or_default();
        intl_date_time(&date, &lang, "short", false)
            .or_else(|| intl_date_time(&date, "en", "short", false))
            .unwrap_or_else(|| format!("{ms}"))
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        format!("{ms}")
    }
}

/// `date` as "day month year, HH:MM" through `Intl.DateTimeFormat` in `lang` (bare `en` is
/// British English: day before month), `month` being `"long"` or `"short"`; in UTC when `utc`,
/// else in the reader's zone. The date and the time are formatted apart and joined with ", "
/// (a single format says "3 April 2025 at 08:15"). `None` when `Intl` refuses `lang` (it
/// throws a `RangeError` for a malformed tag) or is missing.
#[cfg(target_arch = "wasm32")]
fn intl_date_time(date: &js_sys::Date, lang: &str, month: &str, utc: bool) -> Option<String> {
    let locale = if lang.is_empty() || lang.eq_ignore_ascii_case("en") {
        "en-GB"
    } else {
        lang
    };
    let day = date_format(locale, DatePart::Day, month, utc)?;
    let time = date_format(locale, DatePart::Time, month, utc)?;
    let format = |formatter: &js_sys::Intl::DateTimeFormat| {
        formatter
            .format()
            .call1(&wasm_bindgen::JsValue::UNDEFINED, date)
            .ok()?
            .as_string()
    };
    Some(format!("{}, {}", format(&day)?, format(&time)?))
}

/// The half of a date [`intl_date_time`] formats with one `Intl.DateTimeFormat`.
#[cfg(target_arch = "wasm32")]
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum DatePart {
    /// Day, month and year.
    Day,
    /// Hours and minutes, 24-hour clock.
    Time,
}

/// The formats made so far, by (locale, part, month, utc); `None` for a locale `Intl`
/// refused. Making an `Intl.DateTimeFormat` costs far more than using one (about a
/// millisecond: the front page's 50 stories took 100 of them, most of its start-up task).
#[cfg(target_arch = "wasm32")]
type DateFormats = std::collections::HashMap<
    (String, DatePart, String, bool),
    Option<js_sys::Intl::DateTimeFormat>,
>;

#[cfg(target_arch = "wasm32")]
thread_local! {
    static DATE_FORMATS: std::cell::RefCell<DateFormats> = Default::default();
}

/// How many `Intl.DateTimeFormat`s (or refusals) are kept; for tests.
#[doc(hidden)]
pub fn date_formats_made() -> usize {
    #[cfg(target_arch = "wasm32")]
    {
        DATE_FORMATS.with(|formats| formats.borrow().len())
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        0
    }
}

/// The `Intl.DateTimeFormat` of `part` in `locale`, made once and kept (see [`DateFormats`]).
#[cfg(target_arch = "wasm32")]
fn date_format(
    locale: &str,
    part: DatePart,
    month: &str,
    utc: bool,
) -> Option<js_sys::Intl::DateTimeFormat> {
    let key = (locale.to_owned(), part, month.to_owned(), utc);
    if let Some(kept) = DATE_FORMATS.with(|formats| formats.borrow().get(&key).cloned()) {
        return kept;
    }
    let made = new_date_format(locale, part, month, utc);
    DATE_FORMATS.with(|formats| formats.borrow_mut().insert(key, made.clone()));
    made
}

/// A new `Intl.DateTimeFormat`, through `Reflect.construct`: js-sys's `DateTimeFormat::new`
/// does not catch, and a thrown RangeError must not unwind through Rust.
#[cfg(target_arch = "wasm32")]
fn new_date_format(
    locale: &str,
    part: DatePart,
    month: &str,
    utc: bool,
) -> Option<js_sys::Intl::DateTimeFormat> {
    use js_sys::{Array, Function, Object, Reflect};
    use wasm_bindgen::{JsCast, JsValue};
    let intl = Reflect::get(&js_sys::global(), &JsValue::from_str("Intl")).ok()?;
    let class: Function = Reflect::get(&intl, &JsValue::from_str("DateTimeFormat"))
        .ok()?
        .dyn_into()
        .ok()?;
    let fields: &[(&str, &str)] = match part {
        DatePart::Day => &[("day", "numeric"), ("month", month), ("year", "numeric")],
        DatePart::Time => &[
            ("hour", "2-digit"),
            ("minute", "2-digit"),
            ("hourCycle", "h23"),
        ],
    };
    let options = Object::new();
    let zone = utc.then_some(("timeZone", "UTC"));
    for (key, value) in fields.iter().copied().chain(zone) {
        Reflect::set(&options, &key.into(), &value.into()).ok()?;
    }
    let args = Array::of2(&JsValue::from_str(locale), &options);
    Some(Reflect::construct(&class, &args).ok()?.unchecked_into())
}

/// After a client-side navigation, moves focus to the new page's `h1` so screen-reader and
/// keyboard users start at the top of what changed (not on the first load).
#[component]
fn FocusOnNavigation() -> impl IntoView {
    let location = leptos_router::hooks::use_location();
    Effect::new(move |previous: Option<String>| {
        let path = location.pathname.get();
        if previous.is_some_and(|p| p != path) {
            request_animation_frame(focus_heading);
        }
        path
    });
}

/// Focuses the page's `h1`, at the next frame (once it is drawn).
fn focus_heading() {
    if let Ok(Some(h1)) = document().query_selector("main h1") {
        if let Ok(h1) = wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(h1) {
            let _ = h1.focus();
        }
    }
}

/// After a page's data arrived late (see `loading`), focuses its `h1` as a navigation would,
/// unless the reader has put focus somewhere meanwhile.
fn focus_heading_if_idle() {
    request_animation_frame(|| {
        let idle = document()
            .active_element()
            .is_none_or(|a| a.tag_name() == "BODY" || a.closest("main").ok().flatten().is_some());
        if idle {
            focus_heading();
        }
    });
}

/// "Skip to content". Its fragment carries the current path: a bare `#main` would resolve
/// against `<base href>` and leave the page.
#[component]
fn SkipLink(
    /// The current URL path.
    path: Signal<String>,
) -> impl IntoView {
    let target = move || format!("{}#main", path.get());
    let skip = move |ev: leptos::ev::MouseEvent| {
        ev.prevent_default();
        if let Some(main) = document().get_element_by_id("main") {
            if let Ok(main) = wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(main) {
                let _ = main.focus();
            }
        }
    };
    view! { <a class="skip-link" href=target on:click=skip>"Skip to content"</a> }
}

/// Starts the app in the browser, taking over from the page rendered ahead of time: first the
/// data the current page shows is loaded (the page names it as preloads, so it has been
/// downloading alongside the wasm), so the app's first render equals the prerendered page; then
/// the app is mounted and the prerendered copy removed in the same task, so nothing flickers,
/// shifts or loses its scroll position. On home and on an article that task draws the stories
/// or paragraphs in the reader's window, and the rest follow in the next tasks
/// (`first_screen`). The takeover waits until the browser has painted the prerendered page (its
/// first contentful paint is recorded, at most 1.5 s, e.g. in a hidden tab; then one more
/// frame), so the reader's first view never waits for the app. Marks `<html data-app="ready">`
/// once the whole page is drawn.
pub fn start() {
    if framed::framed_by_another_origin() {
        framed::show_notice();
        return;
    }
    let base = BasePath::from_document();
    let library = Library::remote(base.as_str());
    let route = current_route(&base);
    know_from_page(&library, &route);
    wasm_bindgen_futures::spawn_local(async move {
        // A failure is the page's to show (with "Try again"), once the app is up.
        let _ = library.load_route(&route).await;
        take_over(library);
    });
}

/// Gives `library` where the page's article is, from the page's own data block (see
/// [`Library::page_data`]), when it is about the article `route` opens.
fn know_from_page(library: &Library, route: &routes::Route) {
    let (routes::Route::Article { slug } | routes::Route::Brief { article: slug, .. }) = route
    else {
        return;
    };
    let Some(json) = document()
        .get_element_by_id(crate::site_data::PAGE_DATA)
        .and_then(|block| block.text_content())
    else {
        return;
    };
    // A block that does not read is no worse than none: the slug shard says the same.
    if let Ok(located) = serde_json::from_str::<crate::site_data::Located>(&json) {
        if &located.entry.slug == slug {
            library.know(located);
        }
    }
}

/// The route of the document's URL, under `base`.
fn current_route(base: &BasePath) -> routes::Route {
    let path = window().location().pathname().unwrap_or_default();
    let path = path.strip_prefix(base.as_str()).unwrap_or(&path);
    routes::Route::parse(if path.is_empty() { "/" } else { path })
}

/// Mounts the app over the page rendered ahead of time (see [`start`]).
fn take_over(library: Library) {
    let Some(prerendered) = document().get_element_by_id("prerendered") else {
        leptos::mount::mount_to_body(move || view! { <App library=library/> });
        mark_ready();
        return;
    };
    // The app's state (the reader's data from storage, listeners, settings) is set up now, in
    // this task, so the takeover after the first paint only draws. Its owner is the app's
    // root's parent, and lives as long as the page, as the app does.
    let _ = any_spawner::Executor::init_wasm_bindgen();
    let owner = Owner::new();
    owner.with(|| provide_app_state(Some(library)));
    wait_for_first_paint(0, move || {
        // What the reader typed before now is read from the prerendered page first, then
        // handed to the app's own fields (see `early`).
        let input = early::collect(&prerendered);
        let caret = input.focus().cloned();
        let typed = early::Early::new(input);
        // A front page or an article draws what is in the reader's window now, the rest just
        // after.
        let first_screen = first_screen::FirstScreen::measure(&prerendered);
        let first_screen_drawn = first_screen.clone();
        owner.with(|| {
            leptos::mount::mount_to_body(move || {
                provide_context(typed);
                if let Some(first_screen) = first_screen {
                    provide_context(first_screen);
                }
                view! { <App/> }
            })
        });
        std::mem::forget(owner);
        prerendered.remove();
        // Ready once the reader's caret is back where it was, and the whole page is drawn.
        let ready = move || match first_screen_drawn {
            Some(first_screen) => first_screen.when_drawn(mark_ready),
            None => mark_ready(),
        };
        match caret {
            Some(caret) => early::restore_focus(caret, ready),
            None => ready(),
        }
    });
}

/// Runs `then` once the page's first contentful paint is recorded, polling every 20 ms.
fn wait_for_first_paint(waited_ms: u64, then: impl FnOnce() + 'static) {
    const STEP_MS: u64 = 20;
    const LIMIT_MS: u64 = 1500;
    let painted = window()
        .performance()
        .is_some_and(|p| p.get_entries_by_name("first-contentful-paint").length() > 0);
    if painted || waited_ms >= LIMIT_MS {
        after_next_frame(then);
    } else {
        set_timeout(
            move || wait_for_first_paint(waited_ms + STEP_MS, then),
            std::time::Duration::from_millis(STEP_MS),
        );
    }
}

/// Runs `then` once the browser has drawn a frame of the page as it is now: the first paint may
/// have come before the whole prerendered page was parsed, and its largest text must be painted
/// before it is replaced (else the app's copy becomes the largest contentful paint, which then
/// waits for the wasm). Two animation frames, or 100 ms where frames do not come (hidden tabs).
fn after_next_frame(then: impl FnOnce() + 'static) {
    let slot = std::rc::Rc::new(std::cell::Cell::new(Some(then)));
    let run = move || {
        if let Some(then) = slot.take() {
            then();
        }
    };
    let fallback = run.clone();
    request_animation_frame(move || request_animation_frame(run));
    set_timeout(fallback, std::time::Duration::from_millis(100));
}

fn mark_ready() {
    if let Some(root) = document().document_element() {
        let _ = root.set_attribute("data-app", "ready");
    }
}
