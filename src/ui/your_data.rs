//! "Your data": export, import, delete everything, and how storage is doing.

use super::reader_data::{use_reader_data, Health, ReaderData};
use crate::store::{ImportError, StoreError};
use leptos::{html, prelude::*};
use leptos_meta::Title;

/// The reader's data page: everything kept on this device, taken out, brought back or erased.
#[component]
pub fn YourData() -> impl IntoView {
    let data = use_reader_data();
    // Reading every stored item brings damaged ones to light, so the health line is complete.
    let items = data.all_items();
    let (message, set_message) = signal(None::<Message>);
    let (bytes, set_bytes) = signal(data.bytes_used().ok());
    let refresh = move || set_bytes.set(data.bytes_used().ok());
    // Any write here (a flush bumps `saved`) or in another tab (items change) moves the count.
    Effect::new(move |_| {
        data.saved.track();
        items.track();
        refresh();
    });
    let done = Callback::new(move |m: Message| {
        set_message.set(Some(m));
        refresh();
    });
    let status = move || match message.get() {
        Some(Message::Done(text)) => text,
        _ => String::new(),
    };
    let alert = move || match message.get() {
        Some(Message::Failed(text)) => text,
        _ => String::new(),
    };
    view! {
        <Title text="Your data"/>
        <section class="your-data" aria-labelledby="your-data-title">
            <h1 id="your-data-title" tabindex="-1">"Your data"</h1>
            <p class="lede">
                "Your reactions, comments, drafts, highlights and notes, reading positions and settings are kept in this browser, on this device only. "
                "Nothing is sent anywhere. Take a copy with you, bring one back, or erase it all."
            </p>
            <p>
                "Your highlights and notes are listed, and can be exported for a notes app, under "
                <a href=super::route_href(&crate::routes::Route::Highlights)>"Your highlights"</a>"."
            </p>
            <p class="data-message" role="status">{status}</p>
            <p class="data-message data-error" role="alert">{alert}</p>
            <ExportData data=data done=done/>
            <ImportData data=data done=done/>
            <FreeSpace data=data items=items done=done/>
            <DeleteData data=data done=done/>
            <StorageHealth data=data bytes=bytes items=items/>
            <Backups data=data done=done/>
        </section>
    }
}

/// The outcome of an action, shown in a status (done) or an alert (failed).
#[derive(Clone, Debug, PartialEq)]
enum Message {
    Done(String),
    Failed(String),
}

/// Downloads the export now, and says how it went (`then` is added to a success).
fn export_now(data: ReaderData, then: &str) -> Message {
    match download_export(data) {
        Ok((name, stories)) => Message::Done(format!(
            "Exported {stories} stor{} and your reading settings to {name}.{then}",
            plural(stories, "y", "ies")
        )),
        Err(why) => Message::Failed(format!("The export failed: {why}.")),
    }
}

/// "Export my data": one versioned JSON file of everything.
#[component]
fn ExportData(
    /// The reader's data.
    data: ReaderData,
    /// Told how the export went.
    done: Callback<Message>,
) -> impl IntoView {
    let export = move |_| done.run(export_now(data, ""));
    view! {
        <section class="data-action" aria-labelledby="export-title">
            <h2 id="export-title">"Export"</h2>
            <p>"One JSON file with everything kept here, to keep as a copy or to import in another browser."</p>
            <button type="button" class="primary" on:click=export>"Export my data"</button>
        </section>
    }
}

/// Serialises the export and hands it to the browser as a download. Returns the file name
/// and how many stories it covers.
fn download_export(data: ReaderData) -> Result<(String, usize), String> {
    let file = data.export().map_err(|e| e.to_string())?;
    let json = serde_json::to_string_pretty(&file).map_err(|e| e.to_string())?;
    let name = format!("broadsheet-data-{}.json", today());
    download(&name, json, "application/json")?;
    Ok((name, file.items.len()))
}

