//! "Listen": the article read aloud by the browser's speech synthesis, paragraph by paragraph,
//! from where the reader is; the paragraph being read is marked (`aria-current`) and scrolled
//! into view. Pause, Resume and Stop; the `l` key starts, pauses and resumes. The voice follows
//! the article's language. Where the browser has no speech synthesis there is no button.

use leptos::prelude::*;

/// What the reader hears.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Playing {
    Stopped,
    /// The engine could not speak (it has no voice, say): stopped, and the reader is told.
    Failed,
    /// Reading paragraph `0` (from 0).
    Reading(usize),
    Paused(usize),
}

/// The Listen controls of an article whose body is `paragraphs`, in language `lang`, starting
/// at paragraph `start()` (the reader's progress).
#[component]
pub fn Listen(
    /// The article's paragraphs.
    paragraphs: Vec<String>,
    /// Its language tag, for the voice.
    lang: String,
    /// The paragraph to start from, read when Listen is pressed.
    start: Callback<(), usize>,
) -> impl IntoView {
    let (playing, set_playing) = signal(Playing::Stopped);
    // The page written ahead of time has the controls, disabled, for the browsers that can
    // speak (`assets/boot.js` marks them and the stylesheet hides the rest), so the article
    // does not move down when the app takes over.
    let prerendering = super::early::not_ready();
    if !prerendering && !engine::available() {
        return None;
    }
    #[cfg(target_arch = "wasm32")]
    if !prerendering {
        // The same mark, where the engine came after the page's first script.
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("data-speech", "");
        }
    }
    let paragraphs = StoredValue::new(paragraphs);
    let lang = StoredValue::new(lang);
    // Each start bumps it, so the end of an utterance of an earlier run is ignored.
    let run = StoredValue::new(0u32);
    let speak = move |from: usize| {
        let this_run = run.get_value();
        read_from(from, this_run, run, paragraphs, lang, set_playing);
    };
    let listen = move || {
        run.update_value(|r| *r += 1);
        engine::cancel();
        let count = paragraphs.with_value(Vec::len);
        speak(start.run(()).min(count.saturating_sub(1)));
    };
    let pause = move || {
        if let Playing::Reading(at) = playing.get_untracked() {
            engine::pause();
            set_playing.set(Playing::Paused(at));
        }
    };
    let resume = move || {
        if let Playing::Paused(at) = playing.get_untracked() {
            engine::resume();
            set_playing.set(Playing::Reading(at));
        }
    };
    let stop = move || {
        run.update_value(|r| *r += 1);
        engine::cancel();
        set_playing.set(Playing::Stopped);
    };
    // The paragraph being read is the current one.
    Effect::new(move |previous: Option<Option<usize>>| {
        let now = match playing.get() {
            Playing::Reading(at) | Playing::Paused(at) => Some(at),
            Playing::Stopped | Playing::Failed => None,
        };
        if let Some(Some(old)) = previous {
            mark_current(old, false);
        }
        if let Some(at) = now {
            mark_current(at, true);
        }
        now
    });
    // No window to listen to while the page is written ahead of time.
    let keys = (!prerendering).then(|| {
        window_event_listener(leptos::ev::keydown, move |e| {
            let modified = e.ctrl_key() || e.meta_key() || e.alt_key() || e.default_prevented();
            if e.key() != "l" || modified || super::shortcuts::typing_in_field(e.target()) {
                return;
            }
            e.prevent_default();
            match playing.get_untracked() {
                Playing::Stopped | Playing::Failed => listen(),
                Playing::Reading(_) => pause(),
                Playing::Paused(_) => resume(),
            }
        })
    });
    on_cleanup(move || {
        if let Some(keys) = keys {
            keys.remove();
        }
        run.update_value(|r| *r += 1);
        engine::cancel();
    });
    let status = move || match playing.get() {
        Playing::Stopped => String::new(),
        Playing::Failed => "This browser could not read the story aloud.".to_owned(),
        Playing::Reading(at) => format!("Reading paragraph {}", at + 1),
        Playing::Paused(at) => format!("Paused at paragraph {}", at + 1),
    };
    Some(view! {
        <div class="listen" role="group" aria-label="Listen to the story">
            {move || match playing.get() {
                Playing::Stopped | Playing::Failed => view! {
                    <button type="button" disabled=prerendering on:click=move |_| listen()>
                        "Listen"
                    </button>
                }.into_any(),
                Playing::Reading(_) => view! {
                    <button type="button" on:click=move |_| pause()>"Pause"</button>
                    <button type="button" on:click=move |_| stop()>"Stop"</button>
                }.into_any(),
                Playing::Paused(_) => view! {
                    <button type="button" on:click=move |_| resume()>"Resume"</button>
                    <button type="button" on:click=move |_| stop()>"Stop"</button>
                }.into_any(),
            }}
            <span class="listen-status" role="status">{status}</span>
        </div>
    })
}

