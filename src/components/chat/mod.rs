//! Chat and file transfer over the data channel: the [`ChatPanel`].
//!
//! The panel talks on every channel it is given (one in the demo, one per person in a room). A chat line goes to
//! every open channel. A file goes to every open channel too, each with its own transfer: sent by the channel
//! handle a slice at a time, in chunks, with backpressure ([`crate::webrtc::channel::DataChannel::send_file`]),
//! hashed on both sides, and put back together on the receiving side as JS buffers (outside wasm memory) until a
//! `Blob` and a download link are made.
//!
//! What the panel shows, and what each event does to it, is a plain [`ChatState`] (in [`crate::model::chat`]);
//! what travels, and the checks, are in [`crate::model::transfer`]. Here:
//! - [`panel`]: the glue, a [`Panel`] handle that wires each channel's events to the state, and keeps the JS side
//!   (channels, sending tasks, received chunks, download links) beside it;
//! - [`incoming`] and [`outgoing`]: what the glue does for a file coming in, and for what this side sends;
//! - [`lines`], [`compose`] and [`transfers`]: the chat lines, the message box and file picker, and the rows.
//!
//! Ownership: each channel's handlers, its transfers' tasks and received chunks belong to the panel, dropped when
//! the channel leaves the list, the transfer ends, or the panel unmounts; each download link's object URL belongs
//! to its row, revoked when the row is removed or the panel unmounts.

mod channels;
mod compose;
mod incoming;
mod lines;
mod outgoing;
mod panel;
mod transfers;

use leptos::prelude::*;
use web_sys::DragEvent;

use crate::{
    log::use_logger,
    model::{chat::ChatState, transfer::MAX_FILE_SIZE},
    webrtc::{channel::ChannelHandle, FileHandle},
};

use self::{compose::Composer, lines::ChatLines, panel::Panel, transfers::TransferList};

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
