//! Call statistics: `getStats()` reports parsed into typed structs, and the rates computed from two of them.
//!
//! Pure Rust, tested natively. The browser glue ([`crate::webrtc::stats`]) reads each stats object of a report
//! into a [`RawStats`]: its `type`, `id`, `timestamp` and the fields that [`fields_of`] lists for its type.
//! Everything else happens here, in one place:
//!
//! - [`Snapshot::parse`] turns one connection's report into typed [`RtpStream`]s (sent and received, each with
//!   its codec and, for a sent stream, the loss and jitter the far end reported) and the selected
//!   [`CandidatePair`]; [`Snapshot::merge`] joins the snapshots of several connections (the demo's pc1 and pc2);
//! - [`Figures::between`] computes what a person reads (bitrates, frame rates, ...) from two snapshots a second
//!   apart, with [`rate`] for every counter;
//! - [`History`] keeps the last 60 seconds of bitrate and round-trip time, and draws them as a [`Chart`].
//!
//! Numbers are formatted by hand ([`kbps`], [`super::log::millis`]): float formatting costs 16 KB of wasm.
//!
//! In `stats/`: the raw values and which fields are read (`raw.rs`), the typed streams and pair (`stream.rs`),
//! the parser (`snapshot.rs`), the rates (`figures.rs`), the table's cells (`table.rs`), the last minute and its
//! chart (`chart.rs`), and the tests (`tests.rs`).

mod chart;
mod figures;
mod raw;
mod snapshot;
mod stream;
mod table;
#[cfg(test)]
mod tests;

pub use self::{
    chart::{nice_ceiling, Chart, History, Sample, CHART_HEIGHT, CHART_WIDTH},
    figures::{rate, Direction, Figures},
    raw::{fields_of, RawStats, Value},
    snapshot::Snapshot,
    stream::{CandidatePair, Media, RtpStream},
    table::{cell, kbps, whole, ROWS},
};