/// Speaks paragraph `at`, then the next ones, while run `this_run` is the current one.
fn read_from(
    at: usize,
    this_run: u32,
    run: StoredValue<u32>,
    paragraphs: StoredValue<Vec<String>>,
    lang: StoredValue<String>,
    set_playing: WriteSignal<Playing>,
) {
    let Some(text) = paragraphs.with_value(|p| p.get(at).cloned()) else {
        set_playing.set(Playing::Stopped);
        return;
    };
    set_playing.set(Playing::Reading(at));
    let next = move || {
        if run.get_value() == this_run {
            read_from(at + 1, this_run, run, paragraphs, lang, set_playing);
        }
    };
    let failed = move || {
        if run.get_value() == this_run {
            set_playing.set(Playing::Failed);
        }
    };
    if !engine::speak(&text, &lang.get_value(), next, failed) {
        set_playing.set(Playing::Failed);
    }
}

/// Marks paragraph `at` as the one being read (or not), and scrolls it into view.
fn mark_current(at: usize, current: bool) {
    let Some(p) = document().get_element_by_id(&format!("p{}", at + 1)) else {
        return;
    };
    if !current {
        let _ = p.remove_attribute("aria-current");
        return;
    }
    let _ = p.set_attribute("aria-current", "true");
    let options = web_sys::ScrollIntoViewOptions::new();
    options.set_block(web_sys::ScrollLogicalPosition::Nearest);
    let reduced = window()
        .match_media("(prefers-reduced-motion: reduce)")
        .ok()
        .flatten()
        .is_some_and(|m| m.matches());
    options.set_behavior(if reduced {
        web_sys::ScrollBehavior::Auto
    } else {
        web_sys::ScrollBehavior::Smooth
    });
    p.scroll_into_view_with_scroll_into_view_options(&options);
}

/// The browser's speech synthesis (`window.speechSynthesis`); on the host, none.
#[cfg(target_arch = "wasm32")]
mod engine {
    use leptos::prelude::window;
    use wasm_bindgen::{closure::Closure, JsCast, JsValue};

    fn synthesis() -> Option<web_sys::SpeechSynthesis> {
        let has = js_sys::Reflect::get(&window(), &JsValue::from_str("speechSynthesis"))
            .ok()
            .filter(|v| !v.is_undefined() && !v.is_null());
        has.and_then(|_| window().speech_synthesis().ok())
    }

    pub fn available() -> bool {
        synthesis().is_some()
    }

    /// Speaks `text` in `lang` with a voice of that language when the browser has one; calls
    /// `done` when it has been spoken, `failed` when the engine could not speak it (not when
    /// it was cancelled). False when it cannot be spoken at all.
    pub fn speak(
        text: &str,
        lang: &str,
        done: impl Fn() + 'static,
        failed: impl Fn() + 'static,
    ) -> bool {
        let Some(synthesis) = synthesis() else {
            return false;
        };
        let Ok(utterance) = web_sys::SpeechSynthesisUtterance::new_with_text(text) else {
            return false;
        };
        utterance.set_lang(lang);
        let primary = lang.split('-').next().unwrap_or(lang).to_ascii_lowercase();
        let voices = synthesis.get_voices();
        let voice = voices
            .iter()
            .filter_map(|v| v.dyn_into::<web_sys::SpeechSynthesisVoice>().ok())
            .find(|v| {
                let tag = v.lang().to_ascii_lowercase().replace('_', "-");
                tag == lang.to_ascii_lowercase() || tag.split('-').next() == Some(&primary)
            });
        if let Some(voice) = voice {
            utterance.set_voice(Some(&voice));
        }
        let end = Closure::once_into_js(done);
        utterance.set_onend(Some(end.unchecked_ref()));
        let error = Closure::once_into_js(move |e: JsValue| {
            let why = js_sys::Reflect::get(&e, &JsValue::from_str("error"))
                .ok()
                .and_then(|v| v.as_string())
                .unwrap_or_default();
            // Stop and a new start cancel what is queued: that is not a failure.
            if why != "interrupted" && why != "canceled" {
                failed();
            }
        });
        utterance.set_onerror(Some(error.unchecked_ref()));
        synthesis.speak(&utterance);
        true
    }

    pub fn pause() {
        if let Some(s) = synthesis() {
            s.pause();
        }
    }

    pub fn resume() {
        if let Some(s) = synthesis() {
            s.resume();
        }
    }

    pub fn cancel() {
        if let Some(s) = synthesis() {
            s.cancel();
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod engine {
    pub fn available() -> bool {
        false
    }
    pub fn speak(_: &str, _: &str, _: impl Fn() + 'static, _: impl Fn() + 'static) -> bool {
        false
    }
    pub fn pause() {}
    pub fn resume() {}
    pub fn cancel() {}
}