/// Hands `text` to the browser as a download named `name`.
pub(super) fn download(name: &str, text: String, mime: &str) -> Result<(), String> {
    use wasm_bindgen::JsCast;
    let js = |e: wasm_bindgen::JsValue| format!("{e:?}");
    let parts = js_sys::Array::of1(&text.into());
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).map_err(js)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(js)?;
    let link: web_sys::HtmlAnchorElement =
        document().create_element("a").map_err(js)?.unchecked_into();
    link.set_href(&url);
    link.set_download(name);
    link.click();
    // The download has started by the time this runs; the object URL is no longer needed.
    set_timeout(
        move || {
            let _ = web_sys::Url::revoke_object_url(&url);
        },
        std::time::Duration::from_secs(30),
    );
    Ok(())
}

/// Today's date on the reader's clock, as YYYY-MM-DD.
pub(super) fn today() -> String {
    let now = js_sys::Date::new_0();
    format!(
        "{:04}-{:02}-{:02}",
        now.get_full_year(),
        now.get_month() + 1,
        now.get_date()
    )
}

/// "Import data": a JSON file chosen by the reader, checked completely, then merged in.
#[component]
fn ImportData(
    /// The reader's data.
    data: ReaderData,
    /// Told what the import changed, or why it was refused.
    done: Callback<Message>,
) -> impl IntoView {
    let on_change = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(file) = input.files().and_then(|files| files.get(0)) else {
            return;
        };
        // Refused before it is read: no export is that large, and reading it whole could
        // take all the tab's memory.
        if let Some(why) = crate::store::too_large_to_import(file.size()) {
            done.run(Message::Failed(format!("{why} Nothing was changed.")));
            input.set_value("");
            return;
        }
        leptos::task::spawn_local(async move {
            let text = wasm_bindgen_futures::JsFuture::from(file.text()).await;
            done.run(match text.ok().and_then(|t| t.as_string()) {
                Some(text) => match data.import(&text) {
                    Ok(summary) => Message::Done(summary.to_string()),
                    // A storage failure says itself that nothing was imported.
                    Err(why @ ImportError::Storage(_)) => Message::Failed(why.to_string()),
                    Err(why) => Message::Failed(format!("{why} Nothing was changed.")),
                },
                None => Message::Failed(format!(
                    "“{}” could not be read. Nothing was changed.",
                    file.name()
                )),
            });
            // Lets the same file be chosen again.
            input.set_value("");
        });
    };
    view! {
        <section class="data-action" aria-labelledby="import-title">
            <h2 id="import-title">"Import"</h2>
            <p id="import-help">
                "Bring back a file from “Export my data”. It is merged with what is here: nothing is replaced, "
                "and a file that is not a valid export changes nothing."
            </p>
            <label class="file-label" for="import-file">"Import data"</label>
            <input
                id="import-file"
                class="file-input"
                type="file"
                accept="application/json,.json"
                aria-describedby="import-help"
                on:change=on_change
            />
        </section>
    }
}

/// "Free up space": ways to make room that keep everything the reader wrote, unsaved changes
/// included (they are saved as soon as there is room).
/// The three messages of one way of freeing space.
struct Freed {
    nothing: &'static str,
    done: fn(usize, &str) -> String,
    failed: &'static str,
}

const DISCARD_BACKUPS: Freed = Freed {
    nothing: "There were no backups to discard.",
    done: |n, bytes| {
        format!(
            "Discarded {n} backup{}, freeing {bytes}.",
            plural(n, "", "s")
        )
    },
    failed: "The backups could not be discarded:",
};

const FORGET_POSITIONS: Freed = Freed {
    nothing: "There were no reading positions to forget.",
    done: |n, bytes| {
        format!(
            "Forgot the reading position of {n} stor{}, freeing {bytes}. Reactions, comments and drafts are kept.",
            plural(n, "y", "ies")
        )
    },
    failed: "The reading positions could not be forgotten:",
};

fn plural(n: usize, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 {
        one
    } else {
        many
    }
}

