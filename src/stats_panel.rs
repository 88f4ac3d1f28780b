//! The live statistics of a call, with a chart of bitrate and round-trip time. (To be written: issue 5, part 1.)

use leptos::prelude::*;
use web_sys::RtcPeerConnection;

use crate::log::Logger;

/// Live statistics for a call: per direction bitrate, frame rate, resolution, loss, jitter, round-trip time,
/// codec and candidate pair type, polled once a second, with the last 60 seconds of bitrate and RTT drawn.
#[component]
pub fn StatsPanel(
    /// The heading ("Call statistics", or the person's id in a room).
    #[prop(into)]
    title: String,
    /// The connections of the call (the demo: pc1 and pc2; a room: the one with this person). Empty: no call.
    connections: Signal<Vec<RtcPeerConnection>, LocalStorage>,
    /// Where problems reading the stats are logged.
    log: Logger,
) -> impl IntoView {
    let _ = (title, connections, log);
}
