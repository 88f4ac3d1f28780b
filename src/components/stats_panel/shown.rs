//! What the panel shows, and the one way each text of it is read.

use leptos::prelude::*;

use crate::model::{
    log::millis,
    stats::{cell, kbps, Figures, History},
};

/// What an unknown figure shows.
const UNKNOWN: &str = "\u{2014}";

/// What the panel shows of the current call: the latest figures, the last minute, and why the latest reading
/// failed, if it did.
#[derive(Default)]
pub(super) struct Shown {
    pub(super) figures: Option<Figures>,
    pub(super) history: History,
    pub(super) failure: Option<String>,
}

/// One text of the panel. Every text is read through the same closure type: each distinct closure costs wasm.
#[derive(Clone, Copy)]
pub(super) enum Field {
    /// Row `row` of [`ROWS`](crate::model::stats::ROWS), sent or received.
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

/// The reader of `field`'s text. Every text of the panel is read through this one closure type: each distinct
/// closure costs wasm.
pub(super) fn text(shown: ReadSignal<Shown>, field: Field) -> impl Fn() -> String + Copy + 'static {
    move || shown.with(|shown| shown.text(field))
}