#[component]
fn FreeSpace(
    /// The reader's data.
    data: ReaderData,
    /// Every story kept, to count reading positions.
    items: Memo<std::collections::BTreeMap<crate::store::ItemId, crate::store::ItemState>>,
    /// Told what was freed.
    done: Callback<Message>,
) -> impl IntoView {
    let backups = Memo::new(move |_| {
        data.saved.track();
        data.health.track();
        data.backups().unwrap_or_default()
    });
    let positions = Memo::new(move |_| {
        items.with(|m| {
            m.values()
                .filter(|s| s.progress.is_some() || s.read)
                .count()
        })
    });
    // What freeing did, and whether that was enough: the same shape for both actions.
    let freed = move |result: Result<(usize, usize), StoreError>, what: Freed| {
        let (n, bytes) = match result {
            Ok((0, _)) => return Message::Done(what.nothing.to_owned()),
            Ok(freed) => freed,
            Err(why) => return Message::Failed(format!("{} {why}.", what.failed)),
        };
        let still_full = data.health.with_untracked(|h| h.quota_full);
        let tail = if !data.unsaved().is_empty() {
            " Storage is still full: unsaved changes stay in this tab; free more space to save them."
        } else if still_full {
            ""
        } else {
            " Everything is saved."
        };
        Message::Done(format!("{}{tail}", (what.done)(n, &human_bytes(bytes))))
    };
    let discard_all = move |_| done.run(freed(data.discard_all_backups(), DISCARD_BACKUPS));
    let forget = move |_| done.run(freed(data.forget_progress(), FORGET_POSITIONS));
    let backups_text = move || {
        backups.with(|b| match b.len() {
            0 => "No backups.".to_owned(),
            n => format!(
                "{n} backup{} of damaged data, {} (each is listed under Backups).",
                plural(n, "", "s"),
                human_bytes(b.iter().map(|b| b.bytes).sum())
            ),
        })
    };
    let positions_text = move || match positions.get() {
        0 => "No reading positions.".to_owned(),
        1 => "Where you stopped in 1 story.".to_owned(),
        n => format!("Where you stopped in {n} stories."),
    };
    view! {
        <section class="data-action" aria-labelledby="free-title">
            <h2 id="free-title">"Free up space"</h2>
            <p>
                "When storage is full, these make room without touching your reactions, comments or drafts, "
                "and changes not yet saved are saved as soon as they fit."
            </p>
            <ul class="free-space">
                <li>
                    <span>{backups_text}</span>
                    " "
                    <button type="button" on:click=discard_all disabled=move || backups.with(Vec::is_empty)>"Discard all backups"</button>
                </li>
                <li>
                    <span>{positions_text}</span>
                    " "
                    <button type="button" on:click=forget disabled=move || positions.get() == 0>"Forget reading positions"</button>
                </li>
            </ul>
        </section>
    }
}

/// "Delete all my data", confirmed in the page before anything is erased.
#[component]
fn DeleteData(
    /// The reader's data.
    data: ReaderData,
    /// Told how many entries were removed.
    done: Callback<Message>,
) -> impl IntoView {
    let (confirming, set_confirming) = signal(false);
    // What this tab holds unsaved, read when the question is asked.
    let (unsaved, set_unsaved) = signal(crate::ui::reader_data::Unsaved::default());
    let delete_button = NodeRef::<html::Button>::new();
    let cancel_button = NodeRef::<html::Button>::new();
    let ask = move |_| {
        set_unsaved.set(data.unsaved());
        set_confirming.set(true);
        // The safe choice gets focus once the question is shown.
        request_animation_frame(move || {
            if let Some(cancel) = cancel_button.get_untracked() {
                let _ = cancel.focus();
            }
        });
    };
    let export_first = move |_| done.run(export_now(data, " Delete below once you have it."));
    let close = move || {
        set_confirming.set(false);
        if let Some(button) = delete_button.get_untracked() {
            let _ = button.focus();
        }
    };
    let delete = move |_| {
        let drafts = data.unsaved().drafts;
        let kept = match drafts {
            0 => String::new(),
            1 => " Your 1 unsaved draft was kept.".to_owned(),
            n => format!(" Your {n} unsaved drafts were kept."),
        };
        done.run(match data.delete_all() {
            Ok(0) => Message::Done(format!("There was nothing to delete.{kept}")),
            Ok(n) => Message::Done(format!(
                "Deleted everything kept on this device: {n} saved entr{} removed.{kept}",
                plural(n, "y", "ies")
            )),
            Err(why) => Message::Failed(format!("Nothing could be deleted: {why}.")),
        });
        close();
    };
    view! {
        <section class="data-action" aria-labelledby="delete-title">
            <h2 id="delete-title">"Delete"</h2>
            <p>
                "Erase every reaction, comment, draft, reading position and setting kept in this browser. "
                "To keep a copy, export first."
            </p>
            <button type="button" on:click=export_first>"Export a copy first"</button>
            " "
            <button
                type="button"
                node_ref=delete_button
                aria-expanded=move || if confirming.get() { "true" } else { "false" }
                aria-controls="delete-confirm"
                on:click=ask
            >
                "Delete all my data"
            </button>
            <div id="delete-confirm" class="confirm" role="group" aria-labelledby="delete-question" hidden=move || !confirming.get()>
                <p id="delete-question">
                    "Delete everything kept on this device? This cannot be undone: export first if you want a copy."
                    {move || unsaved_text(unsaved.get())}
                </p>
                <div class="confirm-actions">
                    <button type="button" class="danger" on:click=delete>"Yes, delete everything"</button>
                    <button type="button" node_ref=cancel_button on:click=move |_| close()>"Cancel"</button>
                </div>
            </div>
        </section>
    }
}

