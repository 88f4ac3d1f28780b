//! The message box, the file picker, and why neither can send.

use leptos::prelude::*;
use web_sys::{Event, HtmlInputElement, SubmitEvent};

use super::panel::Panel;
use crate::{
    model::{
        bytes::bytes_text,
        chat::{ChatState, MAX_TEXT},
    },
    webrtc::FileHandle,
};

/// The message box with its Send button, the reason nothing can be sent (when so), and the file picker.
#[component]
pub(super) fn Composer(
    /// The panel's id prefix.
    id: &'static str,
    /// The panel that sends.
    panel: Panel,
) -> impl IntoView {
    let state = panel.state;
    let text = RwSignal::new(String::new());
    let blocked = move || state.with(ChatState::blocked_reason);
    let limit = bytes_text(state.with_untracked(ChatState::limit));
    view! {
        <form class="chat-compose" on:submit=move |event: SubmitEvent| submit(&event, text, panel)>
            <input
                id=format!("{id}-text")
                type="text"
                placeholder="Write a message"
                aria-label="Message"
                maxlength=MAX_TEXT
                autocomplete="off"
                prop:value=text
                on:input=move |event| text.set(event_target_value(&event))
            />
            <button
                id=format!("{id}-send")
                type="submit"
                disabled=move || blocked().is_some() || text.with(|text| text.trim().is_empty())
            >
                "Send"
            </button>
        </form>
        <p class="chat-reason" id=format!("{id}-reason") hidden=move || blocked().is_none()>
            {move || blocked().unwrap_or_default()}
        </p>
        <div class="chat-files">
            <label>
                "Send a file "
                <input
                    id=format!("{id}-file")
                    type="file"
                    disabled=move || blocked().is_some()
                    on:change=move |event: Event| picked(&event, panel)
                />
            </label>
            <span class="chat-limit" id=format!("{id}-limit")>
                "or drop it here; files up to " {limit} "."
            </span>
        </div>
    }
}

/// Send (or Enter): the line goes out, and the box is emptied if it did.
fn submit(event: &SubmitEvent, text: RwSignal<String>, panel: Panel) {
    event.prevent_default();
    let line = text.get_untracked();
    if !line.trim().is_empty() && panel.send_chat(&line) {
        text.set(String::new());
    }
}

/// A file was picked: it is sent, and the picker cleared, so that picking the same file again sends it again.
fn picked(event: &Event, panel: Panel) {
    let input: HtmlInputElement = event_target(event);
    if let Some(files) = input.files() {
        panel.send_files(FileHandle::list(&files));
    }
    input.set_value("");
}
