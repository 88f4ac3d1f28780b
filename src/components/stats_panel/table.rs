//! The sent / received table, and the candidate pair's figures beside it.

use leptos::prelude::*;

use super::shown::{text, Field, Shown};
use crate::model::stats::ROWS;

/// The table: one row of [`ROWS`] each, sent and received side by side (`data-stat="sent-<key>"`, ...).
///
/// A plain function, not a component: its view stays inside the panel's one erased type.
pub(super) fn table(shown: ReadSignal<Shown>) -> impl IntoView {
    let rows = ROWS
        .iter()
        .enumerate()
        .map(|(row, &(key, label))| {
            view! {
                <tr>
                    <th scope="row">{label}</th>
                    <td data-stat=format!("sent-{key}")>{text(shown, Field::Cell { sent: true, row })}</td>
                    <td data-stat=format!("received-{key}")>{text(shown, Field::Cell { sent: false, row })}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="stats-table">
            <thead>
                <tr>
                    <td></td>
                    <th scope="col">"Sent"</th>
                    <th scope="col">"Received"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
}

/// The round-trip time and the candidate types of the selected pair.
pub(super) fn path(shown: ReadSignal<Shown>) -> impl IntoView {
    view! {
        <dl class="stats-path">
            <div>
                <dt>"Round-trip time"</dt>
                <dd data-stat="rtt">{text(shown, Field::RoundTrip)}</dd>
            </div>
            <div>
                <dt>"Our candidate"</dt>
                <dd data-stat="local-candidate">{text(shown, Field::LocalCandidate)}</dd>
            </div>
            <div>
                <dt>"Their candidate"</dt>
                <dd data-stat="remote-candidate">{text(shown, Field::RemoteCandidate)}</dd>
            </div>
        </dl>
    }
}