/// What the delete confirmation says about changes not yet saved in this tab ("" if none).
fn unsaved_text(unsaved: crate::ui::reader_data::Unsaved) -> String {
    if unsaved.is_empty() {
        return String::new();
    }
    let mut what = Vec::new();
    if unsaved.stories > 0 {
        what.push(format!(
            "{} stor{}",
            unsaved.stories,
            plural(unsaved.stories, "y", "ies")
        ));
    }
    if unsaved.settings {
        what.push("your reading settings".to_owned());
    }
    let kept = match unsaved.drafts {
        0 => "they will be lost too.".to_owned(),
        1 => "the 1 unsaved draft is kept and saved again; every other unsaved change is lost too.".to_owned(),
        n => format!(
            "the {n} unsaved drafts are kept and saved again; every other unsaved change is lost too."
        ),
    };
    format!(
        " This tab also holds changes not yet saved (to {}): {kept}",
        what.join(" and ")
    )
}

/// Damaged data set aside: what, when, how big; each can be downloaded or discarded.
#[component]
fn Backups(
    /// The reader's data.
    data: ReaderData,
    /// Told what was downloaded or discarded.
    done: Callback<Message>,
) -> impl IntoView {
    let list = Memo::new(move |_| {
        data.saved.track();
        data.health.track();
        data.backups().unwrap_or_default()
    });
    let download_one = move |key: String| {
        let message = match data.backup_value(&key) {
            Ok(Some(raw)) => {
                let name = format!("broadsheet-backup-{}.txt", file_safe(&key));
                match download(&name, raw, "text/plain") {
                    Ok(()) => Message::Done(format!("Downloaded the backup “{key}” as {name}.")),
                    Err(why) => Message::Failed(format!("The download failed: {why}.")),
                }
            }
            Ok(None) => Message::Failed(format!("The backup “{key}” is no longer there.")),
            Err(why) => Message::Failed(format!("The backup “{key}” could not be read: {why}.")),
        };
        done.run(message);
    };
    let discard = move |key: String| {
        done.run(match data.discard_backup(&key) {
            Ok(true) => Message::Done(format!("Discarded the backup “{key}”.")),
            Ok(false) => Message::Failed(format!("The backup “{key}” is no longer there.")),
            Err(why) => {
                Message::Failed(format!("The backup “{key}” could not be discarded: {why}."))
            }
        });
    };
    view! {
        <section class="data-action" aria-labelledby="backups-title">
            <h2 id="backups-title">"Backups"</h2>
            <p>
                "Saved data that could not be read is never thrown away: it is kept here, exactly as it was found, "
                "and included in every export. Download a copy, or discard it to free space."
            </p>
            <Show
                when=move || list.with(|l| !l.is_empty())
                fallback=|| view! { <p class="backups-none">"No backups: all saved data could be read."</p> }
            >
                <ul class="backups">
                    {move || list.get().into_iter().map(|b| {
                        let key = b.key.clone();
                        let key2 = b.key.clone();
                        let when = b.at.map(when_text).unwrap_or_else(|| "at an unknown time".to_owned());
                        view! {
                            <li>
                                <span class="backup-what">{b.what.clone()}</span>
                                <span class="backup-meta">{format!("Set aside {when}, {}", human_bytes(b.bytes))}</span>
                                <span class="backup-actions">
                                    <button type="button" on:click=move |_| download_one(key.clone())>"Download"</button>
                                    <button type="button" on:click=move |_| discard(key2.clone())>"Discard"</button>
                                </span>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </Show>
        </section>
    }
}

/// A backup key made safe for a file name.
fn file_safe(key: &str) -> String {
    key.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// "on 28/11/2026, 14:03:00", in the reader's locale.
fn when_text(at: f64) -> String {
    #[cfg(target_arch = "wasm32")]
    {
        let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(at));
        format!(
            "on {}",
            String::from(date.to_locale_string("default", &wasm_bindgen::JsValue::UNDEFINED))
        )
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        format!("at {at} ms")
    }
}

/// Whether the browser keeps this origin's storage when space runs low.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Persistence {
    Checking,
    /// No `navigator.storage` (an old browser or an insecure page).
    Unsupported,
    Persistent,
    NotPersistent,
    /// Asked, and the browser said no.
    Declined,
}

/// `navigator.storage`, when the browser has it.
fn storage_manager() -> Option<web_sys::StorageManager> {
    use wasm_bindgen::JsCast;
    let navigator = window().navigator();
    js_sys::Reflect::get(&navigator, &"storage".into())
        .ok()
        .filter(|s| !s.is_undefined() && !s.is_null())
        .map(|s| s.unchecked_into())
}

/// Awaits a `navigator.storage` promise that settles to a boolean.
async fn ask(
    call: fn(&web_sys::StorageManager) -> Result<js_sys::Promise, wasm_bindgen::JsValue>,
) -> Option<bool> {
    let promise = call(&storage_manager()?).ok()?;
    wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .ok()?
        .as_bool()
}

/// Bytes used, persistence, and the current problem, if any.
#[component]
fn StorageHealth(
    /// The reader's data.
    data: ReaderData,
    /// Bytes this app keeps in storage, when storage can be read.
    bytes: ReadSignal<Option<usize>>,
    /// Every item kept, for the count of highlights.
    items: Memo<std::collections::BTreeMap<crate::store::ItemId, crate::store::ItemState>>,
) -> impl IntoView {
    let highlights = move || {
        items.with(|all| {
            let (mut count, mut notes, mut stories) = (0, 0, 0);
            for item in all.values() {
                let before = count;
                for h in item.visible_highlights() {
                    count += 1;
                    notes += usize::from(!h.note.trim().is_empty());
                }
                stories += usize::from(count > before);
            }
            match count {
                0 => "None".to_owned(),
                _ => format!(
                    "{count} highlight{} ({notes} with a note) in {stories} stor{}",
                    plural(count, "", "s"),
                    plural(stories, "y", "ies")
                ),
            }
        })
    };
    let (persistence, set_persistence) = signal(Persistence::Checking);
    leptos::task::spawn_local(async move {
        set_persistence.set(match ask(web_sys::StorageManager::persisted).await {
            Some(true) => Persistence::Persistent,
            Some(false) => Persistence::NotPersistent,
            None => Persistence::Unsupported,
        });
    });
    let persist = move |_| {
        leptos::task::spawn_local(async move {
            set_persistence.set(match ask(web_sys::StorageManager::persist).await {
                Some(true) => Persistence::Persistent,
                Some(false) => Persistence::Declined,
                None => Persistence::Unsupported,
            });
        });
    };
    let health = data.health;
    let used = move || {
        if health.with(|h| h.unavailable.is_some()) {
            return "Nothing is stored: browser storage is unavailable.".to_owned();
        }
        match bytes.get() {
            Some(n) => format!("{} used", human_bytes(n)),
            None => "Unknown: storage could not be read.".to_owned(),
        }
    };
    let kept = move || match persistence.get() {
        Persistence::Checking => "Checking…",
        Persistence::Unsupported => "This browser does not say whether it keeps your data.",
        Persistence::Persistent => "Persistent: the browser will not clear it to free space.",
        Persistence::NotPersistent => {
            "Not persistent: the browser may clear it when space runs low."
        }
        Persistence::Declined => {
            "Not persistent: the browser declined. Export now and then to keep a copy."
        }
    };
    view! {
        <section class="data-action" aria-labelledby="health-title">
            <h2 id="health-title">"Storage health"</h2>
            <dl class="storage-health">
                <div>
                    <dt>"Space used"</dt>
                    <dd>{used}</dd>
                </div>
                <div>
                    <dt>"Highlights"</dt>
                    <dd>{highlights}</dd>
                </div>
                <div>
                    <dt>"Kept"</dt>
                    <dd>
                        {kept}
                        <Show when=move || persistence.get() == Persistence::NotPersistent>
                            " "
                            <button type="button" on:click=persist>"Keep my data persistent"</button>
                        </Show>
                    </dd>
                </div>
                <div>
                    <dt>"Problems"</dt>
                    <dd>
                        <ul class="health-problems">
                            {move || health.with(problem_lines).into_iter().map(|line| view! { <li>{line}</li> }).collect_view()}
                        </ul>
                    </dd>
                </div>
            </dl>
        </section>
    }
}

/// The problems to list on the page, or "No problems".
fn problem_lines(health: &Health) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(why) = &health.unavailable {
        lines.push(format!(
            "Storage is unavailable ({why}): everything lives in this tab until it is closed."
        ));
    }
    if health.quota_full {
        lines.push(
            "Storage is full: the latest changes are kept in this tab and saved once there is room. Free up space here: discard backups or forget reading positions."
                .to_owned(),
        );
    }
    lines.extend(health.problems.iter().cloned());
    if lines.is_empty() {
        lines.push("No problems".to_owned());
    }
    lines
}

/// "812 bytes", "12.3 KB", "4.8 MB" (binary units, as browsers count quota).
fn human_bytes(n: usize) -> String {
    const KB: f64 = 1024.0;
    let n_f = n as f64;
    if n < 1024 {
        format!("{n} byte{}", plural(n, "", "s"))
    } else if n_f < KB * KB {
        format!("{:.1} KB", n_f / KB)
    } else {
        format!("{:.1} MB", n_f / (KB * KB))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_are_shown_for_people() {
        let cases = [
            (0, "0 bytes"),
            (1, "1 byte"),
            (1023, "1023 bytes"),
            (1024, "1.0 KB"),
            (12_600, "12.3 KB"),
            (5 * 1024 * 1024, "5.0 MB"),
        ];
        for (n, want) in cases {
            assert_eq!(human_bytes(n), want);
        }
    }

    #[test]
    fn the_delete_question_says_what_unsaved_is_kept_and_what_is_lost() {
        use crate::ui::reader_data::Unsaved;
        assert_eq!(unsaved_text(Unsaved::default()), "");
        let text = unsaved_text(Unsaved {
            stories: 3,
            drafts: 2,
            settings: true,
        });
        assert!(
            text.contains("to 3 stories and your reading settings"),
            "{text}"
        );
        assert!(text.contains("the 2 unsaved drafts are kept"), "{text}");
        assert!(
            text.contains("every other unsaved change is lost too"),
            "{text}"
        );
        let text = unsaved_text(Unsaved {
            stories: 1,
            drafts: 0,
            settings: false,
        });
        assert!(
            text.ends_with("(to 1 story): they will be lost too."),
            "{text}"
        );
    }

    #[test]
    fn problems_list_every_kind_or_none() {
        assert_eq!(problem_lines(&Health::default()), ["No problems"]);
        let health = Health {
            unavailable: Some("blocked".into()),
            quota_full: true,
            problems: vec!["kept under “broadsheet:backup:x”".into()],
        };
        let lines = problem_lines(&health);
        assert_eq!(lines.len(), 3);
        assert!(lines[0].contains("blocked"));
        assert!(lines[2].contains("broadsheet:backup:x"));
    }
}
