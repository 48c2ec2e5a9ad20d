//! "Reading settings": theme, text size, line width, font and line spacing, applied at once.

use super::reader_data::{use_reader_data, ReaderData};
use crate::store::{FontChoice, Settings, Theme};
use leptos::prelude::*;

const WIDTHS: [&str; 3] = ["Narrow", "Medium", "Wide"];
const SPACINGS: [&str; 3] = ["Tight", "Normal", "Loose"];

/// Mirrors the settings onto `<html>` as data attributes that the stylesheets read, so every
/// change applies instantly and with no inline style (the CSP forbids those).
pub fn apply_settings(data: ReaderData) {
    Effect::new(move |_| {
        let settings = data.settings.get();
        if let Some(root) = document().document_element() {
            let attrs = [
                ("data-theme", settings.theme.key().to_owned()),
                ("data-size", settings.text_size.to_string()),
                ("data-width", settings.line_width.to_string()),
                ("data-font", settings.font.key().to_owned()),
                ("data-spacing", settings.line_spacing.to_string()),
            ];
            for (name, value) in attrs {
                let _ = root.set_attribute(name, &value);
            }
        }
    });
}

/// A button named "Reading settings" that opens the settings panel.
#[component]
pub fn ReadingSettings() -> impl IntoView {
    let data = use_reader_data();
    let (open, set_open) = signal(false);
    let settings = data.settings;
    view! {
        <div class="settings">
            <button
                type="button"
                class="settings-toggle"
                disabled=super::early::not_ready()
                aria-expanded=move || if open.get() { "true" } else { "false" }
                aria-controls="reading-settings"
                on:click=move |_| set_open.update(|o| *o = !*o)
            >
                <span aria-hidden="true">"Aa"</span>
                " Reading settings"
            </button>
            <Show when=move || open.get()>
                <section id="reading-settings" class="settings-panel" aria-label="Reading settings">
                    <RadioGroup
                        legend="Theme"
                        name="theme"
                        options=Theme::ALL.iter().map(|t| t.label()).collect()
                        selected=Signal::derive(move || Theme::ALL.iter().position(|t| *t == settings.get().theme).unwrap_or(0))
                        on_select=Callback::new(move |i: usize| data.set_settings(|s| s.theme = Theme::ALL[i]))
                    />
                    <div class="setting">
                        <label for="text-size">"Text size"</label>
                        <input
                            id="text-size"
                            type="range"
                            min="0"
                            max=Settings::TEXT_SIZES - 1
                            step="1"
                            prop:value=move || settings.get().text_size.to_string()
                            aria-valuetext=move || format!("Step {} of {}", settings.get().text_size + 1, Settings::TEXT_SIZES)
                            on:input=move |ev| {
                                if let Ok(step) = event_target_value(&ev).parse::<u8>() {
                                    data.set_settings(|s| s.text_size = step);
                                }
                            }
                        />
                    </div>
                    <RadioGroup
                        legend="Line width"
                        name="width"
                        options=WIDTHS.to_vec()
                        selected=Signal::derive(move || settings.get().line_width as usize)
                        on_select=Callback::new(move |i: usize| data.set_settings(|s| s.line_width = i as u8))
                    />
                    <RadioGroup
                        legend="Font"
                        name="font"
                        options=FontChoice::ALL.iter().map(|f| f.label()).collect()
                        selected=Signal::derive(move || FontChoice::ALL.iter().position(|f| *f == settings.get().font).unwrap_or(0))
                        on_select=Callback::new(move |i: usize| data.set_settings(|s| s.font = FontChoice::ALL[i]))
                    />
                    <RadioGroup
                        legend="Line spacing"
                        name="spacing"
                        options=SPACINGS.to_vec()
                        selected=Signal::derive(move || settings.get().line_spacing as usize)
                        on_select=Callback::new(move |i: usize| data.set_settings(|s| s.line_spacing = i as u8))
                    />
                    <button type="button" on:click=move |_| data.set_settings(|s| *s = Settings::default())>
                        "Reset to defaults"
                    </button>
                </section>
            </Show>
        </div>
    }
}

/// A fieldset of radio buttons: a radio group named by its legend.
#[component]
fn RadioGroup(
    /// The group's name, shown as its legend.
    legend: &'static str,
    /// The form name shared by the radios.
    name: &'static str,
    /// Labels, in order.
    options: Vec<&'static str>,
    /// Index of the chosen option.
    selected: Signal<usize>,
    /// Called with the index chosen.
    on_select: Callback<usize>,
) -> impl IntoView {
    view! {
        <fieldset class="setting radio-group">
            <legend>{legend}</legend>
            {options
                .into_iter()
                .enumerate()
                .map(|(i, label)| {
                    view! {
                        <label class="radio">
                            <input
                                type="radio"
                                name=name
                                prop:checked=move || selected.get() == i
                                on:change=move |_| on_select.run(i)
                            />
                            {label}
                        </label>
                    }
                })
                .collect_view()}
        </fieldset>
    }
}
