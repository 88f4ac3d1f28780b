//! Chat and file transfer over the data channel. (To be written: issue 5, part 3.)

use leptos::prelude::*;
use web_sys::RtcDataChannel;

use crate::log::Logger;

/// A chat, with file transfer, with the other end of each channel.
#[component]
pub fn ChatPanel(
    /// A prefix for the element ids of this panel (two panels can share a page, as in the demo).
    id: &'static str,
    /// How this side is named on the page ("pc1", "You").
    me: Signal<String>,
    /// The channels to talk on, each with the name of the person at the other end. A channel is added when a
    /// connection is made and removed when it closes.
    channels: Signal<Vec<(String, RtcDataChannel)>, LocalStorage>,
    /// Where steps and problems are logged.
    log: Logger,
) -> impl IntoView {
    let _ = (id, me, channels, log);
}
