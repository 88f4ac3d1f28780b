//! Chat and file transfer over the data channel: the [`ChatPanel`], which only shows them.
//!
//! The panel talks on every channel it is given (one in the demo, one per person in a room): a chat line, or a
//! file, goes to every open channel. What the panel shows, and what each event does to it, is a plain
//! [`ChatState`] (in [`crate::model::chat`]); the channels at work (sending, pacing, hashing, putting files back
//! together) are [`crate::wire`]'s. Here:
//! - [`panel`]: the [`Panel`] handle: the state in a signal, and the channels bound to it and to the page's log;
//! - [`lines`], [`compose`] and [`rows`]: the chat lines, the message box and file picker, and the transfer rows.
//!
//! Unmounting the panel drops every channel's handlers, stops every transfer and revokes every download link.

mod compose;
mod lines;
mod panel;
mod rows;

use leptos::prelude::*;
use web_sys::DragEvent;

use crate::{
    log::use_logger,
    model::{chat::ChatState, frames::MAX_FILE_SIZE},
    webrtc::{channel::ChannelHandle, FileHandle},
};

use self::{compose::Composer, lines::ChatLines, panel::Panel, rows::TransferList};

/// A chat, with file transfer, with the other end of each channel.
#[component]
pub fn ChatPanel(
    /// A prefix for the element ids of this panel (two panels can share a page, as in the demo).
    id: &'static str,
    /// How this side is named on the page ("pc1", "You").
    me: Signal<String>,
    /// The channels to talk on, each with the name of the person at the other end. A channel is added when a
    /// connection is made and removed when it closes.
    channels: Signal<Vec<(String, ChannelHandle)>, LocalStorage>,
    /// The largest file sent or accepted, in bytes ([`MAX_FILE_SIZE`] unless given; tests lower it).
    #[prop(optional)]
    max_file_size: Option<u64>,
) -> impl IntoView {
    let panel = Panel::new(me, use_logger(), max_file_size.unwrap_or(MAX_FILE_SIZE));
    Effect::new(move |_| {
        let list = channels.get();
        untrack(|| panel.sync(list));
    });
    // Unmounting drops every channel's handlers, stops every transfer and revokes every download link.
    on_cleanup(move || panel.clear());
    // How deep inside the panel a dragged file is (enter and leave fire for each child crossed).
    let dragging = RwSignal::new(0u32);
    let state = panel.state;

    view! {
        <section
            class="chat"
            id=id
            class:dragging=move || dragging.get() != 0
            on:dragenter=move |event: DragEvent| drag(&event, dragging, 1)
            on:dragleave=move |event: DragEvent| drag(&event, dragging, -1)
            on:dragover=move |event: DragEvent| drag_over(&event)
            on:drop=move |event: DragEvent| dropped(&event, dragging, panel)
        >
            <h2>
                "Chat and files " <span class="chat-who">{move || heading(state, me)}</span>
            </h2>
            <ChatLines id=id state=state />
            <Composer id=id panel=panel />
            <p class="chat-notice" id=format!("{id}-notice") role="status">
                {move || state.with(|state| state.notice().map(str::to_owned))}
            </p>
            <TransferList id=id panel=panel />
        </section>
    }
}

/// The heading: who this side is, and to whom it is connected.
fn heading(state: RwSignal<ChatState>, me: Signal<String>) -> String {
    let me = me.get();
    state.with(|state| state.who(&me))
}

/// True when what is dragged includes files: only a file is taken on the panel, so text dragged onto the message
/// box lands there as usual.
fn carries_files(event: &DragEvent) -> bool {
    event
        .data_transfer()
        .is_some_and(|data| data.types().includes(&"Files".into(), 0))
}

/// A dragged file entered (`step` 1) or left (-1) the panel or one of its children.
fn drag(event: &DragEvent, dragging: RwSignal<u32>, step: i32) {
    if carries_files(event) {
        dragging.update(|depth| *depth = depth.saturating_add_signed(step));
    }
}

/// Lets a file be dropped here.
fn drag_over(event: &DragEvent) {
    if carries_files(event) {
        event.prevent_default();
    }
}

/// A file was dropped on the panel: it is sent.
fn dropped(event: &DragEvent, dragging: RwSignal<u32>, panel: Panel) {
    if carries_files(event) {
        event.prevent_default();
        dragging.set(0);
        if let Some(files) = event.data_transfer().and_then(|data| data.files()) {
            panel.send_files(FileHandle::list(&files));
        }
    }
}
