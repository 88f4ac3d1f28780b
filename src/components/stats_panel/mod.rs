//! The live statistics of a call, with a chart of bitrate and round-trip time.
//!
//! While the panel has connections it polls their `getStats()` once a second in one task, which it aborts when
//! the connections change or go (no call: no polling, "No call") and when it unmounts.
//!
//! In `stats_panel/`: what the panel shows and how each text is read (`shown.rs`), the polling task and the reader
//! of each stats object (`poll.rs`), the table (`table.rs`) and the chart (`chart.rs`).

mod chart;
mod poll;
mod shown;
mod table;

use std::rc::Rc;

use futures::future::{AbortHandle, Abortable};
use leptos::{prelude::*, task::spawn_local};

use self::{
    chart::chart,
    poll::poll,
    shown::{text, Field, Shown},
    table::{path, table},
};
use crate::{log::use_logger, webrtc::PeerConnection};

/// Live statistics for a call: per direction bitrate, frame rate, resolution, loss, jitter, round-trip time,
/// codec and candidate pair type, polled once a second, with the last 60 seconds of bitrate and RTT drawn.
#[component]
pub fn StatsPanel(
    /// The heading ("Call statistics", or the person's id in a room).
    #[prop(into)]
    title: String,
    /// The connections of the call (the demo: pc1 and pc2; a room: the one with this person). Empty: no call.
    connections: Signal<Vec<Rc<PeerConnection>>, LocalStorage>,
) -> impl IntoView {
    let log = use_logger();
    let (shown, set_shown) = signal(Shown::default());

    // The polling task of the current connections, if any.
    let poller = StoredValue::new(None::<AbortHandle>);
    let stop = move || {
        if let Some(handle) = poller.try_update_value(Option::take).flatten() {
            handle.abort();
        }
    };
    // (Re)start polling when the connections really change: the signal also fires when something else in
    // what it derives from changes (another person's tile in a room), and that must not restart the history.
    Effect::new(move |polled: Option<Vec<Rc<PeerConnection>>>| {
        let current = connections.get();
        if polled.as_ref() == Some(&current) {
            return current;
        }
        stop();
        set_shown.set(Shown::default());
        if !current.is_empty() {
            let (handle, registration) = AbortHandle::new_pair();
            poller.set_value(Some(handle));
            let task = Abortable::new(poll(current.clone(), set_shown, log), registration);
            spawn_local(async move {
                // Err(Aborted): the connections changed or the panel went away.
                let _ = task.await;
            });
        }
        current
    });
    on_cleanup(stop);

    let no_call = move || connections.with(Vec::is_empty);

    // Both states are always there, one hidden: cheaper in wasm than switching views.
    view! {
        <section class="stats">
            <h2>{title}</h2>
            <p class="stats-none" hidden=move || !no_call()>
                "No call"
            </p>
            <div class="stats-call" hidden=no_call>
                <p class="stats-failure" hidden=move || shown.with(|shown| shown.failure.is_none())>
                    {text(shown, Field::Failure)}
                </p>
                <div class="stats-body">
                    {table(shown)}
                    <div>
                        {path(shown)}
                        {chart(shown)}
                    </div>
                </div>
            </div>
        </section>
    }
    // Erased here, once: otherwise both pages' views would carry (and build code for) this one's whole type.
    .into_any()
}
