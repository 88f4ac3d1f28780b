//! The live statistics of a call, with a chart of bitrate and round-trip time.
//!
//! While the panel has connections it polls their `getStats()` once a second in one task, which it aborts when
//! the connections change or go (no call: no polling, "No call") and when it unmounts.

use std::rc::Rc;

use futures::future::{AbortHandle, Abortable};
use leptos::{prelude::*, task::spawn_local};

use crate::{
    log::{use_logger, Logger},
    model::log::millis,
    model::stats::{
        cell, fields_of, kbps, Figures, History, RawStats, Snapshot, Value, CHART_HEIGHT,
        CHART_WIDTH, ROWS,
    },
    webrtc::{sleep, stats::StatsObject, PeerConnection},
};

/// What an unknown figure shows.
const UNKNOWN: &str = "\u{2014}";

/// What the panel shows of the current call: the latest figures, the last minute, and why the latest reading
/// failed, if it did.
#[derive(Default)]
struct Shown {
    figures: Option<Figures>,
    history: History,
    failure: Option<String>,
}

/// One text of the panel. Every text is read through the same closure type: each distinct closure costs wasm.
#[derive(Clone, Copy)]
enum Field {
    /// Row `row` of [`ROWS`], sent or received.
    Cell {
        sent: bool,
        row: usize,
    },
    RoundTrip,
    LocalCandidate,
    RemoteCandidate,
    /// The top of the chart's bitrate scale.
    KbpsTop,
    /// The top of the chart's round-trip time scale.
    RttTop,
    /// The `points` of the bitrate line.
    KbpsLine,
    /// The `points` of the round-trip time line.
    RttLine,
    /// What the bitrate line is.
    KbpsLabel,
    Failure,
}

impl Shown {
    fn text(&self, field: Field) -> String {
        let figures = self.figures.as_ref();
        let known = match field {
            Field::Cell { sent, row } => figures
                .and_then(|f| {
                    if sent {
                        f.sent.as_ref()
                    } else {
                        f.received.as_ref()
                    }
                })
                .and_then(|direction| cell(direction, row)),
            Field::RoundTrip => figures.and_then(|f| f.rtt_ms).map(|ms| millis(ms) + " ms"),
            Field::LocalCandidate => figures.and_then(|f| f.local_candidate.clone()),
            Field::RemoteCandidate => figures.and_then(|f| f.remote_candidate.clone()),
            Field::Failure => return self.failure.clone().unwrap_or_default(),
            Field::KbpsTop => return kbps(self.history.chart().kbps_max),
            Field::RttTop => return millis(self.history.chart().rtt_max) + " ms",
            Field::KbpsLine => return self.history.chart().kbps,
            Field::RttLine => return self.history.chart().rtt,
            Field::KbpsLabel => {
                let what = if self.history.chart().received {
                    "Received video bitrate"
                } else {
                    "Sent video bitrate"
                };
                return what.to_owned();
            }
        };
        known.unwrap_or_else(|| UNKNOWN.to_owned())
    }
}

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
    let text = move |field: Field| move || shown.with(|shown| shown.text(field));
    let rows = ROWS
        .iter()
        .enumerate()
        .map(|(row, &(key, label))| {
            view! {
                <tr>
                    <th scope="row">{label}</th>
                    <td data-stat=format!("sent-{key}")>{text(Field::Cell { sent: true, row })}</td>
                    <td data-stat=format!("received-{key}")>{text(Field::Cell { sent: false, row })}</td>
                </tr>
            }
        })
        .collect_view();

    // Both states are always there, one hidden: cheaper in wasm than switching views.
    view! {
        <section class="stats">
            <h2>{title}</h2>
            <p class="stats-none" hidden=move || !no_call()>
                "No call"
            </p>
            <div class="stats-call" hidden=no_call>
                <p class="stats-failure" hidden=move || shown.with(|shown| shown.failure.is_none())>
                    {text(Field::Failure)}
                </p>
                <div class="stats-body">
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
                    <div>
                        <dl class="stats-path">
                            <div>
                                <dt>"Round-trip time"</dt>
                                <dd data-stat="rtt">{text(Field::RoundTrip)}</dd>
                            </div>
                            <div>
                                <dt>"Our candidate"</dt>
                                <dd data-stat="local-candidate">{text(Field::LocalCandidate)}</dd>
                            </div>
                            <div>
                                <dt>"Their candidate"</dt>
                                <dd data-stat="remote-candidate">{text(Field::RemoteCandidate)}</dd>
                            </div>
                        </dl>
                        <figure class="stats-chart">
                            <div class="stats-scale">
                                <span class="stats-kbps">{text(Field::KbpsTop)}</span>
                                <span class="stats-rtt">{text(Field::RttTop)}</span>
                            </div>
                            <svg
                                viewBox=format!("0 0 {CHART_WIDTH} {CHART_HEIGHT}")
                                preserveAspectRatio="none"
                                role="img"
                                aria-label="Video bitrate and round-trip time over the last minute"
                            >
                                <polyline class="stats-kbps" points=text(Field::KbpsLine) />
                                <polyline class="stats-rtt" points=text(Field::RttLine) />
                            </svg>
                            <figcaption>
                                <span class="stats-kbps">{text(Field::KbpsLabel)}</span>
                                <span class="stats-rtt">"Round-trip time"</span>
                                <span>"last 60 s"</span>
                            </figcaption>
                        </figure>
                    </div>
                </div>
            </div>
        </section>
    }
    // Erased here, once: otherwise both pages' views would carry (and build code for) this one's whole type.
    .into_any()
}

/// Reads the stats of `connections` once a second, forever (the caller aborts it): the figures from the
/// difference with the previous reading, and a sample for the chart. A failure is shown while it lasts, and logged
/// only the first time.
async fn poll(connections: Vec<Rc<PeerConnection>>, set_shown: WriteSignal<Shown>, log: Logger) {
    let mut before: Option<Snapshot> = None;
    let mut reported = false;
    loop {
        let mut parts = Vec::with_capacity(connections.len());
        let mut failure = None;
        for (number, pc) in connections.iter().enumerate() {
            match pc.stats(raw_stats).await {
                Ok(raw) => parts.push(Snapshot::parse(number, &raw)),
                Err(error) => {
                    failure = Some(format!("Could not read the call statistics: {error}"))
                }
            }
        }
        if let (Some(text), false) = (&failure, reported) {
            reported = true;
            log.error(text.clone());
        }
        let now = (!parts.is_empty()).then(|| Snapshot::merge(parts));
        set_shown.try_update(|shown| {
            shown.failure = failure;
            if let Some(now) = &now {
                let figures = Figures::between(before.as_ref(), now);
                shown.history.push(figures.sample());
                shown.figures = Some(figures);
            }
        });
        if now.is_some() {
            before = now;
        }
        sleep(1000).await;
    }
}

/// The fields of one stats object that [`fields_of`] asks for, as plain values; `None` for an object of a type
/// the panel does not use.
fn raw_stats(object: &StatsObject) -> Option<RawStats> {
    let kind = object.text("type")?;
    let fields = fields_of(&kind);
    if fields.is_empty() {
        return None;
    }
    let value = |key: &str| {
        object
            .number(key)
            .map(Value::Number)
            .or_else(|| object.text(key).map(Value::Text))
            .or_else(|| object.flag(key).map(Value::Bool))
    };
    Some(RawStats {
        id: object.text("id").unwrap_or_default(),
        timestamp: object.number("timestamp").unwrap_or(0.0),
        fields: fields
            .iter()
            .filter_map(|&key| Some((key, value(key)?)))
            .collect(),
        kind,
    })
}
