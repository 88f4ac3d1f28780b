//! The controls' two kinds of element: a labelled `<select>` and an on/off button.

use leptos::prelude::*;

/// A labelled `<select>`.
#[component]
pub(super) fn Picker(
    /// The `<select>`'s id.
    id: &'static str,
    /// What it picks, shown before it.
    label: &'static str,
    /// Each option's value and text.
    options: Signal<Vec<(String, String)>>,
    /// The value of the option shown as picked. Set again (a change that failed is undone on screen) whenever
    /// it notifies, even with the same value.
    value: Signal<String>,
    /// True while it cannot act.
    disabled: Signal<bool>,
    /// Called with the value the person picked.
    on_pick: Callback<String>,
) -> impl IntoView {
    view! {
        <label class="media-controls-picker">
            <span>{label}</span>
            <select
                id=id
                disabled=disabled
                on:change=move |event| on_pick.run(event_target_value(&event))
            >
                {move || {
                    options
                        .get()
                        .into_iter()
                        .map(|(option, text)| {
                            let mine = option.clone();
                            view! {
                                <option value=option prop:selected=move || value.with(|v| *v == mine)>
                                    {text}
                                </option>
                            }
                        })
                        .collect_view()
                }}
            </select>
        </label>
    }
}

/// A button that turns something off and back on: its label says what a press does, `aria-pressed` whether
/// it is pressed (muted, camera off, sharing).
#[component]
pub(super) fn Toggle(
    /// The button's id.
    id: &'static str,
    /// The label while not pressed, and while pressed.
    labels: (&'static str, &'static str),
    /// Whether it is pressed now.
    pressed: Signal<bool>,
    /// True while it cannot act.
    disabled: Signal<bool>,
    /// Called on a press.
    on_press: Callback<()>,
    /// Why it cannot act, if it never can.
    #[prop(optional_no_strip)]
    title: Option<&'static str>,
) -> impl IntoView {
    view! {
        <button
            id=id
            class="secondary"
            aria-pressed=move || if pressed.get() { "true" } else { "false" }
            title=title
            disabled=disabled
            on:click=move |_| on_press.run(())
        >
            {move || if pressed.get() { labels.1 } else { labels.0 }}
        </button>
    }
}
