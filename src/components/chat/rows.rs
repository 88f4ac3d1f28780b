//! The transfer rows: every file going out or coming in, with its progress and buttons.

use leptos::prelude::*;

use super::panel::Panel;
use crate::model::{
    bytes::bytes_text,
    chat::{ChatState, Key, Transfer},
};

/// Every file going out or coming in, oldest first.
#[component]
pub(super) fn TransferList(
    /// The panel's id prefix.
    id: &'static str,
    /// The panel the rows belong to.
    panel: Panel,
) -> impl IntoView {
    let state = panel.state;
    let keys = move || {
        state.with(|state| {
            state
                .transfers()
                .iter()
                .map(|row| row.key)
                .collect::<Vec<_>>()
        })
    };
    view! {
        <ul class="chat-transfers" id=format!("{id}-transfers")>
            <For each=keys key=|key| *key let:key>
                <TransferRow panel=panel key=key />
            </For>
        </ul>
    }
}

/// One file going out or coming in: name, progress bar, figures, what became of it, and its buttons.
#[component]
fn TransferRow(
    /// The panel the row belongs to.
    panel: Panel,
    /// The row.
    key: Key,
) -> impl IntoView {
    let state = panel.state;
    let (outgoing, peer, name, size) = state.with_untracked(|state| {
        let transfer = state.transfer(key)?;
        let file = &transfer.file;
        Some((
            transfer.outgoing,
            transfer.peer.clone(),
            file.name.clone(),
            file.size,
        ))
    })?;
    let state_name = move || with_row(state, key, |row| row.state.name());
    let finished = move || !matches!(state_name(), "running" | "sent");
    let bar = move || with_row(state, key, Transfer::bar);
    let href = move || with_row(state, key, |row| row.href.clone());
    // Static elements with reactive attributes and text: cheaper in wasm than views that come and go.
    Some(view! {
        <li class="chat-transfer" data-state=state_name data-direction=if outgoing { "out" } else { "in" }>
            <div class="chat-transfer-head">
                <span class="chat-transfer-name">
                    {if outgoing { "To " } else { "From " }} {peer} ": " <b>{name.clone()}</b>
                </span>
                <button class="chat-cancel secondary" hidden=finished on:click=move |_| panel.cancel(key)>
                    "Cancel"
                </button>
                <button
                    class="chat-remove secondary"
                    title="Remove from the list (its download link goes too)"
                    hidden=move || !finished()
                    on:click=move |_| panel.remove(key)
                >
                    "Remove"
                </button>
            </div>
            <progress max=move || bar().1.to_string() value=move || bar().0.to_string()></progress>
            <div class="chat-transfer-figures">{move || with_row(state, key, |row| row.progress().text())}</div>
            <div class="chat-transfer-status">{move || with_row(state, key, Transfer::status)}</div>
            // No href and no download attribute until the file is verified.
            <a
                class="chat-download"
                hidden=move || href().is_none()
                href=href
                download=move || href().map(|_| name.clone())
            >
                "Save " {name.clone()} " (" {bytes_text(size)} ")"
            </a>
        </li>
    })
}

/// Reads row `key` (tracked), or the default if it is gone.
fn with_row<T: Default>(state: RwSignal<ChatState>, key: Key, f: impl FnOnce(&Transfer) -> T) -> T {
    state
        .with(|state| state.transfer(key).map(f))
        .unwrap_or_default()
}
